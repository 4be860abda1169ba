"""The shared kernel: money, clock text, staged tables, event tracking and the message bus."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wujie.shared.clock import ManualClock, from_utc_text, to_utc_text
from wujie.shared.errors import CurrencyMismatch, SharedErrorCode, WujieError
from wujie.shared.events import Command, Event
from wujie.shared.messagebus import MessageBus
from wujie.shared.money import Money
from wujie.shared.staging import StagedTable
from wujie.shared.unit_of_work import EventTracker


def test_money_is_exact_and_refuses_mixed_currencies_and_floats() -> None:
    assert Money.parse("12.34", "CNY") == Money(1234, "CNY")
    assert Money.parse("1000", "JPY") == Money(1000, "JPY")
    assert str(Money(-5, "CNY")) == "-0.05 CNY"
    assert Money(1999, "CNY") * 3 == Money(5997, "CNY")
    with pytest.raises(CurrencyMismatch):
        Money(1, "CNY") + Money(1, "USD")
    with pytest.raises(CurrencyMismatch):
        _ = Money(1, "CNY") < Money(1, "USD")
    for bad in (lambda: Money(1.5, "CNY"), lambda: Money(1, "cny"), lambda: Money.parse("1.001", "CNY")):  # type: ignore[arg-type]
        with pytest.raises(WujieError) as caught:
            bad()
        assert caught.value.code == SharedErrorCode.INVALID_AMOUNT
    with pytest.raises(WujieError):
        Money(1, "CNY") * 1.5  # type: ignore[operator]


@given(minor=st.integers(-(10**15), 10**15), bp=st.integers(0, 10_000))
def test_percent_is_half_even_rounding_of_the_exact_share(minor: int, bp: int) -> None:
    share = Money(minor, "CNY").percent(bp).minor
    exact = Decimal(minor) * bp / 10_000
    assert abs(Decimal(share) - exact) <= Decimal("0.5")


def test_utc_text_sorts_like_time_and_round_trips() -> None:
    beijing = timezone(timedelta(hours=8))
    moments = [datetime(2026, 11, 11, 0, 0, tzinfo=beijing), datetime(2026, 11, 10, 16, 0, 1, tzinfo=UTC)]
    texts = [to_utc_text(m) for m in moments]
    assert texts == ["2026-11-10T16:00:00.000000+00:00", "2026-11-10T16:00:01.000000+00:00"]
    assert [from_utc_text(t) for t in texts] == moments
    with pytest.raises(ValueError, match="naive"):
        to_utc_text(datetime(2026, 11, 11))


def test_manual_clock_only_moves_forward() -> None:
    clock = ManualClock()
    assert clock.advance(30) == datetime(2026, 11, 11, 0, 0, 30, tzinfo=UTC)
    with pytest.raises(ValueError, match="forward"):
        clock.advance(-1)


@dataclass
class Row:
    value: int
    events: list[Event] = field(default_factory=list)


def test_staged_table_hides_staged_rows_until_commit_and_copies_on_read() -> None:
    table: StagedTable[str, Row] = StagedTable()
    table.put("a", Row(1))
    table.commit()
    row = table.get("a")
    assert row is not None
    row.value = 99  # mutating a read copy changes nothing stored
    assert table.get("a") == Row(1)
    table.put("a", row)
    table.put("b", Row(2))
    assert sorted(table.keys()) == ["a", "b"] and len(table) == 2
    table.rollback()
    assert table.get("a") == Row(1) and table.get("b") is None and len(table) == 1


@dataclass(frozen=True, slots=True)
class Happened(Event):
    n: int


@dataclass(frozen=True, slots=True)
class DoIt(Command):
    n: int
    fail: bool = False


def test_the_bus_publishes_events_only_after_a_commit() -> None:
    tracker = EventTracker()
    seen: list[int] = []

    class Source:
        def collect_new_events(self):  # type: ignore[no-untyped-def]
            return tracker.collect()

    def handler(cmd: DoIt) -> int:
        row = Row(cmd.n)
        tracker.track(row)
        row.events.append(Happened(cmd.n))
        if cmd.fail:
            tracker.rolled_back()
            raise WujieError(SharedErrorCode.INVALID_INPUT, "refused")
        tracker.committed()
        return cmd.n * 2

    def chained(event: Happened) -> None:
        seen.append(event.n)
        if event.n < 3:
            bus.publish(Happened(event.n + 10))

    bus = MessageBus([Source()], {DoIt: handler}, {Happened: [chained]})
    assert bus.handle(DoIt(1)) == 2
    with pytest.raises(WujieError):
        bus.handle(DoIt(2, fail=True))
    assert seen == [1, 11]
    with pytest.raises(WujieError) as caught:
        bus.handle(Happened(5))  # type: ignore[arg-type]
    assert caught.value.code == SharedErrorCode.NO_HANDLER
