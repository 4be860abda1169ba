"""One partition in its own process: a single-writer :class:`Engine` behind a pipe.

The process opens (and so recovers) its engine on a :class:`TwoPhaseStore`, says ``Hello`` with
the transactions still in doubt, then answers requests one at a time. A place round is one
engine group: the outcomes the coordinator sent since the last round are applied first (abort =
cancel the part), then the round's orders and parts are decided in arrival order, then the
``Prepared`` record is staged; one ``fdatasync`` covers all of it before the votes leave.
When the pipe closes (the coordinator died) the process leaves without a checkpoint.
"""

from __future__ import annotations

import json
import signal
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from pathlib import Path

import numpy as np

from wujie.engine.book import SkuTerms
from wujie.engine.columns import Column
from wujie.engine.decisions import OrderColumns, order_id
from wujie.engine.engine import Engine
from wujie.engine.ledger import PAY_CODES
from wujie.engine.orderbook import OrderState
from wujie.engine.partition_records import (
    ENCODER,
    I64,
    REQUESTS,
    AddSkus,
    CancelBatch,
    Close,
    Codes,
    Counts,
    Done,
    ExpireAt,
    Failed,
    Hello,
    Learn,
    OrderRow,
    OrderRows,
    PayBatch,
    Prepared,
    Query,
    ReceiveUnits,
    Reply,
    Request,
    Resolve,
    Resolved,
    Round,
    StockColumns,
    Votes,
    pack,
    unpack,
)
from wujie.engine.partition_store import TwoPhaseStore
from wujie.engine.timebase import from_us, to_us
from wujie.shared.errors import WujieError


class RoundClock:
    """The partition's clock: the coordinator stamps every request, so all parts share one time."""

    def __init__(self) -> None:
        self.now_us = to_us(datetime.now(UTC))

    def now(self) -> datetime:
        """Return the time of the request being handled."""
        return from_us(self.now_us)


@dataclass(frozen=True, slots=True)
class PartitionConfig:
    """How to open one partition's engine."""

    index: int
    directory: str
    sync: bool = True
    reservation_ttl_s: float = 900
    platform_fee_bp: int = 200
    currency: str = "CNY"


class IndexMap:
    """Coordinator (global) index -> this engine's index, for customers or regions (-1 unknown)."""

    def __init__(self) -> None:
        self.column = Column(np.int64)

    def learn(self, global_ids: I64, local_ids: I64) -> None:
        """Remember that ``global_ids`` are ``local_ids`` here."""
        if len(global_ids) == 0:
            return
        grow = int(global_ids.max()) + 1 - len(self.column)
        if grow > 0:
            self.column.extend(np.full(grow, -1, dtype=np.int64))
        self.column.view()[global_ids] = local_ids

    def local(self, global_ids: I64) -> I64:
        """Return the local index of each global index (-1 passes through as -1)."""
        table = self.column.view()
        found: I64 = np.where(global_ids >= 0, table[np.maximum(global_ids, 0)] if len(table) else -1, -1)
        return found


class Worker:
    """The partition's request handlers around its engine."""

    def __init__(self, config: PartitionConfig) -> None:
        self.clock = RoundClock()
        self.store = TwoPhaseStore(Path(config.directory), sync=config.sync)
        self.engine = Engine.open(
            config.directory,
            clock=self.clock,
            store=self.store,
            currency=config.currency,
            reservation_ttl_s=config.reservation_ttl_s,
            platform_fee_bp=config.platform_fee_bp,
        )
        self.customers = IndexMap()
        self.regions = IndexMap()
        self.pending: list[Resolve] = []

    def hello(self) -> Hello:
        """Return what the coordinator needs after recovery."""
        state = self.store.state
        return Hello(state.in_doubt_pairs(), state.max_txid, list(self.engine.state.book.skus))

    def handle(self, request: Request) -> Reply | None:
        """Answer one request (``None``: the request expects no answer)."""
        if isinstance(request, Round):
            return self.place(request)
        if isinstance(request, Learn):
            self.customers.learn(unpack(request.customer_ids), self.engine.customer_ids(request.customers))
            self.regions.learn(unpack(request.region_ids), self.engine.region_ids(request.regions))
            return None
        if isinstance(request, Resolve):
            self.pending.append(request)
            if request.now:
                with self.engine.group():
                    self.apply_resolutions()
            return None
        if isinstance(request, PayBatch | CancelBatch):
            return self.pay_or_cancel(request)
        if isinstance(request, ExpireAt):
            return self.expire(request.now_us)
        if isinstance(request, Query):
            return self.query(request)
        with self.engine.group():
            self.apply_resolutions()
            if isinstance(request, AddSkus):
                self.engine.add_skus([SkuTerms(*term) for term in request.terms])
            elif isinstance(request, ReceiveUnits):
                self.clock.now_us = request.now_us
                self.engine.receive(self.engine.state.book.skus[request.sku], request.qty)
        if isinstance(request, Close):
            self.engine.close(checkpoint=request.checkpoint)
        return Done()

    def apply_resolutions(self) -> None:
        """Apply the outcomes received since the last write (inside the caller's group)."""
        for resolve in self.pending:
            aborted = self.store.state.numbers_of(unpack(resolve.abort))
            aborted = aborted[aborted > 0]
            if len(aborted):
                self.engine.cancel([order_id(n) for n in aborted.tolist()], reason="2pc_abort")
            self.store.append_two_phase(Resolved(resolve.commit, resolve.abort))
        self.pending.clear()

    def place(self, request: Round) -> Votes:
        """Decide one round; stage the prepares with the reservations; one sync for both."""
        self.clock.now_us = request.now_us
        self.customers.learn(unpack(request.customer_ids), self.engine.customer_ids(request.new_customers))
        self.regions.learn(unpack(request.region_ids), self.engine.region_ids(request.new_regions))
        region = self.regions.local(unpack(request.region, np.int32)) if request.region else None
        batch = OrderColumns(
            customer=self.customers.local(unpack(request.customer, np.int32)),
            sku=unpack(request.sku, np.int32),
            qty=unpack(request.qty, np.int32),
            nlines=unpack(request.nlines, np.int8) if request.nlines else None,
            region=region,
        )
        txid = unpack(request.txid) if request.txid else np.zeros(len(batch.customer), dtype=np.int64)
        with self.engine.group():
            self.apply_resolutions()
            result = self.engine.place_columns(batch)
            parts = np.flatnonzero((txid > 0) & (result.reason == 0))
            if len(parts):
                leads = unpack(request.lead, np.int8)[parts]
                self.store.append_two_phase(
                    Prepared(pack(txid[parts]), pack(result.number[parts]), pack(leads, np.int8))
                )
        return Votes(pack(result.reason, np.int8), pack(result.number), pack(result.total))

    def pay_or_cancel(self, request: PayBatch | CancelBatch) -> Codes:
        """Capture or cancel by local order number (one group, one sync)."""
        self.clock.now_us = request.now_us
        with self.engine.group():
            self.apply_resolutions()
            if isinstance(request, CancelBatch):
                answers = self.engine.cancel([order_id(n) for n in request.numbers], request.reason)
                return Codes([PAY_CODES.index(code) for code in answers])
            codes = self.engine.pay_columns(request.numbers, request.amounts, request.keys)
        return Codes(codes, self.engine.last_payments())  # payment number per request (0: none), one vector read

    def expire(self, now_us: int) -> Done:
        """Expire due reservations; answer how many orders (counted once) expired."""
        self.clock.now_us = now_us
        before = self.counted_states()[OrderState.EXPIRED]
        with self.engine.group():
            self.apply_resolutions()
            self.engine.expire(from_us(now_us))
        return Done(self.counted_states()[OrderState.EXPIRED] - before)

    def counted_states(self) -> list[int]:
        """Return orders per state, leaving out parts that are not an order of their own."""
        state = self.engine.state.orders.col("state")
        counts = np.bincount(state, minlength=5)
        hidden = self.store.state.hidden
        if hidden:
            rows = np.fromiter(hidden, np.int64, len(hidden)) - 1
            counts = counts - np.bincount(state[rows], minlength=5)
        return [int(c) for c in counts]

    def counted_payments(self) -> int:
        """Return captures, counting a cross-partition order's (on its lead part) once."""
        paid_orders = self.engine.state.ledger.col("order")
        hidden = self.store.state.hidden
        if not hidden:
            return len(paid_orders)
        return int((~np.isin(paid_orders, np.fromiter(hidden, np.int64, len(hidden)))).sum())

    def query(self, request: Query) -> Reply:
        """Answer a read (pending outcomes are applied first, so reads see them)."""
        if self.pending:
            with self.engine.group():
                self.apply_resolutions()
        if request.kind == "stock":
            book = self.engine.state.book
            cols = [book.col(name).tobytes() for name in ("on_hand", "reserved", "sold")]
            return StockColumns(list(book.skus), *cols)
        if request.kind == "counts":
            journal = self.store
            return Counts(
                self.counted_states(),
                self.counted_payments(),
                journal.last_seq,
                self.engine.ledger_total(),
                journal.commits,
                journal.bytes_written,
            )
        if request.kind == "customer":
            views = self.engine.orders_of(request.customer, request.limit + len(self.store.state.hidden))
            numbers = [int(v.order_id[4:]) for v in views]
            return self.rows([n for n in numbers if n not in self.store.state.hidden][: request.limit])
        return self.rows(request.numbers)

    def rows(self, numbers: list[int]) -> OrderRows:
        """Return the orders ``numbers`` as rows."""
        found: list[OrderRow] = []
        for number in numbers:
            view = self.engine.order(order_id(number))
            if view is not None:
                row = self.engine.state.orders
                state = int(row.col("state")[number - 1])
                placed, expires = to_us(view.placed_at), to_us(view.expires_at)
                found.append((number, view.customer, view.region, state, view.total, placed, expires, list(view.lines)))
        return OrderRows(found)


def serve(conn: Connection, config: PartitionConfig) -> None:
    """Run one partition until ``Close`` or until the coordinator's end of the pipe closes."""
    try:
        worker = Worker(config)
    except (WujieError, OSError) as exc:
        conn.send_bytes(ENCODER.encode(Failed(str(getattr(exc, "code", "partition_open_failed")), str(exc))))
        return
    conn.send_bytes(ENCODER.encode(worker.hello()))
    while True:
        try:
            request = REQUESTS.decode(conn.recv_bytes())
        except (EOFError, OSError):
            worker.store.close()  # the coordinator is gone: recovery will resolve what is in doubt
            return
        try:
            reply = worker.handle(request)
        except WujieError as exc:
            reply = Failed(str(exc.code), exc.message)
        except OSError as exc:
            reply = Failed("journal_failure", str(exc))
        try:
            if reply is not None:
                conn.send_bytes(ENCODER.encode(reply))
        except OSError:
            worker.store.close()  # the coordinator is gone mid-request: leave like on a closed pipe
            return
        if isinstance(request, Close):
            return


def main(argv: list[str]) -> None:
    """Entry of ``python -m wujie.engine.partition_worker FD CONFIG_JSON`` (started by the coordinator).

    SIGINT is ignored: a Ctrl-C reaches the whole process group, and a partition must leave only
    when its coordinator closes the pipe (after the coordinator has finished its work).
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    conn = Connection(int(argv[0]))
    serve(conn, PartitionConfig(**json.loads(argv[1])))
    conn.close()


if __name__ == "__main__":
    main(sys.argv[1:])
