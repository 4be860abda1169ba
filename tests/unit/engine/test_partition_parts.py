"""The partitioned engine's pure parts: routing a batch over partitions, and the partition's 2PC journal."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from wujie.engine import partition_routing as routing
from wujie.engine.book import SkuTerms
from wujie.engine.decisions import OrderColumns, order_id
from wujie.engine.engine import Engine
from wujie.engine.partition_records import Prepared, Resolved, pack
from wujie.engine.partition_store import TwoPhaseStore
from wujie.shared.clock import ManualClock

# SKU index -> partition: SKUs 0, 1 in partition 0; 2 in partition 1; 3 in partition 2
WHERE = np.asarray([0, 0, 1, 2], dtype=np.int64)


def _batch(lines: list[list[tuple[int, int]]]) -> OrderColumns:
    flat = [line for order in lines for line in order]
    return OrderColumns(
        customer=np.arange(len(lines), dtype=np.int64),
        sku=np.asarray([s for s, _ in flat], dtype=np.int64),
        qty=np.asarray([q for _, q in flat], dtype=np.int64),
        nlines=np.asarray([len(o) for o in lines], dtype=np.int64),
    )


def test_split_keeps_arrival_order_per_partition_and_numbers_transactions() -> None:
    batch = _batch([[(0, 1), (2, 1)], [(1, 2)], [(3, 1), (0, 1), (1, 1)], [(2, 0)], [(2, 1), (3, 1)], [(9, 1)]])
    routed = routing.split(batch, WHERE, next_txid=7)
    assert routed.reasons.tolist() == [0, 0, 0, 4, 0, 3]  # bad quantity and unknown SKU decided early
    assert routed.txid.tolist() == [7, 0, 8, 0, 9, 0]
    got = {
        p.partition: (
            p.order.tolist(),
            p.nlines.tolist(),
            batch.sku[p.lines].tolist(),
            p.txid.tolist(),
            p.lead.tolist(),
        )
        for p in routed.parts
    }
    assert got == {
        0: ([0, 1, 2], [1, 1, 2], [0, 1, 0, 1], [7, 0, 8], [1, 1, 1]),
        1: ([0, 4], [1, 1], [2, 2], [7, 9], [0, 1]),
        2: ([2, 4], [1, 1], [3, 3], [8, 9], [0, 0]),
    }


def test_votes_fold_into_all_or_nothing_answers() -> None:
    batch = _batch([[(0, 1), (2, 1)], [(1, 2)], [(3, 1), (0, 1)]])
    routed = routing.split(batch, WHERE, next_txid=1)
    tally = routing.new_tally(routed.reasons)
    votes = {  # partition -> (reason, local number, total) per part
        0: ([0, 0, 0], [1, 2, 3], [10, 20, 30]),
        1: ([0], [1], [5]),
        2: ([1], [0], [0]),  # partition 2 is out of stock for order 2's part
    }
    for part in routed.parts:
        reason, number, total = (np.asarray(v) for v in votes[part.partition])
        routing.fold(tally, part, reason.astype(np.int8), number, total)
    commit, abort = routing.decide(tally, routed, routing.expected_parts(routed, 3))
    assert (commit.tolist(), abort.tolist()) == ([1], [2])
    assert tally.reasons.tolist() == [0, 0, 1]
    assert tally.numbers.tolist() == [(1 << 6) | 63, (2 << 6) | 0, 0]
    assert tally.totals.tolist() == [15, 20, 0]


def test_an_order_whose_partition_never_answered_is_unavailable() -> None:
    routed = routing.split(_batch([[(2, 1)], [(0, 1), (2, 1)]]), WHERE, next_txid=1)
    tally = routing.new_tally(routed.reasons)
    [p0] = [p for p in routed.parts if p.partition == 0]
    routing.fold(tally, p0, np.zeros(1, np.int8), np.ones(1, np.int64), np.ones(1, np.int64))
    commit, abort = routing.decide(tally, routed, routing.expected_parts(routed, 2))
    assert (len(commit), abort.tolist()) == (0, [1])
    assert [routing.PARTITION_REASON_CODES[r] for r in tally.reasons.tolist()] == ["partition_unavailable"] * 2


def test_two_phase_records_share_the_journal_and_survive_a_checkpoint(tmp_path: Path) -> None:
    store = TwoPhaseStore(tmp_path)
    engine = Engine.open(tmp_path, clock=ManualClock(), store=store)
    engine.add_skus([SkuTerms("a", 5, 100)])
    with engine.group():  # the reservations and the prepare record: one sync
        engine.place_columns(OrderColumns(engine.customer_ids(["x", "y"]), np.zeros(2, np.int64), np.ones(2, np.int64)))
        store.append_two_phase(Prepared(pack([5, 6]), pack([1, 2]), pack([1, 0], np.int8)))
    engine.checkpoint()  # the 2PC state goes beside the snapshot; the journal segments are dropped
    with engine.group():
        engine.cancel([order_id(2)], reason="2pc_abort")
        store.append_two_phase(Resolved(pack([5]), pack([6])))
        store.append_two_phase(Prepared(pack([9]), pack([1]), pack([0], np.int8)))
    engine.close(checkpoint=False)

    again = TwoPhaseStore(tmp_path)
    reopened = Engine.open(tmp_path, clock=ManualClock(), store=again)
    assert again.state.in_doubt == {9: (1, False)}
    assert again.state.hidden == {1, 2}  # 2 aborted, 1 a non-lead part of 9 (and the lead of 5 no longer hidden)
    assert again.state.max_txid == 9
    assert [(s.reserved, s.available) for s in reopened.stock()] == [(1, 4)]
    reopened.close()
