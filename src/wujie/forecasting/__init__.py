"""Demand forecasting over long-format frames (``unique_id, ds, y``): statistical and global models.

Import from the submodules (``wujie.forecasting.estimator``...) or from here; nothing heavy is
imported until a model is fitted.
"""

from wujie.forecasting.errors import ForecastingError, ForecastingErrorCode, InvalidFrame, InvalidParams, NotFitted
from wujie.forecasting.estimator import Forecaster
from wujie.forecasting.frames import FramePolicy, validate_frame
from wujie.forecasting.params import ForecasterParams, LightGBMParams

__all__ = [
    "Forecaster",
    "ForecasterParams",
    "ForecastingError",
    "ForecastingErrorCode",
    "FramePolicy",
    "InvalidFrame",
    "InvalidParams",
    "LightGBMParams",
    "NotFitted",
    "validate_frame",
]
