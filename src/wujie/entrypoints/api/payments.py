"""Payments: capture with an Idempotency-Key (one order or a batch)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header

from wujie.entrypoints.api.auth import Caller, Staff
from wujie.entrypoints.api.problems import Problem, status_of
from wujie.entrypoints.api.runtime import Live
from wujie.entrypoints.api.schemas import PayBatchIn, PayBatchOut, PayIn, PaymentOut

router = APIRouter(prefix="/v1", tags=["payments"])

IdempotencyKey = Annotated[str, Header(alias="Idempotency-Key", min_length=1, max_length=128)]


@router.post("/orders/{order_id}/pay", response_model=PaymentOut, operation_id="pay_order")
async def pay_order(order_id: str, body: PayIn, key: IdempotencyKey, live: Live, caller: Caller) -> PaymentOut:
    """Capture the order's payment once; retries with the same key get the same answer."""
    view = live.engine.order(order_id)
    if view is None or not caller.may_see(view.customer):
        raise Problem(404, "unknown_order", f"no order {order_id}")
    live.admit([])
    try:
        result = await live.intake.pay(order_id, body.amount_minor, f"{view.customer}:{key}")
    finally:
        live.admission.done()
    if result.code is not None:
        raise Problem(status_of(result.code), result.code, f"payment refused: {result.code}")
    return PaymentOut(
        payment_id=str(result.payment_id), order_id=order_id, amount_minor=result.amount, status="captured"
    )


@router.post("/payments/batch", response_model=PayBatchOut, operation_id="pay_batch")
async def pay_batch(body: PayBatchIn, live: Live, _: Staff) -> PayBatchOut:
    """Capture many payments at once (merchants and operators); keys are idempotent as above."""
    if not len(body.order_id) == len(body.amount_minor) == len(body.key):
        raise Problem(422, "invalid_input", "order_id, amount_minor and key must have the same length")
    if any(not 1 <= len(k) <= 128 for k in body.key):
        raise Problem(422, "invalid_input", "every key is 1-128 characters")
    live.admit([], weight=len(body.key))
    try:
        keys = [f"batch:{k}" for k in body.key]
        results = await live.intake.call(lambda engine: engine.pay_many(body.order_id, body.amount_minor, keys))
    finally:
        live.admission.done(len(body.key))
    return PayBatchOut(
        captured=sum(r.code is None for r in results),
        payment_id=[r.payment_id for r in results],
        code=[r.code for r in results],
    )
