"""The SQLite (WAL) units of work: atomic failures checked in the file itself, guards, durability."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from wujie.bootstrap import SqliteUnitOfWork, bootstrap
from wujie.catalog.commands import AddBrand, AddCategory, ListProduct, ScheduleFlashSale, SkuSpec
from wujie.catalog.errors import DuplicateEntry, UnknownSku
from wujie.inventory.commands import AddLocation, ReceiveStock
from wujie.inventory.errors import InsufficientStock
from wujie.orders.commands import LineRequest, PayOrder, PlaceOrder
from wujie.orders.errors import AmountMismatch, InvalidOrder, PurchaseLimitExceeded
from wujie.payments.errors import IdempotencyConflict, PaymentStateError
from wujie.payments.model import PaymentIntent
from wujie.shared.clock import ManualClock
from wujie.shared.errors import RetryableError
from wujie.shared.messagebus import MessageBus
from wujie.shared.money import Money

TABLES = [
    "brands",
    "categories",
    "products",
    "skus",
    "flash_sales",
    "locations",
    "stock",
    "reservations",
    "orders",
    "purchase_quotas",
    "payment_intents",
    "ledger",
]


def cny(minor: int) -> Money:
    return Money(minor, "CNY")


@pytest.fixture
def store(tmp_path: Path) -> tuple[MessageBus, SqliteUnitOfWork, ManualClock]:
    clock = ManualClock()
    uow = SqliteUnitOfWork(tmp_path / "core.db")
    bus = bootstrap(uow, clock)
    bus.handle(AddBrand("quanjude", "Quanjude", heritage=True, founded=1864))
    bus.handle(AddCategory("food", "Food"))
    bus.handle(
        ListProduct("duck", "Roast duck", "quanjude", "food", (SkuSpec("duck", "1 kg", cny(19900), 1000, 3, 2, 1),))
    )
    bus.handle(ListProduct("tea", "Tea", "quanjude", "food", (SkuSpec("tea", "250 g", cny(3500), 250, 1, 1, 1),)))
    bus.handle(ScheduleFlashSale("fs", "duck", clock.now(), clock.now() + timedelta(hours=1), cny(9900), 2))
    bus.handle(AddLocation("north", "Beijing DC", "warehouse", "n", 39.9, 116.4))
    bus.handle(AddLocation("east", "Shanghai store", "store", "e", 31.2, 121.5))
    bus.handle(ReceiveStock("duck", "north", 3))
    bus.handle(ReceiveStock("duck", "east", 1))
    bus.handle(ReceiveStock("tea", "north", 5))
    return bus, uow, clock


def _snapshot(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every core table, read by a separate connection."""
    with sqlite3.connect(path) as db:
        return {table: sorted(db.execute(f"SELECT * FROM {table}").fetchall(), key=repr) for table in TABLES}


@pytest.mark.parametrize(
    ("lines", "error"),
    [
        ((("duck", 2), ("tea", 6)), InsufficientStock),  # the second line fails after the first one reserved
        ((("duck", 3),), PurchaseLimitExceeded),
        ((("duck", 1), ("ghost", 1)), UnknownSku),
        ((("tea", 0),), InvalidOrder),
    ],
)
def test_a_refused_order_leaves_the_file_exactly_as_it_was(
    store: tuple[MessageBus, SqliteUnitOfWork, ManualClock], lines: tuple[tuple[str, int], ...], error: type[Exception]
) -> None:
    bus, uow, _ = store
    before = _snapshot(uow.path)
    with pytest.raises(error):
        bus.handle(PlaceOrder("o1", "c1", tuple(LineRequest(s, q) for s, q in lines)))
    assert _snapshot(uow.path) == before


def test_refused_payments_leave_the_file_exactly_as_it_was(
    store: tuple[MessageBus, SqliteUnitOfWork, ManualClock],
) -> None:
    bus, uow, _ = store
    bus.handle(PlaceOrder("o1", "c1", (LineRequest("duck", 2),)))
    bus.handle(PayOrder("o1", "k1", cny(19800)))
    before = _snapshot(uow.path)
    for command, error in [
        (PayOrder("o1", "k1", cny(19801)), IdempotencyConflict),
        (PayOrder("o1", "k1", Money(19800, "USD")), IdempotencyConflict),
    ]:
        with pytest.raises(error):
            bus.handle(command)
    bus.handle(PlaceOrder("o2", "c2", (LineRequest("tea", 1),)))
    middle = _snapshot(uow.path)
    with pytest.raises(AmountMismatch):
        bus.handle(PayOrder("o2", "k2", cny(3400)))
    with pytest.raises(AmountMismatch):
        bus.handle(PayOrder("o2", "k3", Money(3500, "USD")))
    assert _snapshot(uow.path) == middle
    assert {k: v for k, v in before.items() if k in {"ledger", "payment_intents"}} == {
        k: v for k, v in middle.items() if k in {"ledger", "payment_intents"}
    }


def test_everything_committed_survives_reopening(store: tuple[MessageBus, SqliteUnitOfWork, ManualClock]) -> None:
    bus, uow, clock = store
    bus.handle(PlaceOrder("o1", "c1", (LineRequest("duck", 2),), "e"))
    bus.handle(PayOrder("o1", "k1", cny(19800)))
    uow.close()
    again = SqliteUnitOfWork(uow.path)
    with again:
        order = again.orders.get("o1")
        assert order is not None and order.status == "paid" and order.total == cny(19800)
        assert {(i.location, i.reserved) for i in again.stock.for_sku("duck")} == {("east", 0), ("north", 2)}
        assert again.quotas.get("fs", "c1").used == 2
        product = again.catalog.get("duck")
        assert product is not None and product.price_at("duck", clock.now()) == cny(9900)
        assert again.payments.by_key("k1") is not None
        assert sum(m.minor for m in again.ledger.balances().values()) == 0
    again.close()


def test_the_guarded_update_refuses_an_oversell_even_without_begin_immediate(tmp_path: Path) -> None:
    """Two deferred transactions both read 1 available; the second guarded write finds none left."""
    path = tmp_path / "core.db"
    setup = SqliteUnitOfWork(path)
    bus = bootstrap(setup)
    bus.handle(AddLocation("north", "N", "warehouse", "n", 0.0, 0.0))
    bus.handle(ReceiveStock("duck", "north", 1))
    first, second = SqliteUnitOfWork(path), SqliteUnitOfWork(path)
    items = []
    for uow in (first, second):
        uow._repositories()  # fresh repositories, as __enter__ would make, but with no BEGIN IMMEDIATE
        item = uow.stock.get("duck", "north")
        assert item is not None and item.available == 1
        items.append(item)
    for item, order in zip(items, ("o1", "o2"), strict=True):
        item.reserve(f"r-{order}", order, 1, setup_time(), setup_time())
    first.stock.save(items[0])
    with pytest.raises(InsufficientStock):
        second.stock.save(items[1])
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT on_hand, reserved, sold FROM stock").fetchone() == (1, 1, 0)
    for uow in (setup, first, second):
        uow.close()


def setup_time() -> datetime:
    return ManualClock().now()


def test_the_check_constraint_refuses_a_bad_row_written_by_hand(
    store: tuple[MessageBus, SqliteUnitOfWork, ManualClock],
) -> None:
    _, uow, _ = store
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        uow.connection.execute("UPDATE stock SET reserved = on_hand + 1 WHERE sku = 'duck' AND location = 'north'")


def test_a_capture_entry_is_posted_once_by_the_database(
    store: tuple[MessageBus, SqliteUnitOfWork, ManualClock],
) -> None:
    _, uow, clock = store
    intent = PaymentIntent.open("k", "o", "c", cny(100), 0)
    entry = intent.capture(clock.now())
    with uow:
        uow.ledger.post(entry)
        with pytest.raises(PaymentStateError):
            uow.ledger.post(entry)
        uow.commit()
    with uow:
        assert [e.id for e in uow.ledger.entries()] == [entry.id]


def test_duplicate_flash_sale_ids_are_refused_across_products(
    store: tuple[MessageBus, SqliteUnitOfWork, ManualClock],
) -> None:
    bus, uow, clock = store
    before = _snapshot(uow.path)
    with pytest.raises(DuplicateEntry):
        bus.handle(ScheduleFlashSale("fs", "tea", clock.now(), clock.now() + timedelta(hours=1), cny(1000), 1))
    assert _snapshot(uow.path) == before


def test_a_writer_that_cannot_get_the_lock_gets_a_retryable_error(tmp_path: Path) -> None:
    path = tmp_path / "core.db"
    holder = SqliteUnitOfWork(path)
    waiter = SqliteUnitOfWork(path, busy_timeout_s=0.05)
    with holder, pytest.raises(RetryableError, match="busy"), waiter:
        pass
    with waiter:  # the lock is free again
        assert waiter.locations.all() == []
    holder.close()
    waiter.close()


def test_transactions_do_not_nest(store: tuple[MessageBus, SqliteUnitOfWork, ManualClock]) -> None:
    _, uow, _ = store
    with uow:
        with pytest.raises(RuntimeError, match="do not nest"), uow:
            pass
        assert uow.locations.get("north") is not None
    with uow:  # still usable afterwards
        assert len(uow.locations.all()) == 2
