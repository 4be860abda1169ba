"""SQLite catalog repository. Runs inside the caller's transaction (see ``wujie.bootstrap``)."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from wujie.catalog.errors import DuplicateEntry, UnknownSku
from wujie.catalog.model import Brand, Category, Dimensions, FlashSale, Offer, Product, Sku
from wujie.shared.clock import from_utc_text, to_utc_text
from wujie.shared.ids import BrandId, CategoryId, FlashSaleId, ProductId, SkuId
from wujie.shared.money import Money
from wujie.shared.unit_of_work import EventTracker

SCHEMA = """
CREATE TABLE IF NOT EXISTS brands (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, heritage INTEGER NOT NULL, founded INTEGER
);
CREATE TABLE IF NOT EXISTS categories (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, parent TEXT REFERENCES categories(id)
);
CREATE TABLE IF NOT EXISTS products (
    id TEXT PRIMARY KEY, name TEXT NOT NULL,
    brand_id TEXT NOT NULL REFERENCES brands(id), category_id TEXT NOT NULL REFERENCES categories(id)
);
CREATE TABLE IF NOT EXISTS skus (
    id TEXT PRIMARY KEY, product_id TEXT NOT NULL REFERENCES products(id), position INTEGER NOT NULL,
    name TEXT NOT NULL, list_minor INTEGER NOT NULL CHECK (list_minor > 0), currency TEXT NOT NULL,
    weight_g INTEGER NOT NULL CHECK (weight_g > 0),
    length_mm INTEGER NOT NULL, width_mm INTEGER NOT NULL, height_mm INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS skus_by_product ON skus(product_id);
CREATE TABLE IF NOT EXISTS flash_sales (
    id TEXT PRIMARY KEY, sku TEXT NOT NULL REFERENCES skus(id), starts TEXT NOT NULL, ends TEXT NOT NULL,
    price_minor INTEGER NOT NULL CHECK (price_minor > 0), currency TEXT NOT NULL,
    limit_per_customer INTEGER NOT NULL CHECK (limit_per_customer > 0), CHECK (ends > starts)
);
CREATE INDEX IF NOT EXISTS flash_sales_by_sku ON flash_sales(sku);
"""


class SqliteCatalogRepository:
    """A :class:`~wujie.catalog.ports.CatalogRepository` on an open SQLite transaction."""

    def __init__(self, connection: sqlite3.Connection, tracker: EventTracker) -> None:
        self._db = connection
        self._tracker = tracker

    def add_brand(self, brand: Brand) -> None:
        """Store a new brand."""
        try:
            self._db.execute(
                "INSERT INTO brands VALUES (?, ?, ?, ?)", (brand.id, brand.name, int(brand.heritage), brand.founded)
            )
        except sqlite3.IntegrityError as exc:
            raise DuplicateEntry("brand", brand.id) from exc

    def brand(self, brand_id: BrandId) -> Brand | None:
        """Return the brand or ``None``."""
        row = self._db.execute("SELECT name, heritage, founded FROM brands WHERE id = ?", (brand_id,)).fetchone()
        return None if row is None else Brand(brand_id, row[0], bool(row[1]), row[2])

    def add_category(self, category: Category) -> None:
        """Store a new category."""
        try:
            self._db.execute("INSERT INTO categories VALUES (?, ?, ?)", (category.id, category.name, category.parent))
        except sqlite3.IntegrityError as exc:
            raise DuplicateEntry("category", category.id) from exc

    def category(self, category_id: CategoryId) -> Category | None:
        """Return the category or ``None``."""
        row = self._db.execute("SELECT name, parent FROM categories WHERE id = ?", (category_id,)).fetchone()
        return None if row is None else Category(category_id, row[0], row[1])

    def add(self, product: Product) -> None:
        """Store a new product, its SKUs and flash sales."""
        try:
            self._db.execute(
                "INSERT INTO products VALUES (?, ?, ?, ?)",
                (product.id, product.name, product.brand_id, product.category_id),
            )
            self._db.executemany(
                "INSERT INTO skus VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        s.id,
                        product.id,
                        n,
                        s.name,
                        s.list_price.minor,
                        s.list_price.currency,
                        s.weight_g,
                        s.size.length_mm,
                        s.size.width_mm,
                        s.size.height_mm,
                    )
                    for n, s in enumerate(product.skus)
                ],
            )
        except sqlite3.IntegrityError as exc:
            raise DuplicateEntry("product or SKU", product.id) from exc
        self._insert_sales(product.flash_sales)
        self._tracker.track(product)

    def get(self, product_id: ProductId) -> Product | None:
        """Return the product or ``None``."""
        row = self._db.execute(
            "SELECT name, brand_id, category_id FROM products WHERE id = ?", (product_id,)
        ).fetchone()
        if row is None:
            return None
        skus = tuple(
            Sku(SkuId(r[0]), product_id, r[1], Money(r[2], r[3]), r[4], Dimensions(r[5], r[6], r[7]))
            for r in self._db.execute(
                "SELECT id, name, list_minor, currency, weight_g, length_mm, width_mm, height_mm"
                " FROM skus WHERE product_id = ? ORDER BY position",
                (product_id,),
            )
        )
        product = Product(product_id, row[0], row[1], row[2], skus, self._sales_of(product_id))
        self._tracker.track(product)
        return product

    def product_of(self, sku: SkuId) -> Product | None:
        """Return the product a SKU belongs to, or ``None``."""
        row = self._db.execute("SELECT product_id FROM skus WHERE id = ?", (sku,)).fetchone()
        return None if row is None else self.get(ProductId(row[0]))

    def save(self, product: Product) -> None:
        """Store the product's new flash sales (they are append-only)."""
        known = {sale.id for sale in self._sales_of(product.id)}
        self._insert_sales([sale for sale in product.flash_sales if sale.id not in known])
        self._tracker.track(product)

    def offer(self, sku: SkuId, at: datetime) -> Offer:
        """Return the offer for ``sku`` at ``at``; raise ``UnknownSku``."""
        product = self.product_of(sku)
        if product is None:
            raise UnknownSku(sku)
        return product.offer(sku, at)

    def _sales_of(self, product_id: ProductId) -> list[FlashSale]:
        rows = self._db.execute(
            "SELECT f.id, f.sku, f.starts, f.ends, f.price_minor, f.currency, f.limit_per_customer"
            " FROM flash_sales f JOIN skus s ON s.id = f.sku WHERE s.product_id = ? ORDER BY f.starts, f.id",
            (product_id,),
        )
        return [
            FlashSale(FlashSaleId(r[0]), SkuId(r[1]), from_utc_text(r[2]), from_utc_text(r[3]), Money(r[4], r[5]), r[6])
            for r in rows
        ]

    def _insert_sales(self, sales: list[FlashSale]) -> None:
        for sale in sales:
            try:
                self._db.execute(
                    "INSERT INTO flash_sales VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        sale.id,
                        sale.sku,
                        to_utc_text(sale.start),
                        to_utc_text(sale.end),
                        sale.price.minor,
                        sale.price.currency,
                        sale.limit_per_customer,
                    ),
                )
            except sqlite3.IntegrityError as exc:
                raise DuplicateEntry("flash sale", sale.id) from exc
