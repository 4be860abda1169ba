"""Which site ships each line of a paid order.

The default is the fulfilment library (:class:`wujie.fulfilment.allocation.Allocator`, policy
``nearest``: each line from the nearest warehouse or in-radius store holding enough of it). An
order the library cannot allocate whole (a line whose units are spread over several sites) is
asked of it again line by line, then unit by unit, and counted in ``gathered``. The ``fast`` allocator is the
twin's own nearest-site rule on a stock matrix, for runs too large for per-order objects; the
report names the allocator used.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np

from wujie.fulfilment.allocation import (
    POLICIES,
    AllocationParams,
    Allocator,
    LocationKind,
    Order,
    OrderLine,
    StockLocation,
    Unallocated,
)
from wujie.twin.geography import distance_matrix_km, haversine_km
from wujie.twin.scenario import Scenario

AllocatorName = Literal["library", "fast"]


class SiteStock:
    """Units per site x SKU, and the order in which a city's customers are served by sites."""

    def __init__(self, scenario: Scenario, stock: Any, store_radius_km: float) -> None:
        geo = scenario.geography
        self.matrix = np.array(stock, dtype=np.int64)
        self.kind = [s.kind for s in geo.sites]
        self.lat = np.array([s.lat for s in geo.sites])
        self.lon = np.array([s.lon for s in geo.sites])
        self.store_radius_km = store_radius_km
        city_km = distance_matrix_km([c.lat for c in geo.cities], [c.lon for c in geo.cities], self.lat, self.lon)
        warehouse = np.array([k != "store" for k in self.kind])
        ranked = np.argsort(np.where(warehouse[None, :], city_km, np.inf), axis=1, kind="stable")
        self.city_rank: list[list[int]] = [row[: int(warehouse.sum())].tolist() for row in ranked]
        self.city_stores: dict[int, list[int]] = {}
        for s in np.flatnonzero(~warehouse).tolist():
            for city in np.flatnonzero(city_km[:, s] <= store_radius_km + 25.0).tolist():
                self.city_stores.setdefault(city, []).append(s)

    def stores_near(self, city: int, lat: float, lon: float) -> list[int]:
        """Return the stores whose delivery radius covers ``(lat, lon)``."""
        return [
            s
            for s in self.city_stores.get(city, ())
            if float(haversine_km(lat, lon, self.lat[s], self.lon[s])) <= self.store_radius_km
        ]

    def gather(self, city: int, sku: int, qty: int) -> list[tuple[int, int]]:
        """Take ``qty`` units nearest first, across sites if need be; return ``(site, units)`` taken."""
        column = self.matrix[:, sku]
        taken: list[tuple[int, int]] = []
        left = qty
        for site in [*self.city_rank[city], *range(len(column))]:
            take = min(left, int(column[site]))
            if take > 0:
                column[site] -= take
                taken.append((site, take))
                left -= take
            if left == 0:
                return taken
        raise AssertionError(f"sku {sku}: the sites hold fewer units than the engine sold")


class FastAllocator:
    """Nearest site holding the whole order (an in-radius store first), else each line nearest first."""

    name = "twin nearest-site rule on the stock matrix (fast path for large runs)"

    def __init__(self, stock: SiteStock) -> None:
        self.stock = stock
        self.gathered = 0

    def allocate(self, city: int, lat: float, lon: float, skus: list[int], qtys: list[int]) -> list[int]:
        """Return the site of each line and take the units."""
        m = self.stock.matrix
        for site in self.stock.stores_near(city, lat, lon) + self.stock.city_rank[city]:
            if all(m[site, s] >= q for s, q in zip(skus, qtys, strict=True)):
                for s, q in zip(skus, qtys, strict=True):
                    m[site, s] -= q
                return [site] * len(skus)
        return [self._line(city, s, q) for s, q in zip(skus, qtys, strict=True)]

    def _line(self, city: int, sku: int, qty: int) -> int:
        column = self.stock.matrix[:, sku]
        whole = next((s for s in self.stock.city_rank[city] if column[s] >= qty), None)
        if whole is not None:
            column[whole] -= qty
            return whole
        self.gathered += 1
        return self.stock.gather(city, sku, qty)[0][0]


class LibraryAllocator:
    """The fulfilment library's allocator, kept in step with the twin's stock matrix.

    Stores are handed to the library as warehouses: the library serves a store only within its
    delivery radius, and units the engine sold may be left only in a far store. Nearest-first
    still picks a customer's own-city store; the delivery step gives in-radius parcels to couriers.
    """

    name = "wujie.fulfilment.allocation.Allocator, policy 'nearest'"

    def __init__(self, scenario: Scenario, stock: SiteStock) -> None:
        geo, a = scenario.geography, scenario.assortment
        self.stock = stock
        self.sku_ids = a.sku_ids
        self.sku_index: dict[str, int] = {s: i for i, s in enumerate(a.sku_ids)}
        self.weight_kg = (a.weight_g / 1000.0).tolist()
        self.site_index: dict[str, int] = {s.id: i for i, s in enumerate(geo.sites)}
        locations = [
            StockLocation(
                site.id,
                site.lat,
                site.lon,
                LocationKind.WAREHOUSE,  # see the class docstring
                {a.sku_ids[j]: q for j, q in enumerate(stock.matrix[i].tolist()) if q > 0},
            )
            for i, site in enumerate(geo.sites)
        ]
        params = AllocationParams(store_radius_km=stock.store_radius_km, max_warehouse_km=20_000.0)
        self.allocator = Allocator(locations, params)
        self.policy = POLICIES["nearest"]
        self.gathered = 0

    def allocate(self, city: int, lat: float, lon: float, skus: list[int], qtys: list[int]) -> list[int]:
        """Return the site of each line and take the units (the whole order first, then line by line)."""
        placed = self._try(lat, lon, list(zip(skus, qtys, strict=True)))
        if placed is not None:
            return [placed[s] for s in skus]
        self.gathered += 1
        return [self._line(lat, lon, sku, qty) for sku, qty in zip(skus, qtys, strict=True)]

    def _try(self, lat: float, lon: float, lines: list[tuple[int, int]]) -> dict[int, int] | None:
        """Ask the library to allocate ``lines`` whole; return SKU -> site, or ``None`` if it cannot."""
        order = Order("o", lat, lon, tuple(OrderLine(self.sku_ids[s], q, self.weight_kg[s]) for s, q in lines))
        outcome = self.allocator.allocate(order, self.policy)
        if isinstance(outcome, Unallocated):
            return None
        site_of: dict[int, int] = {}
        for shipment in outcome:
            site = self.site_index[shipment.location_id]
            for sku_id, qty in shipment.lines:
                sku = self.sku_index[sku_id]
                self.stock.matrix[site, sku] -= qty
                site_of[sku] = site
        return site_of

    def _line(self, lat: float, lon: float, sku: int, qty: int) -> int:
        """Allocate one line whole, else unit by unit (its units are spread over sites)."""
        whole = self._try(lat, lon, [(sku, qty)])
        if whole is not None:
            return whole[sku]
        sites = [self._try(lat, lon, [(sku, 1)]) for _ in range(qty)]
        if any(s is None for s in sites):
            raise AssertionError(f"sku {sku}: the sites hold fewer units than the engine sold")
        return next(s[sku] for s in sites if s is not None)


def make_allocator(name: AllocatorName, scenario: Scenario, stock: SiteStock) -> FastAllocator | LibraryAllocator:
    """Return the allocator called ``name``."""
    return LibraryAllocator(scenario, stock) if name == "library" else FastAllocator(stock)
