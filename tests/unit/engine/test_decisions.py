"""The vectorised stock decisions equal deciding each order alone, in arrival order."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from wujie.engine.book import LIMIT, OK, OUT_OF_STOCK, SkuTerms, StockBook

NOW = 1_000


def reference(stock: list[int], limits: list[int], orders: list[tuple[int, int, int]]) -> list[int]:
    """Decide one by one: stock first, then the customer's limit."""
    free = list(stock)
    used: dict[tuple[int, int], int] = {}
    out = []
    for cust, sku, qty in orders:
        if free[sku] < qty:
            out.append(OUT_OF_STOCK)
        elif limits[sku] and used.get((cust, sku), 0) + qty > limits[sku]:
            out.append(LIMIT)
        else:
            free[sku] -= qty
            used[(cust, sku)] = used.get((cust, sku), 0) + qty
            out.append(OK)
    return out


def book_with(stock: list[int], limits: list[int]) -> StockBook:
    book = StockBook()
    book.add(
        [SkuTerms(f"s{i}", n, 100, 50, 0, 10**12, lim) for i, (n, lim) in enumerate(zip(stock, limits, strict=True))]
    )
    return book


orders_st = st.lists(st.tuples(st.integers(0, 4), st.integers(0, 3), st.integers(1, 3)), min_size=0, max_size=60)


@settings(max_examples=300, deadline=None)
@given(
    stock=st.lists(st.integers(0, 12), min_size=4, max_size=4),
    limits=st.lists(st.integers(0, 4), min_size=4, max_size=4),
    first=orders_st,
    second=orders_st,
)
def test_vector_decisions_match_one_by_one(
    stock: list[int], limits: list[int], first: list[tuple[int, int, int]], second: list[tuple[int, int, int]]
) -> None:
    book = book_with(stock, limits)
    expected = reference(stock, limits, first + second)
    got: list[int] = []
    for batch in (first, second):
        arr = np.asarray(batch, dtype=np.int64).reshape(-1, 3)
        got += book.decide_singles(arr[:, 0], arr[:, 1], arr[:, 2], NOW).tolist()
    assert got == expected
    accepted = [o for o, r in zip(first + second, expected, strict=True) if r == OK]
    for sku in range(4):
        held = sum(q for _, s, q in accepted if s == sku)
        assert book.col("reserved")[sku] == held <= stock[sku]


def test_hot_sku_sells_exactly_its_units_with_limit() -> None:
    book = book_with([1000], [2])
    cust = np.repeat(np.arange(800), 3)  # every customer tries three times
    reasons = book.decide_singles(cust, np.zeros(2400, dtype=np.int64), np.ones(2400, dtype=np.int64), NOW)
    assert (reasons == OK).sum() == 1000
    # customers 0..499 get two units each; the third tries of 0..498 hit the limit, 499's finds no stock
    assert (reasons == LIMIT).sum() == 499
    assert book.available()[0] == 0


def test_limit_applies_only_while_the_flash_sale_runs() -> None:
    book = StockBook()
    book.add([SkuTerms("s", 10, 100, 50, 100, 200, 1)])
    one = np.ones(3, dtype=np.int64)
    during = book.decide_singles(np.zeros(3, dtype=np.int64), np.zeros(3, dtype=np.int64), one, 150)
    after = book.decide_singles(np.zeros(3, dtype=np.int64), np.zeros(3, dtype=np.int64), one, 250)
    assert during.tolist() == [OK, LIMIT, LIMIT]
    assert after.tolist() == [OK, OK, OK]
    assert book.unit_prices(np.zeros(1, dtype=np.int64), 150).tolist() == [50]
    assert book.unit_prices(np.zeros(1, dtype=np.int64), 250).tolist() == [100]


def test_multi_line_order_takes_all_lines_or_none() -> None:
    book = book_with([5, 1], [0, 0])
    assert book.decide_lines(0, [0, 1], [2, 2], NOW) == OUT_OF_STOCK
    assert book.available().tolist() == [5, 1]
    assert book.decide_lines(0, [0, 1, 0], [2, 1, 3], NOW) == OK
    assert book.available().tolist() == [0, 0]
