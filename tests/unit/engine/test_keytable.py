"""The idempotency key table: exact like a dict even when every hash collides; replay rebuilds it."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wujie.engine import keytable, records
from wujie.engine.book import SkuTerms
from wujie.engine.decisions import OrderColumns
from wujie.engine.engine import Engine
from wujie.engine.keytable import KeyBatch, KeyTable, first_seen
from wujie.shared.clock import ManualClock

key_text = st.one_of(st.text(max_size=20), st.text(alphabet="ab\x00", max_size=10), st.text(min_size=120, max_size=140))


@settings(max_examples=60, deadline=None)
@given(
    batches=st.lists(st.lists(key_text, max_size=25, unique=True), max_size=4), hash_bits=st.sampled_from([64, 3, 0])
)
def test_find_and_add_agree_with_a_dict(batches: list[list[str]], hash_bits: int) -> None:
    table, reference = KeyTable(hash_bits), dict[str, int]()
    for batch in batches:
        keys, _, _ = KeyBatch.from_strings(batch)
        hashes = table.hashes(keys)
        found = table.find(keys, hashes)
        assert found.tolist() == [reference.get(k, -1) for k in batch]
        new = np.flatnonzero(found < 0)
        values = np.arange(len(new), dtype=np.int64) + len(reference)
        table.add(keys, hashes, new, {"number": values, "amount": values, "code": 0 * values})
        for i in new.tolist():
            reference[batch[i]] = len(reference)
    assert {k: v[0] for k, v in table.items()} == reference
    assert list(table) == list(reference)  # entries keep their order
    rebuilt = KeyTable.from_memory(list(table), table.memory(np.arange(len(table))), hash_bits)
    assert dict(rebuilt) == dict(table)


def test_a_hash_match_with_other_bytes_is_not_the_same_key() -> None:
    table = KeyTable(hash_bits=0)  # every key hashes to 0
    keys, _, _ = KeyBatch.from_strings(["pay-1", "pay-2", "x" * 150, "x" * 149 + "y"])
    hashes = table.hashes(keys)
    assert set(hashes.tolist()) == {0}
    table.add(
        keys,
        hashes,
        np.asarray([0, 2]),
        {"number": np.asarray([1, 2]), "amount": np.asarray([5, 5]), "code": np.zeros(2, np.int64)},
    )
    assert table.find(keys, hashes).tolist() == [0, -1, 1, -1]
    assert "pay-2" not in table and table["pay-1"] == (1, 5, 0, 0)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 12), max_size=60))
def test_first_seen_marks_the_first_of_each_value(values: list[int]) -> None:
    expected = [v not in values[:i] for i, v in enumerate(values)]
    assert first_seen(np.asarray(values, dtype=np.uint64)).tolist() == expected


def table_state(engine: Engine) -> tuple[object, ...]:
    table = engine.state.ledger.keys
    return (
        list(table.items()),
        table.col("hash").tolist(),
        [table.key_bytes(e) for e in range(len(table))],
        engine.state.ledger.col("order").tolist(),
        engine.ledger_total(),
    )


def drive_payments(engine: Engine, rounds: int, seed: int) -> None:
    """Place orders, then pay them with retries, key reuse and repeated orders inside each batch."""
    rng = random.Random(seed)
    for _ in range(rounds):
        placed = engine.place_columns(OrderColumns(np.arange(30) % 7, np.arange(30) % 3, np.ones(30, dtype=np.int64)))
        numbers = [int(n) for n in placed.number if n] + [0, 10**6]
        batch = [rng.choice(numbers) for _ in range(60)]
        keys = [rng.choice(["", "a\x00", "é", "x" * 140]) + f"k{rng.randint(0, 80)}" for _ in batch]
        engine.pay_columns(batch, [9_900 if rng.random() < 0.9 else 1 for _ in batch], keys)


@pytest.mark.parametrize("checkpoint_midway", [False, True])
def test_reopen_rebuilds_the_identical_key_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, checkpoint_midway: bool
) -> None:
    monkeypatch.setattr(keytable, "HASH_BITS", 4)  # 16 hash values: collisions everywhere
    clock = ManualClock()
    engine = Engine.open(tmp_path, clock=clock)
    engine.add_skus([SkuTerms(f"s{i}", 10**6, 9_900) for i in range(3)])
    drive_payments(engine, 3, seed=1)
    if checkpoint_midway:
        engine.checkpoint()
    drive_payments(engine, 3, seed=2)
    before = table_state(engine)
    assert len(before[0]) > 100 and before[4] == 0  # type: ignore[arg-type]
    engine.close(checkpoint=False)
    again = Engine.open(tmp_path, clock=clock)
    assert table_state(again) == before
    again.close(checkpoint=True)
    assert table_state(Engine.open(tmp_path, clock=clock)) == before


def test_the_first_journal_format_still_replays(tmp_path: Path) -> None:
    clock = ManualClock()
    engine = Engine.open(tmp_path / "a", clock=clock)
    engine.add_skus([SkuTerms("s", 100, 500)])
    engine.place_columns(
        OrderColumns(np.zeros(3, dtype=np.int64), np.zeros(3, dtype=np.int64), np.ones(3, dtype=np.int64))
    )
    legacy = records.Pay(engine.now_us(), 200, [1, 2, 2, 1], [500, 500, 500, 500], ["k1", "k2", "k3", "k1"])
    engine._journal(legacy)
    engine.journal.commit()
    engine.close(checkpoint=False)
    reopened = Engine.open(tmp_path / "a", clock=clock)
    assert dict(reopened.state.ledger.keys) == {"k1": (1, 500, 0, 1), "k2": (2, 500, 0, 2), "k3": (2, 500, 2, 0)}
    assert reopened.ledger_total() == 0
