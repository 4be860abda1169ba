"""What the engine needs from the outside: somewhere to publish committed facts."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Protocol

from wujie.engine.snapshot import Snapshot
from wujie.shared.events import Event


class EventSink(Protocol):
    """Receives the core events of a batch *after* that batch is durable in the journal.

    Called from the engine's writer, in journal order; an implementation must be quick (hand the
    events to a queue) and idempotent (after a crash, recovery does not re-publish, consumers may
    see a batch again only if they re-read the journal themselves).
    """

    def publish(self, events: Sequence[Event]) -> None:
        """Take the events of one durable batch."""
        ...


class NoSink:
    """The default sink: the engine builds no event objects at all."""

    def publish(self, events: Sequence[Event]) -> None:
        """Drop the events."""


class ListSink:
    """A sink that keeps every event in a list (tests, the twin, small demos)."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    def publish(self, events: Sequence[Event]) -> None:
        """Append the events."""
        self.events.extend(events)


class JournalStore(Protocol):
    """Where the engine's records and snapshots become durable (file segments, or PostgreSQL)."""

    last_seq: int
    bytes_written: int
    commits: int

    def load_snapshot(self) -> Snapshot | None:
        """Return the latest snapshot, or ``None``."""
        ...

    def replay(self, after_seq: int) -> Iterator[tuple[int, bytes]]:
        """Yield the records after ``after_seq`` in order."""
        ...

    def open_for_append(self, state: object = None) -> None:
        """Get ready to append, after recovery of ``state``."""
        ...

    def append(self, payload: bytes) -> int:
        """Stage one record; return its sequence number."""
        ...

    def commit(self) -> None:
        """Make every staged record durable at once (one sync)."""
        ...

    def checkpoint(self, snapshot: Snapshot) -> None:
        """Store a snapshot and drop the records it covers."""
        ...

    def close(self) -> None:
        """Release files or connections."""
        ...
