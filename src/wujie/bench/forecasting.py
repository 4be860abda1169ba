"""Forecasting speed on real series: Complete Journey daily units per store x product category.

The statistical path (one model per series) is timed model by model on ``stat_series`` series; the
global LightGBM (with its conformal calibration) on ``series`` series. The seasonal naive is the
baseline measured in the same run. Accuracy is measured by ``wujie forecast evaluate --dataset``.
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

import pandas as pd

from wujie.forecasting.datasets import load_complete_journey
from wujie.forecasting.estimator import Forecaster
from wujie.forecasting.params import ForecasterParams

HORIZON = 28


def _time(params: ForecasterParams, frame: pd.DataFrame) -> float:
    started = time.perf_counter()
    Forecaster(params).fit(frame).predict(HORIZON, level=[80])
    return time.perf_counter() - started


def run_forecasting_bench(series: int = 10_000, stat_series: int = 1_000, seed: int = 0) -> dict[str, Any]:
    """Return one JSON-ready dict: series/s per statistical model and the global model's seconds."""
    data = load_complete_journey("store_category", top_n=series)
    frame = data.frame
    ids = frame.groupby("unique_id")["y"].sum().nlargest(stat_series).index
    small = frame[frame["unique_id"].isin(ids)]
    base = ForecasterParams(max_horizon=HORIZON, seed=seed, n_jobs=2)
    warm_up = small[small["unique_id"].isin(ids[:20])]  # imports and JIT compilation are not timed
    statistical: dict[str, dict[str, float]] = {}
    for model in ("seasonal_naive", "autoets", "theta"):
        statistical[model] = {}
        for jobs in (1, 2):  # one process, or statsforecast's pool of two
            params = replace(base, models=(model,), n_jobs=jobs)
            _time(params, warm_up)
            statistical[model][f"n_jobs_{jobs}"] = round(len(ids) / _time(params, small), 1)
    _time(replace(base, models=("lightgbm",)), warm_up)
    global_seconds = _time(replace(base, models=("lightgbm",)), frame)
    n = int(frame["unique_id"].nunique())
    best = {m: max(v.values()) for m, v in statistical.items()}
    return {
        "bench": "forecasting",
        "dataset": "completejourney store x category, daily 2017",
        "statistical_series": len(ids),
        "statistical_series_per_s": statistical,
        "autoets_vs_seasonal_naive_speed": round(best["autoets"] / best["seasonal_naive"], 3),
        "best_series_per_s_vs_target_1000": {m: round(v / 1000, 3) for m, v in best.items()},
        "global_series": n,
        "global_rows": len(frame),
        "global_fit_predict_seconds": round(global_seconds, 2),
        "global_series_per_s": round(n / global_seconds, 1),
        "global_vs_target_60_s": round(global_seconds / 60, 3),
        "cores": 2,
    }
