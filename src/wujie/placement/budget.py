"""Split a fixed stock budget across SKUs, and reconcile regional forecasts to SKU totals.

With a fixed total budget ``B`` and the aim of selling as many units as possible, the marginal
unit of SKU ``k`` sells with probability ``P(D_k > S_k)``. Greedy allocation over that marginal
expected fill (the newsvendor argument with one shared budget) stops when every SKU has the same
probability, that is when every SKU is stocked at the same quantile level ``t`` of its own
total-demand distribution, with ``sum_k Q_k(t) = B``. :func:`allocate_budget` finds ``t`` by
bisection on the quantile tables (piecewise linear between the given levels, through ``(0, 0)``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from wujie.placement.errors import InvalidPlacementInput


@dataclass(frozen=True)
class BudgetAllocation:
    """Result of :func:`allocate_budget`.

    Attributes
    ----------
    totals
        Units per SKU (index ``sku``), summing to the budget.
    level
        The common quantile level of the SKU totals; above the highest given level when the
        budget exceeds the sum of the top quantiles (the excess is then split in proportion to
        those quantiles).
    """

    totals: pd.Series
    level: float


def _quantile_matrix(quantiles: pd.DataFrame) -> tuple[pd.Index, np.ndarray, np.ndarray]:
    missing = [c for c in ("sku", "quantile", "demand") if c not in quantiles.columns]
    if missing:
        raise InvalidPlacementInput(f"quantile table lacks column(s) {', '.join(missing)}")
    if quantiles.empty or (quantiles["demand"] < 0).any() or quantiles["demand"].isna().any():
        raise InvalidPlacementInput("SKU quantiles must be a non-empty table of non-negative demand")
    table = quantiles.assign(sku=quantiles["sku"].astype(str)).pivot_table(
        index="sku", columns="quantile", values="demand", aggfunc="first"
    )
    if table.isna().any().any():
        raise InvalidPlacementInput("every SKU needs the same quantile levels")
    levels = table.columns.to_numpy(dtype=float)
    if not ((levels > 0) & (levels < 1)).all():
        raise InvalidPlacementInput("quantile levels must be in (0, 1)")
    values = np.maximum.accumulate(table.to_numpy(dtype=float), axis=1)
    return table.index, np.concatenate([[0.0], levels]), np.hstack([np.zeros((len(table), 1)), values])


def _at_level(levels: np.ndarray, values: np.ndarray, t: float) -> np.ndarray:
    j = int(np.clip(np.searchsorted(levels, t, side="right"), 1, len(levels) - 1))
    share = (t - levels[j - 1]) / (levels[j] - levels[j - 1])
    return np.asarray(values[:, j - 1] + share * (values[:, j] - values[:, j - 1]))


def allocate_budget(quantiles: pd.DataFrame, budget: float, tol: float = 1e-9) -> BudgetAllocation:
    """Give each SKU its total-demand quantile at one common level so that the totals sum to ``budget``.

    Parameters
    ----------
    quantiles
        ``sku, quantile, demand``: quantiles of each SKU's total demand over the sale period, the
        same levels for every SKU.
    budget
        Units to deploy in all.
    tol
        Bisection tolerance on the level.

    Raises
    ------
    InvalidPlacementInput
        Negative budget, missing columns, uneven levels, negative demand.
    """
    if not budget >= 0:
        raise InvalidPlacementInput("budget must be non-negative", budget=budget)
    index, levels, values = _quantile_matrix(quantiles)
    top = values[:, -1]
    if budget >= top.sum():
        extra = budget - top.sum()
        share = top / top.sum() if top.sum() > 0 else np.full(len(top), 1.0 / len(top))
        return BudgetAllocation(pd.Series(top + extra * share, index=index, name="units"), float(levels[-1]))
    lo, hi = 0.0, float(levels[-1])
    while hi - lo > tol:
        mid = (lo + hi) / 2
        if _at_level(levels, values, mid).sum() < budget:
            lo = mid
        else:
            hi = mid
    totals = _at_level(levels, values, hi)
    if totals.sum() > 0:
        totals *= budget / totals.sum()
    return BudgetAllocation(pd.Series(totals, index=index, name="units"), hi)


def reconcile_to_totals(regional: pd.DataFrame, sku_mean: pd.Series, proportions: str = "forecast") -> pd.DataFrame:
    """Scale regional ``mean`` and ``sd`` so that each SKU's regional means sum to ``sku_mean``.

    Top-down reconciliation. ``regional`` holds ``region, sku, mean, sd`` and optionally
    ``weight`` (e.g. past units). With ``proportions="forecast"`` the SKU total is split by the
    regional forecasts' own proportions (``weight`` only for an SKU whose regional means are all
    zero); with ``"weight"`` it is split by ``weight`` (historical proportions, Gross and Sohl),
    falling back to the forecasts for an SKU without weight. Without weights an SKU with zero
    regional means is spread evenly. Each ``sd`` is scaled by the same factor as its mean.
    """
    if proportions not in {"forecast", "weight"}:
        raise InvalidPlacementInput("proportions must be 'forecast' or 'weight'", proportions=proportions)
    missing = [c for c in ("region", "sku", "mean", "sd") if c not in regional.columns]
    if missing:
        raise InvalidPlacementInput(f"regional forecasts lack column(s) {', '.join(missing)}")
    out = regional.assign(sku=regional["sku"].astype(str)).reset_index(drop=True)
    target = out["sku"].map(sku_mean.rename(index=str)).fillna(0.0).to_numpy(dtype=float)
    weight = out["weight"] if "weight" in out.columns else pd.Series(1.0, index=out.index)
    mean_sum = out.groupby("sku")["mean"].transform("sum").to_numpy(dtype=float)
    weight_sum = weight.groupby(out["sku"]).transform("sum").to_numpy(dtype=float)
    by_mean = np.divide(out["mean"].to_numpy(dtype=float), mean_sum, out=np.zeros(len(out)), where=mean_sum > 0)
    by_weight = np.divide(weight.to_numpy(dtype=float), weight_sum, out=np.zeros(len(out)), where=weight_sum > 0)
    if proportions == "weight":
        share = np.where(weight_sum > 0, by_weight, by_mean)
    else:
        share = np.where(mean_sum > 0, by_mean, by_weight)
    old_mean, new_mean = out["mean"].to_numpy(dtype=float), share * target
    scale = np.divide(new_mean, old_mean, out=np.ones(len(out)), where=old_mean > 0)
    out["mean"] = new_mean
    out["sd"] = out["sd"].to_numpy(dtype=float) * np.where(new_mean > 0, scale, 0.0)
    return out
