"""Typed errors of the store analytics area, each with a stable code."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from wujie.shared.errors import WujieError


class StoreErrorCode(StrEnum):
    """Stable codes raised by :mod:`wujie.stores`."""

    LAYOUT_INVALID = "store_layout_invalid"
    EVENTS_INVALID = "store_events_invalid"
    UNSUPPORTED_FORMAT = "store_unsupported_format"
    PARAMS_INVALID = "store_params_invalid"
    PAYMENT_FAILED = "store_payment_failed"
    NOT_FOUND = "not_found"


class StoreError(WujieError):
    """Base class of store analytics errors."""


class LayoutInvalid(StoreError):
    """A store layout that cannot be used (no floor, broken polygon, a shelf in no zone...)."""

    def __init__(self, message: str, **context: Any) -> None:
        super().__init__(StoreErrorCode.LAYOUT_INVALID, message, **context)


class EventsInvalid(StoreError):
    """Sensor events that cannot be analysed at all (missing columns, wrong types, no files)."""

    def __init__(self, message: str, **context: Any) -> None:
        super().__init__(StoreErrorCode.EVENTS_INVALID, message, **context)


class UnsupportedFormat(StoreError):
    """A file whose extension is not JSON, CSV or Parquet."""

    def __init__(self, path: str) -> None:
        super().__init__(StoreErrorCode.UNSUPPORTED_FORMAT, f"{path}: expected .json, .csv or .parquet", path=path)


class ParamsInvalid(StoreError):
    """Parameters outside their documented range."""

    def __init__(self, message: str, **context: Any) -> None:
        super().__init__(StoreErrorCode.PARAMS_INVALID, message, **context)


class ReportNotFound(StoreError):
    """No store report (or no such table or chart in it) under that name."""

    def __init__(self, what: str) -> None:
        super().__init__(StoreErrorCode.NOT_FOUND, f"no store report {what}", what=what)
