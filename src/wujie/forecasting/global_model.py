"""The global LightGBM model (one model for all series) through mlforecast."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import pandas as pd

from wujie.forecasting.errors import ForecastingError, ForecastingErrorCode
from wujie.forecasting.events import default_event_dates, event_feature_functions
from wujie.forecasting.frames import DS, ID, Y
from wujie.forecasting.params import ForecasterParams

NAME = "lightgbm"
CALENDAR = ("dayofweek", "day", "month", "dayofyear")


def _regressor(params: ForecasterParams) -> Any:
    from lightgbm import LGBMRegressor

    p = params.lightgbm
    return LGBMRegressor(
        objective="tweedie",
        tweedie_variance_power=p.tweedie_variance_power,
        n_estimators=p.n_estimators,
        learning_rate=p.learning_rate,
        num_leaves=p.num_leaves,
        min_child_samples=p.min_child_samples,
        subsample=0.8,
        subsample_freq=1,
        colsample_bytree=0.8,
        random_state=params.seed,
        n_jobs=p.threads,
        deterministic=True,
        force_row_wise=True,
        verbosity=-1,
    )


def _pipeline(params: ForecasterParams, years: Sequence[int]) -> Any:
    from mlforecast import MLForecast
    from mlforecast.lag_transforms import RollingMean
    from mlforecast.target_transforms import LocalMinMaxScaler

    p = params.lightgbm
    events = params.event_dates or default_event_dates(range(min(years) - 1, max(years) + 3))
    lag_transforms: dict[int, list[Any]] = {
        lag: [RollingMean(window_size=w) for w in p.rolling_windows] for lag in p.rolling_lags
    }
    return MLForecast(
        models={NAME: _regressor(params)},
        freq=params.freq,
        lags=list(p.lags),
        lag_transforms=lag_transforms,
        date_features=[*CALENDAR, *(event_feature_functions(events) if p.events else [])],
        num_threads=1,
        target_transforms=[LocalMinMaxScaler()] if p.scale_per_series else None,
    )


class GlobalModel:
    """LightGBM with Tweedie loss over target lags, rolling means, calendar and sale-day features.

    Extra numeric columns of the training frame (price, discount...) are dynamic features: their
    future values must be given to :meth:`predict` as ``X_df``.
    """

    def __init__(self, params: ForecasterParams) -> None:
        self.params = params
        self.features: list[str] = []
        self._mlf: Any = None
        self._intervals = False

    def min_length(self) -> int:
        """Observations a series needs for the conformal calibration windows."""
        p = self.params
        return max(p.effective_min_length, p.lightgbm.interval_windows * p.max_horizon + 1)

    def fit(self, df: pd.DataFrame) -> GlobalModel:
        """Fit one LightGBM on all series of ``df``; calibrate conformal intervals."""
        from mlforecast.utils import PredictionIntervals

        self.features = [c for c in df.columns if c not in (ID, DS, Y)]
        years = sorted({int(df[DS].dt.year.min()), int(df[DS].dt.year.max())})
        self._mlf = _pipeline(self.params, years)
        intervals = PredictionIntervals(n_windows=self.params.lightgbm.interval_windows, h=self.params.max_horizon)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # mlforecast warns on series dropped by lags
            self._mlf.fit(df, static_features=[], prediction_intervals=intervals)
        return self

    def predict(self, h: int, level: Sequence[int], future: pd.DataFrame | None) -> pd.DataFrame:
        """Recursive forecasts for ``h`` periods with conformal ``level`` % intervals."""
        x_df = None
        if self.features:
            if future is None or any(c not in future.columns for c in self.features):
                raise ForecastingError(
                    ForecastingErrorCode.MISSING_FUTURE_FEATURES,
                    f"predict needs future values of {', '.join(self.features)} (X_df)",
                )
            x_df = future[[ID, DS, *self.features]]
        out = self._mlf.predict(h=h, level=list(level) or None, X_df=x_df)
        return pd.DataFrame(out)
