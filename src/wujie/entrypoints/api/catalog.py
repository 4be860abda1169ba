"""Catalog reads: the SKUs on sale, their prices now and what is left."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from wujie.engine.engine import Engine
from wujie.entrypoints.api.problems import Problem
from wujie.entrypoints.api.runtime import Live
from wujie.entrypoints.api.schemas import SkuOut

router = APIRouter(prefix="/v1/catalog", tags=["catalog"])


def sku_out(engine: Engine, row: int, now_us: int) -> SkuOut:
    """Return what shoppers see of SKU ``row`` at ``now_us``."""
    import numpy as np

    book = engine.state.book
    at = np.asarray([row], dtype=np.int64)
    on_sale = bool(book.on_sale(at, now_us)[0])
    limit = int(book.limits(at, now_us)[0])
    return SkuOut(
        sku=book.skus[row],
        price_minor=int(book.col("price")[row]),
        flash_price_minor=int(book.col("flash_price")[row]) if on_sale else None,
        limit_per_customer=limit or None,
        available=int(book.available(at)[0]),
        currency=engine.currency,
    )


@router.get("/skus", response_model=list[SkuOut], operation_id="list_skus")
async def list_skus(
    live: Live,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[SkuOut]:
    """List SKUs with their price now (flash price while a sale runs) and units available."""
    engine = live.single("the catalog")
    now = engine.now_us()
    return [sku_out(engine, row, now) for row in range(offset, min(offset + limit, len(engine.state.book)))]


@router.get("/skus/{sku}", response_model=SkuOut, operation_id="get_sku")
async def get_sku(sku: str, live: Live) -> SkuOut:
    """Read one SKU."""
    engine = live.single("the catalog")
    row = engine.state.book.index.get(sku)
    if row is None:
        raise Problem(404, "unknown_sku", f"unknown SKU {sku}")
    return sku_out(engine, row, engine.now_us())
