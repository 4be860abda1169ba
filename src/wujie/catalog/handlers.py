"""Catalog use cases: one function per command, one unit of work, one commit."""

from __future__ import annotations

from wujie.catalog.commands import AddBrand, AddCategory, ListProduct, ScheduleFlashSale
from wujie.catalog.errors import CatalogErrorCode, DuplicateEntry, UnknownEntity, UnknownSku
from wujie.catalog.model import Brand, Category, Dimensions, FlashSale, Product, Sku
from wujie.catalog.ports import CatalogUnitOfWork
from wujie.shared.clock import Clock
from wujie.shared.ids import ProductId


def add_brand(cmd: AddBrand, uow: CatalogUnitOfWork) -> None:
    """Register a brand."""
    with uow:
        if uow.catalog.brand(cmd.brand_id) is not None:
            raise DuplicateEntry("brand", cmd.brand_id)
        uow.catalog.add_brand(Brand(cmd.brand_id, cmd.name, cmd.heritage, cmd.founded))
        uow.commit()


def add_category(cmd: AddCategory, uow: CatalogUnitOfWork) -> None:
    """Register a category."""
    with uow:
        if uow.catalog.category(cmd.category_id) is not None:
            raise DuplicateEntry("category", cmd.category_id)
        if cmd.parent is not None and uow.catalog.category(cmd.parent) is None:
            raise UnknownEntity(CatalogErrorCode.UNKNOWN_CATEGORY, "category", cmd.parent)
        uow.catalog.add_category(Category(cmd.category_id, cmd.name, cmd.parent))
        uow.commit()


def list_product(cmd: ListProduct, uow: CatalogUnitOfWork, clock: Clock) -> ProductId:
    """Put a product and its SKUs in the catalog."""
    skus = tuple(
        Sku(
            spec.sku,
            cmd.product_id,
            spec.name,
            spec.list_price,
            spec.weight_g,
            Dimensions(spec.length_mm, spec.width_mm, spec.height_mm),
        )
        for spec in cmd.skus
    )
    with uow:
        if uow.catalog.brand(cmd.brand_id) is None:
            raise UnknownEntity(CatalogErrorCode.UNKNOWN_BRAND, "brand", cmd.brand_id)
        if uow.catalog.category(cmd.category_id) is None:
            raise UnknownEntity(CatalogErrorCode.UNKNOWN_CATEGORY, "category", cmd.category_id)
        if uow.catalog.get(cmd.product_id) is not None:
            raise DuplicateEntry("product", cmd.product_id)
        taken = next((sku.id for sku in skus if uow.catalog.product_of(sku.id) is not None), None)
        if taken is not None:
            raise DuplicateEntry("SKU", taken)
        product = Product.create(cmd.product_id, cmd.name, cmd.brand_id, cmd.category_id, skus, at=clock.now())
        uow.catalog.add(product)
        uow.commit()
    return product.id


def schedule_flash_sale(cmd: ScheduleFlashSale, uow: CatalogUnitOfWork, clock: Clock) -> None:
    """Set a flash-sale window on a SKU."""
    sale = FlashSale(cmd.sale_id, cmd.sku, cmd.start, cmd.end, cmd.price, cmd.limit_per_customer)
    with uow:
        product = uow.catalog.product_of(cmd.sku)
        if product is None:
            raise UnknownSku(cmd.sku)
        product.schedule(sale, clock.now())
        uow.catalog.save(product)
        uow.commit()
