"""The order domain: the order aggregate, its lines, its state machine, and purchase quotas.

Pure Python: standard library and :mod:`wujie.shared` only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from wujie.orders.errors import AmountMismatch, IllegalTransition, InvalidOrder, OrderErrorCode, PurchaseLimitExceeded
from wujie.orders.events import (
    LineFact,
    OrderAllocated,
    OrderCancelled,
    OrderDelivered,
    OrderExpired,
    OrderPaid,
    OrderPlaced,
    OrderRefunded,
    OrderReserved,
    OrderShipped,
)
from wujie.shared.events import Event
from wujie.shared.ids import CustomerId, FlashSaleId, LocationId, OrderId, PaymentId, RegionId, SkuId
from wujie.shared.money import Money


class OrderStatus(StrEnum):
    """Where an order is in its life."""

    CREATED = "created"
    RESERVED = "reserved"
    PAID = "paid"
    ALLOCATED = "allocated"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    REFUNDED = "refunded"


S = OrderStatus

#: Every legal move; anything else raises :class:`IllegalTransition`. Terminal states map to nothing.
TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    S.CREATED: frozenset({S.RESERVED, S.CANCELLED, S.EXPIRED}),
    S.RESERVED: frozenset({S.PAID, S.CANCELLED, S.EXPIRED}),
    S.PAID: frozenset({S.ALLOCATED, S.REFUNDED}),
    S.ALLOCATED: frozenset({S.SHIPPED, S.REFUNDED}),
    S.SHIPPED: frozenset({S.DELIVERED}),
    S.DELIVERED: frozenset({S.REFUNDED}),
    S.CANCELLED: frozenset(),
    S.EXPIRED: frozenset(),
    S.REFUNDED: frozenset(),
}

#: States in which the order's units still count against flash-sale purchase limits.
COUNTS_AGAINST_LIMIT = frozenset(set(OrderStatus) - {S.CANCELLED, S.EXPIRED})


@dataclass(frozen=True, slots=True)
class OrderLine:
    """``quantity`` units of a SKU at ``unit_price`` (from ``flash_sale`` when it was on sale)."""

    sku: SkuId
    quantity: int
    unit_price: Money
    flash_sale: FlashSaleId | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.quantity, int) or isinstance(self.quantity, bool) or self.quantity <= 0:
            raise InvalidOrder(
                f"quantity must be a positive integer, got {self.quantity!r}",
                OrderErrorCode.INVALID_QUANTITY,
                sku=self.sku,
            )

    @property
    def amount(self) -> Money:
        """Return ``unit_price * quantity``."""
        return self.unit_price * self.quantity


@dataclass(eq=False)
class Order:
    """The order aggregate. Every state change goes through :data:`TRANSITIONS` and records an event."""

    id: OrderId
    customer_id: CustomerId
    region: RegionId | None
    lines: tuple[OrderLine, ...]
    placed_at: datetime
    status: OrderStatus = OrderStatus.CREATED
    expires_at: datetime | None = None
    payment_id: PaymentId | None = None
    locations: tuple[LocationId, ...] = ()
    events: list[Event] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        if not self.lines:
            raise InvalidOrder("an order needs at least one line", order_id=self.id)
        if len({line.unit_price.currency for line in self.lines}) != 1:
            raise InvalidOrder("all lines of an order share one currency", order_id=self.id)
        if len({line.sku for line in self.lines}) != len(self.lines):
            raise InvalidOrder("a SKU appears on more than one line", order_id=self.id)

    @classmethod
    def place(
        cls, id: OrderId, customer_id: CustomerId, region: RegionId | None, lines: tuple[OrderLine, ...], at: datetime
    ) -> Order:
        """Create an order and record :class:`OrderPlaced`."""
        order = cls(id, customer_id, region, lines, at)
        facts = tuple(LineFact(line.sku, line.quantity, line.unit_price) for line in lines)
        order.events.append(OrderPlaced(id, customer_id, region, facts, order.total, at))
        return order

    @property
    def total(self) -> Money:
        """Return the sum of the line amounts."""
        first, *rest = (line.amount for line in self.lines)
        return sum(rest, first)

    def can(self, wanted: OrderStatus) -> bool:
        """Return whether the order may move to ``wanted`` now."""
        return wanted in TRANSITIONS[self.status]

    def _move(self, wanted: OrderStatus) -> None:
        if not self.can(wanted):
            raise IllegalTransition(self.id, self.status, wanted)
        self.status = wanted

    def reserve(self, expires_at: datetime, at: datetime) -> None:
        """Every line holds stock until ``expires_at``."""
        self._move(S.RESERVED)
        self.expires_at = expires_at
        self.events.append(OrderReserved(self.id, at))

    def pay(self, payment_id: PaymentId, amount: Money, at: datetime) -> None:
        """Record the captured payment; ``amount`` must equal the total."""
        self._check_amount(amount)
        self._move(S.PAID)
        self.payment_id = payment_id
        self.events.append(OrderPaid(self.id, amount, at))

    def allocate(self, locations: tuple[LocationId, ...], local: bool, at: datetime) -> None:
        """Assign the locations that will ship the order."""
        if self.can(S.ALLOCATED) and not locations:
            raise InvalidOrder("allocation needs at least one location", order_id=self.id)
        self._move(S.ALLOCATED)
        self.locations = locations
        self.events.append(OrderAllocated(self.id, locations, local, at))

    def ship(self, at: datetime) -> None:
        """The parcels left their locations."""
        self._move(S.SHIPPED)
        self.events.append(OrderShipped(self.id, at))

    def deliver(self, at: datetime) -> None:
        """The customer has the order."""
        self._move(S.DELIVERED)
        self.events.append(OrderDelivered(self.id, self.placed_at, at))

    def cancel(self, reason: str, at: datetime) -> None:
        """Cancel before payment."""
        self._move(S.CANCELLED)
        self.events.append(OrderCancelled(self.id, reason, at))

    def expire(self, at: datetime) -> None:
        """The reservation ran out before payment."""
        self._move(S.EXPIRED)
        self.events.append(OrderExpired(self.id, at))

    def refund(self, amount: Money, at: datetime) -> None:
        """Give the whole payment back; ``amount`` must equal the total."""
        self._check_amount(amount)
        self._move(S.REFUNDED)
        self.events.append(OrderRefunded(self.id, amount, at))

    def is_due(self, now: datetime) -> bool:
        """Return whether the order waits for payment and its reservation has run out."""
        return self.status in (S.CREATED, S.RESERVED) and self.expires_at is not None and self.expires_at <= now

    def _check_amount(self, amount: Money) -> None:
        if amount.currency != self.total.currency or amount.minor != self.total.minor:
            raise AmountMismatch(self.id, str(self.total), str(amount))


@dataclass(eq=False)
class PurchaseQuota:
    """Units of one flash sale a customer holds in orders that still count (see :data:`COUNTS_AGAINST_LIMIT`)."""

    sale_id: FlashSaleId
    customer_id: CustomerId
    used: int = 0

    def claim(self, quantity: int, limit: int) -> None:
        """Count ``quantity`` more units, or raise :class:`PurchaseLimitExceeded` past ``limit``."""
        if self.used + quantity > limit:
            raise PurchaseLimitExceeded(self.sale_id, self.customer_id, quantity, self.used, limit)
        self.used += quantity

    def give_back(self, quantity: int) -> None:
        """Stop counting ``quantity`` units (their order was cancelled or expired)."""
        self.used = max(0, self.used - quantity)
