"""Many concurrent writers buy one SKU on one SQLite file: exactly the stock is sold, never more.

1,000 units, 5,000 purchase attempts (place; the winners also pay, allocate and ship), from 64
threads in one process, and from 8 spawned processes x 8 threads. Each writer has its own connection.
"""

from __future__ import annotations

import time
from pathlib import Path

from wujie.bench.core import PRICE, run_processes, run_threads, seed_store, store_report

UNITS = 1_000
ATTEMPTS = 5_000


def _assert_exactly_the_stock_was_sold(path: Path) -> None:
    report = store_report(path)
    assert (report["on_hand"], report["reserved"], report["sold"]) == (UNITS, 0, UNITS)
    assert report["orders"] == {"shipped": UNITS}
    assert report["reservations"] == {"committed": UNITS}
    assert report["captures"] == report["captured_intents"] == UNITS
    assert report["ledger_sum"] == 0
    assert report["customer_balance"] == -UNITS * PRICE.minor


def test_64_threads_sell_exactly_the_stock(tmp_path: Path) -> None:
    path = tmp_path / "core.db"
    seed_store(path, UNITS)
    started = time.perf_counter()
    outcomes = run_threads(str(path), 64, 0, ATTEMPTS)
    elapsed = time.perf_counter() - started
    assert outcomes == {"sold": UNITS, "insufficient_stock": ATTEMPTS - UNITS}
    _assert_exactly_the_stock_was_sold(path)
    print(f"\n64 threads: {ATTEMPTS} attempts, {UNITS} sold, 0 oversold in {elapsed:.2f} s")


def test_8_processes_of_8_threads_sell_exactly_the_stock(tmp_path: Path) -> None:
    path = tmp_path / "core.db"
    seed_store(path, UNITS)
    started = time.perf_counter()
    outcomes = run_processes(str(path), 8, 8, ATTEMPTS)
    elapsed = time.perf_counter() - started
    assert outcomes == {"sold": UNITS, "insufficient_stock": ATTEMPTS - UNITS}
    _assert_exactly_the_stock_was_sold(path)
    print(f"\n8 processes x 8 threads: {ATTEMPTS} attempts, {UNITS} sold, 0 oversold in {elapsed:.2f} s")
