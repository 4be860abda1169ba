"""The catalog domain: brands, categories, products with SKUs, list prices and flash-sale windows.

Pure Python: imports only the standard library and :mod:`wujie.shared`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from wujie.catalog.errors import CatalogErrorCode, InvalidFlashSale, InvalidProduct, UnknownSku
from wujie.catalog.events import FlashSaleScheduled, ProductListed
from wujie.shared.events import Event
from wujie.shared.ids import BrandId, CategoryId, FlashSaleId, ProductId, SkuId
from wujie.shared.money import Money


@dataclass(frozen=True, slots=True)
class Brand:
    """A brand; ``heritage`` marks a time-honoured brand (老字号, *laozihao*)."""

    id: BrandId
    name: str
    heritage: bool = False
    founded: int | None = None


@dataclass(frozen=True, slots=True)
class Category:
    """A node of the category tree (``parent`` is ``None`` at the root)."""

    id: CategoryId
    name: str
    parent: CategoryId | None = None


@dataclass(frozen=True, slots=True)
class Dimensions:
    """Outer size of a packed unit in millimetres."""

    length_mm: int
    width_mm: int
    height_mm: int

    def __post_init__(self) -> None:
        if min(self.length_mm, self.width_mm, self.height_mm) <= 0:
            raise InvalidProduct("every dimension must be a positive number of millimetres", size=str(self))

    @property
    def volume_cm3(self) -> int:
        """Return the volume in whole cubic centimetres (rounded up)."""
        return -(-(self.length_mm * self.width_mm * self.height_mm) // 1000)


@dataclass(frozen=True, slots=True)
class Sku:
    """A sellable variant of a product, with its list price, weight and packed size."""

    id: SkuId
    product_id: ProductId
    name: str
    list_price: Money
    weight_g: int
    size: Dimensions

    def __post_init__(self) -> None:
        if self.list_price.minor <= 0:
            raise InvalidProduct("a list price must be positive", sku=self.id, price=str(self.list_price))
        if self.weight_g <= 0:
            raise InvalidProduct("a weight must be a positive number of grams", sku=self.id, weight_g=self.weight_g)


@dataclass(frozen=True, slots=True)
class FlashSale:
    """A price window on one SKU: ``price`` from ``start`` (inclusive) to ``end`` (exclusive).

    ``limit_per_customer`` caps the units one customer may buy at this price.
    """

    id: FlashSaleId
    sku: SkuId
    start: datetime
    end: datetime
    price: Money
    limit_per_customer: int

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise InvalidFlashSale("flash-sale times must be timezone-aware", sale=self.id)
        if self.end <= self.start:
            raise InvalidFlashSale("a flash sale must end after it starts", sale=self.id)
        if self.price.minor <= 0:
            raise InvalidFlashSale("a flash-sale price must be positive", sale=self.id, price=str(self.price))
        if self.limit_per_customer <= 0:
            raise InvalidFlashSale("the purchase limit must be positive", sale=self.id, limit=self.limit_per_customer)

    def active_at(self, when: datetime) -> bool:
        """Return whether ``when`` falls inside the window."""
        return self.start <= when < self.end

    def overlaps(self, other: FlashSale) -> bool:
        """Return whether both windows are on the same SKU and share an instant."""
        return self.sku == other.sku and self.start < other.end and other.start < self.end


@dataclass(frozen=True, slots=True)
class Offer:
    """What one unit of a SKU costs at a moment, and the flash sale (and limit) behind it, if any."""

    sku: SkuId
    unit_price: Money
    flash_sale: FlashSaleId | None = None
    limit_per_customer: int | None = None


@dataclass(eq=False)
class Product:
    """The catalog aggregate: a product, its SKUs and the flash sales scheduled on them."""

    id: ProductId
    name: str
    brand_id: BrandId
    category_id: CategoryId
    skus: tuple[Sku, ...]
    flash_sales: list[FlashSale] = field(default_factory=list)
    events: list[Event] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        if not self.skus:
            raise InvalidProduct("a product needs at least one SKU", product=self.id)
        ids = [sku.id for sku in self.skus]
        if len(set(ids)) != len(ids):
            raise InvalidProduct("SKU ids repeat within the product", product=self.id)
        if any(sku.product_id != self.id for sku in self.skus):
            raise InvalidProduct("every SKU must belong to its product", product=self.id)
        if len({sku.list_price.currency for sku in self.skus}) != 1:
            raise InvalidProduct("all SKUs of a product share one currency", product=self.id)

    @classmethod
    def create(
        cls,
        id: ProductId,
        name: str,
        brand_id: BrandId,
        category_id: CategoryId,
        skus: tuple[Sku, ...],
        *,
        at: datetime,
    ) -> Product:
        """Create a product and record :class:`ProductListed`."""
        product = cls(id, name, brand_id, category_id, skus)
        product.events.append(ProductListed(id, tuple(sku.id for sku in skus), at))
        return product

    def sku(self, sku_id: SkuId) -> Sku:
        """Return the SKU ``sku_id`` or raise :class:`UnknownSku`."""
        for sku in self.skus:
            if sku.id == sku_id:
                return sku
        raise UnknownSku(sku_id)

    def schedule(self, sale: FlashSale, at: datetime) -> None:
        """Add a flash sale; its price must be below list price and it must not overlap another."""
        sku = self.sku(sale.sku)
        if sale.price >= sku.list_price:
            raise InvalidFlashSale(
                "a flash-sale price must be below the list price", sale=sale.id, price=str(sale.price)
            )
        if any(existing.id == sale.id for existing in self.flash_sales):
            raise InvalidFlashSale("flash sale id already used", CatalogErrorCode.DUPLICATE, sale=sale.id)
        clash = next((s for s in self.flash_sales if s.overlaps(sale)), None)
        if clash is not None:
            raise InvalidFlashSale(
                f"overlaps flash sale {clash.id!r}", CatalogErrorCode.OVERLAPPING_FLASH_SALE, sale=sale.id
            )
        self.flash_sales.append(sale)
        self.events.append(
            FlashSaleScheduled(sale.id, sale.sku, sale.start, sale.end, sale.price, sale.limit_per_customer, at)
        )

    def offer(self, sku_id: SkuId, when: datetime) -> Offer:
        """Return the offer for ``sku_id`` at ``when``: the active flash sale's price, else list price."""
        sku = self.sku(sku_id)
        for sale in self.flash_sales:
            if sale.sku == sku_id and sale.active_at(when):
                return Offer(sku_id, sale.price, sale.id, sale.limit_per_customer)
        return Offer(sku_id, sku.list_price)

    def price_at(self, sku_id: SkuId, when: datetime) -> Money:
        """Return the unit price of ``sku_id`` at ``when``."""
        return self.offer(sku_id, when).unit_price
