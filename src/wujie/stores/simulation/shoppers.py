"""Shoppers: arrivals, shopping lists and tastes, routes on the aisle graph, dwell, picks and put-backs.

Each shopper's walk is a piecewise-linear timeline of waypoints (seconds since midnight, x, y). The
exit queue couples shoppers: they are served first-come first-served by whichever exit gate frees
first, so queues form at peak hours.
"""

from __future__ import annotations

import importlib.resources
import json
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from wujie.stores.aisles import AisleGraph
from wujie.stores.layout import StoreLayout
from wujie.stores.simulation.params import TwinParams

F64 = npt.NDArray[np.float64]
_GLANCE_S = (2.0, 8.0)
_STAND_RADIUS_M = 0.5
_STEP_S = 0.6


@dataclass
class Shopper:
    """One shopper's visit: identity, timeline of waypoints and the shelf actions it takes."""

    track: int
    account: str
    entry_s: float
    times: list[float] = field(default_factory=list)
    xs: list[float] = field(default_factory=list)
    ys: list[float] = field(default_factory=list)
    #: (seconds, product index, +1 pick / -1 put back, shelf id)
    actions: list[tuple[float, int, int, str]] = field(default_factory=list)
    exit_gate: str = ""
    pass_s: float = 0.0
    queue_s: float = 0.0

    def at(self, t: float, x: float, y: float) -> None:
        """Append a waypoint."""
        self.times.append(t)
        self.xs.append(x)
        self.ys.append(y)


@dataclass(frozen=True)
class Catalogue:
    """Products as arrays: popularity weights, the aisle node each is reached from, shelf and zone."""

    ids: tuple[str, ...]
    node: npt.NDArray[np.int64]
    shelf: tuple[str, ...]
    zone: npt.NDArray[np.int64]
    popularity: F64
    put_back: F64  # probability that a picked unit goes back on the shelf


def catalogue(layout: StoreLayout, graph: AisleGraph, params: TwinParams, rng: np.random.Generator) -> Catalogue:
    """Index the planogram; a product's popularity is its planogram demand.

    Products differ in how often they are put back (lognormal around ``params.put_back_rate``):
    the twin's truth of which products are examined and then left.
    """
    products = list(layout.products.values())
    zones = sorted({layout.shelves[p.shelf_id].zone for p in products})
    return Catalogue(
        ids=tuple(p.product_id for p in products),
        node=np.array([graph.index(layout.shelves[p.shelf_id].access) for p in products], dtype=np.int64),
        shelf=tuple(p.shelf_id for p in products),
        zone=np.array([zones.index(layout.shelves[p.shelf_id].zone) for p in products], dtype=np.int64),
        popularity=np.array([p.demand for p in products], dtype=np.float64),
        put_back=np.clip(params.put_back_rate * rng.lognormal(-0.2, 0.7, len(products)), 0.0, 0.8),
    )


def arrival_seconds(params: TwinParams, rng: np.random.Generator) -> F64:
    """Sorted arrival times (seconds since midnight) following the real hourly profile."""
    raw = importlib.resources.files("wujie.stores.data").joinpath("arrival_profile.json").read_text()
    profile = np.array([json.loads(raw)[str(h)] for h in range(24)], dtype=np.float64)
    hours = rng.choice(24, size=params.shoppers, p=profile / profile.sum())
    return np.sort(hours * 3600.0 + rng.uniform(0, 3600, params.shoppers))


def plan_visit(
    shopper: Shopper,
    layout: StoreLayout,
    graph: AisleGraph,
    items: Catalogue,
    *,
    params: TwinParams,
    rng: np.random.Generator,
) -> int:
    """Walk ``shopper`` from the entry gate through its list to the exit gate nearest its last shelf.

    Returns the aisle node index where the shopper joins the exit queue.
    """
    taste = rng.dirichlet(np.full(int(items.zone.max()) + 1, 2.0))
    weights = items.popularity * taste[items.zone]
    size = min(len(items.ids), 1 + int(rng.poisson(params.list_mean)))
    wanted = rng.choice(len(items.ids), size=size, replace=False, p=weights / weights.sum())
    speed = rng.uniform(*params.speed_range)
    entry = layout.gates_of("entry")[0]
    here = graph.index(entry.node)
    shopper.at(shopper.entry_s, *entry.point)
    t = _walk(shopper, graph, (here, here), shopper.entry_s + 1.0, speed=speed, origin=entry.point)
    for node in _visiting_order(graph, here, np.unique(items.node[wanted])):
        path = graph.path(here, int(node))
        for step in path[1:]:
            t = _walk(shopper, graph, (here, step), t, speed=speed)
            here = step
            t = _browse(shopper, items, (wanted, here), t, params=params, rng=rng, planned=step == node)
    exits = [graph.index(g.node) for g in layout.gates_of("exit")]
    door = min(exits, key=lambda n: graph.distance[here, n])
    for step in graph.path(here, door)[1:]:
        t = _walk(shopper, graph, (here, step), t, speed=speed)
        here = step
    shopper.queue_s = t
    return door


def _visiting_order(graph: AisleGraph, start: int, targets: npt.NDArray[np.int64]) -> list[int]:
    """Nearest-neighbour tour over the shelves to visit."""
    left = [int(n) for n in targets]
    order: list[int] = []
    here = start
    while left:
        nearest = min(left, key=lambda n: graph.distance[here, n])
        order.append(nearest)
        left.remove(nearest)
        here = nearest
    return order


def _walk(
    shopper: Shopper,
    graph: AisleGraph,
    leg: tuple[int, int],
    t: float,
    *,
    speed: float,
    origin: tuple[float, float] | None = None,
) -> float:
    _, end = leg
    x0, y0 = origin if origin is not None else (shopper.xs[-1], shopper.ys[-1])  # where it stands now
    x1, y1 = graph.xy[end]
    t += float(np.hypot(x1 - x0, y1 - y0)) / speed
    shopper.at(t, float(x1), float(y1))
    return t


def _step_aside(shopper: Shopper, t: float, rng: np.random.Generator) -> float:
    """Step to a standing spot within ``_STAND_RADIUS_M`` of the aisle node (people do not queue on a point)."""
    radius = _STAND_RADIUS_M * np.sqrt(rng.random())
    angle = rng.uniform(0, 2 * np.pi)
    x = shopper.xs[-1] + float(radius * np.cos(angle))
    y = shopper.ys[-1] + float(radius * np.sin(angle))
    t += _STEP_S
    shopper.at(t, x, y)
    return t


def _browse(
    shopper: Shopper,
    items: Catalogue,
    where: tuple[npt.NDArray[np.int64], int],
    t: float,
    *,
    params: TwinParams,
    rng: np.random.Generator,
    planned: bool,
) -> float:
    """At an aisle node: pick planned products (if this is a target) and maybe some on impulse."""
    wanted, node = where
    here = np.flatnonzero(items.node == node)
    if here.size == 0:
        return t
    mean = items.popularity.mean()
    impulse = here[rng.random(here.size) < params.impulse_rate * np.clip(items.popularity[here] / mean, 0.2, 3.0)]
    chosen = np.union1d(np.intersect1d(here, wanted) if planned else np.empty(0, np.int64), impulse)
    if chosen.size == 0:
        if rng.random() < params.glance_rate:  # stop and look without taking anything
            t = _step_aside(shopper, t, rng)
            t += float(rng.uniform(*_GLANCE_S))
            shopper.at(t, shopper.xs[-1], shopper.ys[-1])
        return t
    t = _step_aside(shopper, t, rng)
    dwell = float(rng.lognormal(np.log(params.shelf_dwell_median_s), 0.5)) * (1.0 + 0.3 * (chosen.size - 1))
    x, y = shopper.xs[-1], shopper.ys[-1]
    for product in chosen:
        units = 2 if rng.random() < params.double_rate else 1
        for _ in range(units):
            picked = t + rng.uniform(0.1, 0.6) * dwell
            shopper.actions.append((picked, int(product), 1, items.shelf[product]))
            if rng.random() < items.put_back[product]:
                back = picked + rng.uniform(0.2, 0.9) * (t + dwell - picked)
                shopper.actions.append((back, int(product), -1, items.shelf[product]))
    t += dwell
    shopper.at(t, x, y)
    return t
