"""The vector capture pass answers exactly like deciding each capture alone."""

from __future__ import annotations

import copy

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from wujie.engine.ledger import Ledger, fee_of
from wujie.engine.orderbook import OrderBook, OrderState
from wujie.shared.money import Money


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


requests = st.lists(st.tuples(st.integers(0, 8), st.sampled_from([500, 499]), st.integers(0, 6)), max_size=30)


@settings(max_examples=300, deadline=None)
@given(
    states=st.lists(st.sampled_from([int(s) for s in OrderState]), min_size=1, max_size=6),
    first=requests,
    second=requests,
    now=st.integers(90, 160),
)
def test_vector_pass_equals_one_by_one(
    states: list[int], first: list[tuple[int, int, int]], second: list[tuple[int, int, int]], now: int
) -> None:
    fast, slow = Ledger(200), Ledger(200)
    fast_orders, slow_orders = book(states), book(states)
    for batch in (first, second):
        numbers, amounts, keys = [n for n, _, _ in batch], [a for _, a, _ in batch], [f"k{k}" for *_, k in batch]
        assert fast.decide(fast_orders, numbers, amounts, keys, now) == slow._decide_one_by_one(
            slow_orders, numbers, amounts, keys, now
        )
    assert fast.keys == slow.keys
    assert fast_orders.col("state").tolist() == slow_orders.col("state").tolist()
    assert copy.copy(fast.keys) == slow.keys


def test_fee_rounds_half_even_like_money() -> None:
    amounts = np.asarray([1, 25, 75, 125, 1_250, 9_999, 10_050], dtype=np.int64)
    expected = [Money(int(a), "CNY").percent(200).minor for a in amounts]
    assert fee_of(amounts, 200).tolist() == expected
