"""Catalog: products, SKUs, flash-sale windows and prices, on the in-memory unit of work."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from wujie.bootstrap import MemoryUnitOfWork, bootstrap
from wujie.catalog.commands import AddBrand, AddCategory, ListProduct, ScheduleFlashSale, SkuSpec
from wujie.catalog.errors import (
    CatalogErrorCode,
    DuplicateEntry,
    InvalidFlashSale,
    InvalidProduct,
    UnknownEntity,
    UnknownSku,
)
from wujie.catalog.events import FlashSaleScheduled, ProductListed
from wujie.catalog.model import Dimensions, FlashSale, Offer, Product, Sku
from wujie.shared.clock import ManualClock
from wujie.shared.errors import CurrencyMismatch
from wujie.shared.events import Event
from wujie.shared.money import Money

T0 = datetime(2026, 11, 11, tzinfo=UTC)


def cny(minor: int) -> Money:
    return Money(minor, "CNY")


def _sku(sku: str = "duck", price: int = 19900, product: str = "p") -> Sku:
    return Sku(sku, product, sku, cny(price), 1000, Dimensions(300, 200, 100))


def _product() -> Product:
    return Product("p", "Roast duck", "quanjude", "food", (_sku("duck"), _sku("half", 10900)))


def _sale(sale: str = "fs", start: int = 0, end: int = 60, price: int = 9900, limit: int = 2) -> FlashSale:
    return FlashSale(sale, "duck", T0 + timedelta(minutes=start), T0 + timedelta(minutes=end), cny(price), limit)


def test_price_follows_the_flash_sale_window_start_inclusive_end_exclusive() -> None:
    product = _product()
    product.schedule(_sale(start=10, end=70), T0)
    assert product.price_at("duck", T0 + timedelta(minutes=9, seconds=59)) == cny(19900)
    assert product.offer("duck", T0 + timedelta(minutes=10)) == Offer("duck", cny(9900), "fs", 2)
    assert product.price_at("duck", T0 + timedelta(minutes=69, seconds=59)) == cny(9900)
    assert product.offer("duck", T0 + timedelta(minutes=70)) == Offer("duck", cny(19900))
    assert product.price_at("half", T0 + timedelta(minutes=30)) == cny(10900)


def test_windows_on_one_sku_may_touch_but_not_overlap() -> None:
    product = _product()
    product.schedule(_sale("a", 0, 60), T0)
    product.schedule(_sale("b", 60, 120, price=12900), T0)
    with pytest.raises(InvalidFlashSale) as caught:
        product.schedule(_sale("c", 119, 180), T0)
    assert caught.value.code == CatalogErrorCode.OVERLAPPING_FLASH_SALE
    assert [s.id for s in product.flash_sales] == ["a", "b"]
    assert product.price_at("duck", T0 + timedelta(minutes=90)) == cny(12900)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"start": 60, "end": 60}, "end after it starts"),
        ({"price": 0}, "price must be positive"),
        ({"limit": 0}, "limit must be positive"),
    ],
)
def test_invalid_flash_sales_are_refused(kwargs: dict[str, int], message: str) -> None:
    with pytest.raises(InvalidFlashSale, match=message):
        _sale(**kwargs)


def test_a_flash_price_must_be_below_list_and_in_its_currency() -> None:
    product = _product()
    with pytest.raises(InvalidFlashSale, match="below the list price"):
        product.schedule(_sale(price=19900), T0)
    with pytest.raises(CurrencyMismatch):
        product.schedule(FlashSale("fs", "duck", T0, T0 + timedelta(hours=1), Money(99, "USD"), 1), T0)
    with pytest.raises(UnknownSku):
        product.schedule(FlashSale("fs", "nope", T0, T0 + timedelta(hours=1), cny(1), 1), T0)
    assert product.flash_sales == []


def test_naive_times_are_refused() -> None:
    with pytest.raises(InvalidFlashSale, match="timezone-aware"):
        FlashSale("fs", "duck", datetime(2026, 11, 11), datetime(2026, 11, 12), cny(1), 1)


@pytest.mark.parametrize(
    "build",
    [
        lambda: Sku("s", "p", "s", cny(0), 10, Dimensions(1, 1, 1)),
        lambda: Sku("s", "p", "s", cny(100), 0, Dimensions(1, 1, 1)),
        lambda: Dimensions(0, 10, 10),
        lambda: Product("p", "x", "b", "c", ()),
        lambda: Product("p", "x", "b", "c", (_sku("a"), _sku("a"))),
        lambda: Product("p", "x", "b", "c", (_sku("a", product="other"),)),
        lambda: Product("p", "x", "b", "c", (_sku("a"), Sku("b", "p", "b", Money(1, "USD"), 1, Dimensions(1, 1, 1)))),
    ],
)
def test_invalid_products_are_refused(build: object) -> None:
    with pytest.raises(InvalidProduct):
        build()  # type: ignore[operator]


def test_volume_rounds_up_to_whole_cubic_centimetres() -> None:
    assert Dimensions(300, 200, 100).volume_cm3 == 6000
    assert Dimensions(1, 1, 1).volume_cm3 == 1


def _bus() -> tuple[object, MemoryUnitOfWork, list[Event]]:
    events: list[Event] = []
    uow = MemoryUnitOfWork()
    subscribers = {ProductListed: [events.append], FlashSaleScheduled: [events.append]}
    bus = bootstrap(uow, ManualClock(T0), subscribers=subscribers)
    bus.handle(AddBrand("quanjude", "Quanjude", heritage=True, founded=1864))
    bus.handle(AddCategory("food", "Food"))
    return bus, uow, events


SPEC = SkuSpec("duck", "Duck 1 kg", cny(19900), 1000, 300, 200, 100)


def test_listing_and_scheduling_through_the_bus_publish_events() -> None:
    bus, uow, events = _bus()
    bus.handle(ListProduct("p", "Roast duck", "quanjude", "food", (SPEC,)))  # type: ignore[attr-defined]
    bus.handle(ScheduleFlashSale("fs", "duck", T0, T0 + timedelta(hours=1), cny(9900), 2))  # type: ignore[attr-defined]
    assert events == [
        ProductListed("p", ("duck",), T0),
        FlashSaleScheduled("fs", "duck", T0, T0 + timedelta(hours=1), cny(9900), 2, T0),
    ]
    with uow:
        brand = uow.catalog.brand("quanjude")
        assert brand is not None and brand.heritage and brand.founded == 1864
        assert uow.catalog.offer("duck", T0) == Offer("duck", cny(9900), "fs", 2)


@pytest.mark.parametrize(
    ("command", "code"),
    [
        (ListProduct("p", "x", "nobody", "food", (SPEC,)), CatalogErrorCode.UNKNOWN_BRAND),
        (ListProduct("p", "x", "quanjude", "toys", (SPEC,)), CatalogErrorCode.UNKNOWN_CATEGORY),
        (ListProduct("p", "x", "quanjude", "food", ()), CatalogErrorCode.INVALID_PRODUCT),
        (AddBrand("quanjude", "again"), CatalogErrorCode.DUPLICATE),
        (AddCategory("sub", "Sub", parent="missing"), CatalogErrorCode.UNKNOWN_CATEGORY),
        (ScheduleFlashSale("fs", "ghost", T0, T0 + timedelta(hours=1), cny(1), 1), CatalogErrorCode.UNKNOWN_SKU),
    ],
)
def test_bad_catalog_commands_raise_typed_errors_and_write_nothing(command: object, code: CatalogErrorCode) -> None:
    bus, uow, events = _bus()
    with pytest.raises((UnknownEntity, InvalidProduct, DuplicateEntry, UnknownSku)) as caught:
        bus.handle(command)  # type: ignore[attr-defined]
    assert caught.value.code == code
    with uow:
        assert uow.catalog.get("p") is None
        assert uow.catalog.brand("quanjude").name == "Quanjude"  # type: ignore[union-attr]
    assert events == []


def test_a_sku_belongs_to_one_product_only() -> None:
    bus, uow, _ = _bus()
    bus.handle(ListProduct("p", "Roast duck", "quanjude", "food", (SPEC,)))  # type: ignore[attr-defined]
    with pytest.raises(DuplicateEntry):
        bus.handle(ListProduct("q", "Other", "quanjude", "food", (SPEC,)))  # type: ignore[attr-defined]
    with uow:
        assert uow.catalog.get("q") is None
        assert uow.catalog.product_of("duck").id == "p"  # type: ignore[union-attr]


def test_a_flash_sale_id_is_unique_across_the_catalog() -> None:
    bus, uow, _ = _bus()
    bus.handle(ListProduct("p", "Roast duck", "quanjude", "food", (SPEC,)))  # type: ignore[attr-defined]
    tea = SkuSpec("tea", "Tea", cny(3500), 250, 100, 80, 60)
    bus.handle(ListProduct("t", "Tea", "quanjude", "food", (tea,)))  # type: ignore[attr-defined]
    bus.handle(ScheduleFlashSale("fs", "duck", T0, T0 + timedelta(hours=1), cny(9900), 2))  # type: ignore[attr-defined]
    with pytest.raises(DuplicateEntry):
        bus.handle(ScheduleFlashSale("fs", "tea", T0, T0 + timedelta(hours=1), cny(1000), 2))  # type: ignore[attr-defined]
    with uow:
        assert uow.catalog.offer("tea", T0) == Offer("tea", cny(3500))
