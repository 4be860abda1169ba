"""Routing benchmarks: CVRPLIB X and Solomon against best-known costs, and a whole twin's day planned at scale."""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import math
import platform
import statistics
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from wujie.fulfilment.allocation import POLICIES, LocationKind, Order, OrderLine, StockLocation, allocate_orders
from wujie.fulfilment.errors import InvalidParams
from wujie.fulfilment.geography import haversine_km
from wujie.fulfilment.routing import (
    Depot,
    Parcel,
    RoutingParams,
    RoutingPlan,
    VehicleSpec,
    courier,
    drone,
    plan_routes,
    van,
)
from wujie.fulfilment.routing.instances import best_known, read_instance, solve_instance
from wujie.shared.datafiles import shared_data_dir

#: benchmark set -> folder under the shared data directory
SETS = {"x": "routing/cvrplib-x", "solomon": "routing/solomon"}
#: the issue's targets: mean gap to best-known (percent)
TARGET_GAP_PCT = {"x": 1.0, "solomon": 2.0}


def instance_paths(set_name: str, max_n: int, data_dir: Path | None = None) -> list[Path]:
    """Return the set's ``.vrp`` files with at most ``max_n`` nodes (depot included), in name order.

    Parameters
    ----------
    set_name
        ``x`` or ``solomon``.
    max_n
        Largest instance dimension kept.
    data_dir
        Shared data root; defaults to :func:`shared_data_dir`.
    """
    if set_name not in SETS:
        raise InvalidParams(f"unknown benchmark set {set_name!r}; use one of {sorted(SETS)}", set=set_name)
    folder = (data_dir or shared_data_dir()) / SETS[set_name]
    if not folder.is_dir():
        raise InvalidParams(f"benchmark data folder {folder} is missing", folder=str(folder))
    return [p for p in sorted(folder.glob("*.vrp")) if _dimension(p) <= max_n]


def _dimension(path: Path) -> int:
    with path.open() as fh:
        for line in fh:
            if line.upper().startswith("DIMENSION"):
                return int(line.split(":")[-1])
    return 0


def run_route_bench(
    set_name: str,
    max_n: int,
    seconds: float,
    *,
    seed: int = 0,
    data_dir: Path | None = None,
    on_instance: Callable[[dict[str, Any]], None] | None = None,
) -> dict[str, Any]:
    """Solve every instance of a set and compare with its best-known cost (same rounding convention).

    Parameters
    ----------
    set_name
        ``x`` (CVRPLIB X, rounded EUC_2D) or ``solomon`` (VRPTW, DIMACS one-decimal truncation).
    max_n
        Largest instance dimension kept.
    seconds
        Solver time per instance.
    seed
        Solver seed.
    data_dir
        Shared data root.
    on_instance
        Called with each instance's record as it completes.

    Returns
    -------
    dict
        Summary (mean/median/max gap, ratio of mean cost to best-known, target) and one record per instance.
    """
    rows = []
    for path in instance_paths(set_name, max_n, data_dir):
        instance = read_instance(path)
        solution = solve_instance(instance, seconds, seed)
        bks = best_known(path)
        record = {**solution.as_dict(), "n": instance.num_clients + 1, "best_known": bks}
        record["gap_pct"] = round(100 * (solution.cost / bks - 1), 4) if bks and solution.feasible else None
        rows.append(record)
        if on_instance is not None:
            on_instance(record)
    return _summary(set_name, max_n, seconds, seed, rows)


def _summary(set_name: str, max_n: int, seconds: float, seed: int, rows: list[dict[str, Any]]) -> dict[str, Any]:
    gaps = [r["gap_pct"] for r in rows if r["gap_pct"] is not None]
    costs = sum(r["cost"] for r in rows if r["gap_pct"] is not None)
    bks = sum(r["best_known"] for r in rows if r["gap_pct"] is not None)
    return {
        "benchmark": f"route-{set_name}",
        "date": dt.date.today().isoformat(),
        "solver": f"pyvrp {importlib.metadata.version('pyvrp')}",
        "python": platform.python_version(),
        "set": set_name,
        "max_n": max_n,
        "seconds_per_instance": seconds,
        "seed": seed,
        "instances": len(rows),
        "feasible": sum(bool(r["feasible"]) for r in rows),
        "mean_gap_pct": round(statistics.fmean(gaps), 4) if gaps else None,
        "median_gap_pct": round(statistics.median(gaps), 4) if gaps else None,
        "max_gap_pct": round(max(gaps), 4) if gaps else None,
        "cost_to_best_known_ratio": round(costs / bks, 6) if bks else None,
        "target_mean_gap_pct": TARGET_GAP_PCT[set_name],
        "meets_target": bool(gaps) and statistics.fmean(gaps) <= TARGET_GAP_PCT[set_name],
        "results": rows,
    }


#: regional warehouses in real cities (lat, lon) and their share of a day's parcels
CITIES: dict[str, tuple[float, float, float]] = {
    "shanghai": (31.2304, 121.4737, 0.20),
    "beijing": (39.9042, 116.4074, 0.18),
    "guangzhou": (23.1291, 113.2644, 0.14),
    "shenzhen": (22.5431, 114.0579, 0.13),
    "hangzhou": (30.2741, 120.1551, 0.10),
    "chengdu": (30.5728, 104.0668, 0.10),
    "wuhan": (30.5928, 114.3055, 0.08),
    "xian": (34.3416, 108.9398, 0.07),
}


def day_workload(parcels: int, seed: int = 0) -> tuple[list[Depot], list[Parcel]]:
    """A seeded Singles' Day delivery day: parcels around eight city warehouses, with weights and windows.

    Customers spread around each city (normal, sigma ~9 km, capped at ~33 km); weights are
    log-normal (median 1.2 kg, 0.1-60 kg); 70% all-day delivery (08:00-21:00), 20% by noon,
    10% in the evening (18:00-21:00). Each parcel is pinned to its city's warehouse.

    Parameters
    ----------
    parcels
        How many parcels.
    seed
        Seed of the generator.
    """
    import numpy as np

    rng = np.random.default_rng(seed)
    names = list(CITIES)
    shares = np.array([CITIES[n][2] for n in names])
    city = rng.choice(len(names), size=parcels, p=shares / shares.sum())
    offsets = np.clip(rng.normal(0.0, 0.08, size=(parcels, 2)), -0.3, 0.3)
    weights = np.clip(rng.lognormal(np.log(1.2), 0.9, size=parcels), 0.1, 60.0)
    kind = rng.choice(3, size=parcels, p=[0.7, 0.2, 0.1])
    windows = {0: (480.0, 1260.0), 1: (480.0, 720.0), 2: (1080.0, 1260.0)}
    depots = [Depot(n, CITIES[n][0], CITIES[n][1], opens_min=480.0, closes_min=1260.0) for n in names]
    result = []
    for i in range(parcels):
        lat, lon, _ = CITIES[names[city[i]]]
        ready, due = windows[int(kind[i])]
        result.append(
            Parcel(
                f"P{i:06d}",
                round(lat + offsets[i, 0], 6),
                round(lon + offsets[i, 1], 6),
                round(float(weights[i]), 3),
                ready_min=ready,
                due_min=due,
                depot_id=names[city[i]],
            )
        )
    return depots, result


def day_fleet(depots: list[Depot], parcels: list[Parcel]) -> tuple[VehicleSpec, ...]:
    """Vans, couriers and drones per warehouse, sized to its parcels (one van per 80, one courier per 50, 10 drones)."""
    per_depot = {d.id: sum(p.depot_id == d.id for p in parcels) for d in depots}
    return (
        replace(van(0), depot_counts={d: math.ceil(n / 80) for d, n in per_depot.items()}),
        replace(courier(0), depot_counts={d: math.ceil(n / 50) for d, n in per_depot.items()}),
        replace(drone(0), depot_counts=dict.fromkeys(per_depot, 10)),
    )


def direct_delivery_km(depots: list[Depot], parcels: list[Parcel], road_factor: float) -> float:
    """The naive baseline: every parcel its own out-and-back van trip (road km)."""
    by_id = {d.id: d for d in depots}
    return sum(
        2 * road_factor * haversine_km(by_id[p.depot_id or ""].lat, by_id[p.depot_id or ""].lon, p.lat, p.lon)
        for p in parcels
    )


def run_day_bench(
    parcels: int = 100_000,
    *,
    budget_s: float = 240.0,
    workers: int = 2,
    max_parcels_per_problem: int = 250,
    seed: int = 0,
    on_progress: Callable[[int, int], None] | None = None,
) -> tuple[dict[str, Any], RoutingPlan, list[Depot]]:
    """Plan a whole twin's day of deliveries and compare with direct delivery and the 5-minute target.

    Parameters
    ----------
    parcels
        Parcels in the day.
    budget_s
        Solver budget handed to the planner (the time limit per sub-problem shrinks to fit it).
    workers
        Processes solving sub-problems.
    max_parcels_per_problem
        Cluster size.
    seed
        Seed of the workload and the solver.
    on_progress
        Called with (sub-problems done, total).
    """
    depots, day = day_workload(parcels, seed)
    fleet = day_fleet(depots, day)
    params = RoutingParams(
        fleet=fleet,
        time_budget_s=budget_s,
        workers=workers,
        max_parcels_per_problem=max_parcels_per_problem,
        seconds_per_problem=5.0,
        seed=seed,
    )
    started = time.perf_counter()
    plan = plan_routes(depots, day, params, on_progress)
    wall = time.perf_counter() - started
    direct = direct_delivery_km(depots, day, params.road_factor)
    reasons: dict[str, int] = {}
    for u in plan.unassigned:
        reasons[str(u.reason)] = reasons.get(str(u.reason), 0) + 1
    summary = {
        "benchmark": "route-day",
        "date": dt.date.today().isoformat(),
        "parcels": parcels,
        "depots": len(depots),
        "workers": workers,
        "budget_s": budget_s,
        "plan_seconds": round(wall, 2),
        "target_seconds": 300.0,
        "seconds_to_target_ratio": round(wall / 300.0, 4),
        "meets_target": wall < 300.0,
        "routed_share": round(1 - len(plan.unassigned) / parcels, 6),
        "unassigned_by_reason": reasons,
        "plan_km": round(plan.distance_km, 1),
        "direct_delivery_km": round(direct, 1),
        "plan_to_direct_km_ratio": round(plan.distance_km / direct, 6),
        **{k: v for k, v in plan.summary().items() if k not in {"distance_km", "seconds"}},
    }
    return summary, plan, depots


def allocation_workload(orders: int, seed: int = 0) -> tuple[list[StockLocation], list[Order]]:
    """A seeded national network: per city 6 warehouses (3,000 of 5,000 SKUs, 40 units each) and 30 stores
    (200 of the 500 best sellers, 5 units each); orders of 1-3 lines from the 1,500 most popular SKUs
    around the same eight cities.

    Parameters
    ----------
    orders
        Paid orders to allocate.
    seed
        Seed of the generator.
    """
    import numpy as np

    rng = np.random.default_rng(seed)
    skus = [f"sku{i:05d}" for i in range(5000)]
    locations: list[StockLocation] = []
    for name, (lat, lon, _) in CITIES.items():
        for w in range(6):
            held = rng.choice(5000, 3000, replace=False)
            where = lat + rng.normal(0, 0.2), lon + rng.normal(0, 0.2)
            locations.append(
                StockLocation(f"{name}-wh{w}", *where, LocationKind.WAREHOUSE, {skus[i]: 40 for i in held})
            )
        for s in range(30):
            held = rng.choice(500, 200, replace=False)
            where = lat + rng.normal(0, 0.1), lon + rng.normal(0, 0.1)
            locations.append(StockLocation(f"{name}-st{s}", *where, LocationKind.STORE, {skus[i]: 5 for i in held}))
    names = list(CITIES)
    result = []
    for i in range(orders):
        lat, lon, _ = CITIES[names[int(rng.integers(len(names)))]]
        lines = rng.choice(1500, int(rng.integers(1, 4)), replace=False)
        where = lat + rng.normal(0, 0.1), lon + rng.normal(0, 0.1)
        result.append(Order(f"O{i:07d}", *where, tuple(OrderLine(skus[k], 1, 0.5) for k in lines)))
    return locations, result


def run_allocation_bench(orders: int = 100_000, seed: int = 0) -> dict[str, Any]:
    """Allocate the same orders with each policy from the same stock; ratios against ``nearest`` (baseline).

    Parameters
    ----------
    orders
        Paid orders.
    seed
        Seed of the workload.
    """
    locations, paid = allocation_workload(orders, seed)
    runs: dict[str, dict[str, Any]] = {}
    for name in POLICIES:
        started = time.perf_counter()
        summary: dict[str, Any] = dict(allocate_orders(locations, paid, name).summary())
        seconds = time.perf_counter() - started
        summary["seconds"] = round(seconds, 2)
        summary["orders_per_second"] = round(orders / seconds)
        runs[name] = summary
    base = runs["nearest"]
    for summary in runs.values():
        summary["cost_to_nearest_ratio"] = round(summary["total_cost"] / base["total_cost"], 6)
        summary["shipments_to_nearest_ratio"] = round(summary["shipments"] / base["shipments"], 6)
    return {
        "benchmark": "allocation",
        "date": dt.date.today().isoformat(),
        "orders": orders,
        "locations": len(locations),
        "baseline": "nearest",
        "policies": runs,
    }
