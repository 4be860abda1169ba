"""Inventory use cases: one function per command, one unit of work, one commit.

:class:`StockDesk` is the inventory service other areas reach through their own ports
(the orders area's ``StockKeeper``): it works inside the caller's open unit of work.
"""

from __future__ import annotations

from datetime import datetime

from wujie.inventory.commands import (
    AddLocation,
    CommitReservation,
    ExpireReservations,
    ReceiveStock,
    ReleaseReservation,
    ReserveStock,
)
from wujie.inventory.errors import (
    InsufficientStock,
    InvalidLocation,
    InventoryError,
    InventoryErrorCode,
    UnknownEntity,
)
from wujie.inventory.model import Location, LocationKind, Reservation, ReservationState, StockItem, plan_reservation
from wujie.inventory.ports import InventoryUnitOfWork
from wujie.shared.clock import Clock
from wujie.shared.ids import LocationId, OrderId, RegionId, ReservationId, SkuId

#: How many due reservations one sweep transaction handles.
SWEEP_BATCH = 500


def add_location(cmd: AddLocation, uow: InventoryUnitOfWork) -> None:
    """Register a warehouse or store."""
    if cmd.kind not in set(LocationKind):
        raise InvalidLocation("kind must be 'warehouse' or 'store'", location=cmd.location_id, kind=cmd.kind)
    location = Location(cmd.location_id, cmd.name, LocationKind(cmd.kind), cmd.region, cmd.lat, cmd.lon)
    with uow:
        if uow.locations.get(cmd.location_id) is not None:
            raise InvalidLocation("location already exists", InventoryErrorCode.DUPLICATE, location=cmd.location_id)
        uow.locations.add(location)
        uow.commit()


def receive_stock(cmd: ReceiveStock, uow: InventoryUnitOfWork, clock: Clock) -> None:
    """Add units of a SKU at a location."""
    with uow:
        if uow.locations.get(cmd.location) is None:
            raise UnknownEntity(InventoryErrorCode.UNKNOWN_LOCATION, "location", cmd.location)
        item = uow.stock.get(cmd.sku, cmd.location)
        if item is None:
            item = StockItem(cmd.sku, cmd.location)
            item.receive(cmd.quantity, clock.now())
            uow.stock.add(item)
        else:
            item.receive(cmd.quantity, clock.now())
            uow.stock.save(item)
        uow.commit()


def reserve_stock(cmd: ReserveStock, uow: InventoryUnitOfWork, clock: Clock) -> list[ReservationId]:
    """Hold units of a SKU for an order."""
    with uow:
        held = StockDesk(uow).hold(cmd.order_id, cmd.sku, cmd.quantity, cmd.expires_at, cmd.region, at=clock.now())
        uow.commit()
    return [reservation.id for reservation in held]


def release_reservation(cmd: ReleaseReservation, uow: InventoryUnitOfWork, clock: Clock) -> None:
    """Give a reservation's units back."""
    with uow:
        reservation, item = _load(uow, cmd.reservation_id)
        item.release(reservation, cmd.reason, clock.now())
        _save(uow, reservation, item)
        uow.commit()


def commit_reservation(cmd: CommitReservation, uow: InventoryUnitOfWork, clock: Clock) -> None:
    """Turn a reservation into sold units."""
    with uow:
        reservation, item = _load(uow, cmd.reservation_id)
        item.commit(reservation, clock.now())
        _save(uow, reservation, item)
        uow.commit()


def expire_reservations(cmd: ExpireReservations, uow: InventoryUnitOfWork, clock: Clock) -> int:
    """Release every held reservation whose time is up; return how many."""
    expired = 0
    while True:
        with uow:
            now = clock.now()
            due = uow.reservations.due(now, SWEEP_BATCH)
            for reservation in due:
                item = _stock_of(uow, reservation)
                item.expire(reservation, now)
                _save(uow, reservation, item)
            uow.commit()
        expired += len(due)
        if len(due) < SWEEP_BATCH:
            return expired


class StockDesk:
    """Inventory operations for an order, inside an open unit of work (the caller commits)."""

    def __init__(self, uow: InventoryUnitOfWork) -> None:
        self._uow = uow

    def hold(
        self,
        order_id: OrderId,
        sku: SkuId,
        quantity: int,
        expires_at: datetime,
        region: RegionId | None,
        *,
        at: datetime,
    ) -> list[Reservation]:
        """Reserve ``quantity`` units of ``sku`` (near ``region`` first, split if needed)."""
        items = self._uow.stock.for_sku(sku)
        if not items:
            raise InsufficientStock(sku, quantity, 0)
        regions = {loc.id: loc.region for loc in self._uow.locations.all()}
        held: list[Reservation] = []
        for item, take in plan_reservation(sku, items, quantity, regions, region):
            reservation_id = ReservationId(f"{order_id}:{sku}:{item.location}")
            if self._uow.reservations.get(reservation_id) is not None:
                raise InventoryError(InventoryErrorCode.DUPLICATE, f"reservation {reservation_id!r} exists")
            reservation = item.reserve(reservation_id, order_id, take, expires_at, at)
            self._uow.stock.save(item)
            self._uow.reservations.add(reservation)
            held.append(reservation)
        return held

    def release(self, order_id: OrderId, reason: str, at: datetime) -> int:
        """Release the order's held reservations; return the units given back."""
        units = 0
        for reservation in self._held(order_id):
            item = _stock_of(self._uow, reservation)
            item.release(reservation, reason, at)
            _save(self._uow, reservation, item)
            units += reservation.quantity
        return units

    def commit(self, order_id: OrderId, at: datetime) -> tuple[LocationId, ...]:
        """Turn the order's held reservations into sold units; return their locations."""
        locations: list[LocationId] = []
        for reservation in self._held(order_id):
            item = _stock_of(self._uow, reservation)
            item.commit(reservation, at)
            _save(self._uow, reservation, item)
            locations.append(reservation.location)
        return tuple(dict.fromkeys(locations))

    def locations(self, order_id: OrderId) -> tuple[LocationId, ...]:
        """Return the locations holding the order's reservations."""
        return tuple(dict.fromkeys(r.location for r in self._held(order_id)))

    def _held(self, order_id: OrderId) -> list[Reservation]:
        return [r for r in self._uow.reservations.for_order(order_id) if r.state is ReservationState.HELD]


def _load(uow: InventoryUnitOfWork, reservation_id: ReservationId) -> tuple[Reservation, StockItem]:
    reservation = uow.reservations.get(reservation_id)
    if reservation is None:
        raise UnknownEntity(InventoryErrorCode.UNKNOWN_RESERVATION, "reservation", reservation_id)
    return reservation, _stock_of(uow, reservation)


def _stock_of(uow: InventoryUnitOfWork, reservation: Reservation) -> StockItem:
    item = uow.stock.get(reservation.sku, reservation.location)
    if item is None:
        raise UnknownEntity(InventoryErrorCode.UNKNOWN_STOCK, "stock item", f"{reservation.sku}@{reservation.location}")
    return item


def _save(uow: InventoryUnitOfWork, reservation: Reservation, item: StockItem) -> None:
    uow.stock.save(item)
    uow.reservations.save(reservation)
