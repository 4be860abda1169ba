"""The inventory domain: locations, stock per SKU x location, reservations with expiry.

The rule ``sold + reserved <= on_hand`` holds after every method (``on_hand`` counts every unit
received at the location; ``sold`` the units that left it). Pure Python: standard library and
:mod:`wujie.shared` only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from wujie.inventory.errors import InsufficientStock, InvalidLocation, InvalidQuantity, ReservationClosed
from wujie.inventory.events import (
    ReservationCommitted,
    ReservationReleased,
    StockDepleted,
    StockReceived,
    StockReserved,
)
from wujie.shared.events import Event
from wujie.shared.ids import LocationId, OrderId, RegionId, ReservationId, SkuId


class LocationKind(StrEnum):
    """Where stock is kept."""

    WAREHOUSE = "warehouse"
    STORE = "store"


@dataclass(frozen=True, slots=True)
class Location:
    """A warehouse or a store, in a region, at a latitude/longitude (degrees)."""

    id: LocationId
    name: str
    kind: LocationKind
    region: RegionId
    lat: float
    lon: float

    def __post_init__(self) -> None:
        if not -90.0 <= self.lat <= 90.0 or not -180.0 <= self.lon <= 180.0:
            raise InvalidLocation("latitude/longitude out of range", location=self.id, lat=self.lat, lon=self.lon)
        if not isinstance(self.kind, LocationKind):
            raise InvalidLocation("kind must be 'warehouse' or 'store'", location=self.id, kind=str(self.kind))


class ReservationState(StrEnum):
    """Life of a reservation: held, then exactly one of released, expired or committed."""

    HELD = "held"
    RELEASED = "released"
    EXPIRED = "expired"
    COMMITTED = "committed"


@dataclass(eq=False)
class Reservation:
    """Units of one SKU at one location held for an order until ``expires_at``."""

    id: ReservationId
    order_id: OrderId
    sku: SkuId
    location: LocationId
    quantity: int
    expires_at: datetime
    state: ReservationState = ReservationState.HELD

    def is_due(self, now: datetime) -> bool:
        """Return whether the reservation is still held and its time is up."""
        return self.state is ReservationState.HELD and self.expires_at <= now


def check_quantity(quantity: object) -> int:
    """Return ``quantity`` if it is a positive ``int``, else raise :class:`InvalidQuantity`."""
    if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity <= 0:
        raise InvalidQuantity(quantity)
    return quantity


@dataclass(eq=False)
class StockItem:
    """The stock aggregate: counts of one SKU at one location."""

    sku: SkuId
    location: LocationId
    on_hand: int = 0
    reserved: int = 0
    sold: int = 0
    events: list[Event] = field(default_factory=list, repr=False)

    @property
    def available(self) -> int:
        """Units that can still be reserved."""
        return self.on_hand - self.reserved - self.sold

    def receive(self, quantity: int, at: datetime) -> None:
        """Add ``quantity`` units to the shelf."""
        self.on_hand += check_quantity(quantity)
        self.events.append(StockReceived(self.sku, self.location, quantity, at))

    def reserve(
        self, reservation_id: ReservationId, order_id: OrderId, quantity: int, expires_at: datetime, at: datetime
    ) -> Reservation:
        """Hold ``quantity`` units for ``order_id``; raise :class:`InsufficientStock` if fewer are available."""
        check_quantity(quantity)
        if quantity > self.available:
            raise InsufficientStock(self.sku, quantity, self.available, self.location)
        self.reserved += quantity
        self.events.append(StockReserved(reservation_id, order_id, self.sku, self.location, quantity, expires_at, at))
        if self.available == 0:
            self.events.append(StockDepleted(self.sku, self.location, at))
        return Reservation(reservation_id, order_id, self.sku, self.location, quantity, expires_at)

    def release(self, reservation: Reservation, reason: str, at: datetime) -> None:
        """Give a held reservation's units back (``reason='expired'`` marks it expired)."""
        self._close(reservation, ReservationState.EXPIRED if reason == "expired" else ReservationState.RELEASED)
        self.reserved -= reservation.quantity
        self.events.append(
            ReservationReleased(
                reservation.id, reservation.order_id, self.sku, self.location, reservation.quantity, reason, at
            )
        )

    def expire(self, reservation: Reservation, at: datetime) -> None:
        """Release a reservation whose time is up."""
        if not reservation.is_due(at):
            raise ReservationClosed(reservation.id, "not yet due" if reservation.state == "held" else reservation.state)
        self.release(reservation, "expired", at)

    def commit(self, reservation: Reservation, at: datetime) -> None:
        """Turn a held reservation into sold units (the parcel left the building)."""
        self._close(reservation, ReservationState.COMMITTED)
        self.reserved -= reservation.quantity
        self.sold += reservation.quantity
        self.events.append(
            ReservationCommitted(
                reservation.id, reservation.order_id, self.sku, self.location, reservation.quantity, at
            )
        )

    def _close(self, reservation: Reservation, state: ReservationState) -> None:
        if reservation.sku != self.sku or reservation.location != self.location:
            raise ReservationClosed(
                reservation.id, f"for another stock item ({reservation.sku}@{reservation.location})"
            )
        if reservation.state is not ReservationState.HELD:
            raise ReservationClosed(reservation.id, reservation.state)
        reservation.state = state


def plan_reservation(
    sku: SkuId,
    items: Sequence[StockItem],
    quantity: int,
    regions: Mapping[LocationId, RegionId],
    region: RegionId | None,
) -> list[tuple[StockItem, int]]:
    """Choose where to take ``quantity`` units from: one location if any can serve it all, else a split.

    Locations in ``region`` come first, then the one with most units available; ties break on id.
    Raise :class:`InsufficientStock` when all locations together hold too few.
    """
    check_quantity(quantity)
    ranked = sorted(
        (item for item in items if item.sku == sku and item.available > 0),
        key=lambda item: (regions.get(item.location) != region, -item.available, item.location),
    )
    whole = next((item for item in ranked if item.available >= quantity), None)
    if whole is not None:
        return [(whole, quantity)]
    plan: list[tuple[StockItem, int]] = []
    left = quantity
    for item in ranked:
        take = min(left, item.available)
        plan.append((item, take))
        left -= take
        if left == 0:
            return plan
    raise InsufficientStock(sku, quantity, quantity - left)
