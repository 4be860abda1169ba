"""Typed errors of the forecasting library, each with a stable code."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from wujie.shared.errors import WujieError


class ForecastingErrorCode(StrEnum):
    """Stable codes for forecasting failures."""

    MISSING_COLUMNS = "forecast_missing_columns"
    WRONG_DTYPE = "forecast_wrong_dtype"
    DUPLICATE_ROWS = "forecast_duplicate_rows"
    GAPS = "forecast_gaps"
    NEGATIVE_DEMAND = "forecast_negative_demand"
    TOO_SHORT = "forecast_too_short"
    INVALID_PARAMS = "forecast_invalid_params"
    NOT_FITTED = "forecast_not_fitted"
    MISSING_FUTURE_FEATURES = "forecast_missing_future_features"
    UNKNOWN_DATASET = "forecast_unknown_dataset"
    EMPTY = "forecast_empty"


class ForecastingError(WujieError):
    """Any error raised by :mod:`wujie.forecasting`."""

    def __init__(self, code: ForecastingErrorCode, message: str, **context: Any) -> None:
        super().__init__(code, message, **context)


class InvalidFrame(ForecastingError):
    """A long-format frame breaks the ``unique_id, ds, y`` contract."""


class InvalidParams(ForecastingError):
    """A params object holds a value outside its documented range."""

    def __init__(self, message: str, **context: Any) -> None:
        super().__init__(ForecastingErrorCode.INVALID_PARAMS, message, **context)


class NotFitted(ForecastingError):
    """``predict`` was called before ``fit``."""

    def __init__(self) -> None:
        super().__init__(ForecastingErrorCode.NOT_FITTED, "call fit(df) before predict(h)")
