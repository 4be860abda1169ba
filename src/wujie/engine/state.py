"""The engine's state and the pure transitions that records drive (live and on replay alike)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from wujie.engine import records
from wujie.engine.book import BAD_LINES, BAD_QTY, OK, UNKNOWN_SKU, SkuTerms, StockBook
from wujie.engine.columns import Column
from wujie.engine.keytable import KeyBatch, KeyTable
from wujie.engine.ledger import NOT_PAYABLE, UNKNOWN_ORDER, Captures, Ledger
from wujie.engine.orderbook import LINE_COLUMNS, ORDER_COLUMNS, OrderBook, OrderState
from wujie.engine.snapshot import Snapshot

I64 = npt.NDArray[np.int64]
I8 = npt.NDArray[np.int8]
MAX_LINES = 50
MAX_QTY = 10_000
SHORT_RUN = 16  # runs of single-line orders shorter than this are decided one by one


class Names:
    """Interned names (customers, regions): index <-> name; new names wait for the next record."""

    def __init__(self, names: list[str] | None = None) -> None:
        self.names: list[str] = list(names or [])
        self.index = {name: i for i, name in enumerate(self.names)}
        self.pending: list[str] = []

    def intern(self, name: str) -> int:
        """Return the index of ``name``, adding it (pending) when new."""
        found = self.index.get(name)
        if found is None:
            found = self.index[name] = len(self.names)
            self.names.append(name)
            self.pending.append(name)
        return found

    def take_pending(self) -> list[str]:
        """Return and forget the names added since the last record."""
        pending, self.pending = self.pending, []
        return pending

    def replay(self, names: list[str]) -> None:
        """Re-add names exactly as a record lists them (a no-op live, where they are known already)."""
        if not names or names[-1] in self.index:
            return
        for name in names:
            self.intern(name)
        self.pending.clear()


@dataclass(frozen=True, slots=True)
class Lines:
    """A decoded batch: customer per order, line count and first line per order, sku/qty per line."""

    cust: I64
    nlines: I64
    starts: I64
    sku: I64
    qty: I64


@dataclass
class Changes:
    """Order rows and SKU rows changed since a projecting store last looked (PostgreSQL)."""

    orders: list[I64]
    skus: list[I64]

    def take(self) -> tuple[I64, I64]:
        """Return the unique changed order rows and SKU rows, and forget them."""
        empty = np.zeros(0, dtype=np.int64)
        orders = np.unique(np.concatenate(self.orders)) if self.orders else empty
        skus = np.unique(np.concatenate(self.skus)) if self.skus else empty
        self.orders, self.skus = [], []
        return orders, skus


def ints(blob: bytes, dtype: type[np.generic] = np.int32) -> I64:
    """Decode a column written by :func:`records` as int64."""
    return np.frombuffer(blob, dtype=dtype).astype(np.int64)


class EngineState:
    """Stock, orders, payments and names; every change goes through an ``apply_*`` method."""

    def __init__(self, fee_bp: int) -> None:
        self.book = StockBook()
        self.orders = OrderBook()
        self.ledger = Ledger(fee_bp)
        self.customers = Names()
        self.regions = Names()
        self.last_pay: Captures | None = None
        self.currency = "CNY"
        self.changes: Changes | None = None  # set by stores that project state (PostgreSQL)

    def apply(self, record: records.Record) -> None:
        """Apply any record (recovery)."""
        if isinstance(record, records.AddSkus):
            self.apply_skus(record)
        elif isinstance(record, records.Receive):
            self.apply_receive(record)
        elif isinstance(record, records.Place):
            self.apply_place(record)
        elif isinstance(record, records.PayColumns | records.Pay):
            self.apply_pay(record)
        elif isinstance(record, records.Cancel):
            self.apply_cancel(record)
        else:
            self.apply_expire(record)

    def apply_skus(self, record: records.AddSkus) -> None:
        """Add SKUs."""
        self.book.add([SkuTerms(*term) for term in record.terms])

    def apply_receive(self, record: records.Receive) -> None:
        """Add units on hand."""
        self.book.col("on_hand")[record.sku] += record.qty
        self._touched(skus=np.asarray([record.sku], dtype=np.int64))

    def _touched(self, orders: I64 | None = None, skus: I64 | None = None) -> None:
        if self.changes is not None:
            if orders is not None:
                self.changes.orders.append(orders)
            if skus is not None:
                self.changes.skus.append(skus)

    def apply_place(self, record: records.Place) -> tuple[I8, I64, I64]:
        """Decide a batch of orders; return (reason, order number or 0, total) per order."""
        self.customers.replay(record.new_customers)
        self.regions.replay(record.new_regions)
        cust, sku, qty = ints(record.customer), ints(record.sku), ints(record.qty)
        nlines = ints(record.nlines, np.int8) if record.nlines else np.ones(len(cust), dtype=np.int64)
        reasons = self._validate(nlines, sku, qty)
        batch = Lines(cust, nlines, np.cumsum(nlines) - nlines, sku, qty)
        if len(nlines) and int(nlines.max()) == 1:
            todo = np.flatnonzero(reasons == OK)
            reasons[todo] = self.book.decide_singles(cust[todo], sku[todo], qty[todo], record.now_us)
        else:
            self._decide_mixed(reasons, batch, record.now_us)
        return self._record_orders(record, reasons, batch)

    def _validate(self, nlines: I64, sku: I64, qty: I64) -> I8:
        reasons = np.zeros(len(nlines), dtype=np.int8)
        if len(nlines) == 0:
            return reasons
        if (nlines < 0).any() or int(nlines.sum()) != len(sku):
            reasons[:] = BAD_LINES  # a malformed batch: refuse all of it
            return reasons
        starts = np.cumsum(nlines) - nlines

        def per_order(bad_line: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
            running = np.concatenate(([0], np.cumsum(bad_line)))
            flagged: npt.NDArray[np.bool_] = running[starts + nlines] > running[starts]
            return flagged

        reasons[per_order((qty < 1) | (qty > MAX_QTY))] = BAD_QTY
        reasons[per_order((sku < 0) | (sku >= len(self.book)))] = UNKNOWN_SKU
        reasons[(nlines < 1) | (nlines > MAX_LINES)] = BAD_LINES
        return reasons

    def _decide_mixed(self, reasons: I8, batch: Lines, now_us: int) -> None:
        """Decide in arrival order: runs of single-line orders in one vector pass, others alone."""
        run: list[int] = []
        for row in np.flatnonzero(reasons == OK).tolist():
            if batch.nlines[row] == 1:
                run.append(row)
                continue
            self._decide_run(reasons, run, batch, now_us)
            run = []
            lo, hi = int(batch.starts[row]), int(batch.starts[row] + batch.nlines[row])
            skus, qtys = batch.sku[lo:hi].tolist(), batch.qty[lo:hi].tolist()
            reasons[row] = self.book.decide_lines(int(batch.cust[row]), skus, qtys, now_us)
        self._decide_run(reasons, run, batch, now_us)

    def _decide_run(self, reasons: I8, run: list[int], batch: Lines, now_us: int) -> None:
        if len(run) < SHORT_RUN:  # a numpy pass costs more than the scalar rule on a few rows
            for row in run:
                line = int(batch.starts[row])
                reasons[row] = self.book.decide_lines(
                    int(batch.cust[row]), [int(batch.sku[line])], [int(batch.qty[line])], now_us
                )
        else:
            rows = np.asarray(run, dtype=np.int64)
            at = batch.starts[rows]
            reasons[rows] = self.book.decide_singles(batch.cust[rows], batch.sku[at], batch.qty[at], now_us)

    def _record_orders(self, record: records.Place, reasons: I8, batch: Lines) -> tuple[I8, I64, I64]:
        cust, nlines, starts, sku, qty = batch.cust, batch.nlines, batch.starts, batch.sku, batch.qty
        accepted = np.flatnonzero(reasons == OK)
        numbers = np.zeros(len(reasons), dtype=np.int64)
        totals = np.zeros(len(reasons), dtype=np.int64)
        if len(accepted) == 0:
            return reasons, numbers, totals
        counts = nlines[accepted]
        line_rows = np.repeat(starts[accepted], counts) + (
            np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
        )
        prices = self.book.unit_prices(sku[line_rows], record.now_us)
        line_lo = np.cumsum(counts) - counts
        order_totals = np.add.reduceat(prices * qty[line_rows], line_lo)
        region = ints(record.region, np.int16) if record.region else np.full(len(reasons), -1, dtype=np.int64)
        k = len(accepted)
        orders = {
            "customer": cust[accepted],
            "region": region[accepted],
            "state": np.full(k, OrderState.RESERVED, dtype=np.int64),
            "placed": np.full(k, record.now_us, dtype=np.int64),
            "expires": np.full(k, record.now_us + record.ttl_us, dtype=np.int64),
            "total": order_totals,
            "line_lo": line_lo,
            "nlines": counts,
        }
        counted = (self.book.limits(sku[line_rows], record.now_us) > 0).astype(np.int64)
        lines = {"sku": sku[line_rows], "qty": qty[line_rows], "price": prices, "counted": counted}
        self._touched(skus=lines["sku"])
        numbers[accepted] = self.orders.append(orders, lines)
        totals[accepted] = order_totals
        return reasons, numbers, totals

    def apply_pay(self, record: records.PayColumns | records.Pay, keys: KeyBatch | None = None) -> I64:
        """Capture payments; return the code per request (``keys``: the record's keys, already decoded)."""
        if isinstance(record, records.Pay):  # the first journal format
            record = pay_columns(record.now_us, record.fee_bp, record.numbers, record.amounts, record.keys)[0]
        numbers = np.frombuffer(record.numbers, dtype="<i8").astype(np.int64)
        amounts = np.frombuffer(record.amounts, dtype="<i8").astype(np.int64)
        if keys is None:
            keys = KeyBatch.from_journal(record.keys, record.key_ends)
        self.ledger.fee_bp = record.fee_bp
        decided = self.last_pay = self.ledger.decide(self.orders, numbers, amounts, keys, record.now_us)
        if len(decided.captured):
            rows = numbers[decided.captured] - 1
            line_rows = self.orders.line_rows(rows)
            self.book.commit(self.orders.line("sku")[line_rows], self.orders.line("qty")[line_rows])
            self._touched(orders=rows, skus=self.orders.line("sku")[line_rows])
            self.ledger.record(self.orders, decided, numbers, record.now_us)
        return decided.codes

    @property
    def last_captured(self) -> list[str]:
        """Return the keys that captured in the last payment batch (in payment order)."""
        if self.last_pay is None:
            return []
        table = self.ledger.keys
        return [table.key_bytes(e).decode("utf-8", "surrogatepass") for e in self.last_captured_entries().tolist()]

    def last_captured_entries(self) -> I64:
        """Return the key entries that captured in the last payment batch (in payment order)."""
        decided = self.last_pay
        if decided is None:
            return np.zeros(0, dtype=np.int64)
        entries: I64 = decided.entries[decided.captured]
        return entries

    def apply_cancel(self, record: records.Cancel) -> list[int]:
        """Cancel reserved orders; return the code per order (0 = cancelled)."""
        state = self.orders.col("state")
        codes: list[int] = []
        rows: list[int] = []
        for number in record.numbers:
            row = number - 1
            if not 0 <= row < len(self.orders):
                codes.append(UNKNOWN_ORDER)
            elif state[row] != OrderState.RESERVED:
                codes.append(NOT_PAYABLE)  # an illegal transition
            else:
                state[row] = OrderState.CANCELLED
                rows.append(row)
                codes.append(0)
        self._release(np.asarray(rows, dtype=np.int64))
        return codes

    def apply_expire(self, record: records.Expire) -> I64:
        """Expire due reservations; return the order rows that expired."""
        rows = self.orders.due(record.now_us)
        self.orders.col("state")[rows] = OrderState.EXPIRED
        self._release(rows)
        self.orders.advance_cursor()
        return rows

    def _release(self, rows: I64) -> None:
        if len(rows) == 0:
            return
        line_rows = self.orders.line_rows(rows)
        owners = np.repeat(self.orders.col("customer")[rows], self.orders.col("nlines")[rows])
        sku, qty = self.orders.line("sku")[line_rows], self.orders.line("qty")[line_rows]
        self.book.release(owners, sku, qty, self.orders.line("counted")[line_rows] > 0)
        self._touched(orders=rows, skus=sku)

    def to_snapshot(self, seq: int) -> Snapshot:
        """Return the whole state as a snapshot at ``seq``."""
        used = self.book.used
        table = self.ledger.keys
        return Snapshot(
            seq=seq,
            skus=list(self.book.skus),
            customers=list(self.customers.names),
            regions=list(self.regions.names),
            stock={name: column.view().tobytes() for name, column in self.book.cols.items()},
            used_keys=np.fromiter(used.keys(), np.int64, len(used)).tobytes(),
            used_units=np.fromiter(used.values(), np.int64, len(used)).tobytes(),
            orders={name: column.view().tobytes() for name, column in self.orders.cols.items()},
            lines={name: column.view().tobytes() for name, column in self.orders.lines.items()},
            expiry_cursor=self.orders.expiry_cursor,
            payments={name: column.view().tobytes() for name, column in self.ledger.cols.items()},
            idem_keys=list(table),
            idem_values=table.memory(np.arange(len(table))).tobytes(),
            balances=self.ledger.customer_balance.view().tobytes(),
            merchant=self.ledger.merchant,
            platform=self.ledger.platform,
        )

    def restore(self, snap: Snapshot) -> None:
        """Load ``snap`` into this (fresh) state."""
        self.book.skus = list(snap.skus)
        self.book.index = {sku: i for i, sku in enumerate(snap.skus)}
        self.book.cols = {n: Column.from_array(np.frombuffer(b, np.int64)) for n, b in snap.stock.items()}
        keys, units = np.frombuffer(snap.used_keys, np.int64), np.frombuffer(snap.used_units, np.int64)
        self.book.used = dict(zip(keys.tolist(), units.tolist(), strict=True))
        self.customers, self.regions = Names(snap.customers), Names(snap.regions)
        self.orders.cols = {n: Column.from_array(np.frombuffer(snap.orders[n], np.int64)) for n in ORDER_COLUMNS}
        self.orders.lines = {n: Column.from_array(np.frombuffer(snap.lines[n], np.int64)) for n in LINE_COLUMNS}
        self.orders.expiry_cursor = snap.expiry_cursor
        self.ledger.cols = {n: Column.from_array(np.frombuffer(b, np.int64)) for n, b in snap.payments.items()}
        values = np.frombuffer(snap.idem_values, np.int64).reshape(-1, 4)
        self.ledger.keys = KeyTable.from_memory(snap.idem_keys, values, self.ledger.keys.hash_bits)
        self.ledger.customer_balance = Column.from_array(np.frombuffer(snap.balances, np.int64))
        self.ledger.merchant, self.ledger.platform = snap.merchant, snap.platform


def pay_columns(
    now_us: int, fee_bp: int, numbers: Sequence[int] | I64, amounts: Sequence[int] | I64, keys: Sequence[str]
) -> tuple[records.PayColumns, KeyBatch]:
    """Return the journal record of a capture batch, and its keys decoded."""
    batch, joined, ends = KeyBatch.from_strings(keys)
    number_bytes = np.asarray(numbers, dtype="<i8").tobytes()
    amount_bytes = np.asarray(amounts, dtype="<i8").tobytes()
    return records.PayColumns(now_us, fee_bp, number_bytes, amount_bytes, joined, ends), batch
