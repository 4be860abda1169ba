"""A small shop on the in-memory core: one heritage brand, two SKUs (one on flash sale), two warehouses."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from wujie.bootstrap import MemoryUnitOfWork, bootstrap
from wujie.catalog import events as catalog_events
from wujie.catalog.commands import AddBrand, AddCategory, ListProduct, ScheduleFlashSale, SkuSpec
from wujie.inventory import events as inventory_events
from wujie.inventory.commands import AddLocation, ReceiveStock
from wujie.orders import events as order_events
from wujie.payments import events as payment_events
from wujie.shared.clock import ManualClock
from wujie.shared.events import Event
from wujie.shared.messagebus import MessageBus
from wujie.shared.money import Money

EVENT_TYPES = [
    kind
    for module in (catalog_events, inventory_events, order_events, payment_events)
    for kind in vars(module).values()
    if isinstance(kind, type) and issubclass(kind, Event) and kind is not Event
]


def cny(minor: int) -> Money:
    """Return ``minor`` fen."""
    return Money(minor, "CNY")


@dataclass
class Shop:
    """The bus, its unit of work, its clock, and every event published."""

    bus: MessageBus
    uow: MemoryUnitOfWork
    clock: ManualClock
    events: list[Event] = field(default_factory=list)


def open_shop(uow: MemoryUnitOfWork, clock: ManualClock, duck_north: int = 3, duck_east: int = 2) -> Shop:
    """Seed the catalog and stock: ``duck`` (list 199.00, flash 99.00 limit 2 for 1 h) and ``tea`` (35.00)."""
    events: list[Event] = []
    recorder = {kind: [events.append] for kind in EVENT_TYPES}
    shop = Shop(bootstrap(uow, clock, subscribers=recorder), uow, clock, events)
    handle = shop.bus.handle
    handle(AddBrand("quanjude", "Quanjude", heritage=True, founded=1864))
    handle(AddBrand("leaf", "Leaf & Co"))
    handle(AddCategory("food", "Food"))
    handle(
        ListProduct(
            "roast-duck",
            "Roast duck",
            "quanjude",
            "food",
            (SkuSpec("duck", "Duck 1 kg", cny(19900), 1000, 300, 200, 100),),
        )
    )
    handle(ListProduct("tea", "Tea", "leaf", "food", (SkuSpec("tea", "Tea 250 g", cny(3500), 250, 100, 80, 60),)))
    start = clock.now()
    handle(ScheduleFlashSale("fs-duck", "duck", start, start + timedelta(hours=1), cny(9900), 2))
    handle(AddLocation("wh-north", "Beijing DC", "warehouse", "north", 39.9, 116.4))
    handle(AddLocation("wh-east", "Shanghai DC", "warehouse", "east", 31.2, 121.5))
    handle(ReceiveStock("duck", "wh-north", duck_north))
    handle(ReceiveStock("duck", "wh-east", duck_east))
    handle(ReceiveStock("tea", "wh-north", 10))
    return shop


@pytest.fixture
def shop() -> Shop:
    """A freshly seeded in-memory shop at 2026-11-11 00:00 UTC."""
    return open_shop(MemoryUnitOfWork(), ManualClock())
