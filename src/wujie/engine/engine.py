"""The peak-intake engine: one writer, micro-batches, a group-commit journal, snapshot recovery.

Use it in-process (the twin, the benchmarks)::

    engine = Engine.open("var/engine", clock=clock)
    engine.add_skus([SkuTerms("sku-1", on_hand=100, price=9_900, limit=2)])
    [decision] = engine.place_orders([OrderRequest("c1", (("sku-1", 1),))])
    engine.pay(decision.order_id, decision.total, idempotency_key="k1")
    engine.close()

Every write method is one batch: it is decided in memory, journaled, and made durable with one
``fdatasync`` before it returns; inside ``with engine.group():`` several calls share one sync.
Reopening the directory recovers the exact state from the last snapshot and the journal.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import numpy as np

from wujie.engine import records
from wujie.engine.book import REASON_CODES, SkuTerms, check_new_skus
from wujie.engine.decisions import (
    Decision,
    OrderColumns,
    OrderRequest,
    OrderView,
    PaymentResult,
    PlaceResult,
    StockLevel,
    columns_of,
    decisions_of,
    order_id,
    order_number,
    payment_id,
)
from wujie.engine.errors import EngineError, EngineErrorCode
from wujie.engine.facts import Facts
from wujie.engine.journal import Journal
from wujie.engine.ledger import PAY_CODES
from wujie.engine.orderbook import OrderState
from wujie.engine.ports import EventSink, JournalStore, NoSink
from wujie.engine.state import I64, EngineState, pay_columns
from wujie.engine.timebase import from_us, to_us
from wujie.shared.clock import Clock, SystemClock
from wujie.shared.errors import InvalidInput
from wujie.shared.events import Event


class Engine:
    """The intake engine over one directory (journal segments + snapshot). Not thread-safe: one writer."""

    #: the code of each refusal reason index of :meth:`place_columns` (0: accepted)
    reason_codes: tuple[str | None, ...] = REASON_CODES

    def __init__(self, directory: Path, journal: JournalStore, clock: Clock, sink: EventSink, currency: str) -> None:
        self.directory = directory
        self.journal = journal
        self.clock = clock
        self.currency = currency
        self.state = EngineState(fee_bp=0)
        self.state.currency = currency
        self.facts = Facts(self, sink)
        self.ttl_us = 900_000_000
        self.fee_bp = 200
        self.checkpoint_bytes = 256 << 20
        self._group_depth = 0
        self._failed = False

    @classmethod
    def open(
        cls,
        directory: Path | str,
        *,
        clock: Clock | None = None,
        sink: EventSink | None = None,
        currency: str = "CNY",
        reservation_ttl_s: float = 900,
        platform_fee_bp: int = 200,
        sync: bool = True,
        store: JournalStore | None = None,
    ) -> Engine:
        """Open (creating or recovering) the engine in ``directory`` (or on ``store``, e.g. PostgreSQL)."""
        path = Path(directory)
        path.mkdir(parents=True, exist_ok=True)
        journal = store or Journal(path / "journal", sync=sync)
        engine = cls(path, journal, clock or SystemClock(), sink or NoSink(), currency)
        engine.ttl_us = int(reservation_ttl_s * 1_000_000)
        engine.fee_bp = platform_fee_bp
        engine._recover()
        return engine

    def _recover(self) -> None:
        snap = self.journal.load_snapshot()
        after = 0
        if snap is not None:
            self.state.restore(snap)
            after = snap.seq
        for _seq, payload in self.journal.replay(after):
            self.state.apply(records.DECODER.decode(payload))
        self.journal.open_for_append(self.state)

    # ------------------------------------------------------------------ durability
    @contextmanager
    def group(self) -> Iterator[None]:
        """Share one journal sync among every write inside the block (group commit)."""
        self._group_depth += 1
        try:
            yield
        finally:
            self._group_depth -= 1
            if self._group_depth == 0:
                self._sync()

    @contextmanager
    def written(self) -> Iterator[list[Event]]:
        """Like :meth:`group`, but only *write* the journal; the caller syncs later (pipelining).

        Yields the list that receives the block's events: publish them, and acknowledge the
        block's answers, only after :meth:`sync_written`. Needs a store that can pipeline.
        """
        events: list[Event] = []
        self._group_depth += 1
        try:
            yield events
        finally:
            self._group_depth -= 1
            try:
                self.journal.write()  # type: ignore[attr-defined]
            except OSError:
                self._failed = True
                raise
            finally:
                events.extend(self.facts.take())

    def sync_written(self) -> None:
        """Make every written block durable (one sync; may run beside the writer)."""
        try:
            self.journal.sync_written()  # type: ignore[attr-defined]
        except OSError:
            self._failed = True
            raise

    @property
    def can_pipeline(self) -> bool:
        """Whether the store supports :meth:`written` + :meth:`sync_written` (the file journal)."""
        return bool(getattr(self.journal, "pipelined", False))

    def _journal(self, record: records.Record) -> None:
        if self._failed:
            raise EngineError(EngineErrorCode.ENGINE_CLOSED, "the engine stopped after a journal failure; reopen it")
        self.journal.append(records.ENCODER.encode(record))

    def _done(self) -> None:
        if self._group_depth == 0:
            self._sync()

    def _sync(self) -> None:
        try:
            self.journal.commit()
        except OSError:
            self._failed = True  # memory is ahead of the disk: refuse everything until reopened
            raise
        self.facts.flush()
        if self.journal.bytes_written >= self.checkpoint_bytes:
            self.checkpoint()

    def checkpoint(self) -> None:
        """Write a snapshot of the whole state and drop the journal it covers."""
        self.journal.commit()
        self.journal.checkpoint(self.state.to_snapshot(self.journal.last_seq))

    def close(self, *, checkpoint: bool = True) -> None:
        """Sync, optionally snapshot, and close the journal."""
        if not self._failed:
            self.journal.commit()
            if checkpoint:
                self.checkpoint()
        self.journal.close()
        self._failed = True

    def now_us(self) -> int:
        """Return the clock's time in epoch microseconds."""
        return to_us(self.clock.now())

    # ------------------------------------------------------------------ catalog and stock
    def add_skus(self, terms: Sequence[SkuTerms]) -> None:
        """Add SKUs with their stock, prices and limits (journaled)."""
        check_new_skus(terms, self.state.book.index)
        record = records.AddSkus(
            [(t.sku, t.on_hand, t.price, t.flash_price, t.flash_start_us, t.flash_end_us, t.limit) for t in terms]
        )
        self.state.apply_skus(record)
        self._journal(record)
        self._done()

    def receive(self, sku: str, qty: int) -> None:
        """Add ``qty`` units on hand to ``sku`` (journaled)."""
        index = self.state.book.index.get(sku)
        if index is None:
            raise EngineError(EngineErrorCode.UNKNOWN_SKU, f"unknown SKU {sku}", sku=sku)
        if qty < 1:
            raise EngineError(EngineErrorCode.INVALID_QUANTITY, "received quantity must be positive", qty=qty)
        record = records.Receive(index, qty, self.now_us())
        self.state.apply_receive(record)
        self._journal(record)
        self.facts.received(sku, qty, record.now_us)
        self._done()

    @property
    def sku_index(self) -> dict[str, int]:
        """Return the known SKUs and their row in the stock book."""
        return self.state.book.index

    def sku_ids(self, skus: Sequence[str]) -> I64:
        """Return the index of each SKU (-1 when unknown) for :class:`OrderColumns`."""
        index = self.state.book.index
        return np.fromiter((index.get(s, -1) for s in skus), np.int64, len(skus))

    def customer_ids(self, customers: Sequence[str]) -> I64:
        """Return (interning new ones) the index of each customer for :class:`OrderColumns`."""
        intern = self.state.customers.intern
        return np.fromiter((intern(c) for c in customers), np.int64, len(customers))

    def region_ids(self, regions: Sequence[str | None]) -> I64:
        """Return (interning new ones) the index of each region, -1 for ``None``."""
        intern = self.state.regions.intern
        return np.fromiter((-1 if r is None else intern(r) for r in regions), np.int64, len(regions))

    # ------------------------------------------------------------------ orders
    def place_columns(self, batch: OrderColumns) -> PlaceResult:
        """Decide a batch of orders (one journal record, one sync); the fast path."""
        multi = batch.nlines is not None and bool((batch.nlines != 1).any())
        record = records.Place(
            now_us=self.now_us(),
            ttl_us=self.ttl_us,
            new_customers=self.state.customers.take_pending(),
            new_regions=self.state.regions.take_pending(),
            customer=batch.customer.astype(np.int32).tobytes(),
            region=b"" if batch.region is None else batch.region.astype(np.int16).tobytes(),
            nlines=batch.nlines.astype(np.int8).tobytes() if multi and batch.nlines is not None else b"",
            sku=np.clip(batch.sku, -1, (1 << 31) - 1).astype(np.int32).tobytes(),
            qty=np.clip(batch.qty, -1, 1 << 30).astype(np.int32).tobytes(),
        )
        if multi and batch.nlines is not None and ((batch.nlines < 0) | (batch.nlines > 127)).any():
            record.nlines = np.zeros(len(batch.customer), dtype=np.int8).tobytes()  # all refused as bad
        self.facts.before_place(batch)
        reason, number, total = self.state.apply_place(record)
        self._journal(record)
        self.facts.placed(number, record.now_us)
        self._done()
        return PlaceResult(reason, number, total)

    def place_orders(self, requests: Sequence[OrderRequest]) -> list[Decision]:
        """Decide a batch of orders given as objects; one decision per request, in order."""
        return decisions_of(self.place_columns(columns_of(requests, self)), REASON_CODES)

    def cancel(self, order_ids: Sequence[str], reason: str = "customer") -> list[str | None]:
        """Cancel reserved orders, releasing their stock; return an error code (or None) per order."""
        record = records.Cancel(self.now_us(), [order_number(o) for o in order_ids], reason[:200])
        codes = self.state.apply_cancel(record)
        self._journal(record)
        self.facts.cancelled(record, codes)
        self._done()
        return [PAY_CODES[code] for code in codes]

    def expire(self, now: datetime | None = None) -> int:
        """Release every reservation that ended by ``now`` (default: the clock); return how many."""
        record = records.Expire(to_us(now) if now is not None else self.now_us())
        rows = self.state.apply_expire(record)
        if len(rows) == 0:
            return 0
        self._journal(record)
        self.facts.expired(rows, record.now_us)
        self._done()
        return len(rows)

    # ------------------------------------------------------------------ payments
    def pay_columns(self, numbers: Sequence[int] | I64, amounts: Sequence[int] | I64, keys: Sequence[str]) -> list[int]:
        """Capture a batch given order *numbers* (the fast path); return a code index per request.

        Codes index ``ledger.PAY_CODES`` (0: captured, or replayed a capture).
        """
        if not len(numbers) == len(amounts) == len(keys):
            raise InvalidInput("numbers, amounts and keys differ in length", numbers=len(numbers), keys=len(keys))
        record, batch = pay_columns(self.now_us(), self.fee_bp, numbers, amounts, keys)
        codes = self.state.apply_pay(record, batch)
        self._journal(record)
        self.facts.paid(record)
        self._done()
        result: list[int] = codes.tolist()
        return result

    def last_payments(self) -> list[int]:
        """Return, per request of the last payment batch, its payment number (0: no capture to name)."""
        decided = self.state.last_pay
        return self.state.ledger.payments(decided).tolist() if decided is not None else []

    def pay_many(self, order_ids: Sequence[str], amounts: Sequence[int], keys: Sequence[str]) -> list[PaymentResult]:
        """Capture a batch of payments (idempotent per key); one journal record, one sync."""
        codes = self.pay_columns([order_number(o) for o in order_ids], [int(a) for a in amounts], list(keys))
        paid = self.last_payments()
        return [
            PaymentResult(PAY_CODES[code], order, amount, payment_id(payment) if code == 0 else None)
            for code, order, amount, payment in zip(codes, order_ids, amounts, paid, strict=True)
        ]

    def pay(self, order_id: str, amount: int, idempotency_key: str) -> PaymentResult:
        """Capture one payment; the same key with the same request replays the first answer."""
        return self.pay_many([order_id], [amount], [idempotency_key])[0]

    # ------------------------------------------------------------------ reads
    def stock(self, skus: Sequence[str] | None = None) -> list[StockLevel]:
        """Return the stock levels of ``skus`` (all when ``None``; unknown ones are skipped)."""
        book = self.state.book
        rows = range(len(book)) if skus is None else [book.index[s] for s in skus if s in book.index]
        on_hand, reserved, sold = book.col("on_hand"), book.col("reserved"), book.col("sold")
        return [
            StockLevel(
                book.skus[r], int(on_hand[r]), int(reserved[r]), int(sold[r]), int(on_hand[r] - reserved[r] - sold[r])
            )
            for r in rows
        ]

    def order(self, order_id_: str) -> OrderView | None:
        """Return one order, or ``None`` when there is no such order."""
        row = order_number(order_id_) - 1
        orders = self.state.orders
        if not 0 <= row < len(orders):
            return None
        col = {
            name: int(orders.col(name)[row])
            for name in ("customer", "region", "state", "total", "placed", "expires", "line_lo", "nlines")
        }
        lo, hi = col["line_lo"], col["line_lo"] + col["nlines"]
        skus = self.state.book.skus
        lines = tuple(
            (skus[s], q, p)
            for s, q, p in zip(
                orders.line("sku")[lo:hi].tolist(),
                orders.line("qty")[lo:hi].tolist(),
                orders.line("price")[lo:hi].tolist(),
                strict=True,
            )
        )
        return OrderView(
            order_id=order_id(row + 1),
            customer=self.state.customers.names[col["customer"]],
            region=self.state.regions.names[col["region"]] if col["region"] >= 0 else None,
            status=OrderState(col["state"]).status,
            lines=lines,
            total=col["total"],
            currency=self.currency,
            placed_at=from_us(col["placed"]),
            expires_at=from_us(col["expires"]),
        )

    def orders_of(self, customer: str, limit: int = 100) -> list[OrderView]:
        """Return a customer's most recent orders (newest first)."""
        index = self.state.customers.index.get(customer)
        if index is None:
            return []
        rows = np.flatnonzero(self.state.orders.col("customer") == index)[::-1][:limit]
        return [view for view in (self.order(order_id(int(r) + 1)) for r in rows) if view is not None]

    def ledger_total(self) -> int:
        """Return the sum of all ledger accounts: zero, by construction."""
        return self.state.ledger.total()

    def counts(self) -> dict[str, int]:
        """Return how many SKUs, orders (per state) and payments the engine holds."""
        states = np.bincount(self.state.orders.col("state"), minlength=5)
        return {
            "skus": len(self.state.book),
            "orders": len(self.state.orders),
            **{OrderState(s).status.value: int(states[s]) for s in OrderState},
            "payments": len(self.state.ledger),
            "journal_seq": self.journal.last_seq,
        }
