"""Ports of the catalog area."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from wujie.catalog.model import Brand, Category, Offer, Product
from wujie.shared.ids import BrandId, CategoryId, ProductId, SkuId
from wujie.shared.unit_of_work import UnitOfWork


class CatalogRepository(Protocol):
    """Brands, categories and products (with their flash sales)."""

    def add_brand(self, brand: Brand) -> None:
        """Store a new brand."""
        ...

    def brand(self, brand_id: BrandId) -> Brand | None:
        """Return the brand or ``None``."""
        ...

    def add_category(self, category: Category) -> None:
        """Store a new category."""
        ...

    def category(self, category_id: CategoryId) -> Category | None:
        """Return the category or ``None``."""
        ...

    def add(self, product: Product) -> None:
        """Store a new product and its SKUs."""
        ...

    def get(self, product_id: ProductId) -> Product | None:
        """Return the product or ``None``."""
        ...

    def product_of(self, sku: SkuId) -> Product | None:
        """Return the product a SKU belongs to, or ``None``."""
        ...

    def save(self, product: Product) -> None:
        """Store the product's changes (its flash sales)."""
        ...

    def offer(self, sku: SkuId, at: datetime) -> Offer:
        """Return the offer for ``sku`` at ``at``; raise ``UnknownSku``."""
        ...


class CatalogUnitOfWork(UnitOfWork, Protocol):
    """A transaction over the catalog."""

    catalog: CatalogRepository
