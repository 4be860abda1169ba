"""The batched ETS(A,N,A): same recursion as a per-series reference, statsforecast's interval formula."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from wujie.forecasting import Forecaster, ForecasterParams
from wujie.forecasting.batched import (
    HoltWintersFit,
    _grid,
    fit_block,
    initial_states,
    interval_halfwidths,
    point_forecasts,
    to_matrix,
)


def reference_sse(
    y: np.ndarray, level: float, seasonal: np.ndarray, offset: int, *, alpha: float, gamma: float
) -> float:
    """Plain per-series ETS(A,N,A) recursion; ``offset`` is the series' first column."""
    m = len(seasonal)
    s = seasonal.copy()
    sse = 0.0
    for i, value in enumerate(y):
        k = (offset + i) % m
        e = value - level - s[k]
        sse += e * e
        level += alpha * e
        s[k] += gamma * e
    return sse


def random_frame(rng: np.random.Generator) -> pd.DataFrame:
    parts = []
    for uid, n in (("a", 60), ("b", 45), ("c", 90)):
        days = pd.date_range("2024-01-01", periods=n, freq="D") + pd.Timedelta(days=int(rng.integers(0, 5)))
        y = 10 + 3 * np.sin(np.arange(n) * 2 * np.pi / 7) + rng.normal(0, 1, n)
        parts.append(pd.DataFrame({"unique_id": uid, "ds": days, "y": y}))
    return pd.concat(parts, ignore_index=True)


def test_vectorised_fit_matches_a_per_series_recursion() -> None:
    frame = random_frame(np.random.default_rng(3))
    matrix = to_matrix(frame)
    fit = fit_block(matrix.values, 7)
    l0, s0 = initial_states(matrix.values, 7)
    alphas, gammas = _grid()
    width = matrix.values.shape[1]
    for i, n in enumerate(matrix.lengths):
        y = matrix.values[i, width - n :]
        sses = [
            reference_sse(y, l0[i], s0[i], width - n, alpha=a, gamma=g) for a, g in zip(alphas, gammas, strict=True)
        ]
        best = int(np.argmin(sses))
        assert (fit.alpha[i], fit.gamma[i]) == (alphas[best], gammas[best])
        assert fit.sigma2[i] == pytest.approx(sses[best] / (n - 10 - 1))


def test_an_exact_weekly_pattern_is_forecast_exactly() -> None:
    pattern = [5.0, 1.0, 2.0, 8.0, 3.0, 0.0, 4.0]
    frame = pd.DataFrame({"unique_id": "w", "ds": pd.date_range("2024-01-01", periods=70), "y": pattern * 10})
    out = Forecaster(ForecasterParams(models=("holt_winters",))).fit(frame).predict(14, level=[80])
    np.testing.assert_allclose(out["holt_winters"], pattern * 2, atol=1e-9)
    np.testing.assert_allclose(out["holt_winters-hi-80"] - out["holt_winters"], 0.0, atol=1e-9)
    assert out["ds"].iloc[0] == pd.Timestamp("2024-03-11")


def test_intervals_equal_statsforecast_for_its_fitted_parameters() -> None:
    from statsforecast.models import AutoETS

    rng = np.random.default_rng(0)
    y = 20 + 4 * np.sin(np.arange(120) * 2 * np.pi / 7) + rng.normal(0, 2, 120)
    model = AutoETS(season_length=7, model="ANA").fit(y)
    state = model.model_
    theirs = model.predict(7, level=[80, 95])
    fit = HoltWintersFit(
        alpha=np.array([state["par"][0]]),
        gamma=np.array([state["par"][2]]),
        sigma2=np.array([state["sigma2"]]),
        level=np.zeros(1),
        seasonal=np.zeros((1, 7)),
    )
    half = interval_halfwidths(fit, 7, 7, [80, 95])  # h <= m: statsforecast's constant k is ours
    for lv in (80, 95):
        np.testing.assert_allclose(theirs[f"hi-{lv}"] - theirs["mean"], half[lv][0], rtol=1e-10)
    wide = interval_halfwidths(fit, 15, 7, [80])[80][0]  # k = 1 from step 8, 2 at step 15
    a, g, s2 = fit.alpha[0], fit.gamma[0], fit.sigma2[0]
    assert wide[14] == pytest.approx(1.2815515655 * np.sqrt(s2 * (1 + a * a * 14 + g * 2 * (2 * a + g))))


def test_point_forecasts_cycle_the_seasonal_states() -> None:
    fit = HoltWintersFit(np.ones(1), np.zeros(1), np.ones(1), np.array([10.0]), np.arange(7.0)[None, :])
    assert point_forecasts(fit, width=12, h=3, m=7).tolist() == [[15.0, 16.0, 10.0]]
