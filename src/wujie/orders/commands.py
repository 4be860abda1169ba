"""Order commands."""

from __future__ import annotations

from dataclasses import dataclass

from wujie.shared.events import Command
from wujie.shared.ids import CustomerId, IdempotencyKey, LocationId, OrderId, RegionId, SkuId
from wujie.shared.money import Money


@dataclass(frozen=True, slots=True)
class LineRequest:
    """One line of a :class:`PlaceOrder`: a SKU and how many units."""

    sku: SkuId
    quantity: int


@dataclass(frozen=True, slots=True)
class PlaceOrder(Command):
    """Price the lines, claim flash-sale quotas, reserve stock and create the order, all or nothing."""

    order_id: OrderId
    customer_id: CustomerId
    lines: tuple[LineRequest, ...]
    region: RegionId | None = None


@dataclass(frozen=True, slots=True)
class PayOrder(Command):
    """Capture the order's payment under an idempotency key (a retry replays the first result)."""

    order_id: OrderId
    idempotency_key: IdempotencyKey
    amount: Money


@dataclass(frozen=True, slots=True)
class AllocateOrder(Command):
    """Assign the order to the locations holding its reservations (``local`` if near the customer)."""

    order_id: OrderId
    locations: tuple[LocationId, ...] = ()
    local: bool = False


@dataclass(frozen=True, slots=True)
class ShipOrder(Command):
    """Ship the order: its reservations become sold units."""

    order_id: OrderId


@dataclass(frozen=True, slots=True)
class DeliverOrder(Command):
    """Mark the order delivered."""

    order_id: OrderId


@dataclass(frozen=True, slots=True)
class CancelOrder(Command):
    """Cancel an unpaid order: release its stock and its purchase quotas."""

    order_id: OrderId
    reason: str = "customer"


@dataclass(frozen=True, slots=True)
class RefundOrder(Command):
    """Refund a paid order in full; stock not yet shipped goes back on the shelf."""

    order_id: OrderId


@dataclass(frozen=True, slots=True)
class ExpireOrders(Command):
    """Expire every unpaid order whose reservation ran out (the expiry sweep)."""
