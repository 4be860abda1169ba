"""Space-Saving: exact under capacity, guaranteed heavy hitters and bounded error above it."""

from __future__ import annotations

import random
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wujie.dashboard.errors import DashboardError
from wujie.dashboard.sketch import HeavyHitter, SpaceSaving


def test_exact_while_under_capacity() -> None:
    sketch = SpaceSaving(capacity=3)
    for item in "abacabx":
        sketch.add(item)
    # a:3 b:2 c:1 then x evicts the smallest (c, 1) and inherits its count as error
    assert sketch.top(3) == [HeavyHitter("a", 3, 0), HeavyHitter("b", 2, 0), HeavyHitter("x", 2, 1)]
    assert sketch.total == 7
    assert len(sketch.counts) == 3


def test_zipf_stream_keeps_true_top_terms() -> None:
    rng = random.Random(3)
    terms = [f"t{i}" for i in range(5_000)]
    weights = [1 / (rank + 1) for rank in range(len(terms))]
    stream = rng.choices(terms, weights=weights, k=100_000)
    sketch = SpaceSaving(capacity=200)
    for term in stream:
        sketch.add(term)
    truth = Counter(stream)
    top = sketch.top(10)
    assert [h.item for h in top[:5]] == [t for t, _ in truth.most_common(5)]
    for hit in top:
        assert hit.count - hit.error <= truth[hit.item] <= hit.count


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from("abcdefghij"), max_size=300), st.integers(min_value=1, max_value=6))
def test_space_saving_guarantees(stream: list[str], capacity: int) -> None:
    sketch = SpaceSaving(capacity)
    for item in stream:
        sketch.add(item)
    truth = Counter(stream)
    assert sum(sketch.counts.values()) == len(stream)  # counters always sum to the stream length
    assert len(sketch.counts) <= capacity
    for item, count in sketch.counts.items():
        assert count - sketch.errors[item] <= truth[item] <= count
    for item, true_count in truth.items():
        if true_count > len(stream) / capacity:
            assert item in sketch.counts


def test_capacity_must_be_positive() -> None:
    with pytest.raises(DashboardError):
        SpaceSaving(0)
