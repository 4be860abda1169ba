"""Engine fixtures: a fresh engine directory with a manual clock."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from wujie.engine.book import SkuTerms
from wujie.engine.engine import Engine
from wujie.engine.ports import ListSink
from wujie.engine.timebase import to_us
from wujie.shared.clock import ManualClock


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def sink() -> ListSink:
    return ListSink()


@pytest.fixture
def engine(tmp_path: Path, clock: ManualClock, sink: ListSink) -> Iterator[Engine]:
    eng = Engine.open(tmp_path / "eng", clock=clock, sink=sink, reservation_ttl_s=60, platform_fee_bp=250)
    start = to_us(clock.now())
    eng.add_skus(
        [
            SkuTerms("tea", 10, 5_000, 3_000, start, start + 3_600_000_000, 2),
            SkuTerms("cup", 3, 1_250),
        ]
    )
    yield eng
    eng.close(checkpoint=False)
