"""Property: the partitioned engine answers like the single-process engine for the same requests.

Stated equivalence: every partition decides its orders and its parts of cross-partition orders in
arrival order, exactly as the single-process engine restricted to that partition's SKUs. So, as
long as no cross-partition order is refused in a round (a refused one holds its other parts'
stock until the round ends), each round's answers (accepted or code, total) equal the single
engine's, and so do the stock levels after it. Once a round had a refused cross-partition order,
the two may differ from then on; only the invariants are checked after that.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from collections.abc import Iterator
from itertools import count
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wujie.engine.book import SkuTerms
from wujie.engine.decisions import OrderRequest
from wujie.engine.engine import Engine
from wujie.engine.partitioned import PartitionedEngine, partition_of
from wujie.engine.timebase import to_us
from wujie.shared.clock import ManualClock

PARTITIONS = 3
CLOCK = ManualClock()
NOW = to_us(CLOCK.now())
EXAMPLES = count()

stock = st.lists(st.tuples(st.integers(0, 30), st.sampled_from([0, 0, 0, 0, 3])), min_size=3, max_size=6)
line = st.tuples(st.integers(0, 6), st.sampled_from([1, 1, 1, 2, 3, 0]))  # SKU 6 is unknown; quantity 0 is bad
order = st.tuples(st.integers(0, 4), st.lists(line, min_size=1, max_size=3))
rounds = st.lists(st.lists(order, min_size=4, max_size=25), min_size=1, max_size=3)


@pytest.fixture(scope="module")
def partitioned() -> Iterator[PartitionedEngine]:
    with tempfile.TemporaryDirectory(prefix="wujie-pe-") as tmp:
        engine = PartitionedEngine.open(Path(tmp) / "pe", partitions=PARTITIONS, clock=CLOCK, sync=False)
        yield engine
        engine.close(checkpoint=False)


def test_partitioned_answers_equal_the_single_engine(partitioned: PartitionedEngine) -> None:
    stats: Counter[str] = Counter()

    @settings(max_examples=80, deadline=None)
    @given(stock=stock, rounds=rounds)
    def check(stock: list[tuple[int, int]], rounds: list[list[tuple[int, list[tuple[int, int]]]]]) -> None:
        example = next(EXAMPLES)
        skus = [f"e{example}-s{i}" for i in range(len(stock))]
        terms = [
            SkuTerms(s, units, 500 + i, 300 + i, NOW - 1, NOW + 10**9, limit)
            for i, (s, (units, limit)) in enumerate(zip(skus, stock, strict=True))
        ]
        with tempfile.TemporaryDirectory() as tmp:
            single = Engine.open(Path(tmp), clock=CLOCK, sync=False)
            single.add_skus(terms)
            partitioned.add_skus(terms)
            diverged = False
            for batch in rounds:
                requests = [
                    OrderRequest(f"e{example}-c{c}", tuple((skus[s] if s < len(skus) else "nope", q) for s, q in lines))
                    for c, lines in batch
                ]
                ours, theirs = partitioned.place_orders(requests), single.place_orders(requests)
                cross = [len({partition_of(s, PARTITIONS) for s, _ in r.lines if s != "nope"}) > 1 for r in requests]
                refused_cross = any(
                    c and d.code in ("insufficient_stock", "purchase_limit_exceeded")
                    for c, d in zip(cross, ours, strict=True)
                )
                if not diverged and not refused_cross:
                    assert [(d.accepted, d.code, d.total) for d in ours] == [
                        (d.accepted, d.code, d.total) for d in theirs
                    ]
                    assert [(s.reserved, s.available) for s in partitioned.stock(skus)] == [
                        (s.reserved, s.available) for s in single.stock(skus)
                    ]
                    stats["rounds compared"] += 1
                    stats["cross-partition orders accepted in compared rounds"] += sum(
                        c and d.accepted for c, d in zip(cross, ours, strict=True)
                    )
                diverged = diverged or refused_cross
                levels = partitioned.stock(skus)
                assert all(s.reserved + s.sold <= s.on_hand and s.available >= 0 for s in levels)
            single.close(checkpoint=False)

    check()
    assert stats["rounds compared"] >= 40, stats
    assert stats["cross-partition orders accepted in compared rounds"] >= 30, stats
