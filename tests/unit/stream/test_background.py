"""The background sink: the publisher returns at once, delivery keeps order, close drains the queue."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import UTC, datetime

import pytest

from wujie.orders.events import OrderShipped
from wujie.shared.events import Event
from wujie.shared.ids import OrderId
from wujie.stream.background import BackgroundSink
from wujie.stream.errors import StreamError, StreamErrorCode
from wujie.stream.fanout import RecordingSink

AT = datetime(2026, 11, 11, tzinfo=UTC)


def shipped(start: int, n: int) -> list[Event]:
    return [OrderShipped(OrderId(f"o{i}"), AT) for i in range(start, start + n)]


class Gate:
    """A downstream sink that waits for a signal before accepting anything."""

    def __init__(self) -> None:
        self.open = threading.Event()
        self.seen = RecordingSink()

    def publish(self, events: Sequence[Event]) -> None:
        self.open.wait(5)
        self.seen.publish(events)


def test_publish_does_not_wait_for_a_slow_consumer_and_order_is_kept() -> None:
    gate = Gate()
    sink = BackgroundSink(gate, max_batches=100)
    for k in range(10):
        sink.publish(shipped(k * 3, 3))  # returns although the consumer is blocked
    assert gate.seen.events == []
    gate.open.set()
    sink.close()
    assert gate.seen.events == shipped(0, 30)
    assert sink.delivered == 30


def test_flush_waits_and_failures_are_recorded() -> None:
    class Failing:
        def publish(self, events: Sequence[Event]) -> None:
            raise RuntimeError("broker down")

    with BackgroundSink(Failing()) as sink:
        sink.publish(shipped(0, 2))
        sink.flush()
        assert len(sink.failures) == 1 and sink.failures[0].events == 2
        assert "broker down" in sink.failures[0].error


def test_closed_sink_refuses_batches() -> None:
    sink = BackgroundSink(RecordingSink())
    sink.close()
    with pytest.raises(StreamError) as info:
        sink.publish(shipped(0, 1))
    assert info.value.code is StreamErrorCode.SINK_CLOSED
