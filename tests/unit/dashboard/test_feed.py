"""The scripted sale: deterministic, real cities, and its own captured total matches its events."""

from __future__ import annotations

from datetime import UTC, datetime

from wujie.dashboard.board import SaleDashboard
from wujie.dashboard.feed import ScriptedSale, china_regions
from wujie.payments.events import PaymentCaptured

AT = datetime(2026, 11, 10, 16, tzinfo=UTC)


def test_same_seed_same_events_and_captured_total() -> None:
    first, second = ScriptedSale(seed=3), ScriptedSale(seed=3)
    events = first.batch(200, AT)
    assert events == second.batch(200, AT)
    assert events != ScriptedSale(seed=4).batch(200, AT)
    captured = sum(e.amount.minor for e in events if isinstance(e, PaymentCaptured))
    assert captured == first.captured_minor > 0
    board = SaleDashboard(first.lookups)
    board.apply(events)
    assert board.sales.gmv_minor == captured
    assert board.sales.placed == first.orders == 200


def test_regions_are_real_province_capitals_by_size() -> None:
    regions = china_regions()
    assert len(regions) == 31
    shanghai, population = regions["CN.23"]
    assert (shanghai.name, round(shanghai.lat, 2), round(shanghai.lon, 2)) == ("Shanghai", 31.22, 121.46)
    assert population >= 24_874_500
