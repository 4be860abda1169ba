"""Hold-out evaluation: fit on all but the last ``horizon`` periods, score every model on them."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from wujie.forecasting import metrics
from wujie.forecasting.errors import InvalidParams
from wujie.forecasting.estimator import Forecaster
from wujie.forecasting.frames import DS, ID, Y, train_test_split, validate_frame
from wujie.forecasting.params import ForecasterParams

LEVEL = 80


@dataclass(frozen=True)
class Evaluation:
    """The result of :func:`evaluate_holdout`.

    Attributes
    ----------
    summary
        ``dataset, horizon, n_series, seconds, models: {name: {rmsse, wrmsse, mase, bias, pinball,
        coverage_80}}`` plus ``fallback_series`` per model and ``fit_predict_seconds`` per model.
    train, test
        The frames used; ``test`` carries every model's forecast and interval columns.
    """

    summary: dict[str, Any]
    train: pd.DataFrame
    test: pd.DataFrame


def evaluate_holdout(
    df: pd.DataFrame,
    horizon: int,
    params: ForecasterParams,
    *,
    dataset: str = "input",
    revenue: pd.DataFrame | None = None,
    features: Sequence[str] = (),
    skip_last: int = 0,
    bottom: pd.DataFrame | None = None,
) -> Evaluation:
    """Fit ``params.models`` on the history before the last ``horizon`` periods and score them.

    Parameters
    ----------
    df
        A long-format frame (validated here with ``params.frame``). Under ``gaps="zero"`` every
        series is extended with zero demand to the frame's last date, so products that stopped
        selling are scored on their zeros too.
    horizon
        Held-out periods (at most ``params.max_horizon``).
    params
        The forecaster parameters; each model is fitted and timed separately.
    dataset
        Name reported in the summary.
    revenue
        Optional ``unique_id, ds, revenue``: WRMSSE then weights series by revenue over the last
        ``horizon`` training periods (as M5); otherwise by units.
    features
        Numeric columns of ``df`` known ahead of time (planned promotions): the global model
        trains on them and receives their held-out values as future features.
    skip_last
        Drop the last ``skip_last`` periods of the calendar first: ``skip_last=horizon`` scores the
        validation window just before the final one (where settings are chosen), leaving the final
        window unseen.
    bottom
        Optional ``unique_id, ds, y, parent`` (+ ``features``): series one level down whose
        ``parent`` is a series of ``df``. Adds the model ``lightgbm_bottom_up`` (one LightGBM
        trained on them, forecasts summed to the parent; :mod:`wujie.forecasting.bottom_up`).
    """
    started = time.perf_counter()
    frame = _pad_to_end(validate_frame(df[[ID, DS, Y, *features]], params.frame_policy), params)
    if skip_last > 0:
        dates = np.sort(frame[DS].unique())
        if skip_last + horizon >= len(dates):
            raise InvalidParams("skip_last + horizon must leave some history", skip_last=skip_last)
        frame = frame[frame[DS] <= dates[-skip_last - 1]].reset_index(drop=True)
    train, test = train_test_split(frame, horizon)
    weights = _weights(train, horizon, revenue)
    test = test[test[ID].isin(train[ID].unique())].reset_index(drop=True)
    models: dict[str, dict[str, float]] = {}
    seconds: dict[str, float] = {}
    fallbacks: dict[str, int] = {}
    for name in params.models:
        t0 = time.perf_counter()
        forecaster = Forecaster(_only(params, name)).fit(train)
        future = test[[ID, DS, *features]] if features else None
        fc = forecaster.predict(horizon, level=[LEVEL], X_df=future)
        seconds[name] = round(time.perf_counter() - t0, 3)
        fallbacks[name] = len(forecaster.fallback_ids_.get(name, []))
        test = test.merge(fc, on=[ID, DS], how="left")
        models[name] = {
            k: round(v, 4)
            for k, v in metrics.summarise(
                train, test, name, season_length=params.season_length, weights=weights, level=LEVEL
            ).items()
        }
    if bottom is not None:
        from wujie.forecasting.bottom_up import NAME as BOTTOM_UP

        t0 = time.perf_counter()
        fc = _bottom_up_forecast(bottom, params, train[DS].max(), frame[DS].max(), horizon, features=features)
        seconds[BOTTOM_UP] = round(time.perf_counter() - t0, 3)
        test = test.merge(fc, on=[ID, DS], how="left")
        scores = metrics.summarise(
            train, test, BOTTOM_UP, season_length=params.season_length, weights=weights, level=LEVEL
        )
        models[BOTTOM_UP] = {k: round(v, 4) for k, v in scores.items()}
    summary = {
        "dataset": dataset,
        "horizon": horizon,
        "n_series": int(train[ID].nunique()),
        "window": "validation" if skip_last else "final",
        "test_dates": [str(test[DS].min().date()), str(test[DS].max().date())],
        "seconds": round(time.perf_counter() - started, 3),
        "models": models,
        "fit_predict_seconds": seconds,
        "fallback_series": fallbacks,
    }
    return Evaluation(summary, train, test.drop(columns=list(features)))


def _pad_to_end(frame: pd.DataFrame, params: ForecasterParams) -> pd.DataFrame:
    """Under ``gaps="zero"``, run every series to the last date (no sale recorded = zero demand)."""
    if params.frame_policy.gaps != "zero":
        return frame
    last = frame.groupby(ID)[DS].max()
    end = frame[DS].max()
    pad = pd.DataFrame({ID: last.index[last < end], DS: end, Y: 0.0})
    if not len(pad):
        return frame
    out = validate_frame(pd.concat([frame, pad], ignore_index=True), params.frame_policy)
    features = [c for c in out.columns if c not in (ID, DS, Y)]
    if features:
        out[features] = out.groupby(ID, sort=False)[features].ffill()
    return out


def _bottom_up_forecast(
    bottom: pd.DataFrame,
    params: ForecasterParams,
    cutoff: pd.Timestamp,
    end: pd.Timestamp,
    horizon: int,
    *,
    features: Sequence[str],
) -> pd.DataFrame:
    """Validate and pad the bottom series like the evaluated ones, then forecast them bottom-up."""
    from wujie.forecasting.bottom_up import PARENT, bottom_up_holdout

    parents = bottom[[ID, PARENT]].drop_duplicates().astype(str).set_index(ID)[PARENT]
    frame = _pad_to_end(validate_frame(bottom[[ID, DS, Y, *features]], params.frame_policy), params)
    frame = frame[frame[DS] <= end].assign(**{PARENT: lambda f: f[ID].map(parents)})
    return bottom_up_holdout(frame, params, cutoff, horizon, [LEVEL], features=features)


def _only(params: ForecasterParams, name: str) -> ForecasterParams:
    from dataclasses import replace

    return replace(params, models=(name,))


def _weights(train: pd.DataFrame, window: int, revenue: pd.DataFrame | None) -> pd.Series:
    if revenue is None:
        return metrics.series_weights(train, window)
    merged = train.merge(revenue, on=[ID, DS], how="left").fillna({"revenue": 0.0})
    return metrics.series_weights(merged, window, value_col="revenue")


def improvement(summary: dict[str, Any], model: str, baseline: str, metric: str = "wrmsse") -> float:
    """Relative improvement of ``model`` over ``baseline`` on ``metric`` (0.1 = 10% lower error)."""
    ours, base = summary["models"][model][metric], summary["models"][baseline][metric]
    return round(1.0 - ours / base, 4) if base else float("nan")
