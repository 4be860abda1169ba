"""Operator endpoints: load SKUs, mint tokens, stats, checkpoints."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from wujie.engine.book import SkuTerms
from wujie.engine.timebase import to_us
from wujie.entrypoints.api.auth import Operator, Role
from wujie.entrypoints.api.problems import Problem
from wujie.entrypoints.api.runtime import Live
from wujie.entrypoints.api.schemas import SkuIn, TokenIn, TokenOut

router = APIRouter(prefix="/v1/admin", tags=["admin"])


def terms_of(body: SkuIn) -> SkuTerms:
    """Return engine terms for a SKU body (a flash sale needs start, end and a lower price)."""
    if (body.flash_start is None) != (body.flash_end is None):
        raise Problem(422, "invalid_input", "a flash sale needs both flash_start and flash_end")
    if body.flash_start is None or body.flash_end is None:
        return SkuTerms(body.sku, body.on_hand, body.price_minor)
    if body.flash_start.tzinfo is None or body.flash_end <= body.flash_start:
        raise Problem(422, "invalid_flash_sale", "flash sale times must be timezone-aware and end after start")
    if not 0 < body.flash_price_minor < body.price_minor:
        raise Problem(422, "invalid_flash_sale", "a flash price must be positive and below the list price")
    return SkuTerms(
        body.sku,
        body.on_hand,
        body.price_minor,
        body.flash_price_minor,
        to_us(body.flash_start),
        to_us(body.flash_end),
        body.limit_per_customer,
    )


@router.post("/skus", status_code=201, operation_id="add_skus")
async def add_skus(body: list[SkuIn], live: Live, _: Operator) -> dict[str, int]:
    """Add SKUs with their stock, prices and flash sales."""
    if not 1 <= len(body) <= 100_000:
        raise Problem(422, "invalid_input", "send 1 to 100,000 SKUs")
    terms = [terms_of(item) for item in body]
    await live.intake.call(lambda engine: engine.add_skus(terms))
    return {"added": len(terms)}


@router.post("/tokens", response_model=TokenOut, status_code=201, operation_id="mint_token")
async def mint_token(body: TokenIn, live: Live, _: Operator) -> TokenOut:
    """Mint a bearer token for a customer, merchant or operator."""
    return TokenOut(token=live.tokens.mint(Role(body.role), body.subject))


@router.get("/stats", operation_id="engine_stats")
async def stats(live: Live, _: Operator) -> dict[str, Any]:
    """Engine counts, ledger balance, batching and admission figures."""
    intake = live.intake.stats
    return {
        **live.engine.counts(),
        "ledger_total_minor": live.engine.ledger_total(),
        "batches": intake.batches,
        "requests": intake.requests,
        "largest_batch": intake.largest,
        "pending": live.admission.pending,
        "refused": live.admission.refused,
    }


@router.post("/checkpoint", status_code=204, operation_id="checkpoint")
async def checkpoint(live: Live, _: Operator) -> None:
    """Write a snapshot and start a fresh journal segment."""
    engine = live.single("a checkpoint")
    await live.intake.call(lambda _: engine.checkpoint())
