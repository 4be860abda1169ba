"""Errors of the digital twin, each with a stable code."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from wujie.shared.errors import WujieError


class TwinErrorCode(StrEnum):
    """Codes raised by the twin."""

    UNKNOWN_COUNTRY = "twin_unknown_country"
    TOO_FEW_CITIES = "twin_too_few_cities"
    INVALID_CONFIG = "twin_invalid_config"
    UNKNOWN_DATASET = "twin_unknown_dataset"
    DATA_MISSING = "twin_data_missing"
    INVARIANT_BROKEN = "twin_invariant_broken"


class TwinError(WujieError):
    """Something the twin refuses: an unknown country, a bad setting, a missing data file."""

    def __init__(self, code: TwinErrorCode, message: str, **context: Any) -> None:
        super().__init__(code, message, **context)
