"""Shared by the partitioned-engine tests: a seeded workload, and the after-crash invariant check."""

from __future__ import annotations

import zlib
from pathlib import Path

import numpy as np

from wujie.engine.book import SkuTerms
from wujie.engine.decisions import OrderRequest
from wujie.engine.engine import Engine
from wujie.engine.journal import Journal
from wujie.engine.orderbook import OrderState
from wujie.engine.partition_records import COORDINATOR, Decision, unpack
from wujie.engine.partition_store import TwoPhaseStore

SKUS = 24
UNITS = 6


def catalog() -> list[SkuTerms]:
    """Scarce stock so that rounds contend: 24 SKUs x 6 units, prices 100..2400."""
    return [SkuTerms(f"sku-{i:02d}", UNITS, 100 * (i + 1)) for i in range(SKUS)]


def requests(rng: np.random.Generator, count: int, round_no: int) -> list[OrderRequest]:
    """Orders of 1-3 lines (most span partitions), quantities 1-2, customers c0..c19."""
    found = []
    for i in range(count):
        lines = rng.choice(SKUS, size=int(rng.integers(1, 4)), replace=False)
        found.append(
            OrderRequest(
                f"c{(round_no * 7 + i) % 20}",
                tuple((f"sku-{int(s):02d}", int(rng.integers(1, 3))) for s in lines),
                region="east" if i % 2 else None,
            )
        )
    return found


def check_directory(
    directory: Path, acknowledged: dict[str, tuple[str, list[list[object]], int, bool]]
) -> dict[str, int]:
    """Open every partition of a closed partitioned engine and check the crash invariants.

    * every acknowledged order is present with its customer, lines and total;
    * nothing is in doubt; a part that is not an order of its own is cancelled (aborted) or
      belongs to a transaction the coordinator committed, whose parts all share one state;
    * per SKU, reserved and sold equal what the live orders hold, and stock on hand is conserved.
    """
    committed: dict[int, list[tuple[int, int]]] = {}
    log = Journal(directory / "decisions")
    for _seq, payload in log.replay(0):
        record = COORDINATOR.decode(payload)
        if isinstance(record, Decision):
            parts = zip(
                unpack(record.part_txid).tolist(),
                unpack(record.part_partition).tolist(),
                unpack(record.part_number).tolist(),
                strict=True,
            )
            for txid, p, number in parts:
                committed.setdefault(txid, []).append((p, number))
    log.close()
    engines: dict[int, Engine] = {}
    stores: dict[int, TwoPhaseStore] = {}
    for p_dir in sorted(directory.glob("p[0-9][0-9]")):
        p = int(p_dir.name[1:])
        stores[p] = TwoPhaseStore(p_dir)
        engines[p] = Engine.open(p_dir, store=stores[p])
    try:
        return _check(engines, stores, committed, acknowledged)
    finally:
        for engine in engines.values():
            engine.close(checkpoint=False)


def _check(
    engines: dict[int, Engine],
    stores: dict[int, TwoPhaseStore],
    committed: dict[int, list[tuple[int, int]]],
    acknowledged: dict[str, tuple[str, list[list[object]], int, bool]],
) -> dict[str, int]:
    part_of = {(p, n) for parts in committed.values() for p, n in parts}
    for p, store in stores.items():
        assert store.state.in_doubt == {}, f"partition {p} still has transactions in doubt"
        state = engines[p].state.orders.col("state")
        for number in store.state.hidden:
            assert (p, number) in part_of or state[number - 1] == OrderState.CANCELLED, (p, number)
    for txid, parts in committed.items():
        states = {int(engines[p].state.orders.col("state")[n - 1]) for p, n in parts}
        assert len(states) == 1, f"transaction {txid} is half applied: {states}"
    for p, engine in engines.items():
        book, orders = engine.state.book, engine.state.orders
        sku, qty = orders.line("sku"), orders.line("qty")
        owner = np.repeat(orders.col("state"), orders.col("nlines"))
        reserved = np.bincount(sku[owner == OrderState.RESERVED], qty[owner == OrderState.RESERVED], len(book))
        sold = np.bincount(sku[owner == OrderState.PAID], qty[owner == OrderState.PAID], len(book))
        assert (book.col("reserved") == reserved).all(), f"partition {p}: reserved units != live orders"
        assert (book.col("sold") == sold).all(), f"partition {p}: sold units != paid orders"
        assert (book.col("on_hand") == UNITS).all(), f"partition {p}: stock on hand not conserved"
        assert (book.col("reserved") + book.col("sold") <= book.col("on_hand")).all()
        assert engine.ledger_total() == 0
    _check_acknowledged(engines, committed, acknowledged)
    return {"transactions": len(committed), "acknowledged": len(acknowledged)}


def _check_acknowledged(
    engines: dict[int, Engine],
    committed: dict[int, list[tuple[int, int]]],
    acknowledged: dict[str, tuple[str, list[list[object]], int, bool]],
) -> None:
    for oid, (customer, lines, total, paid) in acknowledged.items():
        number = int(oid[4:])
        tag, high = number & 63, number >> 6
        parts = sorted(committed[high]) if tag == 63 else [(tag, high)]
        views = [engines[p].order(f"ord_{n:09d}") for p, n in parts]
        assert all(v is not None and v.customer == customer for v in views), oid
        got = sorted([sku, qty] for v in views if v is not None for sku, qty, _price in v.lines)
        assert got == sorted([str(s), int(q)] for s, q in lines), oid  # type: ignore[call-overload]
        assert sum(v.total for v in views if v is not None) == total, oid
        if paid:
            assert all(v is not None and v.status == "paid" for v in views), oid


def partition_hash(sku: str, partitions: int) -> int:
    """The engine's partition function, restated (tests pin it)."""
    return zlib.crc32(sku.encode()) % partitions
