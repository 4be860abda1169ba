"""Inventory events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from wujie.shared.events import Event
from wujie.shared.ids import LocationId, OrderId, ReservationId, SkuId


@dataclass(frozen=True, slots=True)
class StockReceived(Event):
    """Units arrived at a location (initial stock, replenishment, pre-positioning)."""

    sku: SkuId
    location: LocationId
    quantity: int
    at: datetime


@dataclass(frozen=True, slots=True)
class StockReserved(Event):
    """Units were held for an order until ``expires_at``."""

    reservation_id: ReservationId
    order_id: OrderId
    sku: SkuId
    location: LocationId
    quantity: int
    expires_at: datetime
    at: datetime


@dataclass(frozen=True, slots=True)
class ReservationReleased(Event):
    """A reservation gave its units back (cancel, payment failure, or ``reason='expired'``)."""

    reservation_id: ReservationId
    order_id: OrderId
    sku: SkuId
    location: LocationId
    quantity: int
    reason: str
    at: datetime


@dataclass(frozen=True, slots=True)
class ReservationCommitted(Event):
    """Reserved units left the building: they are now sold."""

    reservation_id: ReservationId
    order_id: OrderId
    sku: SkuId
    location: LocationId
    quantity: int
    at: datetime


@dataclass(frozen=True, slots=True)
class StockDepleted(Event):
    """A SKU has no available units left at a location (a stock-out)."""

    sku: SkuId
    location: LocationId
    at: datetime
