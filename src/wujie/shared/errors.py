"""Base errors. Every error carries a stable code (a ``StrEnum`` member) and its real cause.

Areas define their own codes in their ``errors.py``; the edges (HTTP, CLI) map them once.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class SharedErrorCode(StrEnum):
    """Codes raised by the shared kernel."""

    CURRENCY_MISMATCH = "currency_mismatch"
    INVALID_AMOUNT = "invalid_amount"
    INVALID_INPUT = "invalid_input"
    NOT_FOUND = "not_found"
    NO_HANDLER = "no_handler"


class WujieError(Exception):
    """A domain or input error: the caller did something the rules refuse. Not retryable."""

    def __init__(self, code: StrEnum, message: str, **context: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.context = context

    def __str__(self) -> str:
        return f"[{self.code}] {self.message}"

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-friendly description: code, message and context."""
        return {"code": str(self.code), "message": self.message, **_jsonable(self.context)}


class RetryableError(Exception):
    """An infrastructure failure (lost connection, busy database) that may succeed on retry."""

    def __init__(self, message: str, *, cause: BaseException | None = None) -> None:
        super().__init__(message)
        self.__cause__ = cause


class CurrencyMismatch(WujieError):
    """Arithmetic or comparison between two different currencies."""

    def __init__(self, left: str, right: str) -> None:
        super().__init__(
            SharedErrorCode.CURRENCY_MISMATCH,
            f"cannot combine {left} with {right}",
            left=left,
            right=right,
        )


class InvalidInput(WujieError):
    """Input that does not satisfy a documented precondition."""

    def __init__(self, message: str, **context: Any) -> None:
        super().__init__(SharedErrorCode.INVALID_INPUT, message, **context)


def _jsonable(context: dict[str, Any]) -> dict[str, Any]:
    return {k: v if isinstance(v, int | float | str | bool | None) else str(v) for k, v in context.items()}
