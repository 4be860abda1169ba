"""SQLite inventory repositories. They run inside the caller's transaction (see ``wujie.bootstrap``).

Stock is written with a guarded atomic statement: the change since the row was read is applied as
deltas, ``WHERE`` the result still satisfies ``sold + reserved <= on_hand``, and a CHECK constraint
refuses any row that breaks the rule. Even a writer that skipped ``BEGIN IMMEDIATE`` cannot oversell.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime

from wujie.inventory.errors import (
    InsufficientStock,
    InvalidLocation,
    InventoryError,
    InventoryErrorCode,
    ReservationClosed,
)
from wujie.inventory.model import Location, LocationKind, Reservation, ReservationState, StockItem
from wujie.shared.clock import from_utc_text, to_utc_text
from wujie.shared.ids import LocationId, OrderId, RegionId, ReservationId, SkuId
from wujie.shared.unit_of_work import EventTracker

SCHEMA = """
CREATE TABLE IF NOT EXISTS locations (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL CHECK (kind IN ('warehouse', 'store')),
    region TEXT NOT NULL, lat REAL NOT NULL, lon REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS stock (
    sku TEXT NOT NULL, location TEXT NOT NULL REFERENCES locations(id),
    on_hand INTEGER NOT NULL, reserved INTEGER NOT NULL, sold INTEGER NOT NULL,
    PRIMARY KEY (sku, location),
    CHECK (reserved >= 0 AND sold >= 0 AND sold + reserved <= on_hand)
);
CREATE TABLE IF NOT EXISTS reservations (
    id TEXT PRIMARY KEY, order_id TEXT NOT NULL, sku TEXT NOT NULL, location TEXT NOT NULL,
    quantity INTEGER NOT NULL CHECK (quantity > 0), expires_at TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('held', 'released', 'expired', 'committed'))
);
CREATE INDEX IF NOT EXISTS reservations_by_order ON reservations(order_id);
CREATE INDEX IF NOT EXISTS reservations_due ON reservations(state, expires_at);
"""

_GUARDED_STOCK_UPDATE = """
UPDATE stock SET on_hand = on_hand + :d_on, reserved = reserved + :d_res, sold = sold + :d_sold
WHERE sku = :sku AND location = :location
  AND reserved + :d_res >= 0 AND sold + :d_sold >= 0
  AND (on_hand + :d_on) - (reserved + :d_res) - (sold + :d_sold) >= 0
"""


class SqliteLocationRepository:
    """Locations in SQLite."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._db = connection

    def add(self, location: Location) -> None:
        """Store a new location."""
        try:
            self._db.execute(
                "INSERT INTO locations VALUES (?, ?, ?, ?, ?, ?)",
                (location.id, location.name, location.kind, location.region, location.lat, location.lon),
            )
        except sqlite3.IntegrityError as exc:
            raise InvalidLocation(
                "location already exists", InventoryErrorCode.DUPLICATE, location=location.id
            ) from exc

    def get(self, location_id: LocationId) -> Location | None:
        """Return the location or ``None``."""
        row = self._db.execute("SELECT * FROM locations WHERE id = ?", (location_id,)).fetchone()
        return None if row is None else _location(row)

    def all(self) -> list[Location]:
        """Return every location, by id."""
        return [_location(row) for row in self._db.execute("SELECT * FROM locations ORDER BY id")]


class SqliteStockRepository:
    """Stock items in SQLite, written with guarded delta updates."""

    def __init__(self, connection: sqlite3.Connection, tracker: EventTracker) -> None:
        self._db = connection
        self._tracker = tracker
        self._read: dict[tuple[SkuId, LocationId], tuple[int, int, int]] = {}

    def add(self, item: StockItem) -> None:
        """Store a new stock item."""
        try:
            self._db.execute(
                "INSERT INTO stock VALUES (?, ?, ?, ?, ?)",
                (item.sku, item.location, item.on_hand, item.reserved, item.sold),
            )
        except sqlite3.IntegrityError as exc:
            raise InventoryError(
                InventoryErrorCode.DUPLICATE,
                f"stock of {item.sku!r} at {item.location!r} exists or the place is unknown",
            ) from exc
        self._read[(item.sku, item.location)] = (item.on_hand, item.reserved, item.sold)
        self._tracker.track(item)

    def get(self, sku: SkuId, location: LocationId) -> StockItem | None:
        """Return the stock item or ``None``."""
        row = self._db.execute(
            "SELECT sku, location, on_hand, reserved, sold FROM stock WHERE sku = ? AND location = ?", (sku, location)
        ).fetchone()
        return None if row is None else self._item(row)

    def for_sku(self, sku: SkuId) -> list[StockItem]:
        """Return the SKU's stock items, by location id."""
        rows = self._db.execute(
            "SELECT sku, location, on_hand, reserved, sold FROM stock WHERE sku = ? ORDER BY location", (sku,)
        )
        return [self._item(row) for row in rows]

    def save(self, item: StockItem) -> None:
        """Apply the item's change since it was read, guarded by the stock rule."""
        key = (item.sku, item.location)
        on_hand, reserved, sold = self._read[key]
        deltas = {"d_on": item.on_hand - on_hand, "d_res": item.reserved - reserved, "d_sold": item.sold - sold}
        cursor = self._db.execute(_GUARDED_STOCK_UPDATE, {"sku": item.sku, "location": item.location, **deltas})
        if cursor.rowcount != 1:
            raise InsufficientStock(item.sku, deltas["d_res"] + deltas["d_sold"], item.available, item.location)
        self._read[key] = (item.on_hand, item.reserved, item.sold)
        self._tracker.track(item)

    def _item(self, row: tuple[str, str, int, int, int]) -> StockItem:
        item = StockItem(SkuId(row[0]), LocationId(row[1]), row[2], row[3], row[4])
        self._read[(item.sku, item.location)] = (item.on_hand, item.reserved, item.sold)
        self._tracker.track(item)
        return item


class SqliteReservationRepository:
    """Reservations in SQLite; a closed reservation never reopens (guarded state update)."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._db = connection

    def add(self, reservation: Reservation) -> None:
        """Store a new reservation."""
        r = reservation
        self._db.execute(
            "INSERT INTO reservations VALUES (?, ?, ?, ?, ?, ?, ?)",
            (r.id, r.order_id, r.sku, r.location, r.quantity, to_utc_text(r.expires_at), r.state),
        )

    def get(self, reservation_id: ReservationId) -> Reservation | None:
        """Return the reservation or ``None``."""
        row = self._db.execute("SELECT * FROM reservations WHERE id = ?", (reservation_id,)).fetchone()
        return None if row is None else _reservation(row)

    def for_order(self, order_id: OrderId) -> list[Reservation]:
        """Return the order's reservations, by id."""
        rows = self._db.execute("SELECT * FROM reservations WHERE order_id = ? ORDER BY id", (order_id,))
        return [_reservation(row) for row in rows]

    def due(self, now: datetime, limit: int) -> list[Reservation]:
        """Return up to ``limit`` held reservations whose time is up, oldest first."""
        rows = self._db.execute(
            "SELECT * FROM reservations WHERE state = 'held' AND expires_at <= ? ORDER BY expires_at, id LIMIT ?",
            (to_utc_text(now), limit),
        )
        return [_reservation(row) for row in rows]

    def save(self, reservation: Reservation) -> None:
        """Store the reservation's new state (only a held one may change)."""
        cursor = self._db.execute(
            "UPDATE reservations SET state = :state WHERE id = :id AND state IN ('held', :state)",
            {"state": reservation.state, "id": reservation.id},
        )
        if cursor.rowcount != 1:
            raise ReservationClosed(reservation.id, "closed by another writer")


def _location(row: tuple[str, str, str, str, float, float]) -> Location:
    return Location(LocationId(row[0]), row[1], LocationKind(row[2]), RegionId(row[3]), row[4], row[5])


def _reservation(row: tuple[str, str, str, str, int, str, str]) -> Reservation:
    return Reservation(
        ReservationId(row[0]),
        OrderId(row[1]),
        SkuId(row[2]),
        LocationId(row[3]),
        row[4],
        from_utc_text(row[5]),
        ReservationState(row[6]),
    )
