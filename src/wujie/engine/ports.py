"""What the engine needs from the outside (a place to publish committed facts, a journal store),
and what the HTTP API needs from an engine (:class:`IntakeEngine`)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Protocol

import numpy as np
import numpy.typing as npt

from wujie.engine.book import SkuTerms
from wujie.engine.decisions import (
    Decision,
    OrderColumns,
    OrderRequest,
    OrderView,
    PaymentResult,
    PlaceResult,
    StockLevel,
)
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


class IntakeEngine(Protocol):
    """What the intake writer and the HTTP API use of an engine.

    :class:`~wujie.engine.engine.Engine` (one process) and
    :class:`~wujie.engine.partitioned.PartitionedEngine` (partitions in processes) both provide it.
    Writes run on the intake's writer thread; every write call returns once it is durable.
    """

    currency: str

    @property
    def reason_codes(self) -> tuple[str | None, ...]:
        """Return the code of each refusal reason index of :meth:`place_columns` (0: accepted)."""
        ...

    @property
    def can_pipeline(self) -> bool:
        """Whether writes can be written now and synced later (then the engine is an ``Engine``)."""
        ...

    @property
    def sku_index(self) -> Mapping[str, int]:
        """Return the known SKUs and their indices."""
        ...

    def group(self) -> AbstractContextManager[None]:
        """Share one sync among the writes inside the block (where the engine can)."""
        ...

    def now_us(self) -> int:
        """Return the engine clock's time in epoch microseconds."""
        ...

    def customer_ids(self, customers: Sequence[str], /) -> npt.NDArray[np.int64]:
        """Return (interning new ones) the index of each customer."""
        ...

    def sku_ids(self, skus: Sequence[str], /) -> npt.NDArray[np.int64]:
        """Return the index of each SKU (-1 when unknown)."""
        ...

    def region_ids(self, regions: Sequence[str | None], /) -> npt.NDArray[np.int64]:
        """Return (interning new ones) the index of each region, -1 for ``None``."""
        ...

    def place_columns(self, batch: OrderColumns, /) -> PlaceResult:
        """Decide a batch of orders given as columns."""
        ...

    def place_orders(self, requests: Sequence[OrderRequest], /) -> list[Decision]:
        """Decide a batch of orders given as objects."""
        ...

    def pay_many(self, order_ids: Sequence[str], amounts: Sequence[int], keys: Sequence[str], /) -> list[PaymentResult]:
        """Capture payments, idempotent per key."""
        ...

    def cancel(self, order_ids: Sequence[str], reason: str = "customer", /) -> list[str | None]:
        """Cancel reserved orders; an error code (or ``None``) per order."""
        ...

    def expire(self, now: datetime | None = None, /) -> int:
        """Release the reservations that ended by ``now``."""
        ...

    def add_skus(self, terms: Sequence[SkuTerms], /) -> None:
        """Add SKUs."""
        ...

    def receive(self, sku: str, qty: int, /) -> None:
        """Add units on hand."""
        ...

    def stock(self, skus: Sequence[str] | None = None, /) -> list[StockLevel]:
        """Return stock levels."""
        ...

    def order(self, order_id: str, /) -> OrderView | None:
        """Return one order, or ``None``."""
        ...

    def orders_of(self, customer: str, limit: int = 100, /) -> list[OrderView]:
        """Return a customer's most recent orders."""
        ...

    def counts(self) -> dict[str, int]:
        """Return counts of SKUs, orders per state and payments."""
        ...

    def ledger_total(self) -> int:
        """Return the sum of all ledger accounts (zero)."""
        ...

    def close(self, *, checkpoint: bool = True) -> None:
        """Sync, optionally snapshot, and close."""
        ...
