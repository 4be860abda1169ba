"""The core's no-oversell capacity on SQLite: many writers buy one SKU until it is gone.

One SQLite file (WAL), one SKU with ``units`` in stock, ``attempts`` purchases (place; the winners
also pay, allocate and ship). Writers are threads (one connection each) or processes of threads.
The baseline is the same workload from a single writer, measured in the same run.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from wujie.bootstrap import SqliteUnitOfWork, bootstrap
from wujie.catalog.commands import AddBrand, AddCategory, ListProduct, SkuSpec
from wujie.inventory.commands import AddLocation, ReceiveStock
from wujie.orders.commands import AllocateOrder, LineRequest, PayOrder, PlaceOrder, ShipOrder
from wujie.shared.errors import WujieError
from wujie.shared.ids import (
    BrandId,
    CategoryId,
    CustomerId,
    IdempotencyKey,
    LocationId,
    OrderId,
    ProductId,
    RegionId,
    SkuId,
)
from wujie.shared.money import Money

SKU = SkuId("ft-500")
PRICE = Money(6_800, "CNY")


def seed_store(path: Path, units: int) -> None:
    """Create the store at ``path``: one heritage brand, one SKU, one warehouse holding ``units``."""
    uow = SqliteUnitOfWork(path)
    bus = bootstrap(uow)
    brand, category, warehouse = BrandId("moutai"), CategoryId("drinks"), LocationId("wh-gy")
    bus.handle(AddBrand(brand, "Kweichow Moutai", heritage=True, founded=1951))
    bus.handle(AddCategory(category, "Drinks"))
    spec = SkuSpec(SKU, "Feitian 53% 500 ml", PRICE, 900, 80, 80, 250)
    bus.handle(ListProduct(ProductId("feitian"), "Feitian", brand, category, (spec,)))
    bus.handle(AddLocation(warehouse, "Guiyang DC", "warehouse", RegionId("southwest"), 26.6, 106.7))
    bus.handle(ReceiveStock(SKU, warehouse, units))
    uow.close()


def run_threads(path: str, threads: int, first: int, stop: int) -> Counter[str]:
    """Buy with ``threads`` writers, attempts numbered ``first`` to ``stop - 1``; count the outcomes."""
    tickets = itertools.count(first)
    lock = threading.Lock()
    outcomes: Counter[str] = Counter()

    def buyer() -> None:
        uow = SqliteUnitOfWork(path)
        bus = bootstrap(uow)
        try:
            while True:
                with lock:
                    n = next(tickets)
                if n >= stop:
                    return
                outcome = _buy(bus.handle, n)
                with lock:
                    outcomes[outcome] += 1
        finally:
            uow.close()

    workers = [threading.Thread(target=buyer, name=f"buyer-{k}") for k in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return outcomes


def run_processes(path: str, processes: int, threads: int, attempts: int) -> Counter[str]:
    """Buy from ``processes`` spawned processes of ``threads`` writers each, splitting the attempts."""
    bounds = [(k * attempts // processes, (k + 1) * attempts // processes) for k in range(processes)]
    outcomes: Counter[str] = Counter()
    with ProcessPoolExecutor(max_workers=processes, mp_context=get_context("spawn")) as pool:
        for result in pool.map(run_threads, *zip(*[(path, threads, a, b) for a, b in bounds], strict=True)):
            outcomes.update(result)
    return outcomes


def store_report(path: Path) -> dict[str, Any]:
    """Read the store's figures straight from SQL: stock counts, orders by status, captures, ledger sums."""
    uow = SqliteUnitOfWork(path)
    db = uow.connection
    on_hand, reserved, sold = db.execute("SELECT on_hand, reserved, sold FROM stock WHERE sku = ?", (SKU,)).fetchone()
    report = {
        "on_hand": on_hand,
        "reserved": reserved,
        "sold": sold,
        "orders": dict(db.execute("SELECT status, COUNT(*) FROM orders GROUP BY status").fetchall()),
        "reservations": dict(db.execute("SELECT state, SUM(quantity) FROM reservations GROUP BY state").fetchall()),
        "captures": db.execute("SELECT COUNT(DISTINCT entry_id) FROM ledger WHERE kind = 'capture'").fetchone()[0],
        "captured_intents": db.execute("SELECT COUNT(*) FROM payment_intents WHERE status = 'captured'").fetchone()[0],
        "ledger_sum": db.execute("SELECT COALESCE(SUM(minor), 0) FROM ledger").fetchone()[0],
        "customer_balance": db.execute(
            "SELECT COALESCE(SUM(minor), 0) FROM ledger WHERE account = 'customer'"
        ).fetchone()[0],
    }
    uow.close()
    return report


def run(
    workdir: Path, units: int = 1_000, attempts: int = 5_000, threads: int = 64, processes: int = 8
) -> dict[str, Any]:
    """Time the single-writer baseline, 64 threads, and processes x threads; return one JSON-ready dict."""
    results: dict[str, Any] = {"units": units, "attempts": attempts}
    layouts = {"single_writer": (1, 1), "threads": (1, threads), "processes": (processes, threads // processes)}
    for name, (procs, per_proc) in layouts.items():
        path = workdir / f"{name}.db"
        seed_store(path, units)
        started = time.perf_counter()
        if procs == 1:
            outcomes = run_threads(str(path), per_proc, 0, attempts)
        else:
            outcomes = run_processes(str(path), procs, per_proc, attempts)
        elapsed = time.perf_counter() - started
        report = store_report(path)
        results[name] = {
            "writers": procs * per_proc,
            "seconds": round(elapsed, 3),
            "attempts_per_s": round(attempts / elapsed, 1),
            "outcomes": dict(outcomes),
            "sold": report["sold"],
            "oversold": max(0, report["sold"] + report["reserved"] - report["on_hand"]),
        }
    base = results["single_writer"]["attempts_per_s"]
    results["ratio_threads_vs_single"] = round(results["threads"]["attempts_per_s"] / base, 3)
    results["ratio_processes_vs_single"] = round(results["processes"]["attempts_per_s"] / base, 3)
    return results


def _buy(handle: Any, n: int) -> str:
    order_id = OrderId(f"o{n:06d}")
    try:
        handle(PlaceOrder(order_id, CustomerId(f"c{n:06d}"), (LineRequest(SKU, 1),)))
        handle(PayOrder(order_id, IdempotencyKey(f"pay-{order_id}"), PRICE))
        handle(AllocateOrder(order_id))
        handle(ShipOrder(order_id))
    except WujieError as exc:
        return str(exc.code)
    return "sold"
