"""The local statistical models (one per series) through statsforecast."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd

from wujie.forecasting.frames import DS, ID, Y
from wujie.forecasting.params import ForecasterParams

FALLBACK = "historic_average"


def _models(params: ForecasterParams, names: Sequence[str]) -> list[Any]:
    from statsforecast.models import AutoETS, SeasonalNaive, Theta

    build: dict[str, Callable[[], Any]] = {
        "seasonal_naive": lambda: SeasonalNaive(season_length=params.season_length, alias="seasonal_naive"),
        "autoets": lambda: AutoETS(season_length=params.season_length, model=params.ets_spec.upper(), alias="autoets"),
        "theta": lambda: Theta(season_length=params.season_length, decomposition_type="additive", alias="theta"),
    }
    return [build[name]() for name in names]


class StatisticalModels:
    """SeasonalNaive, AutoETS and Theta fitted per series, with a historic-average fallback.

    A model that fails on a series (statsforecast raises) is replaced by the fallback for that
    series only, which statsforecast's ``fallback_model`` does for us.
    """

    def __init__(self, params: ForecasterParams, names: Sequence[str]) -> None:
        from statsforecast import StatsForecast
        from statsforecast.models import HistoricAverage

        self.names = tuple(names)
        self._sf = StatsForecast(
            models=_models(params, names),
            freq=params.freq,
            n_jobs=params.n_jobs,
            fallback_model=HistoricAverage(),
        )

    def fit(self, df: pd.DataFrame) -> StatisticalModels:
        """Fit every model on every series of ``df`` (``unique_id, ds, y``)."""
        self._sf.fit(df[[ID, DS, Y]])
        return self

    def predict(self, h: int, level: Sequence[int]) -> pd.DataFrame:
        """Point forecasts and ``level`` % intervals, one column per model (Nixtla naming)."""
        out = pd.DataFrame(self._sf.predict(h=h, level=list(level) or None))
        return out if ID in out.columns else out.reset_index()


class FallbackModel:
    """The historic average, used for series too short for the real models."""

    def __init__(self, params: ForecasterParams) -> None:
        from statsforecast import StatsForecast
        from statsforecast.models import HistoricAverage

        self._sf = StatsForecast(models=[HistoricAverage(alias=FALLBACK)], freq=params.freq, n_jobs=1)

    def forecast(self, df: pd.DataFrame, h: int, level: Sequence[int], names: Sequence[str]) -> pd.DataFrame:
        """Forecast ``df``'s series and copy the result under each model name in ``names``."""
        out = pd.DataFrame(self._sf.forecast(df=df[[ID, DS, Y]], h=h, level=list(level) or None))
        for name in names:
            for col in [c for c in out.columns if c.startswith(FALLBACK)]:
                out[name + col[len(FALLBACK) :]] = out[col]
        return out.drop(columns=[c for c in out.columns if c.startswith(FALLBACK)])
