"""Ports of the inventory area."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from wujie.inventory.model import Location, Reservation, StockItem
from wujie.shared.ids import LocationId, OrderId, ReservationId, SkuId
from wujie.shared.unit_of_work import UnitOfWork


class LocationRepository(Protocol):
    """Warehouses and stores."""

    def add(self, location: Location) -> None:
        """Store a new location."""
        ...

    def get(self, location_id: LocationId) -> Location | None:
        """Return the location or ``None``."""
        ...

    def all(self) -> list[Location]:
        """Return every location, by id."""
        ...


class StockRepository(Protocol):
    """Stock items (SKU x location).

    ``save`` must refuse to persist counts that break ``sold + reserved <= on_hand`` (the SQLite
    adapter has a CHECK constraint and a version guard), so a bug above cannot oversell.
    """

    def add(self, item: StockItem) -> None:
        """Store a new stock item."""
        ...

    def get(self, sku: SkuId, location: LocationId) -> StockItem | None:
        """Return the stock item or ``None``."""
        ...

    def for_sku(self, sku: SkuId) -> list[StockItem]:
        """Return the SKU's stock items at every location, by location id."""
        ...

    def save(self, item: StockItem) -> None:
        """Store the item's new counts."""
        ...


class ReservationRepository(Protocol):
    """Reservations of stock for orders."""

    def add(self, reservation: Reservation) -> None:
        """Store a new reservation."""
        ...

    def get(self, reservation_id: ReservationId) -> Reservation | None:
        """Return the reservation or ``None``."""
        ...

    def for_order(self, order_id: OrderId) -> list[Reservation]:
        """Return the order's reservations, by id."""
        ...

    def due(self, now: datetime, limit: int) -> list[Reservation]:
        """Return up to ``limit`` held reservations whose time is up, oldest first."""
        ...

    def save(self, reservation: Reservation) -> None:
        """Store the reservation's new state."""
        ...


class InventoryUnitOfWork(UnitOfWork, Protocol):
    """A transaction over locations, stock and reservations."""

    locations: LocationRepository
    stock: StockRepository
    reservations: ReservationRepository
