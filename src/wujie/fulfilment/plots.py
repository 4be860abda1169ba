"""PNG plots of routes and of the sorting backlog (matplotlib, Agg backend, imported lazily)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from wujie.fulfilment.routing.instances import Instance, InstanceSolution
from wujie.fulfilment.routing.model import Depot, RoutingPlan
from wujie.fulfilment.sorting.model import BacklogResult

KIND_COLOURS = {"van": "tab:blue", "courier": "tab:green", "drone": "tab:orange"}


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_instance_solution(instance: Instance, solution: InstanceSolution, path: Path) -> Path:
    """Draw each route of a VRPLIB solution over the instance's coordinates and save a PNG.

    Parameters
    ----------
    instance, solution
        What was solved and the answer.
    path
        PNG file to write (its folder is created).
    """
    plt = _pyplot()
    locations = instance.data.locations()
    fig, ax = plt.subplots(figsize=(8, 8))
    for route in solution.routes:
        nodes = [0, *(n - 1 for n in route), 0]
        ax.plot([locations[i].x for i in nodes], [locations[i].y for i in nodes], lw=0.8)
    depot = locations[0]
    ax.scatter([depot.x], [depot.y], c="tab:red", marker="*", s=250, zorder=3, label="depot")
    ax.set_title(f"{instance.name}: cost {solution.cost:g}, {len(solution.routes)} routes")
    ax.legend(loc="upper right")
    return _save(fig, plt, path)


def plot_route_plan(plan: RoutingPlan, depots: Sequence[Depot], path: Path, depot_ids: set[str] | None = None) -> Path:
    """Draw a geographic route plan (lon/lat), coloured by vehicle kind, and save a PNG.

    Parameters
    ----------
    plan
        What :func:`~wujie.fulfilment.routing.plan_routes` returned.
    depots
        The depots, drawn as stars.
    path
        PNG file to write.
    depot_ids
        Draw only the routes of these depots (all when ``None``).
    """
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(9, 8))
    depots = [d for d in depots if depot_ids is None or d.id in depot_ids]
    shown = [r for r in plan.routes if depot_ids is None or r.depot_id in depot_ids]
    for route in shown:
        lats, lons = zip(*route.path, strict=True) if route.path else ((), ())
        ax.plot(lons, lats, lw=0.7, alpha=0.8, color=KIND_COLOURS.get(route.vehicle, "grey"))
    for kind, colour in KIND_COLOURS.items():
        ax.plot([], [], color=colour, label=kind)
    ax.scatter([d.lon for d in depots], [d.lat for d in depots], c="tab:red", marker="*", s=250, zorder=3)
    where = ", ".join(d.id for d in depots)
    ax.set_title(f"{where}: {len(shown)} routes, {sum(len(r.stops) for r in shown)} parcels delivered")
    ax.set_xlabel("longitude")
    ax.set_ylabel("latitude")
    ax.legend(loc="upper right")
    return _save(fig, plt, path)


def plot_gaps(summary: dict[str, Any], path: Path) -> Path:
    """Bar chart of the gap to best-known per instance of a routing benchmark run.

    Parameters
    ----------
    summary
        The dict :func:`wujie.bench.fulfilment.run_route_bench` returned.
    path
        PNG file to write.
    """
    plt = _pyplot()
    rows = [r for r in summary["results"] if r["gap_pct"] is not None]
    fig, ax = plt.subplots(figsize=(max(8, len(rows) * 0.22), 5))
    ax.bar([r["name"] for r in rows], [r["gap_pct"] for r in rows], color="tab:blue")
    ax.axhline(summary["mean_gap_pct"] or 0, color="tab:red", lw=1, label=f"mean {summary['mean_gap_pct']}%")
    ax.set_ylabel("gap to best-known (%)")
    ax.set_title(f"{summary['benchmark']}: {summary['seconds_per_instance']} s per instance")
    ax.tick_params(axis="x", labelrotation=90, labelsize=6)
    ax.legend()
    return _save(fig, plt, path)


def plot_backlog(result: BacklogResult, path: Path) -> Path:
    """Plot a sorting simulation: parcels arrived and sorted per hour (bars) and the queue (line).

    Parameters
    ----------
    result
        What :func:`~wujie.fulfilment.sorting.simulate_backlog` returned.
    path
        PNG file to write.
    """
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(9, 5))
    hours = [h.hour for h in result.hours]
    ax.bar([h + 0.3 for h in hours], [h.arrived for h in result.hours], width=0.4, label="arrived")
    ax.bar([h + 0.7 for h in hours], [h.sorted for h in result.hours], width=0.4, label="sorted")
    ax.plot([h + 1 for h in hours], [h.queue_at_end for h in result.hours], "k-o", ms=3, label="queue at hour end")
    ax.axvline(result.clear_min / 60, color="tab:red", ls="--", label=f"clears at {result.clear_min / 60:.2f} h")
    ax.set_xlabel("hours after midnight")
    ax.set_ylabel("parcels")
    ax.set_title(f"{result.parcels} parcels, capacity {result.capacity_per_hour:g}/h")
    ax.legend()
    return _save(fig, plt, path)


def _save(fig: Any, plt: Any, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
