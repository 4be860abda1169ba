"""Forecast accuracy metrics over long-format frames (M4/M5 definitions).

All scaled errors use the in-sample one-step (RMSSE) or seasonal (MASE) naive error of the training
part of each series as the denominator; series whose denominator is zero (constant history) are left
out of the averages, as in the M5 competition.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from wujie.forecasting.frames import DS, ID, Y


def _naive_scale(train: pd.DataFrame, lag: int, power: int) -> pd.Series:
    """Mean of ``|y_t - y_{t-lag}| ** power`` over each training series."""
    diff = train.groupby(ID, sort=True)[Y].diff(lag).abs() ** power
    return diff.groupby(train[ID]).mean()


def _errors(test: pd.DataFrame, model: str) -> pd.DataFrame:
    return pd.DataFrame({ID: test[ID], "e": test[model] - test[Y], "y": test[Y], "f": test[model]})


def rmsse_per_series(train: pd.DataFrame, test: pd.DataFrame, model: str) -> pd.Series:
    """Root mean squared scaled error of ``test[model]`` per series (M5 definition).

    Parameters
    ----------
    train
        The history the model saw (``unique_id, ds, y``).
    test
        Held-out rows with ``y`` and the forecast column ``model``.
    model
        Name of the forecast column.

    Returns
    -------
    pandas.Series
        Indexed by ``unique_id``; NaN where the series' naive scale is zero.
    """
    err = _errors(test, model)
    mse = (err["e"] ** 2).groupby(err[ID]).mean()
    scale = _naive_scale(train, 1, 2).reindex(mse.index)
    return np.sqrt(mse / scale.where(scale > 0))


def mase_per_series(train: pd.DataFrame, test: pd.DataFrame, model: str, season_length: int) -> pd.Series:
    """Mean absolute scaled error per series, scaled by the in-sample seasonal naive error."""
    err = _errors(test, model)
    mae = err["e"].abs().groupby(err[ID]).mean()
    scale = _naive_scale(train, season_length, 1).reindex(mae.index)
    return mae / scale.where(scale > 0)


def series_weights(train: pd.DataFrame, window: int, value_col: str | None = None) -> pd.Series:
    """WRMSSE weights: each series' share of the last ``window`` periods of sales.

    ``value_col`` (for example revenue) replaces units when given, as M5 weighted by dollar sales.
    """
    dates = np.sort(train[DS].unique())
    cutoff = dates[-min(window, len(dates))]
    recent = train[train[DS] >= cutoff]
    col = value_col or Y
    total = recent.groupby(ID, sort=True)[col].sum().reindex(sorted(train[ID].unique()), fill_value=0.0)
    return total / total.sum() if total.sum() > 0 else total * 0.0 + 1.0 / len(total)


def wrmsse(rmsse: pd.Series, weights: pd.Series) -> float:
    """Weighted RMSSE: ``sum(w_i * RMSSE_i)`` over series with a defined RMSSE, weights renormalised."""
    w = weights.reindex(rmsse.index).fillna(0.0)
    ok = rmsse.notna() & (w > 0)
    if not ok.any():
        return float("nan")
    return float((rmsse[ok] * w[ok]).sum() / w[ok].sum())


def bias(test: pd.DataFrame, model: str) -> float:
    """Relative bias ``sum(f - y) / sum(y)``: positive means over-forecast."""
    total = float(test[Y].sum())
    return float((test[model] - test[Y]).sum() / total) if total else float("nan")


def quantile_columns(model: str, level: int) -> tuple[str, str, float, float]:
    """Names and quantile levels of the ``level`` % interval bounds of ``model``."""
    tail = (100 - level) / 200
    return f"{model}-lo-{level}", f"{model}-hi-{level}", tail, 1 - tail


def scaled_pinball(train: pd.DataFrame, test: pd.DataFrame, model: str, levels: Sequence[int]) -> float:
    """Mean pinball loss over the interval bounds and the median, scaled per series like MASE (lag 1).

    The point forecast stands for the 0.5 quantile. Series with a zero naive scale are skipped.
    """
    scale = _naive_scale(train, 1, 1)
    losses = []
    quantiles: list[tuple[str, float]] = [(model, 0.5)]
    for level in levels:
        lo, hi, qlo, qhi = quantile_columns(model, level)
        quantiles += [(lo, qlo), (hi, qhi)]
    for col, q in quantiles:
        diff = test[Y] - test[col]
        loss = np.maximum(q * diff, (q - 1) * diff)
        losses.append(loss.groupby(test[ID]).mean())
    per_series = pd.concat(losses, axis=1).mean(axis=1)
    s = scale.reindex(per_series.index)
    scaled = per_series / s.where(s > 0)
    return float(scaled.mean())


def coverage(test: pd.DataFrame, model: str, level: int) -> float:
    """Share of held-out values inside the ``level`` % interval of ``model``."""
    lo, hi, _, _ = quantile_columns(model, level)
    inside = (test[Y] >= test[lo]) & (test[Y] <= test[hi])
    return float(inside.mean())


def summarise(
    train: pd.DataFrame,
    test: pd.DataFrame,
    model: str,
    *,
    season_length: int,
    weights: pd.Series,
    level: int = 80,
) -> dict[str, float]:
    """All metrics of one model: ``rmsse, wrmsse, mase, bias, pinball, coverage_<level>``.

    ``rmsse`` and ``mase`` are unweighted means over series; ``wrmsse`` uses ``weights``.
    """
    per = rmsse_per_series(train, test, model)
    has_interval = f"{model}-lo-{level}" in test.columns
    return {
        "rmsse": float(per.mean()),
        "wrmsse": wrmsse(per, weights),
        "mase": float(mase_per_series(train, test, model, season_length).mean()),
        "bias": bias(test, model),
        "pinball": scaled_pinball(train, test, model, [level]) if has_interval else float("nan"),
        f"coverage_{level}": coverage(test, model, level) if has_interval else float("nan"),
    }
