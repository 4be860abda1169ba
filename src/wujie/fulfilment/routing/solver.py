"""How PyVRP is run: one place for its search settings, shared by VRPLIB instances and the planner."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from wujie.fulfilment.errors import require


@dataclass(frozen=True, slots=True)
class SolverSettings:
    """Settings of PyVRP's iterated local search, tuned for short runs (seconds, not minutes).

    Parameters
    ----------
    history_length
        Late-acceptance history of the search (PyVRP's default is 300, meant for long runs;
        a shorter memory converges faster within a few seconds).
    num_neighbours
        Granular neighbourhood size (PyVRP's default is 50; fewer neighbours means more
        iterations per second).
    """

    history_length: int = 100
    num_neighbours: int = 20

    def __post_init__(self) -> None:
        require(self.history_length >= 1, "history_length must be >= 1")
        require(self.num_neighbours >= 1, "num_neighbours must be >= 1")


def run_pyvrp(
    data: Any,
    seconds: float,
    seed: int,
    settings: SolverSettings | None = None,
    *,
    start_empty: bool = False,
    iterations: int | None = None,
) -> Any:
    """Solve ``data`` (a ``pyvrp.ProblemData``) for ``seconds`` and return PyVRP's ``Result``.

    Parameters
    ----------
    data
        The problem.
    seconds
        Wall-clock limit of the search.
    seed
        Seed of PyVRP's random stream.
    settings
        Search settings; :class:`SolverSettings` () by default.
    start_empty
        Start from the empty solution (valid when every client is optional) instead of PyVRP's
        random start, whose full local search runs outside the time limit.
    iterations
        Stop after this many iterations instead of after ``seconds``: the result then depends only
        on the data and the seed, not on the machine's speed.
    """
    import pyvrp
    from pyvrp.search import NeighbourhoodParams
    from pyvrp.stop import MaxIterations, MaxRuntime

    settings = settings or SolverSettings()
    params = pyvrp.SolveParams(
        ils=pyvrp.IteratedLocalSearchParams(history_length=settings.history_length),
        neighbourhood=NeighbourhoodParams(num_neighbours=settings.num_neighbours),
    )
    initial = pyvrp.Solution(data, []) if start_empty else None
    return pyvrp.solve(
        data,
        MaxRuntime(seconds) if iterations is None else MaxIterations(iterations),
        seed=seed,
        collect_stats=False,
        display=False,
        params=params,
        initial_solution=initial,
    )
