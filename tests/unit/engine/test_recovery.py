"""Recovery: reopening rebuilds exactly the acknowledged state from snapshot + journal."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from wujie.engine.book import SkuTerms
from wujie.engine.decisions import OrderColumns, OrderRequest
from wujie.engine.engine import Engine
from wujie.engine.errors import CorruptJournal
from wujie.shared.clock import ManualClock


def fingerprint(engine: Engine) -> tuple[object, ...]:
    state = engine.state
    return (
        [(s.sku, s.on_hand, s.reserved, s.sold) for s in engine.stock()],
        engine.counts(),
        {k: v for k, v in state.book.used.items() if v},
        state.orders.col("state").tolist(),
        state.orders.col("total").tolist(),
        state.ledger.col("amount").tolist(),
        dict(state.ledger.keys),
        engine.ledger_total(),
        state.customers.names,
    )


def drive(engine: Engine, clock: ManualClock, rounds: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    for r in range(rounds):
        cust = engine.customer_ids([f"c{i}" for i in rng.integers(0, 30, 40).tolist()])
        sku = rng.integers(-1, 6, 40)
        result = engine.place_columns(OrderColumns(cust, sku, rng.integers(0, 3, 40)))
        engine.place_orders([OrderRequest(f"m{r}", (("s1", 1), ("s2", 2)))])
        accepted = [(int(n), int(t)) for n, t in zip(result.number, result.total, strict=True) if n]
        pays = accepted[: len(accepted) // 2]
        engine.pay_many([f"ord_{n:09d}" for n, _ in pays], [t for _, t in pays], [f"k{r}-{n}" for n, _ in pays])
        if accepted:
            engine.cancel([f"ord_{accepted[-1][0]:09d}"])
        clock.advance(20)
        engine.expire()


def make(path: Path, clock: ManualClock) -> Engine:
    return Engine.open(path, clock=clock, reservation_ttl_s=45)


@pytest.mark.parametrize("checkpoint_midway", [False, True])
def test_reopen_rebuilds_the_same_state(tmp_path: Path, checkpoint_midway: bool) -> None:
    clock = ManualClock()
    engine = make(tmp_path, clock)
    engine.add_skus([SkuTerms(f"s{i}", 40, 100 + i, 50, 0, 10**18, 3 if i % 2 else 0) for i in range(6)])
    drive(engine, clock, 6, seed=1)
    if checkpoint_midway:
        engine.checkpoint()
    drive(engine, clock, 6, seed=2)
    before = fingerprint(engine)
    engine.journal.close()  # a crash: no final snapshot
    again = make(tmp_path, clock)
    assert fingerprint(again) == before
    assert again.ledger_total() == 0
    replay = again.pay_many(["ord_000000001"], [int(again.state.orders.col("total")[0])], ["k0-1"])
    assert replay[0].code in {None, "already_captured", "illegal_transition", "reservation_expired"}
    again.close()
    assert fingerprint(make(tmp_path, clock)) == fingerprint(again)


def test_torn_tail_is_cut_and_earlier_damage_is_refused(tmp_path: Path) -> None:
    clock = ManualClock()
    engine = make(tmp_path, clock)
    engine.add_skus([SkuTerms("s", 5, 100)])
    engine.place_orders([OrderRequest("a", (("s", 1),))])
    engine.journal.close()
    [segment] = engine.journal.segments()
    intact = segment.stat().st_size
    with segment.open("ab") as handle:
        handle.write(b"\x40\x00\x00\x00garbage")  # a record cut short by a crash
    again = make(tmp_path, clock)
    assert again.stock()[0].reserved == 1
    assert segment.stat().st_size == intact
    again.place_orders([OrderRequest("b", (("s", 1),))])
    again.checkpoint()
    again.place_orders([OrderRequest("c", (("s", 1),))])
    again.journal.close()
    assert make(tmp_path, clock).stock()[0].reserved == 3
    # damage inside a segment that is not the last one is corruption, not a torn tail
    first = sorted((tmp_path / "journal").glob("*.wal"))[0]
    (tmp_path / "journal" / "99999999999999999999.wal").write_bytes(b"")
    first.write_bytes(first.read_bytes()[:-3])
    with pytest.raises(CorruptJournal):
        make(tmp_path, clock)
