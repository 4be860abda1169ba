"""Errors and reason codes of the fulfilment libraries (allocation, sorting, routing)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from wujie.shared.errors import WujieError


class FulfilmentErrorCode(StrEnum):
    """Stable codes for fulfilment errors."""

    INVALID_PARAMS = "fulfilment_invalid_params"
    INVALID_INPUT = "fulfilment_invalid_input"
    INVALID_INSTANCE = "fulfilment_invalid_instance"
    UNKNOWN_LOCATION = "fulfilment_unknown_location"


class UnassignedReason(StrEnum):
    """Why an order line or a parcel could not be planned (reported, never dropped)."""

    INSUFFICIENT_STOCK = "insufficient_stock"
    NO_LOCATION_IN_RANGE = "no_location_in_range"
    TOO_HEAVY = "too_heavy"
    OUT_OF_RANGE = "out_of_range"
    TIME_WINDOW_UNREACHABLE = "time_window_unreachable"
    FLEET_EXHAUSTED = "fleet_exhausted"


class FulfilmentError(WujieError):
    """Base class of the fulfilment errors."""


class InvalidParams(FulfilmentError):
    """A params object or a plain input record violates its documented bounds."""

    def __init__(self, message: str, **context: Any) -> None:
        super().__init__(FulfilmentErrorCode.INVALID_PARAMS, message, **context)


class InvalidFulfilmentInput(FulfilmentError):
    """Input records that are inconsistent (duplicate ids, empty collections, bad coordinates)."""

    def __init__(self, message: str, **context: Any) -> None:
        super().__init__(FulfilmentErrorCode.INVALID_INPUT, message, **context)


class InvalidInstance(FulfilmentError):
    """A VRPLIB instance file that cannot be read or is malformed."""

    def __init__(self, message: str, **context: Any) -> None:
        super().__init__(FulfilmentErrorCode.INVALID_INSTANCE, message, **context)


class UnknownLocation(FulfilmentError):
    """A record refers to a depot, warehouse or store id that was not given."""

    def __init__(self, message: str, **context: Any) -> None:
        super().__init__(FulfilmentErrorCode.UNKNOWN_LOCATION, message, **context)


def require(condition: bool, message: str, **context: Any) -> None:
    """Raise :class:`InvalidParams` with ``message`` unless ``condition`` holds.

    Parameters
    ----------
    condition
        The precondition that must hold.
    message
        A human explanation of the violated precondition.
    **context
        Offending values, reported in the error.
    """
    if not condition:
        raise InvalidParams(message, **context)
