"""Typed errors of the recommend library, each with a stable code."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from wujie.shared.errors import WujieError


class RecommendErrorCode(StrEnum):
    """Stable codes for recommendation failures."""

    MISSING_COLUMNS = "recommend_missing_columns"
    UNKNOWN_EVENT = "recommend_unknown_event"
    MALFORMED_TIMESTAMP = "recommend_malformed_timestamp"
    MISSING_ID = "recommend_missing_id"
    EMPTY_INTERACTIONS = "recommend_empty_interactions"
    INVALID_PARAMS = "recommend_invalid_params"
    NOT_FITTED = "recommend_not_fitted"
    UNKNOWN_DATASET = "recommend_unknown_dataset"
    DATASET_NOT_FOUND = "recommend_dataset_not_found"
    NOT_ENOUGH_HISTORY = "recommend_not_enough_history"


class RecommendError(WujieError):
    """Any error raised by :mod:`wujie.recommend`."""

    def __init__(self, code: RecommendErrorCode, message: str, **context: Any) -> None:
        super().__init__(code, message, **context)


class InvalidInteractions(RecommendError):
    """An interaction log breaks the ``user, item, event, timestamp`` contract."""


class EmptyInteractions(RecommendError):
    """There is nothing to learn from: the log is empty (after cleaning)."""

    def __init__(self, message: str = "the interaction log is empty", **context: Any) -> None:
        super().__init__(RecommendErrorCode.EMPTY_INTERACTIONS, message, **context)


class InvalidParams(RecommendError):
    """A params object holds a value outside its documented range."""

    def __init__(self, message: str, **context: Any) -> None:
        super().__init__(RecommendErrorCode.INVALID_PARAMS, message, **context)


class NotFitted(RecommendError):
    """``recommend`` (or another query) was called before ``fit``."""

    def __init__(self) -> None:
        super().__init__(RecommendErrorCode.NOT_FITTED, "call fit(interactions) first")
