"""The broker adapter: event batches on NATS JetStream (durable, acknowledged, deduplicated).

:class:`NatsJetStreamSink` is an ``EventSink``: ``publish`` encodes a batch with
:class:`~wujie.stream.codec.EventCodec`, sends it as one or more JetStream messages (each with a
``Nats-Msg-Id`` so a retried publish is stored once) and returns only when JetStream has
acknowledged every message. :class:`NatsJetStreamSource` reads them back through a durable pull
consumer and hands each decoded batch to any sink, acknowledging after the sink returned
(at-least-once delivery). Both run nats-py's asyncio client on a private background loop, so the
engine's synchronous writer can call them.
"""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import Coroutine, Sequence
from typing import Any, Self, TypeVar

from wujie.shared.events import Event
from wujie.stream.codec import EventCodec
from wujie.stream.errors import BrokerUnavailable, StreamError, StreamErrorCode
from wujie.stream.fanout import EventSink

T = TypeVar("T")

#: Events per JetStream message (keeps messages well under the 1 MB default payload limit).
EVENTS_PER_MESSAGE = 2_000


class _LoopThread:
    """An asyncio loop on a daemon thread; ``run`` executes a coroutine there and waits."""

    def __init__(self, name: str) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name=name, daemon=True)
        self._thread.start()

    def run(self, coro: Coroutine[Any, Any, T], timeout: float) -> T:
        future = asyncio.run_coroutine_threadsafe(coro, self.loop)
        try:
            return future.result(timeout)
        except TimeoutError as exc:
            if future.done():
                raise  # the coroutine's own error, not our wait running out
            future.cancel()
            raise BrokerUnavailable(f"NATS did not answer within {timeout} s") from exc

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=5)
        self.loop.close()


async def _connect(url: str, stream: str, subject: str) -> Any:
    import nats
    from nats.js.errors import NotFoundError

    try:
        client = await nats.connect(url, connect_timeout=2, max_reconnect_attempts=3, allow_reconnect=True)
    except Exception as exc:
        raise BrokerUnavailable(f"cannot connect to NATS at {url}: {exc}", cause=exc) from exc
    js = client.jetstream()
    try:
        await js.stream_info(stream)
    except NotFoundError:
        await js.add_stream(name=stream, subjects=[subject])
    return client


class NatsJetStreamSink:
    """Publish event batches to a JetStream stream; an ``EventSink``.

    Parameters
    ----------
    url
        The NATS server, e.g. ``nats://127.0.0.1:4222``.
    stream, subject
        The JetStream stream (created when missing) and the subject the batches go to.
    ack_timeout
        Seconds to wait for JetStream's acknowledgement before :class:`BrokerUnavailable`.
    """

    def __init__(
        self, url: str, stream: str = "WUJIE_EVENTS", subject: str = "wujie.events", *, ack_timeout: float = 10.0
    ) -> None:
        self.url, self.stream, self.subject, self.ack_timeout = url, stream, subject, ack_timeout
        self._codec = EventCodec()
        self._producer = uuid.uuid4().hex[:12]
        self._sequence = 0
        self._loop: _LoopThread | None = None
        self._client: Any = None
        self.published = 0
        self.duplicates = 0

    def open(self) -> Self:
        """Connect and make sure the stream exists; raise :class:`BrokerUnavailable` when NATS is down."""
        if self._loop is None:
            self._loop = _LoopThread("wujie-nats-sink")
            try:
                self._client = self._loop.run(_connect(self.url, self.stream, self.subject), self.ack_timeout)
            except BaseException:
                self._loop.stop()
                self._loop = None
                raise
        return self

    def publish(self, events: Sequence[Event]) -> None:
        """Send ``events`` and wait until JetStream has stored them.

        On :class:`BrokerUnavailable` the message ids are given back: publishing the same batch
        again reuses them, so JetStream stores a batch whose first attempt did land only once.
        """
        if self._loop is None:
            raise StreamError(StreamErrorCode.SINK_CLOSED, "open() the NATS sink before publishing")
        if not events:
            return
        first = self._sequence
        payloads = []
        for number, start in enumerate(range(0, len(events), EVENTS_PER_MESSAGE), start=first + 1):
            chunk = events[start : start + EVENTS_PER_MESSAGE]
            payloads.append((f"{self._producer}-{number}", self._codec.encode_batch(chunk)))
        acks = self._loop.run(self._send(payloads), self.ack_timeout)
        self._sequence = first + len(payloads)
        self.duplicates += sum(1 for ack in acks if ack.duplicate)
        self.published += len(events)

    async def _send(self, payloads: list[tuple[str, bytes]]) -> list[Any]:
        js = self._client.jetstream()
        sends = [js.publish(self.subject, body, headers={"Nats-Msg-Id": msg_id}) for msg_id, body in payloads]
        try:
            return list(await asyncio.gather(*sends))
        except Exception as exc:
            raise BrokerUnavailable(f"JetStream publish failed: {exc}", cause=exc) from exc

    def close(self) -> None:
        """Flush and disconnect."""
        if self._loop is not None:
            if self._client is not None:
                self._loop.run(self._client.drain(), self.ack_timeout)
            self._loop.stop()
            self._loop = None

    def __enter__(self) -> Self:
        return self.open()

    def __exit__(self, *exc: object) -> None:
        self.close()


class NatsJetStreamSource:
    """Read event batches from JetStream through a durable pull consumer and hand them to a sink.

    Parameters
    ----------
    url, stream, subject
        As for :class:`NatsJetStreamSink`.
    durable
        The consumer's name: a restarted reader resumes after the last acknowledged batch.
    """

    def __init__(
        self,
        url: str,
        stream: str = "WUJIE_EVENTS",
        subject: str = "wujie.events",
        *,
        durable: str = "wujie-dashboard",
        timeout: float = 10.0,
    ) -> None:
        self.url, self.stream, self.subject, self.durable, self.timeout = url, stream, subject, durable, timeout
        self._codec = EventCodec()
        self._loop: _LoopThread | None = None
        self._client: Any = None
        self._subscription: Any = None
        self.delivered = 0

    def open(self) -> Self:
        """Connect and bind the durable consumer."""
        if self._loop is None:
            self._loop = _LoopThread("wujie-nats-source")
            try:
                self._client = self._loop.run(_connect(self.url, self.stream, self.subject), self.timeout)
                self._subscription = self._loop.run(self._bind(), self.timeout)
            except BaseException:
                self._loop.stop()
                self._loop = None
                raise
        return self

    async def _bind(self) -> Any:
        js = self._client.jetstream()
        return await js.pull_subscribe(self.subject, durable=self.durable, stream=self.stream)

    def pull(self, sink: EventSink, *, max_messages: int = 64, wait: float = 0.5) -> int:
        """Deliver the batches available within ``wait`` seconds to ``sink``; return the number of events."""
        if self._loop is None:
            raise StreamError(StreamErrorCode.SINK_CLOSED, "open() the NATS source before pulling")
        return self._loop.run(self._pull(sink, max_messages, wait), self.timeout + wait)

    async def _pull(self, sink: EventSink, max_messages: int, wait: float) -> int:
        from nats.errors import TimeoutError as NatsTimeout

        try:
            messages = await self._subscription.fetch(batch=max_messages, timeout=wait)
        except (NatsTimeout, TimeoutError):  # nothing arrived within ``wait``
            return 0
        delivered = 0
        for message in messages:
            events = self._codec.decode_batch(message.data)
            sink.publish(events)
            await message.ack()
            delivered += len(events)
        self.delivered += delivered
        return delivered

    def close(self) -> None:
        """Disconnect (the durable consumer stays on the server)."""
        if self._loop is not None:
            if self._client is not None:
                self._loop.run(self._client.close(), self.timeout)
            self._loop.stop()
            self._loop = None

    def __enter__(self) -> Self:
        return self.open()

    def __exit__(self, *exc: object) -> None:
        self.close()
