"""Routing benchmarks: PyVRP through our adapter against the best-known costs of CVRPLIB X and Solomon."""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import os
import platform
import statistics
from collections.abc import Callable
from pathlib import Path
from typing import Any

from wujie.fulfilment.errors import InvalidParams
from wujie.fulfilment.routing.instances import best_known, read_instance, solve_instance

#: benchmark set -> folder under the shared data directory
SETS = {"x": "routing/cvrplib-x", "solomon": "routing/solomon"}
#: the issue's targets: mean gap to best-known (percent)
TARGET_GAP_PCT = {"x": 1.0, "solomon": 2.0}


def shared_data_dir() -> Path:
    """Return ``$WUJIE_SHARED_DATA`` or ``../shared/data`` next to the project root."""
    if env := os.environ.get("WUJIE_SHARED_DATA"):
        return Path(env)
    return Path(__file__).resolve().parents[3].parent / "shared" / "data"


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
