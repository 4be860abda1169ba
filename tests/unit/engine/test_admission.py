"""Admission control: a global cap on waiting requests and a token bucket per SKU."""

from __future__ import annotations

import pytest

from wujie.engine.admission import Admission


def test_global_cap_refuses_until_requests_finish() -> None:
    gate = Admission(max_pending=3)
    assert gate.admit([], weight=2) is None
    assert gate.admit([], weight=2) == 1.0
    assert gate.admit([]) is None
    assert gate.admit([]) == 1.0
    gate.done(2)
    assert gate.admit([], weight=2) is None
    assert (gate.pending, gate.refused) == (3, 2)


def test_sku_bucket_refills_at_its_rate() -> None:
    gate = Admission(max_pending=0, sku_rate=10.0, sku_burst=2)
    assert [gate.admit(["hot"], now=100.0) for _ in range(2)] == [None, None]
    assert gate.admit(["hot"], now=100.0) == pytest.approx(0.1)
    assert gate.admit(["cold"], now=100.0) is None  # one hot SKU does not starve the others
    assert gate.admit(["hot"], now=100.15) is None  # 1.5 tokens refilled, one taken
    assert gate.admit(["hot"], now=100.15) == pytest.approx(0.05)


def test_limits_must_make_sense() -> None:
    with pytest.raises(ValueError):
        Admission(max_pending=-1)
    with pytest.raises(ValueError):
        Admission(sku_burst=0)
