"""One routing sub-problem (some depots, their parcels, their vehicles) built for PyVRP, solved and decoded."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import numpy.typing as npt

from wujie.fulfilment.errors import UnassignedReason
from wujie.fulfilment.geography import haversine_matrix_km
from wujie.fulfilment.routing.feasibility import trip_km, unserved_reason
from wujie.fulfilment.routing.model import Depot, Parcel, RoutePlan, SlaOutcome, Stop, Unassigned, VehicleSpec

#: PyVRP's largest safe matrix value (pyvrp.constants.MAX_VALUE), used for edges a vehicle may not take.
FORBIDDEN = 1 << 44
#: Reward for serving a parcel: far above any detour, so the solver drops a parcel only when it must.
PRIZE = 10**10
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


@dataclass(frozen=True, slots=True)
class SubPlan:
    """The decoded answer to one sub-problem."""

    routes: tuple[RoutePlan, ...]
    unassigned: tuple[Unassigned, ...]


def _matrices(
    problem: SubProblem, km: npt.NDArray[np.float64]
) -> tuple[list[npt.NDArray[np.int64]], list[npt.NDArray[np.int64]]]:
    """Distance (metres) and duration (seconds) matrices, one profile per vehicle spec."""
    n_depots = len(problem.depots)
    distances, durations = [], []
    for spec in problem.specs:
        spec_km = trip_km(spec, 1.0, problem.road_factor) * km
        dist = np.rint(spec_km * 1000).astype(np.int64)
        dur = np.rint(spec_km / spec.speed_kmh * 3600).astype(np.int64)
        if spec.max_parcels_per_trip == 1 or spec.trip_range_km is not None:
            # single-drop sorties: only depot <-> parcel legs exist, and only to parcels the spec can serve
            allowed = np.zeros(len(km), dtype=bool)
            allowed[:n_depots] = True
            allowed[n_depots:] = [_servable(problem, spec, i, km) for i in range(len(problem.parcels))]
            legal = np.zeros_like(dist, dtype=bool)
            legal[:n_depots, :] = legal[:, :n_depots] = True
            legal &= allowed[:, None] & allowed[None, :]
            dist[~legal] = FORBIDDEN
            dur[~legal] = FORBIDDEN
            np.fill_diagonal(dist, 0)
            np.fill_diagonal(dur, 0)
        distances.append(dist)
        durations.append(dur)
    return distances, durations


def _servable(problem: SubProblem, spec: VehicleSpec, i: int, km: npt.NDArray[np.float64]) -> bool:
    n_depots = len(problem.depots)
    return any(
        unserved_reason(spec, depot, problem.parcels[i], float(km[d, n_depots + i]), problem.road_factor) is None
        for d, depot in enumerate(problem.depots)
    )


def build_data(problem: SubProblem) -> tuple[Any, list[tuple[int, int]]]:
    """Return the ``pyvrp.ProblemData`` of ``problem`` and the (depot, spec) of each vehicle type.

    Loads have two dimensions: grams and parcel count (a drone carries one parcel per sortie).
    """
    import pyvrp

    points = [(d.lat, d.lon) for d in problem.depots] + [(p.lat, p.lon) for p in problem.parcels]
    km = haversine_matrix_km([p[0] for p in points], [p[1] for p in points])
    locations = [pyvrp.Location(x=lon, y=lat) for lat, lon in points]
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
            prize=PRIZE,
            required=False,
            name=p.id,
        )
        for i, p in enumerate(problem.parcels)
    ]
    distances, durations = _matrices(problem, km)
    types, keys = _vehicle_types(problem)
    return pyvrp.ProblemData(locations, clients, depots, types, cast(Any, distances), cast(Any, durations)), keys


def _vehicle_types(problem: SubProblem) -> tuple[list[Any], list[tuple[int, int]]]:
    import pyvrp

    many = len(problem.parcels) + 1
    types, keys = [], []
    for d, depot in enumerate(problem.depots):
        for s, spec in enumerate(problem.specs):
            if problem.counts[d][s] == 0:
                continue
            types.append(
                pyvrp.VehicleType(
                    num_available=problem.counts[d][s],
                    capacity=[round(spec.capacity_kg * GRAMS_PER_KG), spec.max_parcels_per_trip or many],
                    start_depot=d,
                    end_depot=d,
                    fixed_cost=spec.fixed_cost * 1000,
                    tw_early=_sec(depot.opens_min),
                    tw_late=_sec(depot.closes_min),
                    shift_duration=_sec(spec.shift_min),
                    unit_distance_cost=spec.cost_per_km,
                    profile=s,
                    reload_depots=[d] if spec.multi_trip else [],
                    name=f"{depot.id}|{spec.name}",
                )
            )
            keys.append((d, s))
    return types, keys


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
    import pyvrp
    from pyvrp.stop import MaxRuntime

    if not any(any(c) for c in problem.counts):
        return SubPlan((), tuple(_dropped(p, "no vehicle left for this cluster") for p in problem.parcels))
    data, keys = build_data(problem)
    result = pyvrp.solve(data, MaxRuntime(problem.seconds), seed=problem.seed, collect_stats=False, display=False)
    routes: list[RoutePlan] = []
    served: set[str] = set()
    for route in result.best.routes():
        if not route.is_feasible():
            continue  # its parcels are reported below as not served
        plan = _decode(problem, keys[route.vehicle_type()], route)
        routes.append(plan)
        served.update(s.parcel_id for s in plan.stops)
    unassigned = tuple(
        _dropped(p, "the fleet's capacity and shifts ran out") for p in problem.parcels if p.id not in served
    )
    return SubPlan(tuple(routes), unassigned)


def _dropped(parcel: Parcel, detail: str) -> Unassigned:
    return Unassigned(parcel.id, UnassignedReason.FLEET_EXHAUSTED, detail)


def _decode(problem: SubProblem, key: tuple[int, int], route: Any) -> RoutePlan:
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
        distance_km=route.distance() / 1000.0,
        start_min=route.start_time() / 60.0,
        end_min=route.end_time() / 60.0,
        trips=int(route.num_trips()),
        load_kg=round(load, 3),
        path=tuple(path),
    )
