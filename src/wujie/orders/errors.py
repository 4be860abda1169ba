"""Order errors, each with a stable code."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from wujie.shared.errors import WujieError


class OrderErrorCode(StrEnum):
    """Stable codes of the orders area."""

    ILLEGAL_TRANSITION = "illegal_transition"
    UNKNOWN_ORDER = "unknown_order"
    DUPLICATE_ORDER = "duplicate_order"
    INVALID_ORDER = "invalid_order"
    INVALID_QUANTITY = "invalid_quantity"
    PURCHASE_LIMIT_EXCEEDED = "purchase_limit_exceeded"
    AMOUNT_MISMATCH = "amount_mismatch"
    RESERVATION_EXPIRED = "reservation_expired"


class OrderError(WujieError):
    """Base of order errors."""


class IllegalTransition(OrderError):
    """A state change the order's transition table does not allow."""

    def __init__(self, order_id: str, current: str, wanted: str) -> None:
        super().__init__(
            OrderErrorCode.ILLEGAL_TRANSITION,
            f"order {order_id!r} cannot go from {current} to {wanted}",
            order_id=order_id,
            current=current,
            wanted=wanted,
        )


class UnknownOrder(OrderError):
    """No order has this id."""

    def __init__(self, order_id: str) -> None:
        super().__init__(OrderErrorCode.UNKNOWN_ORDER, f"unknown order {order_id!r}", order_id=order_id)


class DuplicateOrder(OrderError):
    """An order with this id already exists."""

    def __init__(self, order_id: str) -> None:
        super().__init__(OrderErrorCode.DUPLICATE_ORDER, f"order {order_id!r} already exists", order_id=order_id)


class InvalidOrder(OrderError):
    """An order whose lines break a rule (none, non-positive quantity, mixed currencies)."""

    def __init__(self, message: str, code: OrderErrorCode = OrderErrorCode.INVALID_ORDER, **context: Any) -> None:
        super().__init__(code, message, **context)


class PurchaseLimitExceeded(OrderError):
    """The customer would buy more flash-sale units than the sale allows."""

    def __init__(self, sale_id: str, customer_id: str, requested: int, used: int, limit: int) -> None:
        super().__init__(
            OrderErrorCode.PURCHASE_LIMIT_EXCEEDED,
            f"flash sale {sale_id!r} allows {limit} per customer; {customer_id!r} has {used}, asked {requested} more",
            sale_id=sale_id,
            customer_id=customer_id,
            requested=requested,
            used=used,
            limit=limit,
        )


class AmountMismatch(OrderError):
    """A payment or refund amount that differs from the order total."""

    def __init__(self, order_id: str, expected: str, got: str) -> None:
        super().__init__(
            OrderErrorCode.AMOUNT_MISMATCH,
            f"order {order_id!r} totals {expected}, got {got}",
            order_id=order_id,
            expected=expected,
            got=got,
        )


class ReservationExpired(OrderError):
    """The order's stock hold ran out before payment; the expiry sweep will release it."""

    def __init__(self, order_id: str, expired_at: str) -> None:
        super().__init__(
            OrderErrorCode.RESERVATION_EXPIRED,
            f"order {order_id!r} held its stock until {expired_at}; it can no longer be paid",
            order_id=order_id,
            expired_at=expired_at,
        )
