"""Turn durable batches into the core's events for the :class:`EventSink` (only when one listens)."""

from __future__ import annotations

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
        engine, at = self.engine, from_us(now_us)
        for number in numbers[numbers > 0].tolist():
            view = engine.order(order_id(number))
            assert view is not None
            lines = tuple(LineFact(SkuId(s), q, Money(p, engine.currency)) for s, q, p in view.lines)
            self.pending.append(
                OrderPlaced(
                    OrderId(view.order_id),
                    CustomerId(view.customer),
                    RegionId(view.region) if view.region else None,
                    lines,
                    Money(view.total, engine.currency),
                    view.placed_at,
                )
            )
        book = engine.state.book
        for sku in self._touched[book.available(self._touched) <= 0].tolist():
            self.pending.append(StockDepleted(SkuId(book.skus[sku]), ENGINE_LOCATION, at))

    def paid(self, record: records.Pay) -> None:
        """Report captures (the payment and the order transition)."""
        if not self.enabled:
            return
        engine, at = self.engine, from_us(record.now_us)
        memory = engine.state.ledger.keys
        for key in engine.state.last_captured:
            number, amount, _, payment = memory[key]
            view = engine.order(order_id(number))
            assert view is not None
            money = Money(amount, engine.currency)
            self.pending.append(
                PaymentCaptured(
                    PaymentId(payment_id(payment)), OrderId(view.order_id), CustomerId(view.customer), money, at
                )
            )
            self.pending.append(OrderPaid(OrderId(view.order_id), money, at))

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
