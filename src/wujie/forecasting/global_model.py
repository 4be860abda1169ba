"""The global LightGBM model (one model for all series) through mlforecast."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
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
        max_bin=p.max_bin,
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

    Trained once: on each series but its last ``calibration_periods`` observations. The model
    then forecasts that held-back tail recursively (the absolute errors are the per-series
    conformity scores of the intervals), the tail is appended to the series (mlforecast
    ``update``, no retraining) and the forecast starts from each series' real end. Extra numeric
    columns of the training frame (price, discount...) are dynamic features: their future values
    must be given to :meth:`predict` as ``X_df``.
    """

    def __init__(self, params: ForecasterParams) -> None:
        self.params = params
        self.features: list[str] = []
        self._mlf: Any = None
        self._scores: pd.DataFrame | None = None
        #: The held-back tail and its forecast (``unique_id, ds, y, lightgbm``), set by :meth:`fit`.
        self.calibration_: pd.DataFrame | None = None

    @property
    def calibration_periods(self) -> int:
        """Periods held back at the end of each series to calibrate the intervals."""
        return self.params.lightgbm.calibration_periods or self.params.max_horizon

    def min_length(self) -> int:
        """Observations a series needs: the calibration tail plus a model's minimum history."""
        p = self.params
        return p.effective_min_length + self.calibration_periods

    def pipeline(self, years: Sequence[int]) -> Any:
        """A fresh mlforecast pipeline (event features for ``years``); kept for forecasting."""
        self._mlf = _pipeline(self.params, years)
        return self._mlf

    def fit(self, df: pd.DataFrame) -> GlobalModel:
        """Fit one LightGBM on all series of ``df`` but their tails; score the tails for intervals."""
        self.features = [c for c in df.columns if c not in (ID, DS, Y)]
        years = sorted({int(df[DS].dt.year.min()), int(df[DS].dt.year.max())})
        self.pipeline(years)
        tail_size = self.calibration_periods
        from_end = df.groupby(ID, sort=False).cumcount(ascending=False)
        head, tail = df[from_end >= tail_size], df[from_end < tail_size]
        self._train(head)
        x_tail = tail[[ID, DS, *self.features]] if self.features else None
        calibration = self._forecast(tail_size, x_tail)
        scored = tail[[ID, DS, Y]].merge(calibration, on=[ID, DS], how="inner")
        self.calibration_ = scored[[ID, DS, Y, NAME]]
        self._scores = scored.assign(score=(scored[Y] - scored[NAME].clip(lower=0.0)).abs())[[ID, "score"]]
        self._mlf.update(tail[[ID, DS, Y]])
        return self

    def history_needed(self) -> int:
        """Observations before a row that its features read (the longest lag or lagged rolling window)."""
        p = self.params.lightgbm
        rolling = [lag + window - 1 for lag in p.rolling_lags for window in p.rolling_windows]
        return max([*p.lags, *rolling])

    def _train(self, head: pd.DataFrame) -> None:
        """Fit LightGBM on the training matrix of ``head`` (see :meth:`training_matrix`)."""
        x, y = self.training_matrix(head)
        self._mlf.fit_models(x, y)

    def training_matrix(self, head: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
        """Build the features of ``head`` once: the rows of (at most) each series' last ``train_periods``.

        Without per-series scaling only the last ``train_periods + history_needed()`` observations
        of each series are given to mlforecast: the features of the training rows read no further
        back, so the matrix equals the one built from the whole history, from fewer rows
        (mlforecast keeps them for the recursive forecasts, which read at most the longest lag).
        Sets up the pipeline's state for forecasting; call after :meth:`pipeline`.
        """
        periods = self.params.lightgbm.train_periods
        trim = periods is not None and not self.params.lightgbm.scale_per_series
        if trim:
            assert periods is not None
            keep = periods + self.history_needed()
            head = head[head.groupby(ID, sort=False).cumcount(ascending=False) < keep]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # mlforecast warns on series dropped by lags
            prep = self._mlf.preprocess(head, static_features=[], validate_data=False)
        if periods is not None and not trim:
            prep = prep[prep.groupby(ID, sort=False).cumcount(ascending=False) < periods]
        return prep.drop(columns=[ID, DS, Y]), prep[Y].to_numpy()

    def _forecast(self, h: int, x_df: pd.DataFrame | None) -> pd.DataFrame:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # lags before a short series' start are NaN
            return pd.DataFrame(self._mlf.predict(h=h, X_df=x_df))

    def predict(self, h: int, level: Sequence[int], future: pd.DataFrame | None) -> pd.DataFrame:
        """Recursive forecasts for ``h`` periods with split-conformal ``level`` % intervals.

        The half-width of a series' interval at level ``L`` is the ``ceil((n + 1) L / 100)``-th
        smallest of its ``n`` absolute tail errors (the split-conformal quantile), the same for
        every step of the horizon.
        """
        x_df = None
        if self.features:
            if future is None or any(c not in future.columns for c in self.features):
                raise ForecastingError(
                    ForecastingErrorCode.MISSING_FUTURE_FEATURES,
                    f"predict needs future values of {', '.join(self.features)} (X_df)",
                )
            x_df = future[[ID, DS, *self.features]]
        out = self._forecast(h, x_df)
        if level:
            assert self._scores is not None
            widths = self._scores.groupby(ID)["score"].agg(list)
            for lv in sorted(level):
                half = widths.map(lambda s, lv=lv: conformal_quantile(s, lv / 100.0))
                width = out[ID].map(half).to_numpy(dtype=float)
                out[f"{NAME}-lo-{lv}"] = out[NAME] - width
                out[f"{NAME}-hi-{lv}"] = out[NAME] + width
        return out


def conformal_quantile(scores: Sequence[float], coverage: float) -> float:
    """The ``ceil((n + 1) coverage)``-th smallest score (the largest when that exceeds ``n``)."""
    ordered = np.sort(np.asarray(scores, dtype=float))
    rank = int(np.ceil((len(ordered) + 1) * coverage))
    return float(ordered[min(rank, len(ordered)) - 1])
