"""The estimator: exact seasonal-naive forecasts, the short-series fallback, LightGBM repeatability."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import numpy as np
import pandas as pd
import pytest

from wujie.forecasting import Forecaster, ForecasterParams, LightGBMParams, NotFitted
from wujie.forecasting.errors import InvalidParams
from wujie.forecasting.events import black_friday, event_feature_functions


def weekly(uid: str, weeks: int, pattern: list[float]) -> pd.DataFrame:
    days = pd.date_range("2024-01-01", periods=7 * weeks, freq="D")
    return pd.DataFrame({"unique_id": uid, "ds": days, "y": pattern * weeks})


def test_seasonal_naive_repeats_last_week_and_short_series_fall_back() -> None:
    long = weekly("long", 4, [1, 2, 3, 4, 5, 6, 7])
    short = pd.DataFrame({"unique_id": "new", "ds": pd.date_range("2024-01-20", periods=5), "y": [2, 4, 6, 8, 10]})
    fc = Forecaster(ForecasterParams(models=("seasonal_naive",))).fit(pd.concat([long, short]))
    assert fc.fallback_ids_ == {"seasonal_naive": ["new"]}
    out = fc.predict(7, level=[80])
    assert out[out.unique_id == "long"]["seasonal_naive"].tolist() == [1, 2, 3, 4, 5, 6, 7]
    assert out[out.unique_id == "new"]["seasonal_naive"].tolist() == [6.0] * 7  # historic average
    assert list(out.columns) == ["unique_id", "ds", "seasonal_naive", "seasonal_naive-lo-80", "seasonal_naive-hi-80"]
    assert (out.filter(like="-lo-") >= 0).all().all()


def test_predict_before_fit_and_beyond_max_horizon() -> None:
    with pytest.raises(NotFitted):
        Forecaster().predict(3)
    fc = Forecaster(ForecasterParams(models=("seasonal_naive",), max_horizon=7)).fit(weekly("a", 3, [1] * 7))
    with pytest.raises(InvalidParams):
        fc.predict(8)


def test_params_are_validated() -> None:
    with pytest.raises(InvalidParams):
        ForecasterParams(models=("prophet",))
    with pytest.raises(InvalidParams):
        ForecasterParams(ets_spec="AXA")
    with pytest.raises(InvalidParams):
        LightGBMParams(tweedie_variance_power=2.5)


def test_lightgbm_is_repeatable_with_a_seed_and_learns_the_weekday() -> None:
    rng = np.random.default_rng(7)
    frames = [weekly(f"s{i}", 24, [0, 1, 2, 3, 4, 9, 12]) for i in range(6)]
    df = pd.concat(frames, ignore_index=True)
    df["y"] = df["y"] + rng.poisson(1.0, len(df))
    small = LightGBMParams(n_estimators=60, num_leaves=7)
    params = ForecasterParams(models=("lightgbm",), max_horizon=7, lightgbm=small, seed=3)
    first = Forecaster(params).fit(df).predict(7, level=[80])
    second = Forecaster(params).fit(df).predict(7, level=[80])
    pd.testing.assert_frame_equal(first, second)
    by_day = first.groupby(first.ds.dt.dayofweek)["lightgbm"].mean()
    assert by_day[6] > by_day[0] + 5  # Sundays (12 + noise) far above Mondays (0 + noise)


def test_cross_validation_returns_each_window() -> None:
    df = weekly("a", 6, [1, 2, 3, 4, 5, 6, 7])
    cv = Forecaster(ForecasterParams(models=("seasonal_naive",), max_horizon=7)).cross_validation(df, h=7, n_windows=2)
    assert cv["cutoff"].nunique() == 2
    assert (cv["seasonal_naive"] == cv["y"]).all()


def test_event_features() -> None:
    assert black_friday(2011) == date(2011, 11, 25)
    assert black_friday(2017) == date(2017, 11, 24)
    is_event, to_event, since = event_feature_functions([date(2024, 11, 11)])
    days = pd.DatetimeIndex(pd.to_datetime(["2024-11-09", "2024-11-11", "2024-11-13"]))
    assert is_event(days).tolist() == [0.0, 1.0, 0.0]
    assert to_event(days).tolist() == [2.0, 0.0, 30.0]
    assert since(days).tolist() == [30.0, 0.0, 2.0]


def test_feature_columns_need_future_values() -> None:
    from wujie.forecasting.errors import ForecastingError, ForecastingErrorCode

    df = pd.concat([weekly(f"s{i}", 12, [1, 2, 3, 4, 5, 6, 9]) for i in range(3)], ignore_index=True)
    df["promo"] = (df["ds"].dt.dayofweek == 6).astype(float)
    small = LightGBMParams(n_estimators=20, num_leaves=4)
    fc = Forecaster(ForecasterParams(models=("lightgbm",), max_horizon=7, lightgbm=small)).fit(df)
    with pytest.raises(ForecastingError) as err:
        fc.predict(7)
    assert err.value.code == ForecastingErrorCode.MISSING_FUTURE_FEATURES
    future = pd.DataFrame(
        {"unique_id": np.repeat(["s0", "s1", "s2"], 7), "ds": list(pd.date_range(df.ds.max(), periods=8)[1:]) * 3}
    )
    future["promo"] = (future["ds"].dt.dayofweek == 6).astype(float)
    assert len(fc.predict(7, X_df=future)) == 21


def test_conformal_quantile_is_the_finite_sample_rank() -> None:
    from wujie.forecasting.global_model import conformal_quantile

    scores = list(range(28, 0, -1))  # 1..28, unsorted
    assert conformal_quantile(scores, 0.8) == 24.0  # ceil(29 * 0.8) = 24th smallest
    assert conformal_quantile(scores, 0.5) == 15.0  # ceil(14.5) = 15
    assert conformal_quantile([3.0, 1.0], 0.9) == 3.0  # rank beyond n: the largest


def test_lightgbm_intervals_come_from_the_held_back_tail() -> None:
    rng = np.random.default_rng(1)
    df = pd.concat([weekly(f"s{i}", 20, [2, 3, 4, 5, 6, 9, 12]) for i in range(4)], ignore_index=True)
    df["y"] = df["y"] + rng.poisson(2.0, len(df))
    params = ForecasterParams(models=("lightgbm",), max_horizon=7, lightgbm=LightGBMParams(n_estimators=30))
    fc = Forecaster(params).fit(df)
    out = fc.predict(7, level=[80])
    assert out["ds"].min() == df["ds"].max() + pd.Timedelta(days=1)  # forecasts start after the tail
    width = out["lightgbm-hi-80"] - out["lightgbm"]
    assert (width > 0).all()
    assert width.groupby(out["unique_id"]).agg(np.ptp).max() < 1e-9  # one width per series


def test_lightgbm_ensemble_is_the_weighted_mean_of_its_members() -> None:
    rng = np.random.default_rng(5)
    df = pd.concat([weekly(f"s{i}", 12, [2, 3, 4, 5, 6, 9, 12]) for i in range(3)], ignore_index=True)
    df["y"] = df["y"] + rng.poisson(2.0, len(df))
    members = (("lightgbm", 0.6), ("holt_winters", 0.4))
    small = LightGBMParams(n_estimators=20, num_leaves=4)
    params = ForecasterParams(models=("lightgbm_ensemble",), max_horizon=7, lightgbm=small, ensemble=members)
    out = Forecaster(params).fit(df).predict(7, level=[80])
    parts = Forecaster(replace(params, models=("lightgbm", "holt_winters"))).fit(df).predict(7, level=[80])
    for suffix in ("", "-lo-80", "-hi-80"):
        expected = 0.6 * parts["lightgbm" + suffix] + 0.4 * parts["holt_winters" + suffix]
        np.testing.assert_allclose(out["lightgbm_ensemble" + suffix], expected.clip(lower=0), rtol=1e-12)
    with pytest.raises(InvalidParams):
        ForecasterParams(ensemble=(("theta", 0.5), ("holt_winters", 0.5)))  # LightGBM must be a member
    with pytest.raises(InvalidParams):
        ForecasterParams(ensemble=(("lightgbm", 0.5), ("theta", 0.6)))  # weights must sum to 1
