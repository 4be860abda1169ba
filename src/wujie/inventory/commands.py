"""Inventory commands."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from wujie.shared.events import Command
from wujie.shared.ids import LocationId, OrderId, RegionId, ReservationId, SkuId


@dataclass(frozen=True, slots=True)
class AddLocation(Command):
    """Register a warehouse or store (``kind`` is ``"warehouse"`` or ``"store"``)."""

    location_id: LocationId
    name: str
    kind: str
    region: RegionId
    lat: float
    lon: float


@dataclass(frozen=True, slots=True)
class ReceiveStock(Command):
    """Add units of a SKU at a location."""

    sku: SkuId
    location: LocationId
    quantity: int


@dataclass(frozen=True, slots=True)
class ReserveStock(Command):
    """Hold units of a SKU for an order until ``expires_at`` (``region`` is preferred)."""

    order_id: OrderId
    sku: SkuId
    quantity: int
    expires_at: datetime
    region: RegionId | None = None


@dataclass(frozen=True, slots=True)
class ReleaseReservation(Command):
    """Give a reservation's units back."""

    reservation_id: ReservationId
    reason: str = "released"


@dataclass(frozen=True, slots=True)
class CommitReservation(Command):
    """Turn a reservation into sold units (shipment)."""

    reservation_id: ReservationId


@dataclass(frozen=True, slots=True)
class ExpireReservations(Command):
    """Release every held reservation whose time is up (the expiry sweep)."""
