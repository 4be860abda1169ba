"""Inventory errors, each with a stable code."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from wujie.shared.errors import WujieError


class InventoryErrorCode(StrEnum):
    """Stable codes of the inventory area."""

    UNKNOWN_LOCATION = "unknown_location"
    UNKNOWN_STOCK = "unknown_stock"
    UNKNOWN_RESERVATION = "unknown_reservation"
    INVALID_QUANTITY = "invalid_quantity"
    INVALID_LOCATION = "invalid_location"
    INSUFFICIENT_STOCK = "insufficient_stock"
    RESERVATION_CLOSED = "reservation_closed"
    DUPLICATE = "duplicate"
    STOCK_RULE_BROKEN = "stock_rule_broken"


class InventoryError(WujieError):
    """Base of inventory errors."""


class InvalidQuantity(InventoryError):
    """A quantity that is not a positive integer."""

    def __init__(self, quantity: object) -> None:
        super().__init__(
            InventoryErrorCode.INVALID_QUANTITY,
            f"quantity must be a positive integer, got {quantity!r}",
            quantity=str(quantity),
        )


class InsufficientStock(InventoryError):
    """Fewer units are available than asked for: the sale is refused, nothing is oversold."""

    def __init__(self, sku: str, requested: int, available: int, location: str | None = None) -> None:
        where = f" at {location}" if location else ""
        super().__init__(
            InventoryErrorCode.INSUFFICIENT_STOCK,
            f"only {available} of {sku!r} available{where}, {requested} requested",
            sku=sku,
            requested=requested,
            available=available,
            location=location,
        )


class UnknownEntity(InventoryError):
    """A location, stock item or reservation that does not exist."""

    def __init__(self, code: InventoryErrorCode, kind: str, key: str) -> None:
        super().__init__(code, f"unknown {kind} {key!r}", key=key)


class ReservationClosed(InventoryError):
    """A reservation that was already released, expired or committed."""

    def __init__(self, reservation_id: str, state: str) -> None:
        super().__init__(
            InventoryErrorCode.RESERVATION_CLOSED,
            f"reservation {reservation_id!r} is already {state}",
            reservation_id=reservation_id,
            state=state,
        )


class InvalidLocation(InventoryError):
    """A location whose fields break a rule, or an id already taken."""

    def __init__(
        self, message: str, code: InventoryErrorCode = InventoryErrorCode.INVALID_LOCATION, **context: Any
    ) -> None:
        super().__init__(code, message, **context)


class StockRuleBroken(InventoryError):
    """A write that would break ``sold + reserved <= on_hand``: refused by the store itself."""

    def __init__(self, sku: str, location: str) -> None:
        super().__init__(
            InventoryErrorCode.STOCK_RULE_BROKEN,
            f"refused a write that breaks sold + reserved <= on_hand for {sku!r} at {location!r}",
            sku=sku,
            location=location,
        )
