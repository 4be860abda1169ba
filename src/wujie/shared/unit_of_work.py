"""The unit-of-work contract every area's ports extend.

``with uow:`` opens one transaction; the handler calls :meth:`UnitOfWork.commit`; leaving the
block without a commit (or on an exception) rolls everything back. Events recorded by the
aggregates the transaction touched are handed to the message bus only after the commit.
"""

from __future__ import annotations

from collections.abc import Iterator
from types import TracebackType
from typing import Protocol, Self

from wujie.shared.events import Event


class UnitOfWork(Protocol):
    """One atomic transaction over the repositories it exposes."""

    def __enter__(self) -> Self:
        """Begin the transaction."""
        ...

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        """Roll back whatever was not committed and end the transaction."""
        ...

    def commit(self) -> None:
        """Make every change of the transaction durable, at once."""
        ...

    def rollback(self) -> None:
        """Discard every change of the transaction and the events it recorded."""
        ...

    def collect_new_events(self) -> Iterator[Event]:
        """Yield and forget the events of committed transactions."""
        ...


class HasEvents(Protocol):
    """An aggregate that records events."""

    events: list[Event]


class EventTracker:
    """Remember the aggregates a transaction touched; release their events only once it commits."""

    def __init__(self) -> None:
        self._seen: list[HasEvents] = []
        self._ready: list[Event] = []

    def track(self, aggregate: HasEvents) -> None:
        """Watch ``aggregate`` for events until the transaction ends."""
        self._seen.append(aggregate)

    def committed(self) -> None:
        """Move the touched aggregates' events to the outbox."""
        for aggregate in self._seen:
            self._ready.extend(aggregate.events)
            aggregate.events.clear()
        self._seen.clear()

    def rolled_back(self) -> None:
        """Drop the touched aggregates' events: their changes never happened."""
        for aggregate in self._seen:
            aggregate.events.clear()
        self._seen.clear()

    def collect(self) -> Iterator[Event]:
        """Yield and forget the committed events."""
        ready, self._ready = self._ready, []
        yield from ready
