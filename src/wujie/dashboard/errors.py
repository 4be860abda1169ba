"""Errors raised by the dashboard."""

from __future__ import annotations

from enum import StrEnum

from wujie.shared.errors import WujieError


class DashboardErrorCode(StrEnum):
    """Stable codes of the dashboard area."""

    CURRENCY_MISMATCH = "dashboard_currency_mismatch"
    INVALID_PARAMETER = "dashboard_invalid_parameter"


class DashboardError(WujieError):
    """A projection was given inconsistent input (two currencies in one sale, a bad parameter)."""
