"""Coherent forecasts across a hierarchy (total -> region -> store, or total -> category -> SKU).

Every level is forecast with :class:`Forecaster`, then hierarchicalforecast reconciles the base
forecasts so that children sum to their parent: bottom-up, and MinTrace with structural weights
(``wls_struct``, which needs no in-sample residuals).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from wujie.forecasting.errors import ForecastingErrorCode, InvalidFrame
from wujie.forecasting.estimator import Forecaster
from wujie.forecasting.frames import DS, ID, Y, validate_frame
from wujie.forecasting.params import ForecasterParams

TOTAL = "total"
RECONCILERS = {"BottomUp": "bottom_up", "MinTrace_method-wls_struct": "mint_wls"}


@dataclass(frozen=True)
class HierarchicalForecast:
    """Base and reconciled forecasts of every node, with the hierarchy description.

    Attributes
    ----------
    forecasts
        ``unique_id, ds`` and per model ``<model>``, ``<model>/bottom_up``, ``<model>/mint_wls``.
    history
        The aggregated history of every node (``unique_id, ds, y``).
    tags
        Level name (``total``, ``total/<col>``...) -> node ids.
    """

    forecasts: pd.DataFrame
    history: pd.DataFrame
    tags: dict[str, np.ndarray]


def aggregate_hierarchy(
    df: pd.DataFrame, levels: Sequence[str], freq: str
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, np.ndarray]]:
    """Sum bottom series into every level; return ``(Y_df, S_df, tags)`` of hierarchicalforecast.

    ``df`` holds ``unique_id, ds, y`` and the columns ``levels`` (top to bottom), constant per series;
    ``unique_id`` itself may be the last level (it is then named ``series``).
    """
    from hierarchicalforecast.utils import aggregate

    if ID in levels:  # the series themselves as the bottom level
        df = df.assign(series=df[ID])
        levels = ["series" if c == ID else c for c in levels]
    missing = [c for c in levels if c not in df.columns]
    if missing:
        raise InvalidFrame(ForecastingErrorCode.MISSING_COLUMNS, f"hierarchy column(s) {', '.join(missing)} missing")
    labels = df[[ID, *levels]].drop_duplicates()
    if labels[ID].duplicated().any():
        raise InvalidFrame(ForecastingErrorCode.WRONG_DTYPE, "hierarchy columns must be constant within a series")
    from wujie.forecasting.frames import FramePolicy

    bottom = validate_frame(df[[ID, DS, Y]], FramePolicy(freq=freq)).merge(labels.astype({ID: str}), on=ID)
    bottom[TOTAL] = TOTAL
    for col in levels:
        bottom[col] = bottom[col].astype(str)
    spec = [[TOTAL, *levels[: i + 1]] for i in range(len(levels))]
    spec.insert(0, [TOTAL])
    y_df, s_df, tags = aggregate(bottom[[TOTAL, *levels, DS, Y]], spec)
    return y_df, s_df, tags


def forecast_hierarchy(
    df: pd.DataFrame, levels: Sequence[str], params: ForecasterParams, h: int
) -> HierarchicalForecast:
    """Forecast every node of the hierarchy ``levels`` and reconcile (point forecasts)."""
    from hierarchicalforecast.core import HierarchicalReconciliation
    from hierarchicalforecast.methods import BottomUp, MinTrace

    y_df, s_df, tags = aggregate_hierarchy(df, levels, params.freq)
    base = Forecaster(params).fit(y_df[[ID, DS, Y]]).predict(h)
    reconciler = HierarchicalReconciliation(reconcilers=[BottomUp(), MinTrace(method="wls_struct")])
    reconciled = pd.DataFrame(reconciler.reconcile(Y_hat_df=base, S_df=s_df, tags=tags))
    renames = {}
    for col in reconciled.columns:
        for suffix, short in RECONCILERS.items():
            if col.endswith("/" + suffix):
                renames[col] = col[: -len(suffix)] + short
    out = reconciled.rename(columns=renames)
    value_cols = [c for c in out.columns if c not in (ID, DS)]
    out[value_cols] = out[value_cols].clip(lower=0.0)
    return HierarchicalForecast(out, y_df[[ID, DS, Y]], tags)
