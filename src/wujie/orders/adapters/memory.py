"""In-memory order repositories (unit tests, the twin)."""

from __future__ import annotations

from datetime import datetime

from wujie.orders.model import Order, PurchaseQuota
from wujie.shared.ids import CustomerId, FlashSaleId, OrderId
from wujie.shared.staging import StagedTable, Transactional
from wujie.shared.unit_of_work import EventTracker


class MemoryOrderTables:
    """The committed state of in-memory orders."""

    def __init__(self) -> None:
        self.orders: StagedTable[OrderId, Order] = StagedTable()
        self.quotas: StagedTable[tuple[FlashSaleId, CustomerId], PurchaseQuota] = StagedTable()

    def tables(self) -> tuple[Transactional, ...]:
        """Return every table, for commit and rollback."""
        return (self.orders, self.quotas)


class MemoryOrderRepository:
    """Orders in memory."""

    def __init__(self, tables: MemoryOrderTables, tracker: EventTracker) -> None:
        self._table = tables.orders
        self._tracker = tracker

    def add(self, order: Order) -> None:
        """Store a new order."""
        self.save(order)

    def get(self, order_id: OrderId) -> Order | None:
        """Return a private copy of the order or ``None``."""
        order = self._table.get(order_id)
        if order is not None:
            self._tracker.track(order)
        return order

    def save(self, order: Order) -> None:
        """Stage the order's new state."""
        self._table.put(order.id, order)
        self._tracker.track(order)

    def due(self, now: datetime, limit: int) -> list[Order]:
        """Return up to ``limit`` unpaid orders whose reservation ran out, oldest first."""
        due = sorted(self._table.select(lambda o: o.is_due(now)), key=lambda o: (o.expires_at, o.id))[:limit]
        for order in due:
            self._tracker.track(order)
        return due


class MemoryQuotaRepository:
    """Purchase quotas in memory."""

    def __init__(self, tables: MemoryOrderTables) -> None:
        self._table = tables.quotas

    def get(self, sale_id: FlashSaleId, customer_id: CustomerId) -> PurchaseQuota:
        """Return the quota (a fresh one at zero if none exists)."""
        return self._table.get((sale_id, customer_id)) or PurchaseQuota(sale_id, customer_id)

    def save(self, quota: PurchaseQuota) -> None:
        """Stage the quota's new count."""
        self._table.put((quota.sale_id, quota.customer_id), quota)
