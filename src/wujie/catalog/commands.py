"""Catalog commands."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from wujie.shared.events import Command
from wujie.shared.ids import BrandId, CategoryId, FlashSaleId, ProductId, SkuId
from wujie.shared.money import Money


@dataclass(frozen=True, slots=True)
class AddBrand(Command):
    """Register a brand (``heritage`` for a time-honoured brand)."""

    brand_id: BrandId
    name: str
    heritage: bool = False
    founded: int | None = None


@dataclass(frozen=True, slots=True)
class AddCategory(Command):
    """Register a category under ``parent``."""

    category_id: CategoryId
    name: str
    parent: CategoryId | None = None


@dataclass(frozen=True, slots=True)
class SkuSpec:
    """One SKU of a :class:`ListProduct` command."""

    sku: SkuId
    name: str
    list_price: Money
    weight_g: int
    length_mm: int
    width_mm: int
    height_mm: int


@dataclass(frozen=True, slots=True)
class ListProduct(Command):
    """Put a product and its SKUs in the catalog."""

    product_id: ProductId
    name: str
    brand_id: BrandId
    category_id: CategoryId
    skus: tuple[SkuSpec, ...]


@dataclass(frozen=True, slots=True)
class ScheduleFlashSale(Command):
    """Set a flash-sale price window on a SKU, with a per-customer purchase limit."""

    sale_id: FlashSaleId
    sku: SkuId
    start: datetime
    end: datetime
    price: Money
    limit_per_customer: int
