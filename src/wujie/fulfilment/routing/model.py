"""Plain records of the routing library: depots, parcels, vehicle specs, params and the plan returned."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from wujie.fulfilment.errors import InvalidFulfilmentInput, UnassignedReason, require
from wujie.fulfilment.geography import check_coordinates

MINUTES_PER_DAY = 24 * 60


class VehicleKind(StrEnum):
    """The kinds of vehicle the fleet is made of."""

    VAN = "van"
    COURIER = "courier"
    DRONE = "drone"


class SlaOutcome(StrEnum):
    """What happened to one parcel against its promised delivery time."""

    ON_TIME = "on_time"
    LATE = "late"
    UNASSIGNED = "unassigned"


@dataclass(frozen=True, slots=True)
class Depot:
    """A warehouse, store or sorting centre vehicles start from and return to (times in minutes)."""

    id: str
    lat: float
    lon: float
    opens_min: float = 0.0
    closes_min: float = float(MINUTES_PER_DAY)

    def __post_init__(self) -> None:
        check_coordinates(self.lat, self.lon, f"depot {self.id}")
        require(0 <= self.opens_min < self.closes_min, "depot must open before it closes", depot=self.id)


@dataclass(frozen=True, slots=True)
class Parcel:
    """A parcel to deliver: weight, place, hard delivery window and promised (SLA) time, in minutes.

    ``ready_min``/``due_min`` are the hard window in which the parcel can be handed over;
    ``sla_due_min`` (default ``due_min``) is the promise the SLA outcome is judged against.
    ``depot_id`` pins the parcel to the depot it was allocated to (else the nearest depot).
    """

    id: str
    lat: float
    lon: float
    weight_kg: float
    ready_min: float = 0.0
    due_min: float = float(MINUTES_PER_DAY)
    service_min: float = 2.0
    sla_due_min: float | None = None
    depot_id: str | None = None

    def __post_init__(self) -> None:
        check_coordinates(self.lat, self.lon, f"parcel {self.id}")
        if not (math.isfinite(self.weight_kg) and self.weight_kg > 0):
            raise InvalidFulfilmentInput(f"parcel {self.id} must weigh more than 0 kg", weight_kg=self.weight_kg)
        if not (0 <= self.ready_min <= self.due_min):
            raise InvalidFulfilmentInput(
                f"parcel {self.id} has an empty time window [{self.ready_min}, {self.due_min}]",
                parcel=self.id,
            )
        if self.service_min < 0:
            raise InvalidFulfilmentInput(f"parcel {self.id} has a negative service time", parcel=self.id)

    @property
    def promised_min(self) -> float:
        """The time the SLA is judged against."""
        return self.due_min if self.sla_due_min is None else self.sla_due_min


@dataclass(frozen=True, slots=True)
class VehicleSpec:
    """One class of vehicle, available ``count`` times at every depot.

    Parameters
    ----------
    kind
        Van, e-bike courier or drone.
    count
        Vehicles of this spec at each depot (``depot_counts`` overrides per depot).
    capacity_kg
        Payload per trip.
    speed_kmh
        Average speed: over the road network for vans and couriers, in the air for drones.
    shift_min
        Longest working time from leaving the depot to coming back.
    cost_per_km, fixed_cost
        Integer cost units per km driven and per vehicle used (per sortie for single-drop multi-trip
        vehicles such as drones).
    max_parcels_per_trip
        Drops per trip (a drone makes one drop per sortie); ``None`` for no limit.
    trip_range_km
        Longest out-and-back distance of one sortie (a drone's battery); ``None`` for no limit.
        Needs ``max_parcels_per_trip=1``.
    trip_max_min
        Longest flight time of one sortie; ``None`` for no limit. Needs ``max_parcels_per_trip=1``.
    multi_trip
        Whether the vehicle comes back to reload and leaves again within its shift.
    straight_line
        Flies straight (no road factor) when true.
    turnaround_min
        Time at the depot between two sorties (battery swap, loading) of a single-drop vehicle.
    depot_counts
        Vehicles per depot id, overriding ``count`` there.
    """

    kind: VehicleKind
    count: int
    capacity_kg: float
    speed_kmh: float
    shift_min: float = 480.0
    cost_per_km: int = 1
    fixed_cost: int = 0
    max_parcels_per_trip: int | None = None
    trip_range_km: float | None = None
    trip_max_min: float | None = None
    multi_trip: bool = False
    straight_line: bool = False
    turnaround_min: float = 0.0
    depot_counts: Mapping[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        require(self.count >= 0, "vehicle count must be >= 0", count=self.count)
        require(self.capacity_kg > 0, "vehicle capacity must be > 0 kg", capacity_kg=self.capacity_kg)
        require(self.speed_kmh > 0, "vehicle speed must be > 0 km/h", speed_kmh=self.speed_kmh)
        require(self.shift_min > 0, "shift must be > 0 minutes", shift_min=self.shift_min)
        require(self.cost_per_km >= 0 and self.fixed_cost >= 0, "costs must be >= 0")
        require(self.max_parcels_per_trip is None or self.max_parcels_per_trip >= 1, "max_parcels_per_trip >= 1")
        require(self.trip_range_km is None or self.trip_range_km > 0, "trip_range_km must be > 0")
        require(self.trip_max_min is None or self.trip_max_min > 0, "trip_max_min must be > 0")
        require(self.turnaround_min >= 0, "turnaround_min must be >= 0")
        require(all(c >= 0 for c in self.depot_counts.values()), "depot_counts must be >= 0")
        require(
            (self.trip_range_km is None and self.trip_max_min is None) or self.max_parcels_per_trip == 1,
            "a trip range or flight time is enforced per sortie: it needs max_parcels_per_trip=1",
        )

    def count_at(self, depot_id: str) -> int:
        """Return how many vehicles of this spec start at ``depot_id``."""
        return self.depot_counts.get(depot_id, self.count)

    @property
    def name(self) -> str:
        """A short label, e.g. ``van`` or ``drone``."""
        return str(self.kind)


def van(count: int = 10, capacity_kg: float = 800.0, shift_min: float = 480.0, speed_kmh: float = 30.0) -> VehicleSpec:
    """Return a delivery van spec (defaults: 800 kg, 8-hour shift, 30 km/h in town)."""
    return VehicleSpec(VehicleKind.VAN, count, capacity_kg, speed_kmh, shift_min, cost_per_km=3, fixed_cost=200)


def courier(
    count: int = 10, capacity_kg: float = 40.0, shift_min: float = 480.0, speed_kmh: float = 15.0
) -> VehicleSpec:
    """Return an e-bike courier spec (defaults: 40 kg per trip, reloads at the depot, 15 km/h)."""
    return VehicleSpec(
        VehicleKind.COURIER, count, capacity_kg, speed_kmh, shift_min, cost_per_km=1, fixed_cost=60, multi_trip=True
    )


def drone(
    count: int = 2,
    payload_kg: float = 10.0,
    range_km: float = 20.0,
    flight_min: float = 40.0,
    shift_min: float = 480.0,
) -> VehicleSpec:
    """Return a drone spec (after JD's Y3: 10 kg, 20 km and 40 minutes per sortie, one drop each, 5-minute swap)."""
    return VehicleSpec(
        VehicleKind.DRONE,
        count,
        payload_kg,
        speed_kmh=range_km / (flight_min / 60.0),
        shift_min=shift_min,
        cost_per_km=1,
        fixed_cost=5,
        max_parcels_per_trip=1,
        trip_range_km=range_km,
        trip_max_min=flight_min,
        multi_trip=True,
        straight_line=True,
        turnaround_min=5.0,
    )


@dataclass(frozen=True, slots=True)
class RoutingParams:
    """How to plan: the fleet, the road factor, and the solver's time per sub-problem.

    Parameters
    ----------
    fleet
        Vehicle specs available at every depot.
    road_factor
        Road distance over straight-line distance for road vehicles.
    seconds_per_problem
        PyVRP time limit for each sub-problem (one depot's cluster of parcels).
    max_parcels_per_problem
        Parcels of one depot are swept into clusters of at most this many.
    time_budget_s
        Optional wall-clock budget of the whole call: each sub-problem's limit shrinks to its share
        of the time left, so screening, building and solving all fit in it.
    max_distance_km
        Parcels farther than this from their depot are reported out of range.
    workers
        Processes solving sub-problems in parallel.
    seed
        Seed of the solver's random stream.
    iterations_per_problem
        When set, each sub-problem's search stops after this many PyVRP iterations instead of
        after a time limit (``seconds_per_problem`` and ``time_budget_s`` are then ignored), so
        the plan depends only on the input and the seed.
    """

    fleet: tuple[VehicleSpec, ...] = (van(), courier(), drone())
    road_factor: float = 1.3
    seconds_per_problem: float = 1.0
    max_parcels_per_problem: int = 250
    time_budget_s: float | None = None
    max_distance_km: float = 150.0
    workers: int = 1
    seed: int = 0
    iterations_per_problem: int | None = None

    def __post_init__(self) -> None:
        require(
            self.iterations_per_problem is None or self.iterations_per_problem >= 1,
            "iterations_per_problem must be >= 1",
        )
        require(len(self.fleet) > 0, "the fleet needs at least one vehicle spec")
        require(self.road_factor >= 1.0, "road_factor must be >= 1", road_factor=self.road_factor)
        require(self.seconds_per_problem > 0, "seconds_per_problem must be > 0")
        require(self.max_parcels_per_problem >= 2, "max_parcels_per_problem must be >= 2")
        require(self.time_budget_s is None or self.time_budget_s > 0, "time_budget_s must be > 0")
        require(self.max_distance_km > 0, "max_distance_km must be > 0")
        require(self.workers >= 1, "workers must be >= 1")


@dataclass(frozen=True, slots=True)
class Stop:
    """One delivery on a route: when the vehicle arrives and whether the promise was kept."""

    parcel_id: str
    arrival_min: float
    trip: int
    sla: SlaOutcome


@dataclass(frozen=True, slots=True)
class RoutePlan:
    """One vehicle's day: its stops in order, distance and times (minutes)."""

    depot_id: str
    vehicle: str
    stops: tuple[Stop, ...]
    distance_km: float
    start_min: float
    end_min: float
    trips: int
    load_kg: float
    path: tuple[tuple[float, float], ...] = ()


@dataclass(frozen=True, slots=True)
class Unassigned:
    """A parcel that is not in any route, and why."""

    parcel_id: str
    reason: UnassignedReason
    detail: str


@dataclass(frozen=True, slots=True)
class RoutingPlan:
    """The routes of every vehicle, the parcels left out with their reasons, and totals."""

    routes: tuple[RoutePlan, ...]
    unassigned: tuple[Unassigned, ...]
    subproblems: int
    seconds: float

    @property
    def distance_km(self) -> float:
        """Total distance of all routes."""
        return sum(r.distance_km for r in self.routes)

    def outcomes(self) -> dict[str, SlaOutcome]:
        """Return the SLA outcome of every parcel planned or reported."""
        result = {s.parcel_id: s.sla for r in self.routes for s in r.stops}
        result.update({u.parcel_id: SlaOutcome.UNASSIGNED for u in self.unassigned})
        return result

    def summary(self) -> dict[str, float | int]:
        """Return counts and totals, JSON-friendly."""
        outcomes = list(self.outcomes().values())
        by_kind: dict[str, int] = {}
        for route in self.routes:
            by_kind[route.vehicle] = by_kind.get(route.vehicle, 0) + len(route.stops)
        return {
            "parcels": len(outcomes),
            "on_time": outcomes.count(SlaOutcome.ON_TIME),
            "late": outcomes.count(SlaOutcome.LATE),
            "unassigned": outcomes.count(SlaOutcome.UNASSIGNED),
            "routes": len(self.routes),
            "distance_km": round(self.distance_km, 3),
            "subproblems": self.subproblems,
            "seconds": round(self.seconds, 3),
            **{f"parcels_by_{k}": v for k, v in sorted(by_kind.items())},
        }
