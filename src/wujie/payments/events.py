"""Payment events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from wujie.shared.events import Event
from wujie.shared.ids import CustomerId, OrderId, PaymentId
from wujie.shared.money import Money


@dataclass(frozen=True, slots=True)
class PaymentCaptured(Event):
    """Money moved from the customer to the merchant (and the platform's fee)."""

    payment_id: PaymentId
    order_id: OrderId
    customer_id: CustomerId
    amount: Money
    at: datetime


@dataclass(frozen=True, slots=True)
class PaymentFailed(Event):
    """The payment was declined; nothing moved."""

    payment_id: PaymentId
    order_id: OrderId
    reason: str
    at: datetime


@dataclass(frozen=True, slots=True)
class PaymentRefunded(Event):
    """Captured money went back to the customer."""

    payment_id: PaymentId
    order_id: OrderId
    amount: Money
    at: datetime
