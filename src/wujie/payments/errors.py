"""Payment errors, each with a stable code."""

from __future__ import annotations

from enum import StrEnum

from wujie.shared.errors import WujieError


class PaymentErrorCode(StrEnum):
    """Stable codes of the payments area."""

    IDEMPOTENCY_CONFLICT = "idempotency_conflict"
    ALREADY_CAPTURED = "already_captured"
    NOT_CAPTURED = "not_captured"
    UNKNOWN_PAYMENT = "unknown_payment"
    UNBALANCED_ENTRY = "unbalanced_entry"
    INVALID_PAYMENT = "invalid_payment"


class PaymentError(WujieError):
    """Base of payment errors."""


class IdempotencyConflict(PaymentError):
    """The idempotency key was used before with different parameters."""

    def __init__(self, key: str, payment_id: str) -> None:
        super().__init__(
            PaymentErrorCode.IDEMPOTENCY_CONFLICT,
            f"idempotency key {key!r} was used for different parameters (payment {payment_id!r})",
            key=key,
            payment_id=payment_id,
        )


class PaymentStateError(PaymentError):
    """A capture of a captured intent, or a refund of one that holds no captured money."""

    def __init__(self, code: PaymentErrorCode, payment_id: str, status: str) -> None:
        super().__init__(code, f"payment {payment_id!r} is {status}", payment_id=payment_id, status=status)


class UnknownPayment(PaymentError):
    """No payment intent has this id (or this order has none)."""

    def __init__(self, key: str) -> None:
        super().__init__(PaymentErrorCode.UNKNOWN_PAYMENT, f"no payment for {key!r}", key=key)


class UnbalancedEntry(PaymentError):
    """A journal entry whose postings do not sum to zero."""

    def __init__(self, entry_id: str, total: str) -> None:
        super().__init__(
            PaymentErrorCode.UNBALANCED_ENTRY, f"entry {entry_id!r} sums to {total}, not zero", entry_id=entry_id
        )


class InvalidPayment(PaymentError):
    """A payment whose fields break a rule (non-positive amount, fee out of range)."""

    def __init__(self, message: str, **context: object) -> None:
        super().__init__(PaymentErrorCode.INVALID_PAYMENT, message, **context)
