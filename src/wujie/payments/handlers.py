"""Payment use cases: one function per command, one unit of work, one commit.

:class:`Till` is the payments service other areas reach through their own ports (the orders
area's ``Till``): it works inside the caller's open unit of work.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from wujie.payments.commands import CapturePayment, RefundPayment
from wujie.payments.errors import UnknownPayment
from wujie.payments.model import PaymentIntent
from wujie.payments.ports import PaymentsUnitOfWork
from wujie.shared.clock import Clock
from wujie.shared.ids import CustomerId, IdempotencyKey, OrderId, PaymentId
from wujie.shared.money import Money


@dataclass(frozen=True, slots=True)
class CaptureReceipt:
    """The outcome of a capture request: the intent, and whether it replayed an earlier request."""

    payment_id: PaymentId
    replayed: bool


def capture_payment(cmd: CapturePayment, uow: PaymentsUnitOfWork, clock: Clock, fee_bp: int) -> CaptureReceipt:
    """Capture a payment under an idempotency key."""
    with uow:
        receipt = Till(uow, fee_bp).capture(cmd.idempotency_key, cmd.order_id, cmd.customer_id, cmd.amount, clock.now())
        uow.commit()
    return receipt


def refund_payment(cmd: RefundPayment, uow: PaymentsUnitOfWork, clock: Clock) -> Money:
    """Refund a captured payment in full."""
    with uow:
        amount = Till(uow, 0).refund(cmd.payment_id, clock.now())
        uow.commit()
    return amount


class Till:
    """Payment operations inside an open unit of work (the caller commits)."""

    def __init__(self, uow: PaymentsUnitOfWork, fee_bp: int) -> None:
        self._uow = uow
        self._fee_bp = fee_bp

    def capture(
        self, key: IdempotencyKey, order_id: OrderId, customer_id: CustomerId, amount: Money, at: datetime
    ) -> CaptureReceipt:
        """Capture once per key: replay a same-parameter retry, refuse different parameters."""
        earlier = self._uow.payments.by_key(key)
        if earlier is not None:
            earlier.check_replay(order_id, customer_id, amount)
            return CaptureReceipt(earlier.id, replayed=True)
        intent = PaymentIntent.open(key, order_id, customer_id, amount, self._fee_bp)
        entry = intent.capture(at)
        self._uow.payments.add(intent)
        self._uow.ledger.post(entry)
        return CaptureReceipt(intent.id, replayed=False)

    def refund(self, payment_id: PaymentId, at: datetime) -> Money:
        """Refund a captured intent in full; return the amount."""
        intent = self._uow.payments.get(payment_id)
        if intent is None:
            raise UnknownPayment(payment_id)
        entry = intent.refund(at)
        self._uow.payments.save(intent)
        self._uow.ledger.post(entry)
        return intent.amount
