"""Run the store twin: plan every shopper, serve the exit queue, resolve shelf stock into RFID tags."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from wujie.stores.aisles import AisleGraph, aisle_graph
from wujie.stores.layout import Gate, StoreLayout
from wujie.stores.simulation.params import TwinParams
from wujie.stores.simulation.shoppers import Catalogue, Shopper, arrival_seconds, catalogue, plan_visit

#: how far behind the gate node shoppers wait, and how long the last step into the gate takes
_QUEUE_DEPTH_M = (0.1, 1.0)
_STEP_IN_S = 1.2


@dataclass(frozen=True)
class ResolvedAction:
    """A shelf action that really happened (stock allowed it), with the tag it moved."""

    t_s: float
    track: int
    shelf: str
    product: str
    tag: str
    pick: bool


@dataclass(frozen=True)
class TwinRun:
    """Everything the twin did: shoppers with their timelines, resolved actions, tags and stock."""

    layout: StoreLayout
    params: TwinParams
    shoppers: list[Shopper]
    actions: list[ResolvedAction]
    carried: dict[int, list[tuple[str, str]]]  # track -> [(tag, product)] leaving the store
    tags: dict[str, str]  # every registered tag -> product
    stock_alerts: dict[str, float]  # product -> seconds when stock first reached its reorder point


def run_twin(layout: StoreLayout, params: TwinParams, progress: Callable[[int], None] | None = None) -> TwinRun:
    """Simulate ``params.shoppers`` shoppers through one day in ``layout`` (deterministic in the seed).

    ``progress`` is called with the number of shoppers planned since its last call.
    """
    rng = np.random.default_rng(params.seed)
    graph = aisle_graph(layout)
    items = catalogue(layout, graph, params, rng)
    arrivals = arrival_seconds(params, rng)
    tailgating = rng.random(params.shoppers) < params.tailgaters
    shoppers: list[Shopper] = []
    doors: list[int] = []
    for number, entry in enumerate(arrivals, start=1):
        account = "" if tailgating[number - 1] else f"acct_{number:06d}"
        shopper = Shopper(track=number, account=account, entry_s=float(entry))
        doors.append(plan_visit(shopper, layout, graph, items, params=params, rng=rng))
        shoppers.append(shopper)
        if progress is not None and number % 500 == 0:
            progress(500)
    if progress is not None:
        progress(params.shoppers % 500)
    _serve_exits(shoppers, doors, layout, graph, params=params, rng=rng)
    tags = {f"{p.product_id}-{serial:06d}": p.product_id for p in layout.products.values() for serial in range(p.stock)}
    actions, carried, alerts = _resolve_stock(shoppers, layout, items)
    return TwinRun(layout, params, shoppers, actions, carried, tags, alerts)


def _serve_exits(
    shoppers: list[Shopper],
    doors: list[int],
    layout: StoreLayout,
    graph: AisleGraph,
    *,
    params: TwinParams,
    rng: np.random.Generator,
) -> None:
    """First come, first served at whichever exit gate lets the shopper through first."""
    gates = layout.gates_of("exit")
    free = dict.fromkeys((g.gate_id for g in gates), 0.0)
    for index in np.argsort([s.queue_s for s in shoppers], kind="stable"):
        shopper = shoppers[int(index)]
        door = doors[int(index)]

        def ready(gate: Gate, s: Shopper = shopper, d: int = door) -> float:
            return float(s.queue_s + graph.distance[d, graph.index(gate.node)] / 1.0 + _STEP_IN_S)

        gate = min(gates, key=lambda g: max(ready(g), free[g.gate_id]))
        start = max(ready(gate), free[gate.gate_id])
        free[gate.gate_id] = start + rng.uniform(*params.service_range_s)
        gx, gy = graph.xy[graph.index(gate.node)]
        reach = ready(gate) - _STEP_IN_S
        if reach > shopper.times[-1]:
            shopper.at(reach, float(gx), float(gy))
        if start - _STEP_IN_S > reach + 0.5:  # wait in the queue behind the gate
            spot = (float(gx) + rng.uniform(-0.4, 0.4), float(gy) + rng.uniform(*_QUEUE_DEPTH_M))
            shopper.at(reach + 0.5, *spot)
            shopper.at(start - _STEP_IN_S, *spot)
        shopper.at(start, *gate.point)
        shopper.exit_gate = gate.gate_id
        shopper.pass_s = start


def _resolve_stock(
    shoppers: list[Shopper], layout: StoreLayout, items: Catalogue
) -> tuple[list[ResolvedAction], dict[int, list[tuple[str, str]]], dict[str, float]]:
    """Replay every shelf action in time order against the shelf stock (a stack of tagged units)."""
    shelves: dict[str, list[str]] = {
        p.product_id: [f"{p.product_id}-{serial:06d}" for serial in range(p.stock)] for p in layout.products.values()
    }
    held: dict[tuple[int, str], list[str]] = defaultdict(list)
    alerts: dict[str, float] = {}
    resolved: list[ResolvedAction] = []
    queue = sorted((t, s.track, i, sign, shelf) for s in shoppers for t, i, sign, shelf in s.actions)
    for t, track, index, sign, shelf in queue:
        product = items.ids[index]
        stack, hand = shelves[product], held[(track, product)]
        if sign > 0 and stack:
            hand.append(stack.pop())
            resolved.append(ResolvedAction(t, track, shelf, product, hand[-1], True))
            if len(stack) <= layout.products[product].reorder_at and product not in alerts:
                alerts[product] = t
        elif sign < 0 and hand:
            stack.append(hand.pop())
            resolved.append(ResolvedAction(t, track, shelf, product, stack[-1], False))
    carried: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for (track, product), hand in held.items():
        carried[track].extend((tag, product) for tag in hand)
    return resolved, dict(carried), alerts
