"""The vector capture pass answers exactly like deciding each capture alone, whatever the key hashes."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wujie.engine.keytable import KeyBatch
from wujie.engine.ledger import CONFLICT, PAID_OK, Ledger, fee_of
from wujie.engine.orderbook import OrderBook, OrderState
from wujie.shared.money import Money

# keys that stress the encoding: empty, NUL inside, non-ASCII, 8-byte boundaries, longer than LONG
KEYS = ["", "k0", "k1", "k2", "a\x00b", "a", "键-é", "12345678", "123456789", "x" * 200, "x" * 199 + "y"]


def book(states: list[int]) -> OrderBook:
    orders = OrderBook()
    n = len(states)
    ones = np.ones(n, dtype=np.int64)
    orders.append(
        {
            "customer": np.arange(n) % 3,
            "region": -ones,
            "state": np.asarray(states, dtype=np.int64),
            "placed": 0 * ones,
            "expires": np.asarray([100 + 10 * i for i in range(n)], dtype=np.int64),
            "total": 500 * ones,
            "line_lo": np.arange(n),
            "nlines": ones,
        },
        {"sku": 0 * ones, "qty": ones, "price": 500 * ones, "counted": 0 * ones},
    )
    return orders


def one_by_one(
    memory: dict[str, tuple[int, int, int]], orders: OrderBook, batch: list[tuple[int, int, str]], now: int
) -> list[int]:
    """The reference: a plain dict of keys, each capture decided alone in arrival order."""
    state, total, expires = orders.col("state"), orders.col("total"), orders.col("expires")
    codes: list[int] = []
    for number, amount, key in batch:
        seen = memory.get(key)
        if seen is not None:
            codes.append(seen[2] if seen[:2] == (number, amount) else CONFLICT)
            continue
        row = number - 1
        if not 0 <= row < len(orders):
            code = 1
        elif state[row] != OrderState.RESERVED:
            code = 2 if state[row] == OrderState.PAID else 3
        elif expires[row] <= now:
            code = 6
        elif total[row] != amount:
            code = 4
        else:
            code = PAID_OK
            state[row] = OrderState.PAID
        memory[key] = (number, amount, code)
        codes.append(code)
    return codes


requests = st.lists(st.tuples(st.integers(-1, 8), st.sampled_from([500, 499]), st.sampled_from(KEYS)), max_size=40)


@settings(max_examples=300, deadline=None)
@given(
    states=st.lists(st.sampled_from([int(s) for s in OrderState]), max_size=6),
    batches=st.lists(requests, min_size=1, max_size=3),
    now=st.integers(90, 160),
    hash_bits=st.sampled_from([64, 2, 0]),
)
def test_vector_pass_equals_one_by_one(
    states: list[int], batches: list[list[tuple[int, int, str]]], now: int, hash_bits: int
) -> None:
    fast, fast_orders = Ledger(200, hash_bits=hash_bits), book(states)
    reference: dict[str, tuple[int, int, int]] = {}
    slow_orders = book(states)
    for batch in batches:
        numbers = np.asarray([n for n, _, _ in batch], dtype=np.int64)
        amounts = np.asarray([a for _, a, _ in batch], dtype=np.int64)
        keys, _, _ = KeyBatch.from_strings([k for *_, k in batch])
        decided = fast.decide(fast_orders, numbers, amounts, keys, now)
        fast.record(fast_orders, decided, numbers, now)
        assert decided.codes.tolist() == one_by_one(reference, slow_orders, batch, now)
        paid = fast.payments(decided)
        # a capture (new or replayed) names a payment of the order it asked for; nothing else does
        assert (fast.col("order")[paid[paid > 0] - 1] == numbers[paid > 0]).all()
        assert ((paid > 0) == (decided.codes == PAID_OK)).all()
    assert {k: v[:3] for k, v in fast.keys.items()} == reference
    assert fast_orders.col("state").tolist() == slow_orders.col("state").tolist()
    assert np.bincount(fast.col("order")).max(initial=0) <= 1  # one capture per order
    assert fast.total() == 0


@pytest.mark.parametrize("hash_bits", [64, 1, 0])
def test_repeats_inside_a_batch_follow_arrival_order(hash_bits: int) -> None:
    ledger, orders = Ledger(200, hash_bits=hash_bits), book([int(OrderState.RESERVED)] * 3)
    batch = [(1, 500, "a"), (1, 500, "a"), (1, 500, "b"), (2, 499, "c"), (2, 500, "c"), (3, 500, "d"), (2, 500, "e")]
    keys, _, _ = KeyBatch.from_strings([k for *_, k in batch])
    numbers = np.asarray([n for n, _, _ in batch], dtype=np.int64)
    decided = ledger.decide(orders, numbers, np.asarray([a for _, a, _ in batch], dtype=np.int64), keys, 0)
    ledger.record(orders, decided, numbers, 0)
    assert decided.codes.tolist() == [PAID_OK, PAID_OK, 2, 4, CONFLICT, PAID_OK, PAID_OK]
    assert ledger.payments(decided).tolist()[:2] == [1, 1]  # the retry names the first capture
    assert sorted(ledger.col("order").tolist()) == [1, 2, 3]


def test_fee_rounds_half_even_like_money() -> None:
    amounts = np.asarray([1, 25, 75, 125, 1_250, 9_999, 10_050], dtype=np.int64)
    expected = [Money(int(a), "CNY").percent(200).minor for a in amounts]
    assert fee_of(amounts, 200).tolist() == expected
