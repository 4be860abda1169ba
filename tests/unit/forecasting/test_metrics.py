"""Metrics against hand-computed values."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from wujie.forecasting import metrics


@pytest.fixture
def train() -> pd.DataFrame:
    # a: diffs 2, -2, 2 -> mean squared diff 4, mean abs diff 2; b: constant (scale 0, excluded)
    return pd.DataFrame(
        {
            "unique_id": ["a"] * 4 + ["b"] * 4,
            "ds": list(pd.date_range("2024-01-01", periods=4)) * 2,
            "y": [1.0, 3.0, 1.0, 3.0, 5.0, 5.0, 5.0, 5.0],
        }
    )


@pytest.fixture
def test_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "unique_id": ["a", "a", "b", "b"],
            "ds": list(pd.date_range("2024-01-05", periods=2)) * 2,
            "y": [2.0, 4.0, 5.0, 5.0],
            "m": [4.0, 4.0, 6.0, 4.0],
            "m-lo-80": [1.0, 1.0, 4.0, 3.0],
            "m-hi-80": [3.0, 5.0, 5.5, 4.5],
        }
    )


def test_rmsse_and_mase(train: pd.DataFrame, test_frame: pd.DataFrame) -> None:
    rmsse = metrics.rmsse_per_series(train, test_frame, "m")
    assert rmsse["a"] == pytest.approx(math.sqrt((4 + 0) / 2 / 4))
    assert math.isnan(rmsse["b"])
    mase = metrics.mase_per_series(train, test_frame, "m", season_length=1)
    assert mase["a"] == pytest.approx(1.0 / 2)


def test_bias_and_coverage(test_frame: pd.DataFrame) -> None:
    assert metrics.bias(test_frame, "m") == pytest.approx((2 + 0 + 1 - 1) / 16)
    assert metrics.coverage(test_frame, "m", 80) == pytest.approx(3 / 4)


def test_weights_and_wrmsse(train: pd.DataFrame) -> None:
    weights = metrics.series_weights(train, window=2)
    assert weights.to_dict() == pytest.approx({"a": 4 / 14, "b": 10 / 14})
    rmsse = pd.Series({"a": 0.5, "b": float("nan")})
    assert metrics.wrmsse(rmsse, weights) == pytest.approx(0.5)


def test_scaled_pinball(train: pd.DataFrame, test_frame: pd.DataFrame) -> None:
    # series a, scale 2. median (q .5) errors y-f: -2, 0 -> losses 1, 0; lo q .1 at 1: y-f 1, 3 -> .1, .3;
    # hi q .9 at 3, 5: y-f -1, -1 -> .1, .1. mean over periods then quantiles: (0.5 + 0.2 + 0.1) / 3
    expected = (0.5 + 0.2 + 0.1) / 3 / 2
    assert metrics.scaled_pinball(train, test_frame[test_frame.unique_id == "a"], "m", [80]) == pytest.approx(expected)
