"""The core's PostgreSQL repositories under the core's handlers: same rules as SQLite, nothing half-written."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta

import psycopg
import pytest

from wujie.bootstrap import PostgresUnitOfWork, bootstrap
from wujie.catalog.commands import AddBrand, AddCategory, ListProduct, ScheduleFlashSale, SkuSpec
from wujie.catalog.errors import UnknownSku
from wujie.inventory.commands import AddLocation, ReceiveStock
from wujie.inventory.errors import InsufficientStock
from wujie.orders.commands import LineRequest, PayOrder, PlaceOrder
from wujie.orders.errors import AmountMismatch, PurchaseLimitExceeded
from wujie.payments.errors import IdempotencyConflict
from wujie.shared.clock import ManualClock
from wujie.shared.errors import RetryableError
from wujie.shared.messagebus import MessageBus
from wujie.shared.money import Money

pytestmark = pytest.mark.services
TABLES = [
    "brands",
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
def store(postgres_url: str) -> Iterator[tuple[MessageBus, PostgresUnitOfWork, ManualClock]]:
    schema = f"t_core_{uuid.uuid4().hex[:12]}"
    clock = ManualClock()
    uow = PostgresUnitOfWork(postgres_url, schema)
    bus = bootstrap(uow, clock)
    bus.handle(AddBrand("quanjude", "Quanjude", heritage=True, founded=1864))
    bus.handle(AddCategory("food", "Food"))
    bus.handle(
        ListProduct("duck", "Roast duck", "quanjude", "food", (SkuSpec("duck", "1 kg", cny(19900), 1000, 3, 2, 1),))
    )
    bus.handle(ListProduct("tea", "Tea", "quanjude", "food", (SkuSpec("tea", "250 g", cny(3500), 250, 1, 1, 1),)))
    bus.handle(ScheduleFlashSale("fs", "duck", clock.now(), clock.now() + timedelta(hours=1), cny(9900), 2))
    bus.handle(AddLocation("north", "Beijing DC", "warehouse", "n", 39.9, 116.4))
    bus.handle(ReceiveStock("duck", "north", 3))
    bus.handle(ReceiveStock("tea", "north", 5))
    yield bus, uow, clock
    uow.connection.execute(f"DROP SCHEMA {schema} CASCADE")
    uow.connection.close()


def snapshot(uow: PostgresUnitOfWork) -> dict[str, list[tuple[object, ...]]]:
    return {t: sorted(uow.connection.execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in TABLES}


@pytest.mark.parametrize(
    ("lines", "error"),
    [
        ((("duck", 2), ("tea", 6)), InsufficientStock),
        ((("duck", 3),), PurchaseLimitExceeded),
        ((("duck", 1), ("ghost", 1)), UnknownSku),
    ],
)
def test_refused_orders_write_nothing(
    store: tuple[MessageBus, PostgresUnitOfWork, ManualClock],
    lines: tuple[tuple[str, int], ...],
    error: type[Exception],
) -> None:
    bus, uow, _ = store
    before = snapshot(uow)
    with pytest.raises(error):
        bus.handle(PlaceOrder("o1", "c1", tuple(LineRequest(s, q) for s, q in lines)))
    assert snapshot(uow) == before


def test_order_pay_and_idempotency_on_postgres(store: tuple[MessageBus, PostgresUnitOfWork, ManualClock]) -> None:
    bus, uow, clock = store
    bus.handle(PlaceOrder("o1", "c1", (LineRequest("duck", 2),), "e"))
    bus.handle(PayOrder("o1", "k1", cny(19800)))
    bus.handle(PayOrder("o1", "k1", cny(19800)))  # a retry replays
    with pytest.raises(IdempotencyConflict):
        bus.handle(PayOrder("o1", "k1", cny(19801)))
    bus.handle(PlaceOrder("o2", "c2", (LineRequest("tea", 1),)))
    with pytest.raises(AmountMismatch):
        bus.handle(PayOrder("o2", "k2", cny(3400)))
    with uow:
        order = uow.orders.get("o1")
        assert order is not None and order.status == "paid" and order.total == cny(19800)
        assert [(i.location, i.reserved, i.sold) for i in uow.stock.for_sku("duck")] == [
            ("north", 2, 0)
        ]  # until shipped
        assert uow.quotas.get("fs", "c1").used == 2
        product = uow.catalog.get("duck")
        assert product is not None and product.price_at("duck", clock.now()) == cny(9900)
        assert [e.kind for e in uow.ledger.entries()] == ["capture"]
        assert sum(m.minor for m in uow.ledger.balances().values()) == 0
    rows = uow.connection.execute("SELECT count(*) FROM payment_intents").fetchone()
    assert rows == (1,)
    with pytest.raises(psycopg.errors.CheckViolation):
        uow.connection.execute("UPDATE stock SET reserved = on_hand + 1 WHERE sku = 'tea'")


def test_concurrent_buyers_never_oversell_on_postgres(postgres_url: str) -> None:
    import threading

    schema = f"t_core_{uuid.uuid4().hex[:12]}"
    setup = PostgresUnitOfWork(postgres_url, schema)
    bus = bootstrap(setup)
    bus.handle(AddBrand("b", "B"))
    bus.handle(AddCategory("c", "C"))
    bus.handle(ListProduct("p", "P", "b", "c", (SkuSpec("tea", "t", cny(100), 10, 1, 1, 1),)))
    bus.handle(AddLocation("north", "N", "warehouse", "n", 0.0, 0.0))
    bus.handle(ReceiveStock("tea", "north", 5))
    sold: list[str] = []

    def buyer(index: int) -> None:
        mine = bootstrap(PostgresUnitOfWork(postgres_url, schema))
        for attempt in range(4):
            order = f"o{index}-{attempt}"
            for _ in range(50):  # serialization failures are retried, refusals are final
                try:
                    mine.handle(PlaceOrder(order, f"c{index}", (LineRequest("tea", 1),)))
                    sold.append(order)
                    break
                except RetryableError:
                    continue
                except InsufficientStock:
                    break

    threads = [threading.Thread(target=buyer, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with setup:
        [item] = setup.stock.for_sku("tea")
    assert (len(sold), item.reserved, item.on_hand) == (5, 5, 5)
    setup.connection.execute(f"DROP SCHEMA {schema} CASCADE")
