"""In-memory catalog repository (unit tests, the twin)."""

from __future__ import annotations

from datetime import datetime

from wujie.catalog.errors import DuplicateEntry, UnknownSku
from wujie.catalog.model import Brand, Category, Offer, Product
from wujie.shared.ids import BrandId, CategoryId, FlashSaleId, ProductId, SkuId
from wujie.shared.staging import StagedTable, Transactional
from wujie.shared.unit_of_work import EventTracker


class MemoryCatalogTables:
    """The committed state of an in-memory catalog."""

    def __init__(self) -> None:
        self.brands: StagedTable[BrandId, Brand] = StagedTable()
        self.categories: StagedTable[CategoryId, Category] = StagedTable()
        self.products: StagedTable[ProductId, Product] = StagedTable()
        self.sku_index: StagedTable[SkuId, ProductId] = StagedTable()
        self.sale_index: StagedTable[FlashSaleId, ProductId] = StagedTable()

    def tables(self) -> tuple[Transactional, ...]:
        """Return every table, for commit and rollback."""
        return (self.brands, self.categories, self.products, self.sku_index, self.sale_index)


class MemoryCatalogRepository:
    """A :class:`~wujie.catalog.ports.CatalogRepository` over :class:`MemoryCatalogTables`."""

    def __init__(self, tables: MemoryCatalogTables, tracker: EventTracker) -> None:
        self._t = tables
        self._tracker = tracker

    def add_brand(self, brand: Brand) -> None:
        """Store a new brand."""
        self._t.brands.put(brand.id, brand)

    def brand(self, brand_id: BrandId) -> Brand | None:
        """Return the brand or ``None``."""
        return self._t.brands.get(brand_id)

    def add_category(self, category: Category) -> None:
        """Store a new category."""
        self._t.categories.put(category.id, category)

    def category(self, category_id: CategoryId) -> Category | None:
        """Return the category or ``None``."""
        return self._t.categories.get(category_id)

    def add(self, product: Product) -> None:
        """Store a new product and index its SKUs."""
        self.save(product)
        for sku in product.skus:
            self._t.sku_index.put(sku.id, product.id)
        self._tracker.track(product)

    def get(self, product_id: ProductId) -> Product | None:
        """Return a private copy of the product or ``None``."""
        product = self._t.products.get(product_id)
        if product is not None:
            self._tracker.track(product)
        return product

    def product_of(self, sku: SkuId) -> Product | None:
        """Return the product a SKU belongs to, or ``None``."""
        product_id = self._t.sku_index.get(sku)
        return None if product_id is None else self.get(product_id)

    def save(self, product: Product) -> None:
        """Stage the product's changes; a flash-sale id is unique across the catalog."""
        for sale in product.flash_sales:
            owner = self._t.sale_index.get(sale.id)
            if owner is not None and owner != product.id:
                raise DuplicateEntry("flash sale", sale.id)
        for sale in product.flash_sales:
            self._t.sale_index.put(sale.id, product.id)
        self._t.products.put(product.id, product)
        self._tracker.track(product)

    def offer(self, sku: SkuId, at: datetime) -> Offer:
        """Return the offer for ``sku`` at ``at``; raise ``UnknownSku``."""
        product_id = self._t.sku_index.get(sku)
        product = None if product_id is None else self._t.products.get(product_id)
        if product is None:
            raise UnknownSku(sku)
        return product.offer(sku, at)
