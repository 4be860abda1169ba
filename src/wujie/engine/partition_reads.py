"""The partitioned engine's payments, cancels, expiry, receipts and reads (mixed into the coordinator).

Single-partition orders go straight to their partition. A cross-partition order is paid or
cancelled under an ``Intent`` logged (and synced) by the coordinator first and re-driven on
recovery: a capture goes to the lead part with the client's key, then to the other parts with a
key private to the transaction, only where the lead captured; a cancel goes to every part (a part
is cancellable exactly when its lead is: the parts move through the same states at the same times).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import ParamSpec, TypeVar

import numpy as np

from wujie.engine.decisions import OrderView, PaymentResult, StockLevel, order_id, order_number, payment_id
from wujie.engine.errors import EngineError, EngineErrorCode
from wujie.engine.journal import Journal
from wujie.engine.ledger import PAY_CODES, UNKNOWN_ORDER
from wujie.engine.orderbook import OrderState
from wujie.engine.partition_link import PartitionDown, PartitionLink
from wujie.engine.partition_records import (
    CROSS_TAG,
    ENCODER,
    TAG_BITS,
    CancelBatch,
    Codes,
    Counts,
    Done,
    ExpireAt,
    Intent,
    OrderRow,
    OrderRows,
    PayBatch,
    Query,
    ReceiveUnits,
    Reply,
    Request,
    StockColumns,
)
from wujie.engine.timebase import from_us, to_us
from wujie.shared.clock import Clock

Parts = tuple[tuple[int, int, int], ...]
#: per partition: local numbers, amounts, keys, and for each the request row it answers (-1: none)
Outbox = dict[int, tuple[list[int], list[int], list[str], list[int]]]


def _add(box: Outbox, partition: int, number: int, amount: int, key: str, *, row: int) -> None:
    numbers, amounts, keys, rows = box.setdefault(partition, ([], [], [], []))
    numbers.append(number)
    amounts.append(amount)
    keys.append(key)
    rows.append(row)


P = ParamSpec("P")
R = TypeVar("R")


def serialized(method: Callable[P, R]) -> Callable[P, R]:
    """Run ``method`` under the coordinator's lock: concurrent callers take turns (one round at a time)."""

    @functools.wraps(method)
    def locked(*args: P.args, **kwargs: P.kwargs) -> R:
        with args[0]._lock:  # type: ignore[attr-defined]
            return method(*args, **kwargs)

    return locked


class PartitionReads:
    """Everything but placing orders; the coordinator provides the attributes below."""

    links: list[PartitionLink]
    txns: dict[int, Parts]
    lead_of: dict[tuple[int, int], int]
    log: Journal
    clock: Clock
    currency: str
    sku_names: list[str]
    sku_index: dict[str, int]
    sku_local: np.ndarray
    sku_partition: np.ndarray
    last_expire_us: int

    def _ensure_alive(self) -> None: ...  # provided by the coordinator

    def _restart(self, link: PartitionLink) -> None: ...  # provided by the coordinator

    def _fire(self, point: str) -> None: ...  # provided by the coordinator (fault injection in tests)

    def now_us(self) -> int:
        """Return the clock's time in epoch microseconds."""
        return to_us(self.clock.now())

    @serialized
    def _exchange(self, requests: dict[int, Request]) -> dict[int, Reply]:
        """Send each partition its request, then collect the replies; a dead partition is restarted and asked again.

        Only for requests that are safe to repeat (captures are idempotent per key; reads).
        """
        for p, request in requests.items():
            try:
                self.links[p].send(request)
            except PartitionDown:
                self._restart(self.links[p])
                self.links[p].send(request)
        replies: dict[int, Reply] = {}
        for p, request in requests.items():
            try:
                replies[p] = self.links[p].receive()
            except PartitionDown:
                self._restart(self.links[p])
                replies[p] = self.links[p].ask(request)
        return replies

    # ------------------------------------------------------------------ payments and cancels
    @serialized
    def pay_many(self, order_ids: Sequence[str], amounts: Sequence[int], keys: Sequence[str]) -> list[PaymentResult]:
        """Capture a batch of payments (idempotent per key within the partition that holds the order)."""
        self._ensure_alive()
        now_us = self.now_us()
        codes, payments = [UNKNOWN_ORDER] * len(order_ids), [0] * len(order_ids)
        box: Outbox = {}
        cross: list[tuple[int, int, str]] = []  # (row, txid, key)
        for row, (oid, amount, key) in enumerate(zip(order_ids, amounts, keys, strict=True)):
            number = order_number(oid)
            tag, high = number & CROSS_TAG, number >> TAG_BITS
            if tag == CROSS_TAG and high in self.txns:
                parts = self.txns[high]
                total = sum(part[2] for part in parts)
                if int(amount) == total:
                    cross.append((row, high, key))
                else:  # the lead part refuses it (amount, or a replayed / conflicting key)
                    _add(box, parts[0][0], parts[0][1], parts[0][2] + int(amount) - total, key, row=row)
            elif high > 0 and tag < len(self.links):
                _add(box, tag, high, int(amount), key, row=row)
        if cross:
            intent = Intent("pay", now_us, [t for _, t, _ in cross], [k for _, _, k in cross])
            self._log_intent(intent)
            self._fire("pay_logged")
            lead_codes, lead_payments = self._pay_cross(intent)
            for (row, _t, _k), code, pay in zip(cross, lead_codes, lead_payments, strict=True):
                codes[row], payments[row] = code, pay
        for p, reply in self._exchange({p: PayBatch(now_us, b[0], b[1], b[2]) for p, b in box.items()}).items():
            assert isinstance(reply, Codes)
            for row, code, pay in zip(box[p][3], reply.codes, reply.payments, strict=True):
                codes[row], payments[row] = code, (pay << TAG_BITS) | p if code == 0 else 0
        return [
            PaymentResult(PAY_CODES[code], oid, int(amount), payment_id(pay) if code == 0 else None)
            for code, pay, oid, amount in zip(codes, payments, order_ids, amounts, strict=True)
        ]

    def pay(self, order_id_: str, amount: int, idempotency_key: str) -> PaymentResult:
        """Capture one payment."""
        return self.pay_many([order_id_], [amount], [idempotency_key])[0]

    def _log_intent(self, intent: Intent) -> None:
        self.log.append(ENCODER.encode(intent))
        self.log.commit()

    def _pay_cross(self, intent: Intent) -> tuple[list[int], list[int]]:
        """Capture the lead parts, then the other parts of the transactions whose lead captured."""
        leads: Outbox = {}
        for row, (txid, key) in enumerate(zip(intent.txids, intent.keys, strict=True)):
            p, number, total = self.txns[txid][0]
            _add(leads, p, number, total, key, row=row)
        codes, payments = [UNKNOWN_ORDER] * len(intent.txids), [0] * len(intent.txids)
        for p, reply in self._exchange({p: PayBatch(intent.now_us, *b[:3]) for p, b in leads.items()}).items():
            assert isinstance(reply, Codes)
            for row, code, pay in zip(leads[p][3], reply.codes, reply.payments, strict=True):
                codes[row], payments[row] = code, (pay << TAG_BITS) | p if code == 0 else 0
        self._fire("lead_paid")
        followers: Outbox = {}
        for row, (txid, key) in enumerate(zip(intent.txids, intent.keys, strict=True)):
            if codes[row] == 0:
                for p, number, total in self.txns[txid][1:]:
                    _add(followers, p, number, total, f"{key}\x00tx{txid}", row=-1)
        self._exchange({p: PayBatch(intent.now_us, *b[:3]) for p, b in followers.items()})
        return codes, payments

    @serialized
    def cancel(self, order_ids: Sequence[str], reason: str = "customer") -> list[str | None]:
        """Cancel reserved orders, releasing their stock; return an error code (or None) per order."""
        self._ensure_alive()
        now_us = self.now_us()
        codes = [UNKNOWN_ORDER] * len(order_ids)
        box: Outbox = {}
        cross: list[int] = []
        for row, oid in enumerate(order_ids):
            number = order_number(oid)
            tag, high = number & CROSS_TAG, number >> TAG_BITS
            if tag == CROSS_TAG and high in self.txns:
                cross.append(high)
                _add(box, self.txns[high][0][0], self.txns[high][0][1], 0, "", row=row)
            elif high > 0 and tag < len(self.links):
                _add(box, tag, high, 0, "", row=row)
        if cross:
            intent = Intent("cancel", now_us, cross, [], reason[:200])
            self._log_intent(intent)
            self._cancel_followers(intent)
        for p, reply in self._exchange({p: CancelBatch(now_us, b[0], reason[:200]) for p, b in box.items()}).items():
            assert isinstance(reply, Codes)
            for row, code in zip(box[p][3], reply.codes, strict=True):
                codes[row] = code
        return [PAY_CODES[code] for code in codes]

    def _cancel_followers(self, intent: Intent) -> None:
        box: Outbox = {}
        for txid in intent.txids:
            for p, number, _total in self.txns[txid][1:]:
                _add(box, p, number, 0, "", row=-1)
        self._exchange({p: CancelBatch(intent.now_us, b[0], intent.reason) for p, b in box.items()})

    def _redrive(self, intents: list[Intent]) -> None:
        """Finish every logged pay or cancel (recovery); both are idempotent per part."""
        for intent in intents:
            if intent.kind == "pay":
                self._pay_cross(intent)
            else:
                self._cancel_followers(intent)
                leads: Outbox = {}
                for txid in intent.txids:
                    _add(leads, self.txns[txid][0][0], self.txns[txid][0][1], 0, "", row=-1)
                self._exchange({p: CancelBatch(intent.now_us, b[0], intent.reason) for p, b in leads.items()})

    @serialized
    def expire(self, now: datetime | None = None) -> int:
        """Release every reservation that ended by ``now`` in every partition; return how many orders."""
        self._ensure_alive()
        now_us = to_us(now) if now is not None else self.now_us()
        self.last_expire_us = max(self.last_expire_us, now_us)
        replies = self._exchange({p: ExpireAt(now_us) for p in range(len(self.links))})
        return sum(r.value for r in replies.values() if isinstance(r, Done))

    @serialized
    def receive(self, sku: str, qty: int) -> None:
        """Add ``qty`` units on hand to ``sku`` in its partition."""
        index = self.sku_index.get(sku)
        if index is None:
            raise EngineError(EngineErrorCode.UNKNOWN_SKU, f"unknown SKU {sku}", sku=sku)
        if qty < 1:
            raise EngineError(EngineErrorCode.INVALID_QUANTITY, "received quantity must be positive", qty=qty)
        self._ensure_alive()
        link = self.links[int(self.sku_partition[index])]
        link.ask(ReceiveUnits(int(self.sku_local[index]), qty, self.now_us()))

    # ------------------------------------------------------------------ reads
    @serialized
    def stock(self, skus: Sequence[str] | None = None) -> list[StockLevel]:
        """Return the stock levels of ``skus`` (all when ``None``; unknown ones are skipped)."""
        self._ensure_alive()
        levels: dict[str, StockLevel] = {}
        for reply in self._exchange({p: Query("stock") for p in range(len(self.links))}).values():
            assert isinstance(reply, StockColumns)
            cols = [np.frombuffer(b, np.int64).tolist() for b in (reply.on_hand, reply.reserved, reply.sold)]
            for sku, on_hand, reserved, sold in zip(reply.skus, *cols, strict=True):
                levels[sku] = StockLevel(sku, on_hand, reserved, sold, on_hand - reserved - sold)
        names = self.sku_names if skus is None else skus
        return [levels[s] for s in names if s in levels]

    @serialized
    def counts(self) -> dict[str, int]:
        """Return SKUs, orders (per state, each cross-partition order once), payments, syncs."""
        self._ensure_alive()
        replies = list(self._exchange({p: Query("counts") for p in range(len(self.links))}).values())
        states = np.sum([r.states for r in replies if isinstance(r, Counts)], axis=0)
        counted = [r for r in replies if isinstance(r, Counts)]
        return {
            "skus": len(self.sku_names),
            "orders": int(states[1:].sum()),
            **{OrderState(s).status.value: int(states[s]) for s in OrderState},
            "payments": sum(r.payments for r in counted),
            "journal_seq": sum(r.journal_seq for r in counted),
            "partition_fsyncs": sum(r.commits for r in counted),
            "journal_bytes": sum(r.journal_bytes for r in counted),
            "decisions_seq": self.log.last_seq,
            "decision_fsyncs": self.log.commits,
            "transactions": len(self.txns),
        }

    def ledger_total(self) -> int:
        """Return the sum of all ledger accounts over the partitions: zero, by construction."""
        replies = self._exchange({p: Query("counts") for p in range(len(self.links))}).values()
        return sum(r.ledger_total for r in replies if isinstance(r, Counts))

    def _rows(self, wanted: dict[int, list[int]]) -> dict[tuple[int, int], OrderRow]:
        replies = self._exchange({p: Query("orders", numbers) for p, numbers in wanted.items()})
        found: dict[tuple[int, int], OrderRow] = {}
        for p, reply in replies.items():
            assert isinstance(reply, OrderRows)
            for row in reply.rows:
                found[(p, row[0])] = row
        return found

    @serialized
    def order(self, order_id_: str) -> OrderView | None:
        """Return one order (a cross-partition order with the lines of all its parts), or ``None``."""
        self._ensure_alive()
        number = order_number(order_id_)
        tag, high = number & CROSS_TAG, number >> TAG_BITS
        if tag == CROSS_TAG:
            parts = [(p, n) for p, n, _ in self.txns.get(high, ())]
        else:
            parts = [(tag, high)] if high > 0 and tag < len(self.links) else []
        if not parts:
            return None
        wanted: dict[int, list[int]] = {}
        for p, n in parts:
            wanted.setdefault(p, []).append(n)
        rows = self._rows(wanted)
        if any(key not in rows for key in parts):
            return None
        return self._view(order_id_, [rows[key] for key in parts])

    def _view(self, oid: str, rows: list[OrderRow]) -> OrderView:
        lead = rows[0]
        return OrderView(
            order_id=oid,
            customer=lead[1],
            region=lead[2],
            status=OrderState(lead[3]).status,
            lines=tuple((sku, qty, price) for row in rows for sku, qty, price in row[7]),
            total=sum(row[4] for row in rows),
            currency=self.currency,
            placed_at=from_us(lead[5]),
            expires_at=from_us(lead[6]),
        )

    @serialized
    def orders_of(self, customer: str, limit: int = 100) -> list[OrderView]:
        """Return a customer's most recent orders (newest first)."""
        self._ensure_alive()
        replies = self._exchange({p: Query("customer", customer=customer, limit=limit) for p in range(len(self.links))})
        found: list[tuple[int, str]] = []
        for p, reply in replies.items():
            assert isinstance(reply, OrderRows)
            for row in reply.rows:
                txid = self.lead_of.get((p, row[0]))
                number = (txid << TAG_BITS) | CROSS_TAG if txid is not None else (row[0] << TAG_BITS) | p
                found.append((row[5], order_id(number)))
        found.sort(reverse=True)
        views = [self.order(oid) for _placed, oid in found[:limit]]
        return [view for view in views if view is not None]
