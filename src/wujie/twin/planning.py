"""Before midnight with the team's libraries: forecast with :mod:`wujie.forecasting`, place with :mod:`wujie.placement`.

1. A global LightGBM model (Tweedie loss, sale-day features) forecasts units per region x category
   for the sale day with an 80 % interval, from the scenario's year of history.
2. The forecast (median and interval bounds as quantiles 0.1 / 0.5 / 0.9) is split down to SKUs by
   recent shares (:func:`~wujie.twin.positioning.split_to_skus`).
3. The placement LP (HiGHS) deploys each of the ``lp_skus`` highest-demand SKUs over the sites;
   the long tail is placed in proportion to regional demand (the baseline), which the report says.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import numpy as np

from wujie.placement.errors import PlacementError
from wujie.twin.positioning import (
    Positioning,
    fallback_positioning,
    proportional_placement,
    split_to_skus,
    supply_from_demand,
)
from wujie.twin.scenario import Scenario

PhaseProgress = Callable[[str, int, int], None]
QUANTILES = (0.1, 0.5, 0.9)
#: the SKUs (by forecast demand) the LP places; the others follow the proportional baseline
LP_SKUS = 200
#: solver time limit (s)
LP_SECONDS = 40.0
#: capacity of a site, as a multiple of its share of the stock under the proportional plan
CAPACITY_SLACK = 1.5


def plan_positioning(
    scenario: Scenario, progress: PhaseProgress | None = None, *, libraries: bool = True
) -> Positioning:
    """Forecast the sale day and place stock before midnight (libraries, or the fallback methods)."""
    if not libraries:
        return fallback_positioning(scenario)
    _tick(progress, "forecast", 0)
    median, lo, hi = forecast_categories(scenario)
    _tick(progress, "forecast", 1)
    demand = split_to_skus(scenario, median)
    supply = supply_from_demand(scenario, demand)
    try:
        stock, placed = place_stock(scenario, demand, split_to_skus(scenario, lo), split_to_skus(scenario, hi), supply)
        placement = f"wujie.placement plan_placement LP (HiGHS) for the top {placed} SKUs; "
        placement += "the rest proportional to regional forecast demand"
    except PlacementError as exc:  # e.g. the solver's time limit on a crowded machine: say so, use the baseline
        stock = proportional_placement(scenario, demand, supply)
        placement = f"proportional to regional forecast demand (the placement LP failed: {exc.code})"
    _tick(progress, "placement", 1)
    return Positioning(
        forecast_method="wujie.forecasting Forecaster: LightGBM (Tweedie) per region x category, "
        "times last year's 11.11 lift per region",
        placement_method=placement,
        category_forecast=median,
        demand=demand,
        supply=supply,
        stock=stock,
    )


def _tick(progress: PhaseProgress | None, phase: str, done: int) -> None:
    if progress is not None:
        progress(phase, done, 1)


def forecast_categories(scenario: Scenario) -> tuple[Any, Any, Any]:
    """Return the sale day's (median, 10 %, 90 %) units per region x category from the LightGBM model."""
    from wujie.forecasting.estimator import Forecaster
    from wujie.forecasting.params import ForecasterParams, LightGBMParams

    regions = [r.id for r in scenario.geography.regions]
    categories = [c.key for c in scenario.assortment.categories]
    frame = scenario.history.frame(regions, categories)[["unique_id", "ds", "y"]]
    year = scenario.config.year
    events = (date(year - 1, 11, 11), date(year, 11, 11))  # 11.11 only: other sale days differ in size
    lgbm = LightGBMParams(n_estimators=120)
    params = ForecasterParams(models=("lightgbm",), event_dates=events, seed=scenario.config.seed, lightgbm=lgbm)
    predicted = Forecaster(params).fit(frame).predict(1, level=[80])
    table = predicted.set_index("unique_id")
    ids = [f"{r}/{c}" for r in regions for c in categories]
    shape = (len(regions), len(categories))
    lift = sale_day_lift(scenario)[:, None]
    median, lo, hi = (
        table.loc[ids, col].to_numpy(dtype=float).reshape(shape) * lift
        for col in ("lightgbm", "lightgbm-lo-80", "lightgbm-hi-80")
    )
    return median, lo, hi


def sale_day_lift(scenario: Scenario) -> Any:
    """Return per region last year's 11.11 units over the mean of the week before it (11-02..11-08).

    A year of history holds a single 11.11: measured on this scenario, the global model's event
    feature does not carry the spike (it forecasts the ordinary level), so the lift scales it.
    """
    days = scenario.history.dates()
    sale = days.index(date(scenario.config.year - 1, 11, 11))
    units = scenario.history.units.sum(axis=2).astype(float)  # days x regions
    before = units[sale - 9 : sale - 2].mean(axis=0)
    return (units[sale] + 1.0) / (before + 1.0)


def place_stock(scenario: Scenario, median: Any, lo: Any, hi: Any, supply: Any) -> tuple[Any, int]:
    """Return (sites x SKUs stock, number of SKUs the LP placed)."""
    import pandas as pd  # type: ignore[import-untyped]

    from wujie.placement import PlacementParams, Region, Warehouse, build_network, plan_placement

    geo = scenario.geography
    stock = proportional_placement(scenario, median, supply)
    top = np.argsort(-median.sum(axis=0), kind="stable")[: min(LP_SKUS, median.shape[1])]
    top = top[supply[top] > 0]
    if len(top) == 0:
        return stock, 0
    capacity = np.maximum(stock.sum(axis=1) * CAPACITY_SLACK, 10.0)
    warehouses = [Warehouse(s.id, s.lat, s.lon, float(c)) for s, c in zip(geo.sites, capacity.tolist(), strict=True)]
    regions = [Region(r.id, r.lat, r.lon, float(r.population)) for r in geo.regions]
    network = build_network(warehouses, regions, promise_hours=2.5)  # ~150 road km: the own region
    rows = [
        (geo.regions[r].id, scenario.assortment.sku_ids[k], q, float(v[r, k]))
        for k in top.tolist()
        for r in range(len(geo.regions))
        for q, v in zip(QUANTILES, (lo, median, hi), strict=True)
    ]
    quantiles = pd.DataFrame(rows, columns=["region", "sku", "quantile", "demand"])
    totals = pd.Series(supply[top].astype(float), index=[scenario.assortment.sku_ids[k] for k in top.tolist()])
    plan = plan_placement(quantiles, network, PlacementParams(integer_stock=False, time_limit=LP_SECONDS), totals)
    _apply_plan(scenario, stock, top, plan.stock, supply)
    return stock, len(top)


def _apply_plan(scenario: Scenario, stock: Any, top: Any, plan: Any, supply: Any) -> None:
    """Overwrite the LP SKUs' columns with the plan, rounded to whole units that sum to the supply."""
    site = {s.id: i for i, s in enumerate(scenario.geography.sites)}
    sku = {s: i for i, s in enumerate(scenario.assortment.sku_ids)}
    exact = np.zeros((stock.shape[0], len(top)))
    column = {int(k): j for j, k in enumerate(top.tolist())}
    for w, s, units in plan[["warehouse", "sku", "units"]].itertuples(index=False):
        exact[site[w], column[sku[s]]] = max(float(units), 0.0)
    whole = np.floor(exact).astype(np.int64)
    short = supply[top] - whole.sum(axis=0)
    order = np.argsort(-(exact - whole), axis=0, kind="stable")
    for j in np.flatnonzero(short > 0).tolist():
        whole[order[: short[j], j], j] += 1
    whole[order[0], np.arange(len(top))] += supply[top] - whole.sum(axis=0)  # what the LP left undeployed
    stock[:, top] = whole
