"""Typed errors of the placement and replenishment library, each with a stable code."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from wujie.shared.errors import WujieError


class PlacementErrorCode(StrEnum):
    """Stable codes for placement and replenishment failures."""

    INVALID_PARAMS = "placement_invalid_params"
    INVALID_INPUT = "placement_invalid_input"
    INFEASIBLE = "placement_infeasible"
    SOLVER_FAILED = "placement_solver_failed"
    DATA_MISSING = "placement_data_missing"


class PlacementError(WujieError):
    """Any error raised by :mod:`wujie.placement`."""

    def __init__(self, code: PlacementErrorCode, message: str, **context: Any) -> None:
        super().__init__(code, message, **context)


class InvalidPlacementInput(PlacementError):
    """Parameters or tables outside their documented domain."""

    def __init__(self, message: str, **context: Any) -> None:
        super().__init__(PlacementErrorCode.INVALID_INPUT, message, **context)


class PlacementInfeasible(PlacementError):
    """The stock to deploy does not fit the warehouses (capacity below demand)."""

    def __init__(self, message: str, **context: Any) -> None:
        super().__init__(PlacementErrorCode.INFEASIBLE, message, **context)
