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

from wujie.twin.allocation import AllocatorName, SiteStock, make_allocator
from wujie.twin.geography import ROAD_FACTOR, haversine_km
from wujie.twin.population import city_radius_km
from wujie.twin.scenario import Scenario

#: parcels of the largest city's first van wave routed with PyVRP as a check of the van-km estimate
SAMPLE_PARCELS = 150


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
    """What happened to a batch: its shipments (order row, site) and, per order, the outcome."""

    ship_order: Any  # order row of each shipment
    ship_site: Any  # site of each shipment
    local: Any  # bool per order: every shipment from a site in the customer's region
    split: Any  # bool per order: more than one shipment
    shipped_s: Any
    delivered_s: Any

    def sites(self) -> list[tuple[int, ...]]:
        """Return the sites of each order."""
        out: list[list[int]] = [[] for _ in range(len(self.local))]
        for order, site in zip(self.ship_order.tolist(), self.ship_site.tolist(), strict=True):
            out[order].append(site)
        return [tuple(s) for s in out]


class Network:
    """The twin's logistics network: site stock, sorting queues, and the running figures."""

    def __init__(
        self,
        scenario: Scenario,
        stock: Any,
        params: LogisticsParams | None = None,
        allocator: AllocatorName = "library",
    ) -> None:
        self.params = params or LogisticsParams()
        self.scenario = scenario
        geo = scenario.geography
        self.sites = SiteStock(scenario, stock, self.params.store_radius_km)
        self.allocator = make_allocator(allocator, scenario, self.sites)
        self.allocation_method = self.allocator.name
        index = geo.region_index()
        self.site_region = np.array([index[s.region] for s in geo.sites])
        self.site_kind = [s.kind for s in geo.sites]
        self.site_lat, self.site_lon = self.sites.lat, self.sites.lon
        self.service_s = np.array([3600.0 / self.params.sorting_per_hour[k] for k in self.site_kind])
        self.pick_s = np.array([self.params.pick_pack_s[k] for k in self.site_kind])
        self.is_store = np.array([k == "store" for k in self.site_kind])
        self.free_at = np.zeros(len(geo.sites))
        self.city_population = np.array([c.population for c in geo.cities])
        self.weight_kg = scenario.assortment.weight_g / 1000.0
        self.van_parcels: dict[tuple[int, int], int] = {}
        self.drone_sorties = 0
        self.courier_trips = 0
        self.sample: list[tuple[float, float, float]] = []  # (lat, lon, kg) of parcels for the routing check
        self.sample_wave = -1

    @property
    def stock(self) -> Any:
        """Units left per site x SKU."""
        return self.sites.matrix

    @property
    def gathered(self) -> int:
        """Orders the allocator could not ship line-whole from single sites (gathered across sites)."""
        return self.allocator.gathered

    def ship(self, paid: PaidOrders) -> Shipped:
        """Allocate, sort and deliver a batch of paid orders (in payment order)."""
        pop = self.scenario.population
        city = pop.city[paid.customer]
        lat, lon = pop.lat[paid.customer], pop.lon[paid.customer]
        lo = paid.line_lo.tolist()
        nl = paid.nlines.tolist()
        skus, qtys = paid.sku.tolist(), paid.qty.tolist()
        allocate = self.allocator.allocate
        line_site = np.array(
            [
                site
                for k, (c, y, x) in enumerate(zip(city.tolist(), lat.tolist(), lon.tolist(), strict=True))
                for site in allocate(c, y, x, skus[lo[k] : lo[k] + nl[k]], qtys[lo[k] : lo[k] + nl[k]])
            ],
            dtype=np.int64,
        )
        return self._deliver(paid, city, lat, lon, line_site)

    def _deliver(self, paid: PaidOrders, city: Any, lat: Any, lon: Any, line_site: Any) -> Shipped:
        n, n_sites = len(paid.number), len(self.site_kind)
        line_order = np.repeat(np.arange(n), paid.nlines)
        keys, inverse = np.unique(line_order * n_sites + line_site, return_inverse=True)
        order, site = keys // n_sites, keys % n_sites
        weight = np.bincount(inverse, weights=self.weight_kg[paid.sku] * paid.qty, minlength=len(keys))
        out = self._sort(site, paid.paid_s[order] + self.pick_s[site])
        arrive = self._carry(site, out, city[order], lat[order], lon[order], weight=weight)
        delivered = np.full(n, -np.inf)
        shipped = np.full(n, -np.inf)
        np.maximum.at(delivered, order, arrive)
        np.maximum.at(shipped, order, out)
        regions = self.scenario.population.region[paid.customer]
        away = np.bincount(order, weights=self.site_region[site] != regions[order], minlength=n)
        split = np.bincount(order, minlength=n) > 1
        return Shipped(order, site, away == 0, split, shipped, delivered)

    def _sort(self, site: Any, ready: Any) -> Any:
        """Queue parcels at each site's sorting machines, first in first out; return departure times.

        Per site, departure ``d_k = max(ready_k, d_(k-1)) + service``, computed for all sites at
        once with a running maximum that restarts at each site's first parcel.
        """
        rows = np.lexsort((ready, site))
        s = site[rows]
        first = np.flatnonzero(np.r_[True, s[1:] != s[:-1]])
        group = np.cumsum(np.r_[True, s[1:] != s[:-1]]) - 1
        k = np.arange(len(s)) - first[group]
        service = self.service_s[s]
        lift = group * 1e10  # keeps each site's running maximum separate
        start = np.maximum.accumulate(np.maximum(ready[rows] - service * k, self.free_at[s]) + lift) - lift
        out = np.empty(len(site))
        out[rows] = start + service * (k + 1)
        last = np.r_[first[1:], len(s)] - 1
        self.free_at[s[last]] = out[rows[last]]
        return out

    def _carry(self, site: Any, out: Any, city: Any, lat: Any, lon: Any, *, weight: Any) -> Any:
        """Return the delivery time of each shipment, and count vans, drones and couriers."""
        p = self.params
        km = haversine_km(self.site_lat[site], self.site_lon[site], lat, lon) * ROAD_FACTOR
        is_store = self.is_store[site] & (
            km <= p.store_radius_km * ROAD_FACTOR
        )  # a store far away ships like a warehouse
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
        self._keep_sample(van & (city == 0), wave_day, lat, lon, weight)
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

    def _keep_sample(self, rows: Any, wave: Any, lat: Any, lon: Any, weight: Any) -> None:
        """Keep the first van wave's parcels in the largest city (up to SAMPLE_PARCELS) for a routing check."""
        picked = np.flatnonzero(rows)
        if len(picked) == 0:
            return
        if self.sample_wave < 0:
            self.sample_wave = int(wave[picked[0]])
        picked = picked[wave[picked] == self.sample_wave][: SAMPLE_PARCELS - len(self.sample)]
        self.sample += list(zip(lat[picked].tolist(), lon[picked].tolist(), weight[picked].tolist(), strict=True))

    def round_km(self, city: int, n: int) -> float:
        """Return the estimated van km of one delivery round of ``n`` parcels in ``city`` (see :meth:`van_km`)."""
        r = float(city_radius_km(self.city_population[city]))
        vans = -(-n // self.params.van_parcels)
        return float((vans * r + 0.7124 * np.sqrt(n * np.pi * r * r)) * ROAD_FACTOR)

    def van_km(self) -> float:
        """Estimate van kilometres over every (city, wave) delivery round.

        Each round needs ``ceil(n / van_parcels)`` vans; a van drives out and back from the city's
        delivery station (half the city radius each way) and its stops are linked by a tour of
        length ``0.7124 * sqrt(n * area)`` (Beardwood-Halton-Hammersley), times the road factor.
        """
        return float(sum(self.round_km(city, n) for (city, _), n in self.van_parcels.items()))
