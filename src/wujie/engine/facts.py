"""Turn durable batches into the core's events for the :class:`EventSink` (only when one listens)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import numpy as np

from wujie.engine import records
from wujie.engine.decisions import OrderColumns, order_id, payment_id
from wujie.engine.ports import EventSink, NoSink
from wujie.engine.state import I64
from wujie.engine.timebase import from_us
from wujie.inventory.events import StockDepleted, StockReceived
from wujie.orders.events import LineFact, OrderCancelled, OrderExpired, OrderPaid, OrderPlaced
from wujie.payments.events import PaymentCaptured
from wujie.shared.events import Event
from wujie.shared.ids import CustomerId, LocationId, OrderId, PaymentId, RegionId, SkuId
from wujie.shared.money import Money

if TYPE_CHECKING:
    from wujie.engine.engine import Engine

#: the engine's stock lives at one logical location
ENGINE_LOCATION = LocationId("engine")


class Facts:
    """Collect the events of the current batch; publish them once the batch is durable."""

    def __init__(self, engine: Engine, sink: EventSink) -> None:
        self.engine = engine
        self.sink = sink
        self.enabled = not isinstance(sink, NoSink)
        self.pending: list[Event] = []
        self._touched: I64 = np.zeros(0, dtype=np.int64)

    def take(self) -> list[Event]:
        """Return and forget the pending events (the caller publishes them once durable)."""
        events, self.pending = self.pending, []
        return events

    def publish(self, events: list[Event]) -> None:
        """Hand ``events`` (of durable batches) to the sink."""
        if events:
            self.sink.publish(events)

    def flush(self) -> None:
        """Publish the pending events (called after the journal sync)."""
        if self.pending:
            events, self.pending = self.pending, []
            self.sink.publish(events)

    def before_place(self, batch: OrderColumns) -> None:
        """Remember which SKUs still had units before the batch (to report stock-outs)."""
        if self.enabled:
            book = self.engine.state.book
            skus = np.unique(batch.sku[(batch.sku >= 0) & (batch.sku < len(book))])
            self._touched = skus[book.available(skus) > 0]

    def placed(self, numbers: I64, now_us: int) -> None:
        """Report accepted orders and the SKUs they sold out."""
        if not self.enabled:
            return
        at = from_us(now_us)
        self.pending.extend(self._orders_placed(numbers[numbers > 0] - 1))
        book = self.engine.state.book
        for sku in self._touched[book.available(self._touched) <= 0].tolist():
            self.pending.append(StockDepleted(SkuId(book.skus[sku]), ENGINE_LOCATION, at))

    def _orders_placed(self, rows: I64) -> list[OrderPlaced]:
        """Build the ``OrderPlaced`` of order ``rows`` from the order book's columns, in row order."""
        state, currency = self.engine.state, self.engine.currency
        orders, customers = state.orders, state.customers.names
        regions = [RegionId(name) if name else None for name in state.regions.names]
        lines = self._line_facts(orders.line_rows(rows))
        counts = orders.col("nlines")[rows]
        moments: dict[int, datetime] = {}
        events: list[OrderPlaced] = []
        for row, customer, region, total, placed, hi, count in zip(
            rows.tolist(),
            orders.col("customer")[rows].tolist(),
            orders.col("region")[rows].tolist(),
            orders.col("total")[rows].tolist(),
            orders.col("placed")[rows].tolist(),
            np.cumsum(counts).tolist(),
            counts.tolist(),
            strict=True,
        ):
            at = moments.get(placed)
            if at is None:
                at = moments[placed] = from_us(placed)
            events.append(
                OrderPlaced(
                    OrderId(order_id(row + 1)),
                    CustomerId(customers[customer]),
                    regions[region] if region >= 0 else None,
                    tuple(lines[hi - count : hi]),
                    Money(total, currency),
                    at,
                )
            )
        return events

    def _line_facts(self, line_rows: I64) -> list[LineFact]:
        """Build one ``LineFact`` per line row (equal lines share one frozen object)."""
        orders, skus, currency = self.engine.state.orders, self.engine.state.book.skus, self.engine.currency
        made: dict[tuple[int, int, int], LineFact] = {}
        facts: list[LineFact] = []
        for key in zip(
            orders.line("sku")[line_rows].tolist(),
            orders.line("qty")[line_rows].tolist(),
            orders.line("price")[line_rows].tolist(),
            strict=True,
        ):
            fact = made.get(key)
            if fact is None:
                sku, qty, price = key
                fact = made[key] = LineFact(SkuId(skus[sku]), qty, Money(price, currency))
            facts.append(fact)
        return facts

    def paid(self, record: records.PayColumns) -> None:
        """Report captures (the payment and the order transition)."""
        if not self.enabled:
            return
        state, currency, at = self.engine.state, self.engine.currency, from_us(record.now_us)
        memory = state.ledger.keys.memory(state.last_captured_entries())
        if not len(memory):
            return
        numbers = memory[:, 0]
        entries = memory.tolist()
        names = state.customers.names
        for (number, amount, _, payment), customer in zip(
            entries, state.orders.col("customer")[numbers - 1].tolist(), strict=True
        ):
            order, money = OrderId(order_id(number)), Money(amount, currency)
            self.pending.append(
                PaymentCaptured(PaymentId(payment_id(payment)), order, CustomerId(names[customer]), money, at)
            )
            self.pending.append(OrderPaid(order, money, at))

    def cancelled(self, record: records.Cancel, codes: list[int]) -> None:
        """Report cancelled orders."""
        if self.enabled:
            at = from_us(record.now_us)
            self.pending.extend(
                OrderCancelled(OrderId(order_id(n)), record.reason, at)
                for n, code in zip(record.numbers, codes, strict=True)
                if code == 0
            )

    def expired(self, rows: I64, now_us: int) -> None:
        """Report orders whose reservation expired."""
        if self.enabled:
            at = from_us(now_us)
            self.pending.extend(OrderExpired(OrderId(order_id(r + 1)), at) for r in rows.tolist())

    def received(self, sku: str, qty: int, now_us: int) -> None:
        """Report units received."""
        if self.enabled:
            self.pending.append(StockReceived(SkuId(sku), ENGINE_LOCATION, qty, from_us(now_us)))
