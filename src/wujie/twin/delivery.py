"""The last mile: delivery rounds routed with :func:`wujie.fulfilment.routing.plan_routes` (PyVRP).

A round is what leaves one depot at one time: the parcels waiting at a city's delivery station
when a van wave departs (vans, plus drones at stations of towns), or a store's parcels leaving
with one of its sorting waves (e-bike couriers). A round is cut by bearing into clusters of at
most :data:`CLUSTER` parcels, as the routing library would cut it. Each cluster is routed by PyVRP
with probability ``share[class]`` (a seeded draw per cluster, so a sample the same for the same
seed), stopped by an iteration count (``20 + 2 n`` for ``n`` parcels, at most ``iterations``) so
the plan does not depend on the machine's speed. The
other clusters are estimated: van km by a Beardwood-Halton-Hammersley tour calibrated by what
PyVRP drove on the routed clusters of the same city class, arrival times by a spread over the
van round. The budget (parcels routed) is fixed per run, not per order, so large runs route a
smaller share.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from wujie.fulfilment.routing import Depot, Parcel, RoutingParams, VehicleKind, courier, drone, plan_routes, van
from wujie.shared.errors import WujieError

#: largest cluster routed as one PyVRP problem (the routing library's default sub-problem size)
CLUSTER = 250
#: city classes by population, and the couriers' stores
CLASSES = ("metro", "large", "medium", "town", "store")
_BOUNDS = (5_000_000, 1_000_000, 300_000)


def city_class(population: int) -> int:
    """Return the class index of a city of ``population`` (0 metro .. 3 town)."""
    return next((k for k, bound in enumerate(_BOUNDS) if population >= bound), 3)


@dataclass(frozen=True)
class Round:
    """Parcels leaving one depot at one moment (seconds since the sale's start)."""

    kind: str  # "station" or "store"
    depot: int  # city index (station) or site index (store)
    lat: float
    lon: float
    depart_s: float
    klass: int
    parcels: Any  # global parcel ids
    p_lat: Any  # per parcel
    p_lon: Any
    kg: Any
    radius_km: float  # of the area served
    rule_drone: Any  # per parcel: the twin's rule would send it by drone (light, to a town)


@dataclass
class RoutingTally:
    """What was routed by PyVRP and what was estimated, per class."""

    routed: Any = field(default_factory=lambda: np.zeros(len(CLASSES), dtype=np.int64))
    estimated: Any = field(default_factory=lambda: np.zeros(len(CLASSES), dtype=np.int64))
    km_routed: Any = field(default_factory=lambda: np.zeros(len(CLASSES)))
    bhh_routed: Any = field(default_factory=lambda: np.zeros(len(CLASSES)))
    bhh_estimated: Any = field(default_factory=lambda: np.zeros(len(CLASSES)))
    drones_routed: int = 0
    drones_estimated: int = 0
    courier_km_routed: float = 0.0
    couriers_estimated: int = 0
    clusters_routed: int = 0
    clusters_estimated: int = 0
    unassigned: int = 0
    errors: int = 0


class LastMile:
    """Routes or estimates each round and returns every parcel's delivery time."""

    def __init__(self, *, seed: int, share: Any, iterations: int, van_parcels: int, town_population: int) -> None:
        self.seed = seed
        self.share = np.asarray(share, dtype=float)
        self.iterations = iterations
        self.van_parcels = van_parcels
        self.town_population = town_population
        self.tally = RoutingTally()
        self.seconds = 0.0  # wall clock spent in the routing library (kept out of the report's seeded part)

    def deliver(self, r: Round) -> Any:
        """Return the delivery time (seconds since the sale's start) of each parcel of ``r``."""
        arrive = np.empty(len(r.parcels))
        for j, rows in enumerate(sweep(r.lat, r.lon, r.p_lat, r.p_lon, CLUSTER)):
            draw = np.random.default_rng([self.seed, 23, r.kind == "store", r.depot, int(r.depart_s), j])
            routed = draw.random() < self.share[r.klass]
            arrive[rows] = self._estimate(r, rows, draw)
            bhh = self._bhh(r, len(r.parcels), int((~r.rule_drone[rows]).sum()))
            if routed and self._route(r, rows, arrive, draw):
                self.tally.routed[r.klass] += len(rows)
                self.tally.bhh_routed[r.klass] += bhh
                self.tally.clusters_routed += 1
            else:
                self.tally.estimated[r.klass] += len(rows)
                self.tally.bhh_estimated[r.klass] += bhh
                self.tally.clusters_estimated += 1
                if r.kind == "store":
                    self.tally.couriers_estimated += len(rows)
                else:
                    self.tally.drones_estimated += int(r.rule_drone[rows].sum())
        return arrive

    def _bhh(self, r: Round, n_round: int, n_vans: int) -> float:
        """Van km of this cluster's van parcels by the twin's tour model (its share of the round)."""
        if r.kind == "store" or n_vans == 0:
            return 0.0
        vans = -(-n_vans // self.van_parcels)
        area = math.pi * r.radius_km * r.radius_km * min(1.0, n_vans / max(n_round, 1))
        return (vans * r.radius_km + 0.7124 * math.sqrt(n_vans * area)) * 1.3

    def _estimate(self, r: Round, rows: Any, draw: Any) -> Any:
        """Delivery times without routing: a spread over the van round; couriers ride straight there."""
        if r.kind == "store":
            dy = (r.p_lat[rows] - r.lat) * 111.0
            dx = (r.p_lon[rows] - r.lon) * 111.0 * math.cos(math.radians(r.lat))
            return r.depart_s + np.hypot(dx, dy) * 1.3 / 15.0 * 3600.0
        spread = draw.uniform(0.1, 1.0, size=len(rows)) * 4 * 3600.0
        flown = 600.0 + r.radius_km / 50.0 * 3600.0 * draw.random(len(rows))
        return r.depart_s + np.where(r.rule_drone[rows], flown, spread)

    def _route(self, r: Round, rows: Any, arrive: Any, draw: Any) -> bool:
        """Route one cluster with PyVRP; write arrival times into ``arrive``; ``False`` if the solver failed."""
        day = math.floor(r.depart_s / 86_400.0)
        opens = (r.depart_s - day * 86_400.0) / 60.0
        depot = Depot("depot", r.lat, r.lon, opens_min=opens, closes_min=opens + 600.0)
        parcels = [
            Parcel(str(i), float(y), float(x), max(float(w), 0.01), ready_min=opens, due_min=opens + 600.0)
            for i, (y, x, w) in enumerate(
                zip(r.p_lat[rows].tolist(), r.p_lon[rows].tolist(), r.kg[rows].tolist(), strict=True)
            )
        ]
        params = RoutingParams(
            fleet=self._fleet(r, len(rows)),
            iterations_per_problem=min(self.iterations, 20 + 2 * len(rows)),
            max_parcels_per_problem=CLUSTER,
            max_distance_km=250.0,
            seed=int(draw.integers(0, 2**31)),
        )
        started = time.perf_counter()
        try:
            plan = plan_routes([depot], parcels, params)
        except WujieError:
            self.tally.errors += 1
            return False
        finally:
            self.seconds += time.perf_counter() - started
        base = day * 86_400.0
        for route in plan.routes:
            for stop in route.stops:
                arrive[rows[int(stop.parcel_id)]] = base + stop.arrival_min * 60.0
            if route.vehicle == VehicleKind.VAN:
                self.tally.km_routed[r.klass] += route.distance_km
            elif route.vehicle == VehicleKind.DRONE:
                self.tally.drones_routed += len(route.stops)
            else:
                self.tally.courier_km_routed += route.distance_km
        self.tally.unassigned += len(plan.unassigned)  # these keep their estimated times
        return True

    def _fleet(self, r: Round, n: int) -> tuple[Any, ...]:
        if r.kind == "store":
            return (courier(count=-(-n // 12) + 1),)
        vans = van(count=-(-n // self.van_parcels) + 1, shift_min=600.0)
        return (vans, drone(count=3, shift_min=600.0)) if r.klass == 3 else (vans,)

    def summary(self, iterations_note: str) -> dict[str, Any]:
        """The report's ``routing`` section: what PyVRP routed and what the model estimated."""
        t = self.tally
        ratio = np.divide(t.km_routed, t.bhh_routed, out=np.full(len(CLASSES), np.nan), where=t.bhh_routed > 0)
        overall = float(t.km_routed.sum() / t.bhh_routed.sum()) if t.bhh_routed.sum() > 0 else 1.0
        used = np.where(np.isfinite(ratio), ratio, overall)
        return {
            "method": iterations_note,
            "parcels_routed": int(t.routed.sum()),
            "parcels_estimated": int(t.estimated.sum()),
            "van_km_routed": round(float(t.km_routed.sum()), 1),
            "van_km_estimated": round(float((t.bhh_estimated * used).sum()), 1),
            "drone_sorties_routed": t.drones_routed,
            "drone_sorties_estimated": t.drones_estimated,
            "courier_km_routed": round(t.courier_km_routed, 1),
            "courier_parcels_estimated": t.couriers_estimated,
            "clusters_routed": t.clusters_routed,
            "clusters_estimated": t.clusters_estimated,
            "routed_parcels_left_to_estimate": t.unassigned,
            "solver_errors": t.errors,
            "by_class": {
                name: {
                    "share_sampled": round(float(self.share[k]), 6),
                    "parcels_routed": int(t.routed[k]),
                    "parcels_estimated": int(t.estimated[k]),
                    "pyvrp_km_over_model_km": None if not np.isfinite(ratio[k]) else round(float(ratio[k]), 4),
                }
                for k, name in enumerate(CLASSES)
            },
        }

    def van_km(self) -> float:
        """Routed van km plus the calibrated estimate of the rest."""
        s = self.summary("")
        return float(s["van_km_routed"] + s["van_km_estimated"])


def sweep(lat0: float, lon0: float, lat: Any, lon: Any, size: int) -> list[Any]:
    """Cut parcels into nearly equal clusters of at most ``size`` by bearing from the depot.

    The same cut as :func:`wujie.fulfilment.routing.sweep_clusters` (starting at the widest angular
    gap), on arrays: returns the row indices of each cluster.
    """
    n = len(lat)
    if n <= size:
        return [np.arange(n)]
    angle = np.arctan2(lat - lat0, (lon - lon0) * math.cos(math.radians(lat0)))
    order = np.argsort(angle, kind="stable")
    sorted_angle = angle[order]
    gaps = np.diff(np.concatenate([sorted_angle, sorted_angle[:1] + 2 * math.pi]))
    order = np.roll(order, -((int(np.argmax(gaps)) + 1) % n))
    return list(np.array_split(order, math.ceil(n / size)))
