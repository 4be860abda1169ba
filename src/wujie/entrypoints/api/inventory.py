"""Stock levels and receipts (merchants and operators)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from wujie.entrypoints.api.auth import Staff
from wujie.entrypoints.api.runtime import Live
from wujie.entrypoints.api.schemas import ReceiveIn, StockOut

router = APIRouter(prefix="/v1/inventory", tags=["inventory"])


@router.get("/stock", response_model=list[StockOut], operation_id="stock_levels")
async def stock_levels(
    live: Live, _: Staff, sku: Annotated[list[str] | None, Query(max_length=1000)] = None
) -> list[StockOut]:
    """Units on hand, reserved, sold and available per SKU (all SKUs when none is named)."""
    levels = live.engine.stock(sku)
    return [
        StockOut(sku=s.sku, on_hand=s.on_hand, reserved=s.reserved, sold=s.sold, available=s.available) for s in levels
    ]


@router.post("/receive", response_model=StockOut, operation_id="receive_stock")
async def receive_stock(body: ReceiveIn, live: Live, _: Staff) -> StockOut:
    """Add units that arrived to a SKU's stock."""
    await live.intake.call(lambda engine: engine.receive(body.sku, body.qty))
    [level] = live.engine.stock([body.sku])
    return StockOut(
        sku=level.sku, on_hand=level.on_hand, reserved=level.reserved, sold=level.sold, available=level.available
    )
