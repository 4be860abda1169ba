"""Plain records of the allocation library: stock locations, orders, params and the result."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from wujie.fulfilment.errors import InvalidFulfilmentInput, UnassignedReason, require
from wujie.fulfilment.geography import check_coordinates


class LocationKind(StrEnum):
    """Regional warehouse or store acting as a local fulfilment hub."""

    WAREHOUSE = "warehouse"
    STORE = "store"


@dataclass(frozen=True, slots=True)
class StockLocation:
    """A warehouse or store with its stock (units per SKU)."""

    id: str
    lat: float
    lon: float
    kind: LocationKind = LocationKind.WAREHOUSE
    stock: Mapping[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        check_coordinates(self.lat, self.lon, f"location {self.id}")
        if any(q < 0 for q in self.stock.values()):
            raise InvalidFulfilmentInput(f"location {self.id} has negative stock", location=self.id)


@dataclass(frozen=True, slots=True)
class OrderLine:
    """A quantity of one SKU, with the weight of one unit."""

    sku: str
    qty: int
    unit_weight_kg: float = 0.5

    def __post_init__(self) -> None:
        if self.qty < 1:
            raise InvalidFulfilmentInput(f"line {self.sku} must order at least one unit", sku=self.sku)
        if not (math.isfinite(self.unit_weight_kg) and self.unit_weight_kg > 0):
            raise InvalidFulfilmentInput(f"line {self.sku} needs a positive unit weight", sku=self.sku)

    @property
    def weight_kg(self) -> float:
        """Weight of the whole line."""
        return self.qty * self.unit_weight_kg


@dataclass(frozen=True, slots=True)
class Order:
    """A paid order: where the customer is and what they bought (one line per SKU)."""

    id: str
    lat: float
    lon: float
    lines: tuple[OrderLine, ...]

    def __post_init__(self) -> None:
        check_coordinates(self.lat, self.lon, f"order {self.id}")
        if not self.lines:
            raise InvalidFulfilmentInput(f"order {self.id} has no lines", order=self.id)
        if len({line.sku for line in self.lines}) != len(self.lines):
            raise InvalidFulfilmentInput(f"order {self.id} repeats a SKU: merge its lines", order=self.id)


@dataclass(frozen=True, slots=True)
class AllocationParams:
    """Where orders may ship from and what a shipment costs (cost units are estimates, not money).

    Parameters
    ----------
    store_radius_km
        A store ships only to customers within this straight-line radius (Hema's 3 km, ~30 minutes).
    max_warehouse_km
        Warehouses farther than this from the customer are not considered.
    road_factor
        Road over straight-line distance, for shipment distance and cost.
    cost_per_shipment
        Fixed cost of a parcel (pick, pack, label): what makes splits expensive.
    cost_per_km
        Cost per road km of a shipment.
    cost_per_kg_km
        Extra cost per kg carried per road km.
    max_candidates
        The nearest locations holding any of an order's SKUs that policies consider.
    """

    store_radius_km: float = 3.0
    max_warehouse_km: float = 3000.0
    road_factor: float = 1.3
    cost_per_shipment: float = 6.0
    cost_per_km: float = 0.02
    cost_per_kg_km: float = 0.004
    max_candidates: int = 8

    def __post_init__(self) -> None:
        require(self.store_radius_km >= 0, "store_radius_km must be >= 0")
        require(self.max_warehouse_km > 0, "max_warehouse_km must be > 0")
        require(self.road_factor >= 1, "road_factor must be >= 1")
        require(min(self.cost_per_shipment, self.cost_per_km, self.cost_per_kg_km) >= 0, "costs must be >= 0")
        require(1 <= self.max_candidates <= 16, "max_candidates must be in 1..16")

    def shipment_cost(self, road_km: float, weight_kg: float) -> float:
        """Return the estimated cost of one shipment."""
        return self.cost_per_shipment + road_km * (self.cost_per_km + self.cost_per_kg_km * weight_kg)


@dataclass(frozen=True, slots=True)
class Shipment:
    """The lines of one order that ship together from one location."""

    order_id: str
    location_id: str
    kind: LocationKind
    lines: tuple[tuple[str, int], ...]
    weight_kg: float
    distance_km: float
    cost: float


@dataclass(frozen=True, slots=True)
class Unallocated:
    """An order that could not be allocated whole, and why (its stock is left untouched)."""

    order_id: str
    reason: UnassignedReason
    detail: str


@dataclass(frozen=True, slots=True)
class AllocationResult:
    """Shipments of every allocated order, the orders left out, and the rates that compare policies."""

    policy: str
    shipments: tuple[Shipment, ...]
    unallocated: tuple[Unallocated, ...]
    orders: int

    def _per_order(self) -> dict[str, list[Shipment]]:
        grouped: dict[str, list[Shipment]] = {}
        for shipment in self.shipments:
            grouped.setdefault(shipment.order_id, []).append(shipment)
        return grouped

    @property
    def allocated(self) -> int:
        """Orders allocated whole."""
        return len(self._per_order())

    def summary(self) -> dict[str, float | int | str]:
        """Return counts and rates, JSON-friendly (rates are shares of allocated orders)."""
        per_order = self._per_order()
        n = len(per_order) or 1
        local = sum(all(s.kind is LocationKind.STORE for s in ships) for ships in per_order.values())
        split = sum(len(ships) > 1 for ships in per_order.values())
        return {
            "policy": self.policy,
            "orders": self.orders,
            "allocated": len(per_order),
            "unallocated": len(self.unallocated),
            "shipments": len(self.shipments),
            "local_fulfilment_rate": round(local / n, 6),
            "split_rate": round(split / n, 6),
            "shipments_per_order": round(len(self.shipments) / n, 6),
            "mean_distance_km": round(sum(s.distance_km for s in self.shipments) / max(1, len(self.shipments)), 3),
            "total_cost": round(sum(s.cost for s in self.shipments), 2),
        }
