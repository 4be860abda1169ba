"""The baselines a planner compares against: split the stock by population or by past sales."""

from __future__ import annotations

import numpy as np
import pandas as pd

from wujie.placement.deployment import PlacementPlan
from wujie.placement.errors import InvalidPlacementInput
from wujie.placement.network import Network


def _shares_by_nearest(network: Network, weight_per_region: np.ndarray) -> np.ndarray:
    shares = np.zeros(len(network.warehouses))
    np.add.at(shares, network.nearest, weight_per_region)
    total = shares.sum()
    return shares / total if total > 0 else np.full(len(shares), 1.0 / len(shares))


def _plan(network: Network, shares: np.ndarray, totals: pd.Series, method: str) -> PlacementPlan:
    """``shares`` has shape (warehouses, skus) and columns summing to one."""
    names = [w.name for w in network.warehouses]
    units = shares * totals.to_numpy(dtype=float)[None, :]
    stock = pd.DataFrame(
        {
            "warehouse": np.repeat(names, len(totals)),
            "sku": np.tile(totals.index.astype(str), len(names)),
            "units": units.ravel(),
        }
    )
    return PlacementPlan(stock[stock["units"] > 0].reset_index(drop=True), method)


def population_split(network: Network, totals: pd.Series) -> PlacementPlan:
    """Each warehouse gets the population share of the regions it is nearest to, for every SKU."""
    if (totals < 0).any():
        raise InvalidPlacementInput("total stock must be non-negative")
    pop = np.array([r.population for r in network.regions], dtype=float)
    shares = _shares_by_nearest(network, pop)
    return _plan(network, np.repeat(shares[:, None], len(totals), axis=1), totals, "population_split")


def history_split(network: Network, totals: pd.Series, history: pd.DataFrame) -> PlacementPlan:
    """Each warehouse gets, per SKU, the share of past units sold in the regions nearest to it.

    ``history`` holds ``region, sku, units``; an SKU without history falls back to population shares.
    """
    if not {"region", "sku", "units"} <= set(history.columns):
        raise InvalidPlacementInput("history needs columns region, sku, units")
    region_index = {r.name: i for i, r in enumerate(network.regions)}
    pop = np.array([r.population for r in network.regions], dtype=float)
    fallback = _shares_by_nearest(network, pop)
    past = history.assign(sku=history["sku"].astype(str)).groupby(["sku", "region"])["units"].sum()
    shares = np.repeat(fallback[:, None], len(totals), axis=1)
    for j, sku in enumerate(totals.index.astype(str)):
        if sku not in past.index.get_level_values(0):
            continue
        per_region = np.zeros(len(network.regions))
        for region, units in past.loc[sku].items():
            if region in region_index and units > 0:
                per_region[region_index[region]] += units
        if per_region.sum() > 0:
            shares[:, j] = _shares_by_nearest(network, per_region)
    return _plan(network, shares, totals, "history_split")
