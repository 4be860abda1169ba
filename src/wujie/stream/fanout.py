"""The in-process event stream: one publisher, any number of subscribed sinks (the default)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from wujie.shared.events import Event

log = logging.getLogger(__name__)


class EventSink(Protocol):
    """Where committed events go; the same shape as the engine's port ``EventSink``."""

    def publish(self, events: Sequence[Event]) -> None:
        """Receive a batch of committed events, in commit order."""
        ...


@dataclass(frozen=True, slots=True)
class DeliveryFailure:
    """A subscriber that raised on a batch; the fan-out logs it and carries on."""

    subscriber: str
    events: int
    error: str


class InProcessFanout:
    """Deliver every published batch to every subscriber, synchronously and in order.

    A subscriber that raises does not stop the others: the failure is logged and kept in
    :attr:`failures`. Subscribing and publishing are thread-safe; batches from concurrent
    publishers are delivered one at a time, so each subscriber sees a single ordered stream.
    """

    def __init__(self) -> None:
        self._subscribers: tuple[EventSink, ...] = ()
        self._lock = threading.Lock()
        self.failures: list[DeliveryFailure] = []
        self.published = 0

    def subscribe(self, sink: EventSink) -> Callable[[], None]:
        """Add ``sink`` and return a function that removes it."""
        with self._lock:
            self._subscribers = (*self._subscribers, sink)

        def unsubscribe() -> None:
            with self._lock:
                self._subscribers = tuple(s for s in self._subscribers if s is not sink)

        return unsubscribe

    @property
    def subscribers(self) -> int:
        """Return the number of subscribed sinks."""
        return len(self._subscribers)

    def publish(self, events: Sequence[Event]) -> None:
        """Hand ``events`` to every subscriber."""
        if not events:
            return
        batch = tuple(events)
        with self._lock:
            self.published += len(batch)
            for sink in self._subscribers:
                try:
                    sink.publish(batch)
                except Exception as exc:
                    name = type(sink).__name__
                    log.exception("event subscriber %s failed on a batch of %d", name, len(batch))
                    self.failures.append(DeliveryFailure(name, len(batch), repr(exc)))


class RecordingSink:
    """A sink that keeps every event it receives (tests, replays, late subscribers)."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    def publish(self, events: Sequence[Event]) -> None:
        """Append ``events``."""
        self.events.extend(events)
