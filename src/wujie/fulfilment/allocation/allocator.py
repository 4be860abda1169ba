"""Allocate paid orders to warehouses and stores in sequence, decrementing stock as each is allocated."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from wujie.fulfilment.allocation.model import (
    AllocationParams,
    AllocationResult,
    LocationKind,
    Order,
    Shipment,
    StockLocation,
    Unallocated,
)
from wujie.fulfilment.allocation.policies import POLICIES, AllocationPolicy, Assignment, Candidate
from wujie.fulfilment.errors import InvalidFulfilmentInput, InvalidParams, UnassignedReason
from wujie.fulfilment.geography import EARTH_RADIUS_KM


class Allocator:
    """Holds live stock for a set of locations and allocates orders one by one with a policy.

    Parameters
    ----------
    locations
        Warehouses and stores with their starting stock (ids unique).
    params
        Store radius, cost model and candidate count.
    """

    def __init__(self, locations: Sequence[StockLocation], params: AllocationParams | None = None) -> None:
        if not locations:
            raise InvalidFulfilmentInput("at least one stock location is needed")
        if len({loc.id for loc in locations}) != len(locations):
            raise InvalidFulfilmentInput("location ids must be unique")
        self.params = params or AllocationParams()
        self.locations = list(locations)
        self._index = {loc.id: i for i, loc in enumerate(locations)}
        #: SKU -> units held at each location (one array per SKU, so candidate search is vectorised)
        self.stock: dict[str, np.ndarray] = {}
        for i, loc in enumerate(locations):
            for sku, units in loc.stock.items():
                self.stock.setdefault(sku, np.zeros(len(locations), dtype=np.int64))[i] = units
        self._lat = np.radians([loc.lat for loc in locations])
        self._lon = np.radians([loc.lon for loc in locations])
        self._store = np.array([loc.kind is LocationKind.STORE for loc in locations])

    def distances_km(self, lat: float, lon: float) -> np.ndarray:
        """Great-circle km from ``(lat, lon)`` to every location."""
        p, lam = np.radians(lat), np.radians(lon)
        a = np.sin((self._lat - p) / 2) ** 2 + np.cos(p) * np.cos(self._lat) * np.sin((self._lon - lam) / 2) ** 2
        km: np.ndarray = 2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(a)))
        return km

    def candidates(self, order: Order) -> list[Candidate] | Unallocated:
        """Return the nearest eligible locations holding any of the order's SKUs, or why there are none."""
        km = self.distances_km(order.lat, order.lon)
        in_reach = np.where(self._store, km <= self.params.store_radius_km, km <= self.params.max_warehouse_km)
        if not in_reach.any():
            return Unallocated(order.id, UnassignedReason.NO_LOCATION_IN_RANGE, "no warehouse or store in range")
        skus = [line.sku for line in order.lines]
        none = np.zeros(len(self.locations), dtype=np.int64)
        held = np.column_stack([self.stock.get(s, none) for s in skus])
        holding = np.flatnonzero(in_reach & (held > 0).any(axis=1))
        nearest = holding[np.lexsort((holding, km[holding]))][: self.params.max_candidates]
        return [
            Candidate(
                self.locations[i],
                float(km[i]) * self.params.road_factor,
                {s: int(held[i, k]) for k, s in enumerate(skus)},
            )
            for i in nearest.tolist()
        ]

    def allocate(self, order: Order, policy: AllocationPolicy) -> list[Shipment] | Unallocated:
        """Allocate ``order`` whole with ``policy`` and take its stock, or report why not (stock untouched)."""
        found = self.candidates(order)
        if isinstance(found, Unallocated):
            return found
        chosen = policy.choose(order, found, self.params) if found else None
        if chosen is None:
            return Unallocated(order.id, UnassignedReason.INSUFFICIENT_STOCK, _shortage(order, found))
        return self._commit(order, found, chosen)

    def _commit(self, order: Order, found: list[Candidate], chosen: Assignment) -> list[Shipment]:
        shipments = []
        for c in sorted(set(chosen.values())):
            cand = found[c]
            lines = [line for line in order.lines if chosen[line.sku] == c]
            at = self._index[cand.location.id]
            for line in lines:
                self.stock[line.sku][at] -= line.qty
            weight = sum(line.weight_kg for line in lines)
            shipments.append(
                Shipment(
                    order_id=order.id,
                    location_id=cand.location.id,
                    kind=cand.location.kind,
                    lines=tuple((line.sku, line.qty) for line in lines),
                    weight_kg=round(weight, 6),
                    distance_km=round(cand.road_km, 6),
                    cost=round(self.params.shipment_cost(cand.road_km, weight), 6),
                )
            )
        return shipments


def _shortage(order: Order, found: list[Candidate]) -> str:
    short = [line.sku for line in order.lines if not any(c.available.get(line.sku, 0) >= line.qty for c in found)]
    if short:
        return f"no location in range holds enough of {', '.join(short)}"
    return "the locations in range cannot cover the order within the split limit"


def allocate_orders(
    locations: Sequence[StockLocation],
    orders: Sequence[Order],
    policy: str | AllocationPolicy = "nearest",
    params: AllocationParams | None = None,
) -> AllocationResult:
    """Allocate ``orders`` in the given (payment) order; each is allocated whole or reported.

    Parameters
    ----------
    locations
        Warehouses and stores with their stock; the inputs are not modified.
    orders
        Paid orders, in the sequence stock should go to them.
    policy
        ``nearest``, ``fewest_splits``, ``cost_optimal`` or any :class:`AllocationPolicy`.
    params
        Store radius, cost model and candidate count.

    Returns
    -------
    AllocationResult
        Shipments, unallocated orders with their reason, and rates via ``summary()``.
    """
    chosen = _policy(policy)
    if len({o.id for o in orders}) != len(orders):
        raise InvalidFulfilmentInput("order ids must be unique")
    allocator = Allocator(locations, params)
    shipments: list[Shipment] = []
    unallocated: list[Unallocated] = []
    for order in orders:
        outcome = allocator.allocate(order, chosen)
        if isinstance(outcome, Unallocated):
            unallocated.append(outcome)
        else:
            shipments.extend(outcome)
    return AllocationResult(chosen.name, tuple(shipments), tuple(unallocated), len(orders))


def compare_policies(
    locations: Sequence[StockLocation],
    orders: Sequence[Order],
    policies: Sequence[str] = tuple(POLICIES),
    params: AllocationParams | None = None,
) -> dict[str, dict[str, float | int | str]]:
    """Run each policy from the same starting stock and return its summary, keyed by policy name."""
    return {name: allocate_orders(locations, orders, name, params).summary() for name in policies}


def _policy(policy: str | AllocationPolicy) -> AllocationPolicy:
    if isinstance(policy, str):
        if policy not in POLICIES:
            raise InvalidParams(f"unknown allocation policy {policy!r}; use one of {sorted(POLICIES)}", policy=policy)
        return POLICIES[policy]
    return policy
