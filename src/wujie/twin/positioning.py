"""Before midnight: forecast the sale day's demand by region x SKU and pre-position stock.

The forecast runs on the scenario's history (region x category series), then splits down to SKUs
by each SKU's share of its category in the region over the last 90 days. Placement turns the
demand into units per site. Where the forecasting and placement libraries are available the twin
uses them (:mod:`wujie.twin.planning`); the simple methods here are the fallback and the baseline,
and the chosen method's name goes into the report.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from wujie.twin.geography import distance_matrix_km
from wujie.twin.scenario import Scenario

#: share of a flash-deal SKU's forecast demand that merchants stock (deals are meant to sell out)
FLASH_STOCK_SHARE = 0.6
#: share of a region's units kept at its regional DC; the rest goes forward to its warehouses and stores
DC_SHARE = 0.6


@dataclass(frozen=True)
class Positioning:
    """Forecast demand and the stock placed at each site before the sale."""

    forecast_method: str
    placement_method: str
    category_forecast: Any  # (regions x categories) units on the sale day
    demand: Any  # (regions x skus) forecast units on the sale day
    supply: Any  # (skus,) units the merchants stock in all
    stock: Any  # (sites x skus) int64 units placed per site


def seasonal_naive_forecast(scenario: Scenario) -> Any:
    """Return last year's sale-day units per region x category times the year-on-year growth.

    Growth is the ratio of the last 7 days to the same 7 calendar days a year earlier.
    """
    history = scenario.history
    days = history.dates()
    sale_day = date(scenario.config.year, 11, 11)
    last_year = days.index(sale_day.replace(year=sale_day.year - 1))
    recent = history.units[-7:].sum(axis=0).astype(float)
    before = history.units[last_year - 7 : last_year].sum(axis=0).astype(float)
    growth = (recent.sum(axis=1) + 1.0) / (before.sum(axis=1) + 1.0)  # per region, robust to sparse cells
    return history.units[last_year].astype(float) * growth[:, None]


def split_to_skus(scenario: Scenario, category_forecast: Any) -> Any:
    """Split region x category units into region x SKU units by each SKU's recent share of its category."""
    category = scenario.assortment.category
    recent = scenario.history.recent_sku_units.astype(float) + 0.1  # a little mass on unseen SKUs
    totals = np.zeros((recent.shape[0], int(category.max()) + 1))
    np.add.at(totals.T, category, recent.T)
    share = recent / totals[:, category]
    return category_forecast[:, category] * share


def supply_from_demand(scenario: Scenario, demand: Any) -> Any:
    """Return units stocked per SKU: ``stock_cover`` times forecast demand, less for flash deals."""
    cover = np.full(demand.shape[1], scenario.config.stock_cover)
    for deal in scenario.assortment.flash:
        cover[deal.sku] = FLASH_STOCK_SHARE
    return np.ceil(demand.sum(axis=0) * cover).astype(np.int64)


def site_region_weights(scenario: Scenario) -> Any:
    """Return (sites x regions): how a region's units spread over its sites (DC_SHARE to the DC)."""
    geo = scenario.geography
    index = geo.region_index()
    pops = {c.name: c.population for c in reversed(geo.cities)}  # the largest city of a name wins
    weights = np.zeros((len(geo.sites), len(geo.regions)))
    for r in range(len(geo.regions)):
        members = [i for i, s in enumerate(geo.sites) if index[s.region] == r]
        dc = [i for i in members if geo.sites[i].kind == "dc"]
        forward = [i for i in members if geo.sites[i].kind != "dc"]
        if not forward:
            weights[dc, r] = 1.0 / max(1, len(dc))
            continue
        weights[dc, r] = DC_SHARE / len(dc)
        pop = np.array([pops.get(geo.sites[i].city, 1) for i in forward], dtype=float)
        weights[forward, r] = (1.0 - DC_SHARE) * pop / pop.sum()
    return weights


def proportional_placement(scenario: Scenario, demand: Any, supply: Any) -> Any:
    """Place each SKU's supply over sites in proportion to the forecast demand of their regions.

    Units are whole: floors first, then the remainders go to the sites with the largest fractions.
    """
    weights = site_region_weights(scenario) @ demand  # (sites x skus) expected units
    share = weights / np.maximum(weights.sum(axis=0, keepdims=True), 1e-12)
    exact = share * supply[None, :]
    stock = np.floor(exact).astype(np.int64)
    short = supply - stock.sum(axis=0)
    order = np.argsort(-(exact - stock), axis=0, kind="stable")
    for sku in np.flatnonzero(short > 0):
        stock[order[: short[sku], sku], sku] += 1
    return stock


def fallback_positioning(scenario: Scenario) -> Positioning:
    """Seasonal-naive forecast and demand-proportional placement (the baseline methods)."""
    category_forecast = seasonal_naive_forecast(scenario)
    demand = split_to_skus(scenario, category_forecast)
    supply = supply_from_demand(scenario, demand)
    return Positioning(
        forecast_method="seasonal naive x year-on-year growth (twin fallback)",
        placement_method="proportional to regional forecast demand (twin fallback)",
        category_forecast=category_forecast,
        demand=demand,
        supply=supply,
        stock=proportional_placement(scenario, demand, supply),
    )


def region_site_km(scenario: Scenario) -> Any:
    """Return (regions x sites) great-circle km from each region's population centre to each site."""
    geo = scenario.geography
    return distance_matrix_km(
        [r.lat for r in geo.regions],
        [r.lon for r in geo.regions],
        [s.lat for s in geo.sites],
        [s.lon for s in geo.sites],
    )
