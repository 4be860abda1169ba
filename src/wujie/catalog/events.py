"""Catalog events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from wujie.shared.events import Event
from wujie.shared.ids import CustomerId, FlashSaleId, ProductId, RegionId, SkuId
from wujie.shared.money import Money


@dataclass(frozen=True, slots=True)
class ProductListed(Event):
    """A product (with its SKUs) entered the catalog."""

    product_id: ProductId
    skus: tuple[SkuId, ...]
    at: datetime


@dataclass(frozen=True, slots=True)
class SearchPerformed(Event):
    """A customer searched; the dashboard's hot search terms come from these."""

    query: str
    customer_id: CustomerId | None
    region: RegionId | None
    results: int
    at: datetime


@dataclass(frozen=True, slots=True)
class FlashSaleScheduled(Event):
    """A flash-sale price window was set on a SKU."""

    sale_id: FlashSaleId
    sku: SkuId
    start: datetime
    end: datetime
    price: Money
    limit_per_customer: int
    at: datetime
