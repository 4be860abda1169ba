"""Demand quantiles as the pieces of the concave expected-sales curve ``E[min(stock, D)]``.

With quantile points ``(tau_j, v_j)`` (``v`` non-decreasing), the stock between ``v_{j-1}`` and
``v_j`` sells with probability ``P(D > t)``, taken as ``1 - (tau_{j-1} + tau_j) / 2`` (trapezoid;
``tau_0 = 0``, ``v_0 = 0``). Stock beyond the highest quantile earns nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from wujie.placement.errors import InvalidPlacementInput

COLUMNS = ("region", "sku", "quantile", "demand")


@dataclass(frozen=True)
class DemandSegments:
    """One row per (region, SKU, segment); ``pair`` indexes the (region, SKU) pair."""

    skus: np.ndarray
    pair: np.ndarray
    pair_region: np.ndarray
    pair_sku: np.ndarray
    width: np.ndarray
    gain: np.ndarray


def check_quantiles(quantiles: pd.DataFrame, regions: Sequence[str]) -> pd.DataFrame:
    """Validate a ``region, sku, quantile, demand`` table and return it sorted, ``demand`` monotone."""
    missing = [c for c in COLUMNS if c not in quantiles.columns]
    if missing:
        raise InvalidPlacementInput(f"quantile table lacks column(s) {', '.join(missing)}")
    q = quantiles[list(COLUMNS)].copy()
    if q.empty:
        raise InvalidPlacementInput("quantile table is empty")
    q["region"], q["sku"] = q["region"].astype(str), q["sku"].astype(str)
    unknown = sorted(set(q["region"]) - set(regions))
    if unknown:
        raise InvalidPlacementInput(f"unknown region(s) {', '.join(unknown[:5])}", unknown=len(unknown))
    if not ((q["quantile"] > 0) & (q["quantile"] < 1)).all():
        raise InvalidPlacementInput("quantile levels must be in (0, 1)")
    if q["demand"].isna().any() or (q["demand"] < 0).any():
        raise InvalidPlacementInput("demand quantiles must be non-negative numbers")
    if q.duplicated(["region", "sku", "quantile"]).any():
        raise InvalidPlacementInput("duplicate (region, sku, quantile) rows")
    q = q.sort_values(["region", "sku", "quantile"]).reset_index(drop=True)
    q["demand"] = q.groupby(["region", "sku"])["demand"].cummax()
    return q


def demand_segments(quantiles: pd.DataFrame, regions: Sequence[str]) -> DemandSegments:
    """Cut every (region, SKU) demand curve into segments of width and sell-through probability."""
    q = check_quantiles(quantiles, regions)
    skus = np.array(sorted(q["sku"].unique()), dtype=object)
    grp = q.groupby(["region", "sku"], sort=True)
    q["pair"] = grp.ngroup()
    prev_tau = grp["quantile"].shift(1).fillna(0.0)
    prev_v = grp["demand"].shift(1).fillna(0.0)
    q["width"] = q["demand"] - prev_v
    q["gain"] = 1.0 - (prev_tau + q["quantile"]) / 2.0
    pairs = grp.size().reset_index()[["region", "sku"]]
    region_index = {name: i for i, name in enumerate(regions)}
    sku_index = {name: i for i, name in enumerate(skus)}
    kept = q[q["width"] > 0]
    return DemandSegments(
        skus=skus,
        pair=kept["pair"].to_numpy(),
        pair_region=pairs["region"].map(region_index).to_numpy(),
        pair_sku=pairs["sku"].map(sku_index).to_numpy(),
        width=kept["width"].to_numpy(dtype=float),
        gain=kept["gain"].to_numpy(dtype=float),
    )


def total_stock_at(quantiles: pd.DataFrame, level: float) -> pd.Series:
    """Per SKU, the sum over regions of the demand quantile ``level`` (which must be present)."""
    at = quantiles[np.isclose(quantiles["quantile"], level)]
    if at.empty:
        raise InvalidPlacementInput(f"quantile level {level} is not in the table", level=level)
    return at.groupby(at["sku"].astype(str))["demand"].sum()


def normal_quantiles(mean: pd.DataFrame, levels: Sequence[float]) -> pd.DataFrame:
    """Quantile table from ``region, sku, mean, sd`` under a normal law truncated at zero."""
    from scipy.stats import norm

    rows = []
    for level in levels:
        z = float(norm.ppf(level))
        rows.append(mean.assign(quantile=level, demand=(mean["mean"] + z * mean["sd"]).clip(lower=0.0)))
    return pd.concat(rows, ignore_index=True)[list(COLUMNS)]
