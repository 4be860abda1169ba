"""The in-process fan-out: every subscriber gets every batch, in order, despite failing neighbours."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from wujie.orders.events import OrderShipped
from wujie.shared.events import Event
from wujie.shared.ids import OrderId
from wujie.stream.fanout import InProcessFanout, RecordingSink

AT = datetime(2026, 11, 11, tzinfo=UTC)


class Exploding:
    def publish(self, events: Sequence[Event]) -> None:
        raise RuntimeError("boom")


def shipped(n: int) -> list[Event]:
    return [OrderShipped(OrderId(f"o{i}"), AT) for i in range(n)]


def test_each_subscriber_receives_each_batch_in_order() -> None:
    fanout = InProcessFanout()
    first, second = RecordingSink(), RecordingSink()
    fanout.subscribe(first)
    fanout.subscribe(second)
    batch_a, batch_b = shipped(3), shipped(2)
    fanout.publish(batch_a)
    fanout.publish(batch_b)
    assert first.events == batch_a + batch_b
    assert second.events == batch_a + batch_b
    assert fanout.published == 5


def test_a_failing_subscriber_is_recorded_and_does_not_starve_others() -> None:
    fanout = InProcessFanout()
    sink = RecordingSink()
    fanout.subscribe(Exploding())
    fanout.subscribe(sink)
    fanout.publish(shipped(4))
    assert len(sink.events) == 4
    assert len(fanout.failures) == 1
    assert fanout.failures[0].subscriber == "Exploding"
    assert fanout.failures[0].events == 4
    assert "boom" in fanout.failures[0].error


def test_unsubscribe_stops_delivery_and_empty_batches_are_dropped() -> None:
    fanout = InProcessFanout()
    sink = RecordingSink()
    unsubscribe = fanout.subscribe(sink)
    fanout.publish([])
    fanout.publish(shipped(1))
    unsubscribe()
    fanout.publish(shipped(1))
    assert len(sink.events) == 1
    assert fanout.subscribers == 0
    assert fanout.published == 2
