"""Allocation policies: which stock location ships each line of an order. One Protocol, three strategies."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Protocol

from wujie.fulfilment.allocation.model import AllocationParams, Order, StockLocation

#: subsets of more locations than this are not enumerated (an order split five ways is a failure anyway)
MAX_SPLIT = 4

#: line SKU -> index of the chosen candidate
Assignment = dict[str, int]


@dataclass(frozen=True, slots=True)
class Candidate:
    """A location that may ship part of an order: its road distance and its stock of the order's SKUs."""

    location: StockLocation
    road_km: float
    available: dict[str, int]


class AllocationPolicy(Protocol):
    """Chooses a location for each line of an order, or ``None`` when the candidates cannot cover it."""

    name: str

    def choose(self, order: Order, candidates: Sequence[Candidate], params: AllocationParams) -> Assignment | None:
        """Return line SKU -> candidate index (candidates come sorted nearest first)."""
        ...


def assignment_cost(
    order: Order, candidates: Sequence[Candidate], chosen: Assignment, params: AllocationParams
) -> float:
    """Return the estimated cost of shipping ``order`` as ``chosen`` says (one shipment per location).

    Parameters
    ----------
    order
        The order.
    candidates
        The candidates the assignment indexes into.
    chosen
        Line SKU -> candidate index.
    params
        The cost model.
    """
    weight: dict[int, float] = {}
    for line in order.lines:
        weight[chosen[line.sku]] = weight.get(chosen[line.sku], 0.0) + line.weight_kg
    return sum(params.shipment_cost(candidates[i].road_km, w) for i, w in weight.items())


def _best_within(order: Order, candidates: Sequence[Candidate], subset: tuple[int, ...]) -> Assignment | None:
    """Give each line to the nearest member of ``subset`` holding enough of it; ``None`` if one cannot.

    Nearest is also cheapest: a line's marginal cost grows with distance at any location.
    """
    chosen: Assignment = {}
    for line in order.lines:
        holder = next((i for i in subset if candidates[i].available.get(line.sku, 0) >= line.qty), None)
        if holder is None:
            return None
        chosen[line.sku] = holder
    return chosen


class NearestFirst:
    """Each line ships from the nearest location holding enough of it (fast; splits freely)."""

    name = "nearest"

    def choose(self, order: Order, candidates: Sequence[Candidate], params: AllocationParams) -> Assignment | None:
        """Return the nearest holder of each line."""
        return _best_within(order, candidates, tuple(range(len(candidates))))


class FewestSplits:
    """The fewest shipments possible among the candidates; ties broken by cost."""

    name = "fewest_splits"

    def choose(self, order: Order, candidates: Sequence[Candidate], params: AllocationParams) -> Assignment | None:
        """Return the cheapest cover using the smallest number of locations."""
        for size in range(1, min(len(order.lines), len(candidates), MAX_SPLIT) + 1):
            covers = [
                a for s in combinations(range(len(candidates)), size) if (a := _best_within(order, candidates, s))
            ]
            if covers:
                return min(covers, key=lambda a: assignment_cost(order, candidates, a, params))
        return NearestFirst().choose(order, candidates, params)


class CostOptimal:
    """The cheapest allocation under the params' cost model (exact over the candidate subsets)."""

    name = "cost_optimal"

    def choose(self, order: Order, candidates: Sequence[Candidate], params: AllocationParams) -> Assignment | None:
        """Return the assignment of least estimated cost.

        A subset is skipped when one of its members would ship nothing (a smaller subset has that
        cost) or when its fixed and distance costs alone already exceed the best found.
        """
        floor = [params.cost_per_shipment + c.road_km * params.cost_per_km for c in candidates]
        best: tuple[float, Assignment] | None = None
        for size in range(1, min(len(order.lines), len(candidates), MAX_SPLIT) + 1):
            for subset in combinations(range(len(candidates)), size):
                if best is not None and sum(floor[i] for i in subset) >= best[0]:
                    continue
                chosen = _best_within(order, candidates, subset)
                if chosen is None or len(set(chosen.values())) < size:
                    continue
                cost = assignment_cost(order, candidates, chosen, params)
                if best is None or cost < best[0] - 1e-12:
                    best = (cost, chosen)
        return best[1] if best else NearestFirst().choose(order, candidates, params)


POLICIES: dict[str, AllocationPolicy] = {p.name: p for p in (NearestFirst(), FewestSplits(), CostOptimal())}
