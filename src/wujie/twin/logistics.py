"""After the order: allocate to sites, sort, carry and deliver, on the simulated clock.

Times are seconds since the sale's start (local midnight of 11.11). Each paid order is allocated
whole to the nearest site that holds all its lines (a store within its delivery radius first),
else split line by line over the nearest sites with stock. Parcels then queue at their site's
sorting machines (first in, first out, at a fixed rate per site), travel by truck to the delivery
station of the customer's city, and go out by van in the next delivery wave, by drone (light
parcels to small towns) or, from a store, by courier within the hour.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from wujie.twin.geography import ROAD_FACTOR, distance_matrix_km, haversine_km
from wujie.twin.population import city_radius_km
from wujie.twin.scenario import Scenario


@dataclass(frozen=True)
class LogisticsParams:
    """Rates and speeds of the network (defaults in the spirit of Cainiao and JD figures)."""

    store_radius_km: float = 5.0
    sorting_per_hour: dict[str, float] = field(
        default_factory=lambda: {"dc": 8 * 4_000.0, "forward": 3 * 4_000.0, "store": 1_200.0}
    )
    pick_pack_s: dict[str, float] = field(default_factory=lambda: {"dc": 1_800.0, "forward": 1_200.0, "store": 600.0})
    truck_kmh: float = 65.0
    hub_s: float = 3_600.0
    same_city_km: float = 40.0
    van_waves_h: tuple[float, ...] = (9.0, 14.0, 19.0)
    van_round_h: float = 4.0
    van_parcels: int = 120
    courier_kmh: float = 15.0
    drone_max_kg: float = 10.0
    drone_town_population: int = 300_000
    drone_kmh: float = 50.0


@dataclass(frozen=True)
class PaidOrders:
    """A batch of paid orders, as columns; lines of order ``k`` are ``line_lo[k] : line_lo[k] + nlines[k]``."""

    number: Any  # engine order numbers
    customer: Any  # population indices
    placed_s: Any
    paid_s: Any
    nlines: Any
    sku: Any
    qty: Any

    @property
    def line_lo(self) -> Any:
        """Index of each order's first line."""
        return np.cumsum(self.nlines) - self.nlines


@dataclass(frozen=True)
class Shipped:
    """What happened to a batch: per order its sites, and when each was shipped and delivered."""

    sites: list[tuple[int, ...]]
    local: Any  # bool per order: every shipment from a site in the customer's region
    shipped_s: Any
    delivered_s: Any


class Network:
    """The twin's logistics network: site stock, sorting queues, and the running figures."""

    def __init__(self, scenario: Scenario, stock: Any, params: LogisticsParams | None = None) -> None:
        self.params = params or LogisticsParams()
        self.scenario = scenario
        geo = scenario.geography
        self.stock = np.array(stock, dtype=np.int64)
        self.initial_stock = self.stock.copy()
        index = geo.region_index()
        self.site_region = np.array([index[s.region] for s in geo.sites])
        self.site_kind = [s.kind for s in geo.sites]
        lat, lon = np.array([s.lat for s in geo.sites]), np.array([s.lon for s in geo.sites])
        self.site_lat, self.site_lon = lat, lon
        clat, clon = np.array([c.lat for c in geo.cities]), np.array([c.lon for c in geo.cities])
        self.city_site_km = distance_matrix_km(clat, clon, lat, lon)
        warehouses = np.array([k != "store" for k in self.site_kind])
        ranked = np.argsort(np.where(warehouses[None, :], self.city_site_km, np.inf), axis=1, kind="stable")
        self.city_rank: list[list[int]] = [row[: int(warehouses.sum())].tolist() for row in ranked]
        self.city_store = self._stores_by_city()
        self.free_at = np.zeros(len(geo.sites))
        self.city_population = np.array([c.population for c in geo.cities])
        self.weight_kg = scenario.assortment.weight_g / 1000.0
        self.van_parcels: dict[tuple[int, int], int] = {}
        self.drone_sorties = 0
        self.courier_trips = 0
        self.allocation_method = "nearest site holding the whole order, else per line (twin fallback)"

    def _stores_by_city(self) -> dict[int, list[int]]:
        out: dict[int, list[int]] = {}
        for s, kind in enumerate(self.site_kind):
            if kind == "store":
                near = np.flatnonzero(self.city_site_km[:, s] <= self.params.store_radius_km + 25.0)
                for city in near.tolist():
                    out.setdefault(city, []).append(s)
        return out

    def ship(self, paid: PaidOrders) -> Shipped:
        """Allocate, sort and deliver a batch of paid orders (in payment order)."""
        pop = self.scenario.population
        city = pop.city[paid.customer]
        lat, lon = pop.lat[paid.customer], pop.lon[paid.customer]
        lo = paid.line_lo
        plan = [
            self._allocate(
                int(city[k]),
                float(lat[k]),
                float(lon[k]),
                paid.sku[lo[k] : lo[k] + paid.nlines[k]].tolist(),
                paid.qty[lo[k] : lo[k] + paid.nlines[k]].tolist(),
            )
            for k in range(len(paid.number))
        ]
        return self._deliver(paid, city, lat, lon, plan)

    def _allocate(self, city: int, lat: float, lon: float, skus: list[int], qtys: list[int]) -> dict[int, list[int]]:
        """Return {site: [line indices]}; take the units off the site's stock."""
        stock = self.stock
        stores = [
            s
            for s in self.city_store.get(city, ())
            if float(haversine_km(lat, lon, self.site_lat[s], self.site_lon[s])) <= self.params.store_radius_km
        ]
        for site in stores + self.city_rank[city]:
            if all(stock[site, s] >= q for s, q in zip(skus, qtys, strict=True)):
                for s, q in zip(skus, qtys, strict=True):
                    stock[site, s] -= q
                return {site: list(range(len(skus)))}
        plan: dict[int, list[int]] = {}
        for i, (s, q) in enumerate(zip(skus, qtys, strict=True)):
            plan.setdefault(self._take(city, s, q), []).append(i)
        return plan

    def _take(self, city: int, sku: int, qty: int) -> int:
        """Take one line from the nearest warehouse holding it whole, else gather it nearest first."""
        column = self.stock[:, sku]
        ranked = self.city_rank[city]
        whole = next((s for s in ranked if column[s] >= qty), None)
        if whole is not None:
            column[whole] -= qty
            return whole
        first, left = -1, qty
        for site in [*ranked, *range(len(column))]:
            take = min(left, int(column[site]))
            if take > 0:
                column[site] -= take
                left -= take
                first = site if first < 0 else first
            if left == 0:
                return first
        raise AssertionError(f"sku {sku}: the sites hold fewer units than the engine sold")

    def _deliver(self, paid: PaidOrders, city: Any, lat: Any, lon: Any, plan: list[dict[int, list[int]]]) -> Shipped:
        order_of = np.repeat(np.arange(len(plan)), [len(p) for p in plan])
        site = np.array([s for p in plan for s in p], dtype=np.int64)
        weight = np.array(
            [
                sum(self.weight_kg[paid.sku[paid.line_lo[k] + i]] * paid.qty[paid.line_lo[k] + i] for i in lines)
                for k, p in enumerate(plan)
                for lines in p.values()
            ]
        )
        ready = paid.paid_s[order_of] + np.array([self.params.pick_pack_s[self.site_kind[s]] for s in site.tolist()])
        out = self._sort(site, ready)
        arrive = self._carry(site, out, city[order_of], lat[order_of], lon[order_of], weight=weight)
        delivered = np.full(len(plan), -np.inf)
        shipped = np.full(len(plan), -np.inf)
        np.maximum.at(delivered, order_of, arrive)
        np.maximum.at(shipped, order_of, out)
        regions = self.scenario.population.region[paid.customer]
        local = np.ones(len(plan), dtype=bool)
        np.logical_and.at(local, order_of, self.site_region[site] == regions[order_of])
        return Shipped([tuple(p) for p in plan], local, shipped, delivered)

    def _sort(self, site: Any, ready: Any) -> Any:
        """Queue parcels at each site's sorting machines, first in first out; return departure times."""
        out = np.empty(len(site))
        for s in np.unique(site):
            rows = np.flatnonzero(site == s)
            rows = rows[np.argsort(ready[rows], kind="stable")]
            service = 3600.0 / self.params.sorting_per_hour[self.site_kind[int(s)]]
            k = np.arange(len(rows))
            start = np.maximum.accumulate(np.maximum(ready[rows] - service * k, self.free_at[s]))
            out[rows] = start + service * (k + 1)
            self.free_at[s] = out[rows[-1]]
        return out

    def _carry(self, site: Any, out: Any, city: Any, lat: Any, lon: Any, *, weight: Any) -> Any:
        """Return the delivery time of each shipment, and count vans, drones and couriers."""
        p = self.params
        km = haversine_km(self.site_lat[site], self.site_lon[site], lat, lon) * ROAD_FACTOR
        is_store = np.array([self.site_kind[s] == "store" for s in site.tolist()], dtype=bool)
        is_store &= km <= p.store_radius_km * ROAD_FACTOR  # a store far away ships like a warehouse
        courier = out + km / p.courier_kmh * 3600.0
        station = out + np.where(km <= p.same_city_km, 1800.0, km / p.truck_kmh * 3600.0 + p.hub_s)
        town = self.city_population[city] < p.drone_town_population
        drone = ~is_store & town & (weight <= p.drone_max_kg)
        radius = city_radius_km(self.city_population[city])
        flown = station + 900.0 + radius / p.drone_kmh * 3600.0
        van = ~is_store & ~drone
        wave_day, wave_s = self._next_wave(station)
        rng = np.random.default_rng([self.scenario.config.seed, 7, len(self.van_parcels), int(out.sum()) % 1_000_003])
        by_van = wave_s + rng.uniform(0.1, 1.0, size=len(site)) * p.van_round_h * 3600.0
        for c, d in zip(city[van].tolist(), wave_day[van].tolist(), strict=True):
            self.van_parcels[(c, d)] = self.van_parcels.get((c, d), 0) + 1
        self.drone_sorties += int(drone.sum())
        self.courier_trips += int(is_store.sum())
        return np.where(is_store, courier, np.where(drone, flown, by_van))

    def _next_wave(self, t: Any) -> tuple[Any, Any]:
        """Return (wave index, departure time) of the first van wave at or after ``t``."""
        waves = np.array(self.params.van_waves_h) * 3600.0
        day = np.floor(t / 86_400.0)
        within = t - day * 86_400.0
        slot = np.searchsorted(waves, within, side="left")
        next_day = slot >= len(waves)
        slot = np.where(next_day, 0, slot)
        day = day + next_day
        return (day * len(waves) + slot).astype(np.int64), day * 86_400.0 + waves[slot]

    def van_km(self) -> float:
        """Estimate van kilometres over every (city, wave) delivery round.

        Each round needs ``ceil(n / van_parcels)`` vans; a van drives out and back from the city's
        delivery station (half the city radius each way) and its stops are linked by a tour of
        length ``0.7124 * sqrt(n * area)`` (Beardwood-Halton-Hammersley), times the road factor.
        """
        total = 0.0
        radius = city_radius_km(self.city_population)
        for (city, _), n in self.van_parcels.items():
            r = float(radius[city])
            vans = -(-n // self.params.van_parcels)
            total += (vans * r + 0.7124 * np.sqrt(n * np.pi * r * r)) * ROAD_FACTOR
        return float(total)
