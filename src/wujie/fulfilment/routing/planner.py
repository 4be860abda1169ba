"""Plan a day's deliveries: screen parcels, split the work by depot and sweep clusters, solve each with PyVRP."""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait

import numpy as np

from wujie.fulfilment.errors import InvalidFulfilmentInput, UnassignedReason, UnknownLocation
from wujie.fulfilment.geography import bearing_rad, haversine_km
from wujie.fulfilment.routing.feasibility import screen
from wujie.fulfilment.routing.model import Depot, Parcel, RoutingParams, RoutingPlan, Unassigned
from wujie.fulfilment.routing.subproblem import SubPlan, SubProblem, solve_subproblem

Progress = Callable[[int, int], None]
MIN_SECONDS = 0.05
#: share of the time left given to solving (the rest absorbs building and decoding sub-problems)
SAFETY = 0.8


def plan_routes(
    depots: Sequence[Depot],
    parcels: Sequence[Parcel],
    params: RoutingParams | None = None,
    on_progress: Progress | None = None,
) -> RoutingPlan:
    """Route every parcel from its depot with the fleet in ``params``; report each parcel left out.

    Parcels go to their ``depot_id`` (or the nearest depot). A parcel no vehicle could ever serve
    (too heavy, out of range, unreachable window) is reported before solving. When no parcel is
    pinned and all fit in one sub-problem, the depots are solved jointly (multi-depot VRP);
    otherwise each depot's parcels are swept by bearing into clusters of at most
    ``max_parcels_per_problem`` and each cluster gets a share of that depot's vehicles.

    Parameters
    ----------
    depots
        Where vehicles start and end; at least one.
    parcels
        What to deliver; ids must be unique.
    params
        Fleet, road factor, time limits and seed; defaults to :class:`RoutingParams` ().
    on_progress
        Called with (sub-problems done, total) after each sub-problem.

    Returns
    -------
    RoutingPlan
        Routes with arrival times and SLA outcome per parcel, and every unassigned parcel with its reason.
    """
    params = params or RoutingParams()
    started = time.perf_counter()
    by_id = _check_inputs(depots, parcels)
    home = {p.id: _home_depot(p, depots, by_id) for p in parcels}
    joint = _joint(depots, parcels, params)
    unassigned, routable = _screen_all(parcels, home, list(depots) if joint else None, params)
    problems = _decompose(depots, routable, home, joint, params)
    plans = _solve_all(problems, params, started, on_progress)
    routes = tuple(r for plan in plans for r in plan.routes)
    unassigned += [u for plan in plans for u in plan.unassigned]
    return RoutingPlan(routes, tuple(unassigned), len(problems), time.perf_counter() - started)


def _check_inputs(depots: Sequence[Depot], parcels: Sequence[Parcel]) -> dict[str, Depot]:
    if not depots:
        raise InvalidFulfilmentInput("at least one depot is needed")
    by_id = {d.id: d for d in depots}
    if len(by_id) != len(depots):
        raise InvalidFulfilmentInput("depot ids must be unique")
    if len({p.id for p in parcels}) != len(parcels):
        raise InvalidFulfilmentInput("parcel ids must be unique")
    return by_id


def _home_depot(parcel: Parcel, depots: Sequence[Depot], by_id: dict[str, Depot]) -> Depot:
    if parcel.depot_id is not None:
        if parcel.depot_id not in by_id:
            raise UnknownLocation(f"parcel {parcel.id} names unknown depot {parcel.depot_id}", depot=parcel.depot_id)
        return by_id[parcel.depot_id]
    return min(depots, key=lambda d: haversine_km(d.lat, d.lon, parcel.lat, parcel.lon))


def _joint(depots: Sequence[Depot], parcels: Sequence[Parcel], params: RoutingParams) -> bool:
    """Whether to solve one multi-depot problem: several depots, no pinned parcel, one problem's worth."""
    small = len(parcels) <= params.max_parcels_per_problem
    return len(depots) > 1 and small and all(p.depot_id is None for p in parcels)


def _screen_all(
    parcels: Sequence[Parcel], home: dict[str, Depot], shared: list[Depot] | None, params: RoutingParams
) -> tuple[list[Unassigned], list[Parcel]]:
    """Split parcels into routable ones and those no vehicle could serve, with the most telling reason.

    With ``shared`` depots (a joint multi-depot problem) a parcel is routable when any of them can serve it.
    """
    unassigned, routable = [], []
    for parcel in parcels:
        verdicts = [_verdict(parcel, depot, params) for depot in (shared or [home[parcel.id]])]
        if any(v is None for v in verdicts):
            routable.append(parcel)
            continue
        found = [v for v in [_verdict(parcel, home[parcel.id], params), *verdicts] if v is not None]
        # prefer the home depot's reason, and a depot with vehicles over one without
        reason, detail = next((v for v in found if v[0] is not UnassignedReason.FLEET_EXHAUSTED), found[0])
        unassigned.append(Unassigned(parcel.id, reason, detail))
    return unassigned, routable


def _verdict(parcel: Parcel, depot: Depot, params: RoutingParams) -> tuple[UnassignedReason, str] | None:
    specs = [s for s in params.fleet if s.count_at(depot.id) > 0]
    km = haversine_km(depot.lat, depot.lon, parcel.lat, parcel.lon)
    return screen(specs, depot, parcel, km, road_factor=params.road_factor, max_km=params.max_distance_km)


def _decompose(
    depots: Sequence[Depot],
    parcels: list[Parcel],
    home: dict[str, Depot],
    joint: bool,
    params: RoutingParams,
) -> list[SubProblem]:
    """Split into sub-problems: jointly when small and unpinned, else per depot and sweep cluster."""
    if not parcels:
        return []
    specs = params.fleet
    if joint:
        counts = tuple(tuple(s.count_at(d.id) for s in specs) for d in depots)
        joint_problem = SubProblem(tuple(depots), tuple(parcels), specs, counts, params.road_factor, 0.0, params.seed)
        return [_with_iterations(joint_problem, params)]
    problems: list[SubProblem] = []
    for depot in depots:
        mine = [p for p in parcels if home[p.id].id == depot.id]
        clusters = sweep_clusters(depot, mine, params.max_parcels_per_problem)
        shares = [apportion(s.count_at(depot.id), [len(c) for c in clusters]) for s in specs]
        for k, cluster in enumerate(clusters):
            counts = (tuple(share[k] for share in shares),)
            seed = params.seed + len(problems)
            problem = SubProblem((depot,), tuple(cluster), specs, counts, params.road_factor, 0.0, seed)
            problems.append(_with_iterations(problem, params))
    return problems


def sweep_clusters(depot: Depot, parcels: list[Parcel], max_size: int) -> list[list[Parcel]]:
    """Cut ``parcels`` into nearly equal clusters of at most ``max_size`` by their bearing from ``depot``.

    The sweep starts at the widest angular gap, so clusters are compact wedges around the depot.

    Parameters
    ----------
    depot
        The centre of the sweep.
    parcels
        The depot's parcels.
    max_size
        Largest cluster.

    Returns
    -------
    list of list of Parcel
        Clusters in sweep order (empty when there are no parcels).
    """
    if not parcels:
        return []
    angles = bearing_rad(depot.lat, depot.lon, [p.lat for p in parcels], [p.lon for p in parcels])
    order = np.argsort(angles, kind="stable")
    sorted_angles = angles[order]
    gaps = np.diff(np.concatenate([sorted_angles, sorted_angles[:1] + 2 * math.pi]))
    start = (int(np.argmax(gaps)) + 1) % len(order)
    order = np.roll(order, -start)
    k = math.ceil(len(parcels) / max_size)
    return [[parcels[i] for i in chunk] for chunk in np.array_split(order, k)]


def apportion(total: int, sizes: list[int]) -> list[int]:
    """Split ``total`` vehicles over clusters in proportion to ``sizes`` (largest remainder, exact sum).

    Parameters
    ----------
    total
        Vehicles to share.
    sizes
        Parcels per cluster.

    Returns
    -------
    list of int
        Vehicles per cluster, summing to ``total``.
    """
    weight = sum(sizes)
    if weight == 0:
        return [0] * len(sizes)
    exact = [total * s / weight for s in sizes]
    shares = [math.floor(x) for x in exact]
    by_remainder = sorted(range(len(sizes)), key=lambda i: (-(exact[i] - shares[i]), i))
    for i in by_remainder[: total - sum(shares)]:
        shares[i] += 1
    return shares


class _Budget:
    """Hands each sub-problem its share of the time left, so the whole plan fits ``time_budget_s``."""

    def __init__(self, params: RoutingParams, started: float, total: int) -> None:
        self.params = params
        self.deadline = None if params.time_budget_s is None else started + params.time_budget_s
        self.total = total

    def seconds(self, started_so_far: int) -> float:
        """Time limit for the next sub-problem, given how many were already started."""
        limit = self.params.seconds_per_problem
        if self.deadline is not None:
            left = self.deadline - time.perf_counter()
            limit = min(limit, SAFETY * left * self.params.workers / max(1, self.total - started_so_far))
        return max(MIN_SECONDS, limit)


def _solve_all(
    problems: list[SubProblem], params: RoutingParams, started: float, on_progress: Progress | None
) -> list[SubPlan]:
    budget = _Budget(params, started, len(problems))
    if params.workers == 1 or len(problems) <= 1:
        plans = []
        for i, problem in enumerate(problems):
            plans.append(solve_subproblem(_with_seconds(problem, budget.seconds(i))))
            _tick(on_progress, len(plans), len(problems))
        return plans
    return _solve_parallel(problems, params.workers, budget, on_progress)


def _solve_parallel(
    problems: list[SubProblem], workers: int, budget: _Budget, on_progress: Progress | None
) -> list[SubPlan]:
    """Keep ``workers`` processes busy; each new sub-problem is timed from the budget left then."""
    plans: dict[int, SubPlan] = {}
    pending: dict[Future[SubPlan], int] = {}
    started = 0
    with ProcessPoolExecutor(max_workers=workers) as pool:
        while started < len(problems) or pending:
            while started < len(problems) and len(pending) < workers:
                timed = _with_seconds(problems[started], budget.seconds(started))
                pending[pool.submit(solve_subproblem, timed)] = started
                started += 1
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                plans[pending.pop(future)] = future.result()
                _tick(on_progress, len(plans), len(problems))
    return [plans[i] for i in range(len(problems))]


def _with_seconds(problem: SubProblem, seconds: float) -> SubProblem:
    return dataclasses.replace(problem, seconds=seconds)


def _with_iterations(problem: SubProblem, params: RoutingParams) -> SubProblem:
    return dataclasses.replace(problem, iterations=params.iterations_per_problem)


def _tick(on_progress: Progress | None, done: int, total: int) -> None:
    if on_progress is not None:
        on_progress(done, total)
