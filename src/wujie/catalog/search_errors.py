"""Typed errors of catalog search, each with a stable code."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from wujie.shared.errors import WujieError


class SearchErrorCode(StrEnum):
    """Stable codes for refused searches."""

    EMPTY_QUERY = "search_empty_query"
    QUERY_TOO_LONG = "search_query_too_long"
    INVALID_LIMIT = "search_invalid_limit"
    INVALID_RECORD = "search_invalid_record"


class SearchError(WujieError):
    """Any error raised by catalog search."""

    def __init__(self, code: SearchErrorCode, message: str, **context: Any) -> None:
        super().__init__(code, message, **context)
