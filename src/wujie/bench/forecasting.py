"""Forecasting speed on real series: Complete Journey daily units per store x product category.

The statistical path (one model per series) is timed model by model on ``stat_series`` series; the
global LightGBM (with its split-conformal calibration) on ``series`` series. The seasonal naive is
the baseline measured in the same run. Every timing reports wall-clock seconds and the CPU seconds
of this process and its children (the machine is shared: wall time depends on the load, which is
recorded at the start and the end). Accuracy is measured by ``wujie forecast evaluate --dataset``.
"""

from __future__ import annotations

import os
import time
from dataclasses import replace
from typing import Any

import pandas as pd

from wujie.forecasting.datasets import load_complete_journey
from wujie.forecasting.estimator import Forecaster
from wujie.forecasting.params import ForecasterParams

HORIZON = 28
STATSFORECAST = ("seasonal_naive", "autoets", "theta")
TARGET_SERIES_PER_S = 1_000
TARGET_GLOBAL_SECONDS = 60.0


def _cpu() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def _time(params: ForecasterParams, frame: pd.DataFrame) -> tuple[float, float]:
    """Wall and CPU seconds of fit + ``HORIZON``-day predict with 80% intervals."""
    wall, cpu = time.perf_counter(), _cpu()
    Forecaster(params).fit(frame).predict(HORIZON, level=[80])
    return time.perf_counter() - wall, _cpu() - cpu


def _rates(n: int, seconds: tuple[float, float]) -> dict[str, float]:
    return {"series_per_s": round(n / seconds[0], 1), "series_per_cpu_s": round(n / seconds[1], 1)}


def _statistical(base: ForecasterParams, small: pd.DataFrame, warm_up: pd.DataFrame, n: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for model in (*STATSFORECAST, "holt_winters"):
        out[model] = {}
        for jobs in (1, 2) if model in STATSFORECAST else (1,):  # statsforecast's pool of two processes
            params = replace(base, models=(model,), n_jobs=jobs)
            _time(params, warm_up)  # imports and compilation are not timed
            out[model][f"n_jobs_{jobs}"] = _rates(n, _time(params, small))
    return out


def run_forecasting_bench(series: int = 10_000, stat_series: int = 1_000, seed: int = 0) -> dict[str, Any]:
    """Return one JSON-ready dict: series/s per statistical model and the global model's seconds."""
    load_start = os.getloadavg()
    data = load_complete_journey("store_category", top_n=series)
    frame = data.frame
    ids = frame.groupby("unique_id")["y"].sum().nlargest(stat_series).index
    small = frame[frame["unique_id"].isin(ids)]
    base = ForecasterParams(max_horizon=HORIZON, seed=seed)
    warm_up = small[small["unique_id"].isin(ids[:20])]
    short = warm_up[warm_up["unique_id"] == ids[0]].tail(10).assign(unique_id="warm-up/short")
    warm_up = pd.concat([warm_up, short], ignore_index=True)  # also warms the short-series fallback
    statistical = _statistical(base, small, warm_up, len(ids))
    lightgbm = replace(base, models=("lightgbm",))
    _time(lightgbm, warm_up)
    global_wall, global_cpu = _time(lightgbm, frame)
    n = int(frame["unique_id"].nunique())
    best = {m: max(v["series_per_s"] for v in runs.values()) for m, runs in statistical.items()}
    return {
        "bench": "forecasting",
        "dataset": "completejourney store x category, daily 2017",
        "statistical_series": len(ids),
        "statistical": statistical,
        "best_series_per_s_vs_target_1000": {m: round(v / TARGET_SERIES_PER_S, 3) for m, v in best.items()},
        "speed_vs_seasonal_naive": {m: round(v / best["seasonal_naive"], 3) for m, v in best.items()},
        "global_series": n,
        "global_rows": len(frame),
        "global_fit_predict_seconds": round(global_wall, 2),
        "global_cpu_seconds": round(global_cpu, 2),
        "global_series_per_s": round(n / global_wall, 1),
        "global_seconds_vs_target_60": round(global_wall / TARGET_GLOBAL_SECONDS, 3),
        "global_cpu_seconds_vs_target_60": round(global_cpu / TARGET_GLOBAL_SECONDS, 3),
        "cores": os.cpu_count(),
        "load_average_1min": {"start": round(load_start[0], 2), "end": round(os.getloadavg()[0], 2)},
    }
