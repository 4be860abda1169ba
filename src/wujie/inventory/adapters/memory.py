"""In-memory inventory repositories (unit tests, the twin)."""

from __future__ import annotations

from datetime import datetime

from wujie.inventory.errors import StockRuleBroken
from wujie.inventory.model import Location, Reservation, ReservationState, StockItem
from wujie.shared.ids import LocationId, OrderId, ReservationId, SkuId
from wujie.shared.staging import StagedTable, Transactional
from wujie.shared.unit_of_work import EventTracker


class MemoryInventoryTables:
    """The committed state of in-memory inventory."""

    def __init__(self) -> None:
        self.locations: StagedTable[LocationId, Location] = StagedTable()
        self.stock: StagedTable[tuple[SkuId, LocationId], StockItem] = StagedTable()
        self.reservations: StagedTable[ReservationId, Reservation] = StagedTable()
        self.sku_locations: StagedTable[SkuId, tuple[LocationId, ...]] = StagedTable()
        self.order_reservations: StagedTable[OrderId, tuple[ReservationId, ...]] = StagedTable()

    def tables(self) -> tuple[Transactional, ...]:
        """Return every table, for commit and rollback."""
        return (self.locations, self.stock, self.reservations, self.sku_locations, self.order_reservations)


class MemoryLocationRepository:
    """Locations in memory."""

    def __init__(self, tables: MemoryInventoryTables) -> None:
        self._table = tables.locations

    def add(self, location: Location) -> None:
        """Store a new location."""
        self._table.put(location.id, location)

    def get(self, location_id: LocationId) -> Location | None:
        """Return the location or ``None``."""
        return self._table.get(location_id)

    def all(self) -> list[Location]:
        """Return every location, by id."""
        return sorted(self._table.select(lambda _: True), key=lambda loc: loc.id)


class MemoryStockRepository:
    """Stock items in memory; ``save`` re-checks the stock rule like the SQLite CHECK constraint."""

    def __init__(self, tables: MemoryInventoryTables, tracker: EventTracker) -> None:
        self._table = tables.stock
        self._index = tables.sku_locations
        self._tracker = tracker

    def add(self, item: StockItem) -> None:
        """Store a new stock item."""
        self.save(item)
        locations = self._index.get(item.sku) or ()
        self._index.put(item.sku, tuple(sorted({*locations, item.location})))

    def get(self, sku: SkuId, location: LocationId) -> StockItem | None:
        """Return a private copy of the stock item or ``None``."""
        item = self._table.get((sku, location))
        if item is not None:
            self._tracker.track(item)
        return item

    def for_sku(self, sku: SkuId) -> list[StockItem]:
        """Return the SKU's stock items, by location id."""
        found = (self._table.get((sku, location)) for location in self._index.get(sku) or ())
        items = [item for item in found if item is not None]
        for item in items:
            self._tracker.track(item)
        return items

    def save(self, item: StockItem) -> None:
        """Stage the item's counts, refusing any that break the stock rule."""
        if min(item.reserved, item.sold) < 0 or item.sold + item.reserved > item.on_hand:
            raise StockRuleBroken(item.sku, item.location)
        self._table.put((item.sku, item.location), item)
        self._tracker.track(item)


class MemoryReservationRepository:
    """Reservations in memory."""

    def __init__(self, tables: MemoryInventoryTables) -> None:
        self._table = tables.reservations
        self._index = tables.order_reservations

    def add(self, reservation: Reservation) -> None:
        """Store a new reservation."""
        self._table.put(reservation.id, reservation)
        ids = self._index.get(reservation.order_id) or ()
        self._index.put(reservation.order_id, tuple(sorted({*ids, reservation.id})))

    def get(self, reservation_id: ReservationId) -> Reservation | None:
        """Return a private copy of the reservation or ``None``."""
        return self._table.get(reservation_id)

    def for_order(self, order_id: OrderId) -> list[Reservation]:
        """Return the order's reservations, by id."""
        found = (self._table.get(reservation_id) for reservation_id in self._index.get(order_id) or ())
        return [reservation for reservation in found if reservation is not None]

    def due(self, now: datetime, limit: int) -> list[Reservation]:
        """Return up to ``limit`` held reservations whose time is up, oldest first."""
        due = self._table.select(lambda r: r.state is ReservationState.HELD and r.expires_at <= now)
        return sorted(due, key=lambda r: (r.expires_at, r.id))[:limit]

    def save(self, reservation: Reservation) -> None:
        """Stage the reservation's new state."""
        self._table.put(reservation.id, reservation)
