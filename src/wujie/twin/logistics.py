"""After the order: allocate to sites, sort, carry and deliver, on the simulated clock.

Times are seconds since the sale's start (local midnight of 11.11). Each paid order is allocated
by the fulfilment library (or the twin's fast rule, see :mod:`wujie.twin.allocation`). Its
parcels then wait until they are picked and packed, go through their site's sorting centre
(:mod:`wujie.twin.sorting_stage`, the library's sorting queue), travel by truck to the delivery
station of the customer's city, and leave in the next van wave (with drones in towns), or, from
a store within reach, with couriers (:mod:`wujie.twin.delivery`, routed by the library's PyVRP
planner or estimated). Each step runs when the simulated clock reaches it, so an order's
delivery time is known once its last parcel's round has left.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from wujie.twin.allocation import AllocatorName, SiteStock, make_allocator
from wujie.twin.delivery import CLASSES, LastMile, Round, city_class
from wujie.twin.geography import ROAD_FACTOR, haversine_km
from wujie.twin.population import city_radius_km
from wujie.twin.scenario import Scenario
from wujie.twin.sorting_stage import SortingCentres, SortingStage, default_centres


@dataclass(frozen=True)
class LogisticsParams:
    """Rates and speeds of the network (defaults in the spirit of Cainiao and JD figures)."""

    store_radius_km: float = 5.0
    sorting: SortingCentres = field(default_factory=default_centres)
    pick_pack_s: dict[str, float] = field(default_factory=lambda: {"dc": 1_800.0, "forward": 1_200.0, "store": 600.0})
    truck_kmh: float = 65.0
    hub_s: float = 3_600.0
    same_city_km: float = 40.0
    van_waves_h: tuple[float, ...] = (9.0, 14.0, 19.0)
    van_parcels: int = 120
    drone_max_kg: float = 10.0
    drone_town_population: int = 300_000
    routing_iterations: int = 200


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
class Allocated:
    """Where a batch of paid orders ships from: per order its sites, locality and split."""

    sites: list[tuple[int, ...]]
    local: Any  # bool per order: every shipment from a site in the customer's region
    split: Any  # bool per order: more than one shipment


@dataclass(frozen=True)
class Delivered:
    """Orders whose every parcel now has a delivery time, and orders whose every parcel is now sorted."""

    number: Any
    placed_s: Any
    shipped_s: Any
    delivered_s: Any
    shipped_number: Any
    shipped_placed_s: Any
    shipped_at_s: Any  # each no earlier than the step that sorted it


#: the network's step: sorting batches and departures are handled every half hour of simulated time
STEP_S = 1_800.0


class _Columns:
    """Growable numpy columns (parcels or orders), addressed by a running row number."""

    def __init__(self, **dtypes: Any) -> None:
        self.n = 0
        self.cols = {k: np.zeros(1024, dtype=d) for k, d in dtypes.items()}

    def append(self, **values: Any) -> Any:
        k = len(next(iter(values.values())))
        if self.n + k > len(next(iter(self.cols.values()))):
            size = max(2 * (self.n + k), 1024)
            for name, col in self.cols.items():
                grown = np.zeros(size, dtype=col.dtype)
                grown[: self.n] = col[: self.n]
                self.cols[name] = grown
        rows = np.arange(self.n, self.n + k)
        for name, v in values.items():
            self.cols[name][rows] = v
        self.n += k
        return rows

    def __getitem__(self, name: str) -> Any:
        return self.cols[name]


class Network:
    """The twin's logistics network: site stock, sorting centres, delivery rounds, running figures."""

    def __init__(
        self,
        scenario: Scenario,
        stock: Any,
        params: LogisticsParams | None = None,
        allocator: AllocatorName = "library",
    ) -> None:
        self.params = p = params or LogisticsParams()
        self.scenario = scenario
        geo = scenario.geography
        self.sites = SiteStock(scenario, stock, p.store_radius_km)
        self.allocator = make_allocator(allocator, scenario, self.sites)
        self.allocation_method = self.allocator.name
        index = geo.region_index()
        self.site_region = np.array([index[s.region] for s in geo.sites])
        self.site_kind = [s.kind for s in geo.sites]
        self.site_lat, self.site_lon = self.sites.lat, self.sites.lon
        self.pick_s = np.array([p.pick_pack_s[k] for k in self.site_kind])
        self.is_store = np.array([k == "store" for k in self.site_kind])
        self.city_population = np.array([c.population for c in geo.cities])
        self.city_klass = np.array([city_class(int(n)) for n in self.city_population.tolist()])
        self.city_radius = city_radius_km(self.city_population).tolist()
        self.weight_kg = scenario.assortment.weight_g / 1000.0
        self.sorting = SortingStage(self.site_kind, p.sorting)
        budget = scenario.config.routing_parcels
        self.last_mile = LastMile(
            seed=scenario.config.seed,
            share=sample_shares(scenario, self.city_klass, self.sites, budget),
            iterations=p.routing_iterations,
            van_parcels=p.van_parcels,
            town_population=p.drone_town_population,
        )
        self.parcels = _Columns(order=np.int64, site=np.int64, city=np.int64, lat=float, lon=float, kg=float)
        self.orders = _Columns(
            number=np.int64, placed=float, shipped=float, delivered=float, left=np.int64, unsorted=np.int64
        )
        self.rounds: dict[tuple[int, int, float], list[Any]] = {}
        self.courier_trips = 0
        self.clock_s = 0.0

    @property
    def stock(self) -> Any:
        """Units left per site x SKU."""
        return self.sites.matrix

    @property
    def gathered(self) -> int:
        """Orders the allocator could not ship line-whole from single sites (gathered across sites)."""
        return self.allocator.gathered

    @property
    def drone_sorties(self) -> int:
        """Drone sorties flown: one per parcel on a PyVRP drone route, plus the estimated rounds' drones."""
        t = self.last_mile.tally
        return t.drones_routed + t.drones_estimated

    def ship(self, paid: PaidOrders) -> Allocated:
        """Allocate a batch of paid orders (in payment order) and queue their parcels for sorting."""
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
        n, n_sites = len(paid.number), len(self.site_kind)
        line_order = np.repeat(np.arange(n), paid.nlines)
        keys, inverse = np.unique(line_order * n_sites + line_site, return_inverse=True)
        order, site = keys // n_sites, keys % n_sites
        weight = np.bincount(inverse, weights=self.weight_kg[paid.sku] * paid.qty, minlength=len(keys))
        per_order = np.bincount(order, minlength=n)
        rows = self.orders.append(
            number=paid.number,
            placed=paid.placed_s,
            shipped=-np.inf,
            delivered=-np.inf,
            left=per_order,
            unsorted=per_order,
        )
        parcel = self.parcels.append(
            order=rows[order], site=site, city=city[order], lat=lat[order], lon=lon[order], kg=weight
        )
        self.sorting.add(paid.paid_s[order] + self.pick_s[site], parcel)
        regions = pop.region[paid.customer]
        away = np.bincount(order, weights=self.site_region[site] != regions[order], minlength=n)
        sites: list[list[int]] = [[] for _ in range(n)]
        for o, s in zip(order.tolist(), site.tolist(), strict=True):
            sites[o].append(s)
        return Allocated([tuple(x) for x in sites], away == 0, per_order > 1)

    def advance(self, until_s: float) -> Delivered | None:
        """Run sorting and delivery up to ``until_s`` (step by step); return the orders shipped or delivered."""
        done: list[tuple[Any, Any]] = []
        step = np.floor(self.clock_s / STEP_S) + 1
        while step * STEP_S <= until_s:
            done.append(self._step(step * STEP_S))
            step += 1
        self.clock_s = max(self.clock_s, until_s)
        return self._delivered(done)

    def finish(self) -> Delivered | None:
        """Sort and deliver everything still in the network (after the sale); return those orders."""
        done: list[tuple[Any, Any]] = []
        t = np.floor(self.clock_s / STEP_S) * STEP_S
        while self.sorting.waiting or self.rounds:
            t += STEP_S
            done.append(self._step(t))
        self.clock_s = t
        return self._delivered(done)

    def _step(self, t: float) -> tuple[Any, Any]:
        """Sort what is ready by ``t``, carry it to its depot, send the rounds leaving by ``t``.

        Returns the orders now wholly sorted and those now wholly delivered. With steps of 30
        minutes and outbound waves on the half hour or hour, every parcel sorted here leaves at
        ``t`` or later, so its shipped event is never behind the clock.
        """
        parcel, out = self.sorting.run(t, self.parcels["site"])
        shipped = np.empty(0, dtype=np.int64)
        if len(parcel):
            order = self.parcels["order"][parcel]
            np.maximum.at(self.orders["shipped"], order, out)
            np.subtract.at(self.orders["unsorted"], order, 1)
            touched = np.unique(order)
            shipped = touched[self.orders["unsorted"][touched] == 0]
            self._carry(parcel, out)
        leaving = sorted(k for k in self.rounds if k[2] <= t)
        sent = [self._send(k, np.concatenate(self.rounds.pop(k))) for k in leaving]
        return shipped, np.concatenate(sent) if sent else np.empty(0, dtype=np.int64)

    def _carry(self, parcel: Any, out: Any) -> None:
        """Trucks to the city's delivery station (or a store's own couriers); file parcels under their round."""
        p, cols = self.params, self.parcels
        site, city = cols["site"][parcel], cols["city"][parcel]
        lat, lon = cols["lat"][parcel], cols["lon"][parcel]
        km = haversine_km(self.site_lat[site], self.site_lon[site], lat, lon) * ROAD_FACTOR
        by_courier = self.is_store[site] & (km <= p.store_radius_km * ROAD_FACTOR)
        self.courier_trips += int(by_courier.sum())
        station = out + np.where(km <= p.same_city_km, 1800.0, km / p.truck_kmh * 3600.0 + p.hub_s)
        _, depart = self._next_wave(station)
        depart = np.where(by_courier, out, depart)
        depot = np.where(by_courier, site, city)
        keys = np.stack([by_courier.astype(np.int64), depot, depart.astype(np.int64)], axis=1)
        uniq, inverse = np.unique(keys, axis=0, return_inverse=True)
        order = np.argsort(inverse.ravel(), kind="stable")
        cuts = np.flatnonzero(np.r_[True, np.diff(inverse.ravel()[order]) != 0, True])
        for g, (lo, hi) in enumerate(zip(cuts[:-1].tolist(), cuts[1:].tolist(), strict=True)):
            key = (int(uniq[g, 0]), int(uniq[g, 1]), float(uniq[g, 2]))
            self.rounds.setdefault(key, []).append(parcel[order[lo:hi]])

    def _send(self, key: tuple[int, int, float], parcel: Any) -> Any:
        """Route or estimate one round; record delivery times; return the orders it completed."""
        store, depot, depart = key
        cols, p = self.parcels, self.params
        if store:
            lat0, lon0, klass, radius = self.site_lat[depot], self.site_lon[depot], 4, p.store_radius_km
        else:
            city = self.scenario.geography.cities[depot]
            lat0, lon0, klass = city.lat, city.lon, int(self.city_klass[depot])
            radius = self.city_radius[depot]
        parcel = np.sort(parcel)
        kg = cols["kg"][parcel]
        town = not store and self.city_population[depot] < p.drone_town_population
        rule_drone = (kg <= p.drone_max_kg) & town
        kind = "store" if store else "station"
        lat, lon = cols["lat"][parcel], cols["lon"][parcel]
        r = Round(kind, depot, float(lat0), float(lon0), depart, klass, parcel, lat, lon, kg, radius, rule_drone)
        arrive = self.last_mile.deliver(r)
        order = cols["order"][parcel]
        np.maximum.at(self.orders["delivered"], order, arrive)
        np.subtract.at(self.orders["left"], order, 1)
        touched = np.unique(order)
        return touched[self.orders["left"][touched] == 0]

    def _delivered(self, done: list[tuple[Any, Any]]) -> Delivered | None:
        shipped = np.concatenate([d[0] for d in done]) if done else np.empty(0, dtype=np.int64)
        delivered = np.sort(np.concatenate([d[1] for d in done])) if done else np.empty(0, dtype=np.int64)
        if not len(shipped) and not len(delivered):
            return None
        o = self.orders
        return Delivered(
            o["number"][delivered],
            o["placed"][delivered],
            o["shipped"][delivered],
            o["delivered"][delivered],
            o["number"][shipped],
            o["placed"][shipped],
            o["shipped"][shipped],
        )

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
        """Van km: PyVRP's routed km plus the calibrated estimate of the rounds not routed."""
        return self.last_mile.van_km()

    def routing_summary(self) -> dict[str, Any]:
        """The report's ``routing`` section."""
        note = (
            f"wujie.fulfilment.routing.plan_routes (PyVRP, 20 + 2n iterations, at most "
            f"{self.params.routing_iterations}, per cluster of n <= 250 parcels) on a seeded sample of delivery "
            f"clusters; the rest estimated"
        )
        return {**self.last_mile.summary(note), "sorting": self.sorting.summary()}


def sample_shares(scenario: Scenario, city_klass: Any, sites: SiteStock, budget: int) -> Any:
    """Share of each class's clusters to route so that about ``budget`` parcels are routed in all.

    The budget is split evenly over the classes; a class's expected parcels are the orders times
    its customers' share of the activity (for stores: of customers within a store's radius).
    """
    pop = scenario.population
    klass = city_klass[pop.city]
    expected = np.bincount(klass, weights=pop.activity, minlength=len(CLASSES)) * scenario.config.orders
    near = np.zeros(len(pop), dtype=bool)
    for s in np.flatnonzero(np.array([k == "store" for k in sites.kind])).tolist():
        near |= haversine_km(pop.lat, pop.lon, sites.lat[s], sites.lon[s]) <= sites.store_radius_km
    expected[4] = float(pop.activity[near].sum()) * scenario.config.orders
    per_class = budget / len(CLASSES)
    return np.minimum(1.0, per_class / np.maximum(expected, 1.0))
