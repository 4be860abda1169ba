"""Payment commands."""

from __future__ import annotations

from dataclasses import dataclass

from wujie.shared.events import Command
from wujie.shared.ids import CustomerId, IdempotencyKey, OrderId, PaymentId
from wujie.shared.money import Money


@dataclass(frozen=True, slots=True)
class CapturePayment(Command):
    """Capture ``amount`` for an order under an idempotency key; a retry replays the first result."""

    idempotency_key: IdempotencyKey
    order_id: OrderId
    customer_id: CustomerId
    amount: Money


@dataclass(frozen=True, slots=True)
class RefundPayment(Command):
    """Refund a captured payment in full."""

    payment_id: PaymentId
