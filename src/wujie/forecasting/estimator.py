"""The estimator: ``Forecaster(params).fit(df).predict(h, level)`` over long-format frames."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import pandas as pd

from wujie.forecasting.batched import HoltWinters
from wujie.forecasting.errors import ForecastingError, ForecastingErrorCode, InvalidParams, NotFitted
from wujie.forecasting.frames import DS, ID, Y, series_lengths, validate_frame
from wujie.forecasting.global_model import GlobalModel
from wujie.forecasting.params import BATCHED, ENSEMBLE, GLOBAL, STATISTICAL, ForecasterParams
from wujie.forecasting.statistical import FallbackModel, StatisticalModels


class Forecaster:
    """Fit statistical and global models on a long-format frame and forecast with intervals.

    Parameters
    ----------
    params
        Models, frequency, season length, LightGBM settings, seed.

    Attributes
    ----------
    fallback_ids_ : dict[str, list[str]]
        Per model, the series too short for it; they are forecast by the historic average.

    Examples
    --------
    >>> fc = Forecaster(ForecasterParams(models=("seasonal_naive", "lightgbm"))).fit(df)  # doctest: +SKIP
    >>> fc.predict(14, level=[80, 90]).columns[:4].tolist()  # doctest: +SKIP
    ['unique_id', 'ds', 'seasonal_naive', 'seasonal_naive-lo-80']
    """

    def __init__(self, params: ForecasterParams | None = None) -> None:
        self.params = params or ForecasterParams()
        self.fallback_ids_: dict[str, list[str]] = {}
        self._train: pd.DataFrame | None = None
        self._stat: StatisticalModels | None = None
        self._global: GlobalModel | None = None
        self._batched: HoltWinters | None = None
        self._members: Forecaster | None = None

    def fit(self, df: pd.DataFrame) -> Forecaster:
        """Validate ``df`` and fit every model; returns ``self``.

        Raises
        ------
        InvalidFrame
            When ``df`` breaks the long-format contract (see :func:`validate_frame`).
        """
        p = self.params
        train = validate_frame(df, p.frame_policy)
        lengths = series_lengths(train)
        self._train = train
        self.fallback_ids_ = {}
        stat_names = [m for m in p.models if m in STATISTICAL]
        if stat_names:
            long_ids = lengths.index[lengths >= p.effective_min_length]
            self._record_fallback(stat_names, lengths, p.effective_min_length)
            self._stat = (
                StatisticalModels(p, stat_names).fit(train[train[ID].isin(long_ids)]) if len(long_ids) else None
            )
        if any(m in BATCHED for m in p.models):
            long_ids = lengths.index[lengths >= p.effective_min_length]
            self._record_fallback(list(BATCHED), lengths, p.effective_min_length)
            batched = HoltWinters(p.season_length, p.freq)
            self._batched = batched.fit(train[train[ID].isin(long_ids)]) if len(long_ids) else None
        if any(m in ENSEMBLE for m in p.models):
            members = tuple(name for name, _ in p.ensemble)
            self._members = Forecaster(replace(p, models=members)).fit(train)
            short = sorted({i for name in members for i in self._members.fallback_ids_.get(name, [])})
            self.fallback_ids_[ENSEMBLE[0]] = short
        if any(m in GLOBAL for m in p.models):
            model = GlobalModel(p)
            threshold = model.min_length()
            long_ids = lengths.index[lengths >= threshold]
            self._record_fallback(list(GLOBAL), lengths, threshold)
            self._global = model.fit(train[train[ID].isin(long_ids)]) if len(long_ids) else None
        return self

    @property
    def global_model(self) -> GlobalModel | None:
        """The fitted global LightGBM (its ``calibration_`` tail forecasts), or ``None``."""
        return self._global

    def _record_fallback(self, names: Sequence[str], lengths: pd.Series, threshold: int) -> None:
        short = sorted(str(i) for i in lengths.index[lengths < threshold])
        for name in names:
            self.fallback_ids_[name] = short

    def predict(self, h: int, level: Sequence[int] = (), X_df: pd.DataFrame | None = None) -> pd.DataFrame:
        """Forecast ``h`` periods after each series' end.

        Parameters
        ----------
        h
            Horizon in periods (at most ``params.max_horizon``).
        level
            Interval levels in percent, e.g. ``[80, 90]``.
        X_df
            Future values of the frame's feature columns (``unique_id, ds, <features>``), needed
            only when the training frame had feature columns and ``lightgbm`` is fitted.

        Returns
        -------
        pandas.DataFrame
            ``unique_id, ds`` then per model ``<model>``, ``<model>-lo-<level>``, ``<model>-hi-<level>``;
            all values clipped at zero (demand is never negative).
        """
        if self._train is None:
            raise NotFitted()
        self._check_request(h, level)
        parts = self._model_parts(h, level, X_df)
        out = parts[0]
        for part in parts[1:]:
            out = out.merge(part, on=[ID, DS], how="outer")
        value_cols = [c for c in out.columns if c not in (ID, DS)]
        out[value_cols] = out[value_cols].clip(lower=0.0)
        ordered = [ID, DS, *[c for m in self.params.models for c in _model_columns(m, level)]]
        return out[ordered].sort_values([ID, DS]).reset_index(drop=True)

    def _check_request(self, h: int, level: Sequence[int]) -> None:
        if not 1 <= h <= self.params.max_horizon:
            raise InvalidParams(f"h must be in [1, {self.params.max_horizon}] (params.max_horizon)", h=h)
        if any(not 0 < lv < 100 for lv in level):
            raise InvalidParams("levels must be in (0, 100)", level=str(list(level)))

    def _model_parts(self, h: int, level: Sequence[int], X_df: pd.DataFrame | None) -> list[pd.DataFrame]:
        assert self._train is not None
        stat_names = [m for m in self.params.models if m in STATISTICAL]
        by_model: list[tuple[list[str], pd.DataFrame]] = []
        if stat_names:
            fitted = self._stat.predict(h, level) if self._stat else None
            by_model.append((stat_names, self._with_fallback(fitted, stat_names, h, level)))
        if any(m in BATCHED for m in self.params.models):
            fitted = self._batched.predict(h, level) if self._batched else None
            by_model.append((list(BATCHED), self._with_fallback(fitted, list(BATCHED), h, level)))
        if any(m in GLOBAL for m in self.params.models):
            fitted = self._global.predict(h, level, X_df) if self._global else None
            by_model.append((list(GLOBAL), self._with_fallback(fitted, list(GLOBAL), h, level)))
        if any(m in ENSEMBLE for m in self.params.models):
            assert self._members is not None
            by_model.append((list(ENSEMBLE), self._combine(self._members.predict(h, level, X_df), level)))
        return [frame for _, frame in by_model]

    def _combine(self, members: pd.DataFrame, level: Sequence[int]) -> pd.DataFrame:
        """Weighted mean of the members' forecasts and of their interval bounds (quantile averaging)."""
        out = members[[ID, DS]].copy()
        name = ENSEMBLE[0]
        for suffix in [c[len("lightgbm") :] for c in _model_columns("lightgbm", level)]:
            out[name + suffix] = sum(weight * members[member + suffix] for member, weight in self.params.ensemble)
        return out

    def _with_fallback(
        self, fitted: pd.DataFrame | None, names: list[str], h: int, level: Sequence[int]
    ) -> pd.DataFrame:
        assert self._train is not None
        short = self.fallback_ids_.get(names[0], [])
        parts = [] if fitted is None else [fitted]
        if short:
            rows = self._train[self._train[ID].isin(short)]
            parts.append(FallbackModel(self.params).forecast(rows, h, level, names))
        if not parts:
            raise ForecastingError(ForecastingErrorCode.EMPTY, "no series to forecast")
        cols = [ID, DS, *[c for m in names for c in _model_columns(m, level)]]
        return pd.concat([p[cols] for p in parts], ignore_index=True)

    def cross_validation(
        self, df: pd.DataFrame, h: int, n_windows: int = 1, step_size: int | None = None, level: Sequence[int] = ()
    ) -> pd.DataFrame:
        """Refit on expanding windows and forecast the next ``h`` periods after each cut-off.

        Returns
        -------
        pandas.DataFrame
            ``unique_id, ds, cutoff, y`` and the model columns of :meth:`predict`, for the
            held-out periods of the last ``n_windows`` cut-offs, ``step_size`` (default ``h``) apart.
        """
        if n_windows < 1:
            raise InvalidParams("n_windows must be >= 1", n_windows=n_windows)
        frame = validate_frame(df, self.params.frame_policy)
        dates = np.sort(frame[DS].unique())
        step = step_size or h
        results = []
        for window in range(n_windows, 0, -1):
            end = len(dates) - h - (window - 1) * step
            if end < 1:
                raise InvalidParams("not enough history for the requested windows", n_windows=n_windows)
            cutoff = dates[end - 1]
            window_fc = self._fit_predict_window(frame, cutoff, h, level)
            results.append(window_fc.assign(cutoff=cutoff))
        return pd.concat(results, ignore_index=True)

    def _fit_predict_window(
        self, frame: pd.DataFrame, cutoff: np.datetime64, h: int, level: Sequence[int]
    ) -> pd.DataFrame:
        train, future = frame[frame[DS] <= cutoff], frame[frame[DS] > cutoff]
        fitted = Forecaster(self.params).fit(train)
        features = [c for c in frame.columns if c not in (ID, DS, Y)]
        fc = fitted.predict(h, level, X_df=future[[ID, DS, *features]] if features else None)
        return fc.merge(future[[ID, DS, Y]], on=[ID, DS], how="inner")


def _model_columns(model: str, level: Sequence[int]) -> list[str]:
    cols = [model]
    for lv in sorted(level):
        cols += [f"{model}-lo-{lv}", f"{model}-hi-{lv}"]
    return cols
