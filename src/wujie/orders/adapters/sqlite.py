"""SQLite order repositories. They run inside the caller's transaction (see ``wujie.bootstrap``).

An order row changes only from the status it was read in (a guarded update), so two writers can
never both move the same order.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime

from wujie.orders.errors import DuplicateOrder, IllegalTransition
from wujie.orders.model import Order, OrderLine, OrderStatus, PurchaseQuota
from wujie.shared.clock import from_utc_text, to_utc_text
from wujie.shared.ids import CustomerId, FlashSaleId, LocationId, OrderId, PaymentId, RegionId, SkuId
from wujie.shared.money import Money
from wujie.shared.unit_of_work import EventTracker

SCHEMA = """
CREATE TABLE IF NOT EXISTS orders (
    id TEXT PRIMARY KEY, customer_id TEXT NOT NULL, region TEXT, status TEXT NOT NULL,
    placed_at TEXT NOT NULL, expires_at TEXT, payment_id TEXT, locations TEXT NOT NULL, lines TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS orders_due ON orders(status, expires_at);
CREATE TABLE IF NOT EXISTS purchase_quotas (
    sale_id TEXT NOT NULL, customer_id TEXT NOT NULL, used INTEGER NOT NULL CHECK (used >= 0),
    PRIMARY KEY (sale_id, customer_id)
);
"""

_COLUMNS = "id, customer_id, region, status, placed_at, expires_at, payment_id, locations, lines"


class SqliteOrderRepository:
    """Orders in SQLite."""

    def __init__(self, connection: sqlite3.Connection, tracker: EventTracker) -> None:
        self._db = connection
        self._tracker = tracker
        self._read: dict[OrderId, OrderStatus] = {}

    def add(self, order: Order) -> None:
        """Store a new order."""
        try:
            self._db.execute(f"INSERT INTO orders ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", _row(order))
        except sqlite3.IntegrityError as exc:
            raise DuplicateOrder(order.id) from exc
        self._read[order.id] = order.status
        self._tracker.track(order)

    def get(self, order_id: OrderId) -> Order | None:
        """Return the order or ``None``."""
        row = self._db.execute(f"SELECT {_COLUMNS} FROM orders WHERE id = ?", (order_id,)).fetchone()
        return None if row is None else self._order(row)

    def save(self, order: Order) -> None:
        """Store the order's new state, only if nobody moved it since it was read."""
        values = _row(order)
        cursor = self._db.execute(
            "UPDATE orders SET status = ?, expires_at = ?, payment_id = ?, locations = ? WHERE id = ? AND status = ?",
            (values[3], values[5], values[6], values[7], order.id, self._read[order.id]),
        )
        if cursor.rowcount != 1:
            raise IllegalTransition(order.id, "changed by another writer", order.status)
        self._read[order.id] = order.status
        self._tracker.track(order)

    def due(self, now: datetime, limit: int) -> list[Order]:
        """Return up to ``limit`` unpaid orders whose reservation ran out, oldest first."""
        rows = self._db.execute(
            f"SELECT {_COLUMNS} FROM orders WHERE status IN ('created', 'reserved') AND expires_at <= ?"
            " ORDER BY expires_at, id LIMIT ?",
            (to_utc_text(now), limit),
        )
        return [self._order(row) for row in rows]

    def _order(self, row: tuple[str, ...]) -> Order:
        lines = tuple(
            OrderLine(SkuId(sku), quantity, Money(minor, currency), None if sale is None else FlashSaleId(sale))
            for sku, quantity, minor, currency, sale in json.loads(row[8])
        )
        order = Order(
            OrderId(row[0]),
            CustomerId(row[1]),
            None if row[2] is None else RegionId(row[2]),
            lines,
            from_utc_text(row[4]),
            OrderStatus(row[3]),
            None if row[5] is None else from_utc_text(row[5]),
            None if row[6] is None else PaymentId(row[6]),
            tuple(LocationId(loc) for loc in json.loads(row[7])),
        )
        self._read[order.id] = order.status
        self._tracker.track(order)
        return order


class SqliteQuotaRepository:
    """Purchase quotas in SQLite, written as deltas since they were read (a CHECK keeps them >= 0)."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._db = connection
        self._read: dict[tuple[FlashSaleId, CustomerId], int | None] = {}

    def get(self, sale_id: FlashSaleId, customer_id: CustomerId) -> PurchaseQuota:
        """Return the quota (a fresh one at zero if none exists)."""
        row = self._db.execute(
            "SELECT used FROM purchase_quotas WHERE sale_id = ? AND customer_id = ?", (sale_id, customer_id)
        ).fetchone()
        self._read[(sale_id, customer_id)] = None if row is None else int(row[0])
        return PurchaseQuota(sale_id, customer_id, 0 if row is None else int(row[0]))

    def save(self, quota: PurchaseQuota) -> None:
        """Store the quota's new count."""
        key = (quota.sale_id, quota.customer_id)
        read = self._read[key]
        if read is None:
            self._db.execute("INSERT INTO purchase_quotas VALUES (?, ?, ?)", (*key, quota.used))
        else:
            self._db.execute(
                "UPDATE purchase_quotas SET used = used + ? WHERE sale_id = ? AND customer_id = ?",
                (quota.used - read, *key),
            )
        self._read[key] = quota.used


def _row(order: Order) -> tuple[str | None, ...]:
    lines = [[ln.sku, ln.quantity, ln.unit_price.minor, ln.unit_price.currency, ln.flash_sale] for ln in order.lines]
    return (
        order.id,
        order.customer_id,
        order.region,
        order.status,
        to_utc_text(order.placed_at),
        None if order.expires_at is None else to_utc_text(order.expires_at),
        order.payment_id,
        json.dumps(list(order.locations)),
        json.dumps(lines),
    )
