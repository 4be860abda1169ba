"""``wujie demo``: a small scripted Singles' Day through the commerce core (until the twin replaces it).

A heritage brand with a midnight flash sale, stock in two warehouses, a crowd of seeded customers
placing, paying (with an idempotent retry), cancelling and letting orders expire, and the refusals
the core must make: an oversell, a purchase-limit breach, an idempotency conflict.
"""

from __future__ import annotations

import random
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:
    from wujie.shared.ids import OrderId

MIDNIGHT = datetime(2026, 11, 10, 16, 0, tzinfo=UTC)  # 2026-11-11 00:00 in Beijing


def _catalog(handle: Any, yuan: Any) -> None:
    from wujie.catalog.commands import AddBrand, AddCategory, ListProduct, ScheduleFlashSale, SkuSpec
    from wujie.inventory.commands import AddLocation, ReceiveStock
    from wujie.shared.ids import BrandId, CategoryId, FlashSaleId, LocationId, ProductId, RegionId, SkuId

    handle(AddBrand(BrandId("quanjude"), "Quanjude 全聚德", heritage=True, founded=1864))
    handle(AddBrand(BrandId("daoxiangcun"), "Daoxiangcun 稻香村", heritage=True, founded=1773))
    handle(AddBrand(BrandId("mijia"), "Mijia"))
    handle(AddCategory(CategoryId("food"), "Food"))
    handle(AddCategory(CategoryId("home"), "Home"))
    products = [
        (
            "duck",
            "Roast duck",
            "quanjude",
            "food",
            SkuSpec(SkuId("duck-1kg"), "Duck 1 kg", yuan(199), 1000, 300, 220, 90),
        ),
        (
            "cakes",
            "Pastry box",
            "daoxiangcun",
            "food",
            SkuSpec(SkuId("cakes-8"), "8 pastries", yuan(88), 600, 250, 180, 60),
        ),
        ("lamp", "Desk lamp", "mijia", "home", SkuSpec(SkuId("lamp-w"), "Lamp, white", yuan(169), 1400, 420, 160, 160)),
    ]
    for product, name, brand, category, spec in products:
        handle(ListProduct(ProductId(product), name, BrandId(brand), CategoryId(category), (spec,)))
    sale = ScheduleFlashSale(
        FlashSaleId("fs-duck"), SkuId("duck-1kg"), MIDNIGHT, MIDNIGHT + timedelta(hours=1), yuan(99), 2
    )
    handle(sale)
    handle(AddLocation(LocationId("wh-bj"), "Beijing DC", "warehouse", RegionId("north"), 39.90, 116.40))
    handle(AddLocation(LocationId("wh-sh"), "Shanghai DC", "warehouse", RegionId("east"), 31.23, 121.47))
    stock = [("duck-1kg", "wh-bj", 30), ("duck-1kg", "wh-sh", 20), ("cakes-8", "wh-bj", 40), ("lamp-w", "wh-sh", 15)]
    for sku, location, units in stock:
        handle(ReceiveStock(SkuId(sku), LocationId(location), units))


def command(
    seed: int = typer.Option(11, help="Seed of the crowd's choices."),
    customers: int = typer.Option(60, help="Customers in the crowd (1..100,000)."),
    db: Path | None = typer.Option(None, help="New SQLite file to keep (default: a temporary one)."),  # noqa: B008
) -> None:
    """Run a scripted Singles' Day through catalog, inventory, orders and payments; print a summary."""
    from wujie.shared.errors import InvalidInput

    if not 1 <= customers <= 100_000:
        raise InvalidInput("--customers must be between 1 and 100,000", customers=customers)
    if db is not None and db.exists():
        raise InvalidInput(f"the demo writes a new store: {db} already exists", path=str(db))
    with tempfile.TemporaryDirectory(prefix="wujie-demo-") as scratch:
        _run(seed, customers, db or Path(scratch) / "core.db", str(db) if db else "a temporary SQLite file (WAL)")


def _run(seed: int, customers: int, path: Path, where: str) -> None:
    from wujie.bootstrap import SqliteUnitOfWork, bootstrap
    from wujie.orders.commands import (
        AllocateOrder,
        CancelOrder,
        ExpireOrders,
        LineRequest,
        PayOrder,
        PlaceOrder,
        ShipOrder,
    )
    from wujie.shared.clock import ManualClock
    from wujie.shared.errors import WujieError
    from wujie.shared.ids import CustomerId, IdempotencyKey, OrderId, RegionId, SkuId
    from wujie.shared.money import Money

    def yuan(amount: int) -> Money:
        return Money(amount * 100, "CNY")

    rng = random.Random(seed)
    clock = ManualClock(MIDNIGHT - timedelta(minutes=5))
    uow = SqliteUnitOfWork(path)
    bus = bootstrap(uow, clock)
    _catalog(bus.handle, yuan)
    clock.set(MIDNIGHT)
    refusals: list[tuple[str, str, str]] = []

    def attempt(label: str, command: Any) -> Any:
        try:
            return bus.handle(command)
        except WujieError as exc:
            refusals.append((label, str(exc.code), exc.message))
            return None

    totals: dict[OrderId, Money] = {}
    for n in range(customers):
        clock.advance(timedelta(seconds=rng.randint(5, 90)))
        order_id, customer = OrderId(f"o{n:04d}"), CustomerId(f"c{n:04d}")
        line = LineRequest(SkuId(rng.choice(["duck-1kg", "duck-1kg", "cakes-8", "lamp-w"])), rng.randint(1, 2))
        region = RegionId(rng.choice(["north", "east"]))
        if attempt(order_id, PlaceOrder(order_id, customer, (line,), region)) is None:
            continue
        with uow:
            order = uow.orders.get(order_id)
            assert order is not None
            totals[order_id] = order.total
        fate = rng.random()
        if fate < 0.70:
            attempt(order_id, PayOrder(order_id, IdempotencyKey(f"pay-{order_id}"), totals[order_id]))
            if fate < 0.50:
                attempt(order_id, AllocateOrder(order_id))
                attempt(order_id, ShipOrder(order_id))
        elif fate < 0.80:
            attempt(order_id, CancelOrder(order_id, "changed mind"))
    paid = next((o for o in totals if _status(uow, o) in {"paid", "shipped"}), None)
    replay_note = "no order was paid, so no retry to replay"
    if paid is not None:
        key = IdempotencyKey(f"pay-{paid}")
        first = bus.handle(PayOrder(paid, key, totals[paid]))  # a network retry: same key, same request
        replay_note = f"retry of {key} replayed payment {first} (no second capture)"
        attempt("retry", PayOrder(paid, key, totals[paid] + yuan(1)))
    attempt("whale", PlaceOrder(OrderId("o-whale"), CustomerId("c-whale"), (LineRequest(SkuId("lamp-w"), 500),)))
    attempt("greedy", PlaceOrder(OrderId("o-greedy"), CustomerId("c0000"), (LineRequest(SkuId("duck-1kg"), 3),)))
    clock.advance(timedelta(minutes=20))
    expired = bus.handle(ExpireOrders())
    _render(uow, refusals, f"{replay_note}; expiry sweep released {expired} unpaid orders; store: {where}", seed)
    uow.close()


def _status(uow: Any, order_id: OrderId) -> str:
    with uow:
        return str(uow.orders.get(order_id).status)


def _render(uow: Any, refusals: list[tuple[str, str, str]], footer: str, seed: int) -> None:
    from rich.console import Console
    from rich.table import Table

    from wujie.shared.money import Money

    console = Console()
    db = uow.connection
    stock = Table(title=f"Stock after the rush (seed {seed})")
    for column in ("SKU", "location", "on hand", "reserved", "sold", "available"):
        stock.add_column(column, justify="left" if column in {"SKU", "location"} else "right")
    for sku, loc, on_hand, reserved, sold in db.execute(
        "SELECT sku, location, on_hand, reserved, sold FROM stock ORDER BY sku, location"
    ):
        stock.add_row(sku, loc, str(on_hand), str(reserved), str(sold), str(on_hand - reserved - sold))
    orders = Table(title="Orders by status")
    orders.add_column("status")
    orders.add_column("orders", justify="right")
    for status, count in db.execute("SELECT status, COUNT(*) FROM orders GROUP BY status ORDER BY status"):
        orders.add_row(status, str(count))
    ledger = Table(title="Ledger (CNY)")
    ledger.add_column("account")
    ledger.add_column("balance", justify="right")
    with uow:
        balances = uow.ledger.balances()
    for (account, _), money in sorted(balances.items()):
        ledger.add_row(str(account), str(money))
    total = sum(m.minor for m in balances.values())
    ledger.add_row("[bold]sum[/]", f"[bold]{Money(total, 'CNY')}[/]")
    refused = Table(title="Refused, with typed errors")
    for column in ("who", "code", "why"):
        refused.add_column(column)
    for label, code, why in refusals:
        refused.add_row(label, code, why)
    for table in (stock, orders, ledger, refused):
        console.print(table)
    console.print(footer)
