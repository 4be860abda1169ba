"""One routing sub-problem (some depots, their parcels, their vehicles) built for PyVRP, solved and decoded."""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import numpy.typing as npt

from wujie.fulfilment.errors import UnassignedReason
from wujie.fulfilment.geography import haversine_km, haversine_matrix_km
from wujie.fulfilment.routing.feasibility import trip_km, unserved_reason
from wujie.fulfilment.routing.model import Depot, Parcel, RoutePlan, SlaOutcome, Stop, Unassigned, VehicleSpec
from wujie.fulfilment.routing.solver import run_pyvrp

#: PyVRP's largest safe matrix value (pyvrp.constants.MAX_VALUE), used for edges a vehicle may not take.
FORBIDDEN = 1 << 44
#: Distances go to PyVRP in units of 100 m: coarse enough that the reward for serving a parcel
#: (above its round-trip cost) stays below PyVRP's penalty bounds for load and time violations.
UNITS_PER_KM = 10
GRAMS_PER_KG = 1000


@dataclass(frozen=True, slots=True)
class SubProblem:
    """Depots, their parcels and the vehicles of each spec per depot (``counts[d][s]``)."""

    depots: tuple[Depot, ...]
    parcels: tuple[Parcel, ...]
    specs: tuple[VehicleSpec, ...]
    counts: tuple[tuple[int, ...], ...]
    road_factor: float
    seconds: float
    seed: int
    iterations: int | None = None


@dataclass(frozen=True, slots=True)
class SubPlan:
    """The decoded answer to one sub-problem."""

    routes: tuple[RoutePlan, ...]
    unassigned: tuple[Unassigned, ...]


def _matrices(
    problem: SubProblem, km: npt.NDArray[np.float64]
) -> tuple[list[npt.NDArray[np.int64]], list[npt.NDArray[np.int64]]]:
    """Distance (100 m units) and duration (seconds) matrices, one profile per depot and vehicle spec.

    A vehicle never goes near a parcel it could not serve from its own depot on an out-and-back trip
    (too heavy for it, beyond its range, sortie or shift): those legs are forbidden in its profile.
    One drop per sortie is a load dimension.
    """
    n_depots = len(problem.depots)
    distances, durations = [], []
    for d, depot in enumerate(problem.depots):
        for spec in problem.specs:
            spec_km = trip_km(spec, 1.0, problem.road_factor) * km
            dist = np.rint(spec_km * UNITS_PER_KM).astype(np.int64)
            dur = np.rint(spec_km / spec.speed_kmh * 3600).astype(np.int64)
            allowed = np.ones(len(km), dtype=bool)
            allowed[n_depots:] = [
                unserved_reason(spec, depot, parcel, float(km[d, n_depots + i]), problem.road_factor) is None
                for i, parcel in enumerate(problem.parcels)
            ]
            legal = allowed[:, None] & allowed[None, :]
            np.fill_diagonal(legal, True)
            dist[~legal] = FORBIDDEN
            dur[~legal] = FORBIDDEN
            distances.append(dist)
            durations.append(dur)
    return distances, durations


def build_data(problem: SubProblem) -> tuple[Any, list[TypeKey]]:
    """Return the ``pyvrp.ProblemData`` of ``problem`` and the (depot, spec) of each vehicle type.

    Loads have two dimensions: grams and parcel count (a drone carries one parcel per sortie).
    """
    import pyvrp

    points = [(d.lat, d.lon) for d in problem.depots] + [(p.lat, p.lon) for p in problem.parcels]
    km = haversine_matrix_km([p[0] for p in points], [p[1] for p in points])
    locations = [pyvrp.Location(x=lon, y=lat) for lat, lon in points]
    prize = _prize(problem, km)
    depots = [
        pyvrp.Depot(location=i, tw_early=_sec(d.opens_min), tw_late=_sec(d.closes_min), name=d.id)
        for i, d in enumerate(problem.depots)
    ]
    clients = [
        pyvrp.Client(
            location=len(problem.depots) + i,
            delivery=[round(p.weight_kg * GRAMS_PER_KG), 1],
            service_duration=_sec(p.service_min),
            tw_early=_sec(p.ready_min),
            tw_late=_sec(p.due_min),
            prize=prize,
            required=False,
            name=p.id,
        )
        for i, p in enumerate(problem.parcels)
    ]
    distances, durations = _matrices(problem, km)
    types, keys = _vehicle_types(problem)
    return pyvrp.ProblemData(locations, clients, depots, types, cast(Any, distances), cast(Any, durations)), keys


#: (depot index, spec index, sortie slot or -1) of each PyVRP vehicle type
TypeKey = tuple[int, int, int]


def _vehicle_types(problem: SubProblem) -> tuple[list[Any], list[TypeKey]]:
    """One vehicle type per depot and spec; single-drop multi-trip specs (drones) get one per sortie slot.

    A drone's day is cut into back-to-back slots of one flight plus the battery swap; each slot is a
    vehicle type with ``count`` vehicles and a one-parcel capacity, so sorties of one drone never overlap
    and each carries one parcel, without relying on the search to open new trips. The spec's fixed
    cost is charged per sortie.
    """
    import pyvrp

    many = len(problem.parcels) + 1
    types, keys = [], []
    for d, depot in enumerate(problem.depots):
        for s, spec in enumerate(problem.specs):
            if problem.counts[d][s] == 0:
                continue
            base = pyvrp.VehicleType(
                num_available=problem.counts[d][s],
                capacity=[round(spec.capacity_kg * GRAMS_PER_KG), spec.max_parcels_per_trip or many],
                start_depot=d,
                end_depot=d,
                fixed_cost=spec.fixed_cost * UNITS_PER_KM,
                tw_early=_sec(depot.opens_min),
                tw_late=_sec(depot.closes_min),
                shift_duration=_sec(spec.shift_min),
                unit_distance_cost=spec.cost_per_km,
                profile=d * len(problem.specs) + s,
                reload_depots=[d] if spec.multi_trip else [],
                name=f"{depot.id}|{spec.name}",
            )
            if not sortie_slots(spec):
                types.append(base)
                keys.append((d, s, -1))
                continue
            for k, (start, end) in enumerate(slot_windows(spec, depot)):
                slot = base.replace(
                    tw_early=_sec(start), tw_late=_sec(end), start_late=_sec(start), shift_duration=_sec(end - start)
                )
                # one cost unit more per later slot: among equal plans the earlier sortie wins
                types.append(slot.replace(reload_depots=[], fixed_cost=base.fixed_cost + k))
                keys.append((d, s, k))
    return types, keys


def sortie_slots(spec: VehicleSpec) -> bool:
    """Whether ``spec`` flies one parcel per sortie, several sorties a day (planned in time slots)."""
    return spec.multi_trip and spec.max_parcels_per_trip == 1


def slot_windows(spec: VehicleSpec, depot: Depot) -> list[tuple[float, float]]:
    """Return the (start, end) minutes of each sortie slot of ``spec`` at ``depot``.

    Parameters
    ----------
    spec
        A single-drop multi-trip spec; a slot lasts its ``trip_max_min`` (60 if unset) plus ``turnaround_min``.
    depot
        Slots run from its opening for the spec's shift, and not past its closing.
    """
    length = (spec.trip_max_min or 60.0) + spec.turnaround_min
    end = min(depot.closes_min, depot.opens_min + spec.shift_min)
    count = int((end - depot.opens_min) // length)
    return [(depot.opens_min + k * length, depot.opens_min + (k + 1) * length) for k in range(count)]


def _prize(problem: SubProblem, km: npt.NDArray[np.float64]) -> int:
    """Reward per parcel served: more than the dearest vehicle's round trip to the farthest parcel."""
    n_depots = len(problem.depots)
    farthest = float(km[:n_depots, n_depots:].min(axis=0).max()) if problem.parcels else 0.0
    dearest = max(2 * trip_km(s, farthest, problem.road_factor) * s.cost_per_km + s.fixed_cost for s in problem.specs)
    return round(2 * dearest * UNITS_PER_KM) + 1


def _sec(minutes: float) -> int:
    return round(minutes * 60)


def solve_subproblem(problem: SubProblem) -> SubPlan:
    """Solve ``problem`` with PyVRP within its time limit and decode routes and dropped parcels.

    Parameters
    ----------
    problem
        A self-contained sub-problem (picklable, so it can be solved in a worker process).

    Returns
    -------
    SubPlan
        Routes with arrival times and SLA outcomes; parcels the solver left out, with their reason.
    """
    if not any(any(c) for c in problem.counts):
        return SubPlan((), tuple(_dropped(p, "no vehicle left for this cluster") for p in problem.parcels))
    data, keys = build_data(problem)
    result = run_pyvrp(data, problem.seconds, problem.seed, start_empty=True, iterations=problem.iterations)
    routes: list[RoutePlan] = []
    sorties: dict[tuple[int, int, int], list[RoutePlan]] = {}
    used_in_slot: Counter[TypeKey] = Counter()
    for route in result.best.routes():
        if not route.is_feasible():
            continue  # its parcels are reported below as not served
        key = keys[route.vehicle_type()]
        plan = _decode(problem, key, route)
        if key[2] < 0:
            routes.append(plan)
            continue
        # the j-th vehicle flying in a slot is drone j: its sorties, slot after slot, make its day
        sorties.setdefault((key[0], key[1], used_in_slot[key]), []).append(plan)
        used_in_slot[key] += 1
    routes.extend(_merge_sorties(flights) for _, flights in sorted(sorties.items()))
    served = {s.parcel_id for r in routes for s in r.stops}
    unassigned = tuple(
        _dropped(p, "not routed: its cluster's vehicles ran out of capacity or shift time within the time limit")
        for p in problem.parcels
        if p.id not in served
    )
    return SubPlan(tuple(routes), unassigned)


def _dropped(parcel: Parcel, detail: str) -> Unassigned:
    return Unassigned(parcel.id, UnassignedReason.FLEET_EXHAUSTED, detail)


def _path_km(path: list[tuple[float, float]], spec: VehicleSpec, road_factor: float) -> float:
    legs = itertools.pairwise(path)
    return sum(trip_km(spec, haversine_km(a[0], a[1], b[0], b[1]), road_factor) for a, b in legs)


def _merge_sorties(flights: list[RoutePlan]) -> RoutePlan:
    """Join one drone's single-drop sorties (in slot order) into its route for the day."""
    flights.sort(key=lambda f: f.start_min)
    stops = tuple(Stop(f.stops[0].parcel_id, f.stops[0].arrival_min, k, f.stops[0].sla) for k, f in enumerate(flights))
    path = [point for f in flights for point in f.path[:-1]] + [flights[-1].path[-1]]
    return RoutePlan(
        depot_id=flights[0].depot_id,
        vehicle=flights[0].vehicle,
        stops=stops,
        distance_km=round(sum(f.distance_km for f in flights), 6),
        start_min=flights[0].start_min,
        end_min=flights[-1].end_min,
        trips=len(flights),
        load_kg=round(sum(f.load_kg for f in flights), 3),
        path=tuple(path),
    )


def _decode(problem: SubProblem, key: TypeKey, route: Any) -> RoutePlan:
    """Turn one PyVRP route into a :class:`RoutePlan` (times back in minutes, distance in km)."""
    depot, spec = problem.depots[key[0]], problem.specs[key[1]]
    stops, path, load = [], [(depot.lat, depot.lon)], 0.0
    for activity in route.schedule():
        if activity.is_client():
            parcel = problem.parcels[activity.idx]
            arrival = activity.start_time / 60.0
            sla = SlaOutcome.ON_TIME if arrival <= parcel.promised_min + 1e-9 else SlaOutcome.LATE
            stops.append(Stop(parcel.id, round(arrival, 3), int(activity.trip), sla))
            path.append((parcel.lat, parcel.lon))
            load += parcel.weight_kg
        elif path[-1] != (depot.lat, depot.lon):
            path.append((depot.lat, depot.lon))
    if path[-1] != (depot.lat, depot.lon):
        path.append((depot.lat, depot.lon))
    return RoutePlan(
        depot_id=depot.id,
        vehicle=spec.name,
        stops=tuple(stops),
        distance_km=round(_path_km(path, spec, problem.road_factor), 6),
        start_min=route.start_time() / 60.0,
        end_min=route.end_time() / 60.0,
        trips=int(route.num_trips()),
        load_kg=round(load, 3),
        path=tuple(path),
    )
