"""Request and response bodies of the engine's HTTP surface (the OpenAPI schema comes from these)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, StrictInt

MAX_BATCH = 100_000
SKU = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")
NAME = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")


class Strict(BaseModel):
    """Bodies refuse unknown fields."""

    model_config = ConfigDict(extra="forbid")


class LineIn(Strict):
    """One order line."""

    sku: str = SKU
    qty: StrictInt = Field(ge=1, le=10_000)


class OrderIn(Strict):
    """One order; ``customer`` is taken from a customer token (staff may name one)."""

    lines: list[LineIn] = Field(min_length=1, max_length=50)
    region: str | None = Field(default=None, min_length=1, max_length=64)
    customer: str | None = Field(default=None, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")


class OrderOut(BaseModel):
    """An accepted order."""

    order_id: str
    status: str
    total_minor: int
    currency: str


class OrderBatchIn(Strict):
    """Many orders as columns: one entry per line in ``sku``/``qty``, ``nlines`` lines per order."""

    customer: list[str] = Field(min_length=1, max_length=MAX_BATCH)
    sku: list[str] = Field(min_length=1, max_length=5 * MAX_BATCH)
    qty: list[int] = Field(min_length=1, max_length=5 * MAX_BATCH)
    nlines: list[int] | None = Field(default=None, max_length=MAX_BATCH)
    region: list[str | None] | None = Field(default=None, max_length=MAX_BATCH)


class OrderBatchOut(BaseModel):
    """Per order: its number (0 when refused; the id is ``ord_`` + 9 digits) and refusal code."""

    accepted: int
    order_number: list[int]
    code: list[str | None]
    total_minor: list[int]


class OrderView(BaseModel):
    """One order."""

    order_id: str
    customer: str
    region: str | None
    status: str
    lines: list[tuple[str, int, int]]
    total_minor: int
    currency: str
    placed_at: datetime
    expires_at: datetime


class PayIn(Strict):
    """The amount to capture, in minor units; it must equal the order total."""

    amount_minor: StrictInt = Field(ge=1, le=10**12)


class PaymentOut(BaseModel):
    """A captured payment (a replay of the same Idempotency-Key returns the same body)."""

    payment_id: str
    order_id: str
    amount_minor: int
    status: str


class PayBatchIn(Strict):
    """Many captures as columns (order ids, amounts, idempotency keys)."""

    order_id: list[str] = Field(min_length=1, max_length=MAX_BATCH)
    amount_minor: list[int] = Field(min_length=1, max_length=MAX_BATCH)
    key: list[str] = Field(min_length=1, max_length=MAX_BATCH)


class PayBatchOut(BaseModel):
    """Per capture: payment id (``None`` when refused) and refusal code."""

    captured: int
    payment_id: list[str | None]
    code: list[str | None]


class CancelIn(Strict):
    """Why the order is cancelled."""

    reason: str = Field(default="customer", min_length=1, max_length=200)


class SkuIn(Strict):
    """A SKU for the engine: stock, prices (minor units), optional flash sale and its limit."""

    sku: str = SKU
    on_hand: int = Field(ge=0, le=10**9)
    price_minor: int = Field(ge=1, le=10**12)
    flash_price_minor: int = Field(default=0, ge=0, le=10**12)
    flash_start: datetime | None = None
    flash_end: datetime | None = None
    limit_per_customer: int = Field(default=0, ge=0, le=10**6)


class SkuOut(BaseModel):
    """A SKU as shoppers see it."""

    sku: str
    price_minor: int
    flash_price_minor: int | None
    limit_per_customer: int | None
    available: int
    currency: str


class StockOut(BaseModel):
    """Units of one SKU."""

    sku: str
    on_hand: int
    reserved: int
    sold: int
    available: int


class ReceiveIn(Strict):
    """Units that arrived."""

    sku: str = SKU
    qty: int = Field(ge=1, le=10**9)


class TokenIn(Strict):
    """Who the new token is for."""

    role: str = Field(pattern=r"^(customer|merchant|operator)$")
    subject: str = NAME


class TokenOut(BaseModel):
    """A bearer token."""

    token: str
