"""The JetStream adapter against the real NATS server: durable, ordered, deduplicated, resumable."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from wujie.orders.events import LineFact, OrderPlaced
from wujie.payments.events import PaymentCaptured
from wujie.shared.events import Event
from wujie.shared.ids import CustomerId, OrderId, PaymentId, RegionId, SkuId
from wujie.shared.money import Money
from wujie.stream.errors import BrokerUnavailable
from wujie.stream.fanout import EventSink, RecordingSink
from wujie.stream.nats import NatsJetStreamSink, NatsJetStreamSource

pytestmark = pytest.mark.services
AT = datetime(2026, 11, 11, tzinfo=UTC)


def sale(n: int) -> list[Event]:
    events: list[Event] = []
    for i in range(n):
        order = OrderId(f"ord_{i}")
        price = Money(100 + i, "CNY")
        at = AT + timedelta(milliseconds=i)
        events.append(OrderPlaced(order, CustomerId("c"), RegionId("SH"), (LineFact(SkuId("s"), 1, price),), price, at))
        events.append(PaymentCaptured(PaymentId(f"pay_{i}"), order, CustomerId("c"), price, at))
    return events


def _delete_stream(url: str, stream: str) -> None:
    async def go() -> None:
        import nats

        client = await nats.connect(url)
        try:
            await client.jetstream().delete_stream(stream)
        finally:
            await client.close()

    asyncio.run(go())


def drain(source: NatsJetStreamSource, sink: EventSink, expected: int, deadline_s: float = 30.0) -> int:
    """Pull until ``expected`` events arrived (a busy machine may need several pulls), then check none follow."""
    taken, deadline = 0, time.monotonic() + deadline_s
    while taken < expected and time.monotonic() < deadline:
        taken += source.pull(sink, wait=0.5)
    assert source.pull(sink, wait=0.3) == 0, "more events than published"
    return taken


@pytest.fixture
def stream_name(nats_url: str) -> object:
    name = f"WUJIE_TEST_{uuid.uuid4().hex[:10].upper()}"
    yield name
    _delete_stream(nats_url, name)


def test_published_batches_come_back_in_order_and_resume_after_restart(nats_url: str, stream_name: str) -> None:
    subject = f"{stream_name.lower()}.events"
    events = sale(2_500)  # 5,000 events: three JetStream messages for the first batch
    with NatsJetStreamSink(nats_url, stream_name, subject) as sink:
        sink.publish(events[:4_200])
        sink.publish(events[4_200:])
        assert sink.published == 5_000
        assert sink.duplicates == 0

    received = RecordingSink()
    with NatsJetStreamSource(nats_url, stream_name, subject, durable="dash") as source:
        taken = 0
        while taken < 4_000:  # exactly two messages of 2,000 events, then this reader stops
            taken += source.pull(received, max_messages=(4_000 - taken) // 2_000, wait=1.0)
        assert taken == 4_000
    assert received.events == events[:4_000]

    # A new reader with the same durable name resumes after the last acknowledged message.
    with NatsJetStreamSource(nats_url, stream_name, subject, durable="dash") as source:
        assert drain(source, received, 1_000) == 1_000
    assert received.events == events


def test_a_retry_after_a_lost_ack_is_stored_once(
    nats_url: str, stream_name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    subject = f"{stream_name.lower()}.events"
    with NatsJetStreamSink(nats_url, stream_name, subject) as sink:
        real_send = sink._send

        async def lost_ack(payloads: list[tuple[str, bytes]]) -> list[object]:
            await real_send(payloads)  # JetStream stores the messages...
            raise BrokerUnavailable("ack lost")  # ...but the publisher never hears back

        monkeypatch.setattr(sink, "_send", lost_ack)
        with pytest.raises(BrokerUnavailable):
            sink.publish(sale(1))
        monkeypatch.setattr(sink, "_send", real_send)
        sink.publish(sale(1))  # the caller retries the same batch
        assert sink.duplicates == 1
        sink.publish(sale(1))  # a new batch with the same content is a new message
        assert sink.duplicates == 1
    received = RecordingSink()
    with NatsJetStreamSource(nats_url, stream_name, subject, durable="dup") as source:
        assert drain(source, received, 4) == 4
    assert received.events == sale(1) + sale(1)


def test_unreachable_broker_is_a_retryable_error() -> None:
    sink = NatsJetStreamSink("nats://127.0.0.1:1", "WUJIE_NOWHERE", "nowhere", ack_timeout=1)
    with pytest.raises(BrokerUnavailable):
        sink.open()
