"""Engine errors: stable codes for the edges (HTTP problem+json, CLI exit codes)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from wujie.shared.errors import WujieError


class EngineErrorCode(StrEnum):
    """Codes the engine raises or reports per order."""

    UNKNOWN_SKU = "unknown_sku"
    INVALID_QUANTITY = "invalid_quantity"
    OUT_OF_STOCK = "out_of_stock"
    LIMIT_EXCEEDED = "purchase_limit_exceeded"
    TOO_MANY_LINES = "too_many_lines"
    BATCH_TOO_LARGE = "batch_too_large"
    UNKNOWN_ORDER = "unknown_order"
    ILLEGAL_TRANSITION = "illegal_transition"
    AMOUNT_MISMATCH = "amount_mismatch"
    ALREADY_PAID = "already_paid"
    IDEMPOTENCY_CONFLICT = "idempotency_conflict"
    DUPLICATE_SKU = "duplicate_sku"
    CORRUPT_JOURNAL = "corrupt_journal"
    ENGINE_CLOSED = "engine_closed"


class EngineError(WujieError):
    """An engine request the rules refuse."""

    def __init__(self, code: EngineErrorCode, message: str, **context: Any) -> None:
        super().__init__(code, message, **context)


class CorruptJournal(EngineError):
    """A journal or snapshot that cannot be read back (not a torn tail, which is discarded)."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(EngineErrorCode.CORRUPT_JOURNAL, f"{path}: {reason}", path=path)
