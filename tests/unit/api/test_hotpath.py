"""The hot route's hand-built answer is exactly the JSON an encoder gives for the same fields."""

from __future__ import annotations

import msgspec
from hypothesis import given
from hypothesis import strategies as st

from wujie.engine.decisions import order_id
from wujie.entrypoints.api.hotpath import placed_body


@given(
    number=st.integers(1, 10**12),
    total=st.integers(0, 10**15),
    currency=st.sampled_from(["CNY", "KRW", "EUR", 'X"Y']),
)
def test_placed_body_is_the_encoded_answer(number: int, total: int, currency: str) -> None:
    expected = {"order_id": order_id(number), "status": "reserved", "total_minor": total, "currency": currency}
    body = placed_body(number, total, currency)
    assert body == msgspec.json.encode(expected)
    assert msgspec.json.decode(body) == expected
