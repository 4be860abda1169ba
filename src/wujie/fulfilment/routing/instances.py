"""Standard VRPLIB instances (CVRPLIB X, Solomon VRPTW): read with the right rounding, solve, compare."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wujie.fulfilment.errors import InvalidInstance, require
from wujie.fulfilment.routing.solver import SolverSettings, run_pyvrp

#: rounding name -> factor the rounded integers are scaled by (PyVRP's ``round_func`` names)
ROUNDING_SCALE = {"round": 1, "trunc": 1, "dimacs": 10, "exact": 1000}


@dataclass(frozen=True, slots=True)
class Instance:
    """A VRPLIB instance read into PyVRP, with the rounding convention its best-known cost uses."""

    name: str
    path: Path
    data: Any
    rounding: str
    time_windows: bool

    @property
    def scale(self) -> int:
        """Integer costs divided by this give the instance's own units."""
        return ROUNDING_SCALE[self.rounding]

    @property
    def num_clients(self) -> int:
        """Customers (excluding depots)."""
        return int(self.data.num_clients)


@dataclass(frozen=True, slots=True)
class InstanceSolution:
    """The best solution found for an instance within the time limit (``cost`` counts even when infeasible)."""

    name: str
    cost: float
    feasible: bool
    routes: tuple[tuple[int, ...], ...]
    seconds: float
    iterations: int

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-friendly dict (routes as VRPLIB node numbers, depot = 1)."""
        return {
            "name": self.name,
            "cost": self.cost,
            "feasible": self.feasible,
            "num_routes": len(self.routes),
            "seconds": round(self.seconds, 3),
            "iterations": self.iterations,
            "routes": [list(r) for r in self.routes],
        }


def read_instance(path: str | Path, rounding: str = "auto") -> Instance:
    """Read a VRPLIB file; ``auto`` rounding picks each benchmark's convention.

    CVRPLIB (no time windows) rounds distances to the nearest integer; VRPTW instances follow
    the DIMACS convention (distances and times truncated to one decimal, i.e. scaled by 10).

    Parameters
    ----------
    path
        A ``.vrp`` file.
    rounding
        ``auto``, ``round``, ``trunc``, ``dimacs`` or ``exact``.

    Raises
    ------
    InvalidInstance
        When the file is missing, unreadable or not a usable VRPLIB instance.
    """
    import pyvrp
    import vrplib

    require(rounding == "auto" or rounding in ROUNDING_SCALE, f"unknown rounding {rounding!r}", rounding=rounding)
    where = Path(path)
    if not where.is_file():
        raise InvalidInstance(f"instance file {where} does not exist", path=str(where))
    try:
        raw = vrplib.read_instance(str(where))
        has_tw = "time_window" in raw
        chosen = ("dimacs" if has_tw else "round") if rounding == "auto" else rounding
        data = pyvrp.read(str(where), round_func=chosen)
    except (ValueError, KeyError, IndexError, TypeError, AttributeError, RuntimeError, UnicodeDecodeError) as exc:
        raise InvalidInstance(f"{where.name} is not a valid VRPLIB instance: {exc}", path=str(where)) from exc
    if data.num_clients == 0:
        raise InvalidInstance(f"{where.name} has no customers", path=str(where))
    return Instance(where.stem, where, data, chosen, has_tw)


def solve_instance(
    instance: Instance, seconds: float, seed: int = 0, settings: SolverSettings | None = None
) -> InstanceSolution:
    """Solve ``instance`` with PyVRP's iterated local search for ``seconds``.

    Parameters
    ----------
    instance
        What :func:`read_instance` returned.
    seconds
        Wall-clock limit.
    seed
        Seed of the solver's random stream.
    settings
        PyVRP search settings (short-run defaults).

    Returns
    -------
    InstanceSolution
        Cost in the instance's own units (e.g. 1637.7 for a DIMACS-rounded VRPTW).
    """
    require(seconds > 0, "seconds must be > 0", seconds=seconds)
    started = time.perf_counter()
    result = run_pyvrp(instance.data, seconds, seed, settings)
    best = result.best
    locations = [c.location for c in instance.data.clients()]
    routes = tuple(tuple(locations[a.idx] + 1 for a in route if a.is_client()) for route in best.routes())
    return InstanceSolution(
        name=instance.name,
        cost=best.distance() / instance.scale,
        feasible=bool(best.is_feasible()),
        routes=routes,
        seconds=time.perf_counter() - started,
        iterations=int(result.num_iterations),
    )


def best_known(path: str | Path) -> float | None:
    """Return the best-known cost from the ``.sol`` file next to ``path`` (``None`` when absent).

    Parameters
    ----------
    path
        The ``.vrp`` file; its ``.sol`` sibling holds a ``Cost`` line.
    """
    sol = Path(path).with_suffix(".sol")
    if not sol.is_file():
        return None
    for line in sol.read_text().splitlines():
        if line.strip().lower().startswith("cost"):
            return float(line.split()[-1])
    return None
