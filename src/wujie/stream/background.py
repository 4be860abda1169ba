"""A sink that hands batches to a background thread, so the engine's writer never waits on a consumer.

The engine's port asks sinks to be quick: :class:`BackgroundSink` puts each batch on a bounded
queue and returns; one worker thread delivers the batches, in order, to the downstream sink (a
fan-out, the NATS sink...). When the queue is full ``publish`` blocks (back-pressure) rather than
drop a committed fact.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Sequence
from typing import Self

from wujie.shared.events import Event
from wujie.stream.errors import StreamError, StreamErrorCode
from wujie.stream.fanout import DeliveryFailure, EventSink

log = logging.getLogger(__name__)
_STOP: tuple[Event, ...] = ()


class BackgroundSink:
    """Deliver batches to ``downstream`` from a worker thread, in publish order.

    Parameters
    ----------
    downstream
        The sink that does the real work.
    max_batches
        Batches that may wait in the queue before ``publish`` blocks.
    """

    def __init__(self, downstream: EventSink, max_batches: int = 1_024) -> None:
        self.downstream = downstream
        self._queue: queue.Queue[tuple[Event, ...]] = queue.Queue(maxsize=max_batches)
        self._thread = threading.Thread(target=self._work, name="wujie-background-sink", daemon=True)
        self._closed = False
        self.delivered = 0
        self.failures: list[DeliveryFailure] = []
        self._thread.start()

    def publish(self, events: Sequence[Event]) -> None:
        """Queue ``events`` for delivery (blocks only while the queue is full)."""
        if self._closed:
            raise StreamError(StreamErrorCode.SINK_CLOSED, "the background sink is closed")
        if events:
            self._queue.put(tuple(events))

    def _work(self) -> None:
        while True:
            batch = self._queue.get()
            try:
                if batch is _STOP:
                    return
                self.downstream.publish(batch)
                self.delivered += len(batch)
            except Exception as exc:
                log.exception("background delivery of %d events failed", len(batch))
                self.failures.append(DeliveryFailure(type(self.downstream).__name__, len(batch), repr(exc)))
            finally:
                self._queue.task_done()

    def flush(self) -> None:
        """Wait until every queued batch has been delivered (or has failed)."""
        self._queue.join()

    def close(self) -> None:
        """Deliver what is queued, then stop the worker."""
        if not self._closed:
            self._closed = True
            self._queue.put(_STOP)
            self._thread.join()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
