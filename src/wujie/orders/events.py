"""Order events, one per state transition."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from wujie.shared.events import Event
from wujie.shared.ids import CustomerId, LocationId, OrderId, RegionId, SkuId
from wujie.shared.money import Money


@dataclass(frozen=True, slots=True)
class LineFact:
    """One order line as events report it."""

    sku: SkuId
    quantity: int
    unit_price: Money


@dataclass(frozen=True, slots=True)
class OrderPlaced(Event):
    """An order was created."""

    order_id: OrderId
    customer_id: CustomerId
    region: RegionId | None
    lines: tuple[LineFact, ...]
    total: Money
    at: datetime


@dataclass(frozen=True, slots=True)
class OrderReserved(Event):
    """Every line of the order holds stock."""

    order_id: OrderId
    at: datetime


@dataclass(frozen=True, slots=True)
class OrderPaid(Event):
    """The order's payment was captured."""

    order_id: OrderId
    amount: Money
    at: datetime


@dataclass(frozen=True, slots=True)
class OrderAllocated(Event):
    """The order was assigned to the locations that will ship it."""

    order_id: OrderId
    locations: tuple[LocationId, ...]
    local: bool
    at: datetime


@dataclass(frozen=True, slots=True)
class OrderShipped(Event):
    """The order's parcels left their locations."""

    order_id: OrderId
    at: datetime


@dataclass(frozen=True, slots=True)
class OrderDelivered(Event):
    """The order reached the customer; ``placed_at`` gives the delivery time."""

    order_id: OrderId
    placed_at: datetime
    at: datetime


@dataclass(frozen=True, slots=True)
class OrderCancelled(Event):
    """The order was cancelled (by the customer, or after a payment failure)."""

    order_id: OrderId
    reason: str
    at: datetime


@dataclass(frozen=True, slots=True)
class OrderExpired(Event):
    """The order's reservation expired before payment."""

    order_id: OrderId
    at: datetime


@dataclass(frozen=True, slots=True)
class OrderRefunded(Event):
    """A paid order was refunded."""

    order_id: OrderId
    amount: Money
    at: datetime
