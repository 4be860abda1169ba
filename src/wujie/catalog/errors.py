"""Catalog errors, each with a stable code."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from wujie.shared.errors import WujieError


class CatalogErrorCode(StrEnum):
    """Stable codes of the catalog area."""

    UNKNOWN_SKU = "unknown_sku"
    UNKNOWN_PRODUCT = "unknown_product"
    UNKNOWN_BRAND = "unknown_brand"
    UNKNOWN_CATEGORY = "unknown_category"
    DUPLICATE = "duplicate"
    INVALID_PRODUCT = "invalid_product"
    INVALID_FLASH_SALE = "invalid_flash_sale"
    OVERLAPPING_FLASH_SALE = "overlapping_flash_sale"


class CatalogError(WujieError):
    """Base of catalog errors."""


class UnknownSku(CatalogError):
    """The SKU is not in the catalog."""

    def __init__(self, sku: str) -> None:
        super().__init__(CatalogErrorCode.UNKNOWN_SKU, f"unknown SKU {sku!r}", sku=sku)


class UnknownEntity(CatalogError):
    """A product, brand or category that does not exist."""

    def __init__(self, code: CatalogErrorCode, kind: str, key: str) -> None:
        super().__init__(code, f"unknown {kind} {key!r}", key=key)


class DuplicateEntry(CatalogError):
    """An id that is already taken."""

    def __init__(self, kind: str, key: str) -> None:
        super().__init__(CatalogErrorCode.DUPLICATE, f"{kind} {key!r} already exists", key=key)


class InvalidProduct(CatalogError):
    """A product or SKU whose fields break a rule (weight, size, price)."""

    def __init__(self, message: str, **context: Any) -> None:
        super().__init__(CatalogErrorCode.INVALID_PRODUCT, message, **context)


class InvalidFlashSale(CatalogError):
    """A flash-sale window whose fields break a rule."""

    def __init__(
        self, message: str, code: CatalogErrorCode = CatalogErrorCode.INVALID_FLASH_SALE, **context: Any
    ) -> None:
        super().__init__(code, message, **context)
