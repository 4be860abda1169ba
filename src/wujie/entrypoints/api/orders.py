"""Orders: place one, place a batch, read, list, cancel."""

from __future__ import annotations

import numpy as np
from fastapi import APIRouter, Response

from wujie.engine.decisions import OrderColumns, OrderView
from wujie.engine.ports import IntakeEngine
from wujie.entrypoints.api.auth import Caller, Staff
from wujie.entrypoints.api.problems import Problem
from wujie.entrypoints.api.runtime import Live
from wujie.entrypoints.api.schemas import CancelIn, OrderBatchIn, OrderBatchOut, OrderIn, OrderOut
from wujie.entrypoints.api.schemas import OrderView as OrderViewOut

router = APIRouter(prefix="/v1/orders", tags=["orders"])


def view_out(view: OrderView) -> OrderViewOut:
    """Return the response body of an order."""
    return OrderViewOut(
        order_id=view.order_id,
        customer=view.customer,
        region=view.region,
        status=str(view.status),
        lines=[tuple(line) for line in view.lines],
        total_minor=view.total,
        currency=view.currency,
        placed_at=view.placed_at,
        expires_at=view.expires_at,
    )


@router.post("", status_code=201, response_model=OrderOut, operation_id="place_order")
async def place_order(body: OrderIn, live: Live, caller: Caller) -> OrderOut:
    """Place one order: reserve its lines (all or none) until it is paid or expires."""
    lines = [(line.sku, line.qty) for line in body.lines]
    decision = await live.place_one(caller, lines, body.region, body.customer)
    return OrderOut(
        order_id=str(decision.order_id), status="reserved", total_minor=decision.total, currency=live.currency
    )


@router.post("/batch", response_model=OrderBatchOut, operation_id="place_order_batch")
async def place_batch(body: OrderBatchIn, live: Live, _: Staff) -> OrderBatchOut:
    """Place many orders at once (merchants and operators); one decision per order."""
    nlines = body.nlines or [1] * len(body.customer)
    if len(nlines) != len(body.customer) or len(body.sku) != len(body.qty) or sum(nlines) != len(body.sku):
        raise Problem(422, "invalid_input", "customer/nlines and sku/qty lengths do not agree")
    if body.region is not None and len(body.region) != len(body.customer):
        raise Problem(422, "invalid_input", "region must have one entry per order")
    live.admit([], weight=len(body.customer))
    try:
        result = await live.intake.call(lambda engine: engine.place_columns(columns(engine, body, nlines)))
    finally:
        live.admission.done(len(body.customer))
    codes = [live.engine.reason_codes[r] for r in result.reason.tolist()]
    return OrderBatchOut(
        accepted=result.accepted, order_number=result.number.tolist(), code=codes, total_minor=result.total.tolist()
    )


def columns(engine: IntakeEngine, body: OrderBatchIn, nlines: list[int]) -> OrderColumns:
    """Return the batch as engine columns (runs on the writer thread, which owns the name tables)."""
    return OrderColumns(
        customer=engine.customer_ids(body.customer),
        sku=engine.sku_ids(body.sku),
        qty=np.asarray(body.qty, dtype=np.int64),
        nlines=np.asarray(nlines, dtype=np.int64),
        region=None if body.region is None else engine.region_ids(body.region),
    )


@router.get("/{order_id}", response_model=OrderViewOut, operation_id="get_order")
async def get_order(order_id: str, live: Live, caller: Caller) -> OrderViewOut:
    """Read one order (customers: only their own)."""
    view = live.engine.order(order_id)
    if view is None or not caller.may_see(view.customer):
        raise Problem(404, "unknown_order", f"no order {order_id}")
    return view_out(view)


@router.get("", response_model=list[OrderViewOut], operation_id="list_orders")
async def list_orders(live: Live, caller: Caller, customer: str | None = None) -> list[OrderViewOut]:
    """List a customer's recent orders (customers: their own)."""
    who = live.customer_for(caller, customer if caller.role != "customer" else None)
    return [view_out(v) for v in live.engine.orders_of(who)]


@router.post("/{order_id}/cancel", status_code=204, operation_id="cancel_order")
async def cancel_order(order_id: str, live: Live, caller: Caller, body: CancelIn | None = None) -> Response:
    """Cancel an unpaid order and release its stock (customers: only their own)."""
    view = live.engine.order(order_id)
    if view is None or not caller.may_see(view.customer):
        raise Problem(404, "unknown_order", f"no order {order_id}")
    code = await live.intake.cancel(order_id, body.reason if body else "customer")
    if code is not None:
        raise Problem(409, code, f"order {order_id} cannot be cancelled now ({view.status})")
    return Response(status_code=204)
