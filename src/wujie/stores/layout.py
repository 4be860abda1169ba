"""The store layout: floor, zones, shelves, aisle graph, gates and the planogram (product -> shelf).

Polygons are shapely geometries in metres. A layout is validated when it is built: what makes it
unusable raises :class:`~wujie.stores.errors.LayoutInvalid`; what is merely suspicious (overlapping
zones, a zone sticking out of the floor, floor no zone covers) is kept in ``issues`` and reported.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import shapely
from shapely.geometry import Point, Polygon

from wujie.stores.errors import LayoutInvalid

GATE_KINDS = ("entry", "exit")
#: a zone of this kind holds the exit queue; queue-length analytics count shoppers inside it
QUEUE_KIND = "queue"
_AREA_EPS = 1e-6


@dataclass(frozen=True, slots=True)
class Zone:
    """A named area of the floor (a department, the entrance, the exit queue)."""

    name: str
    kind: str
    polygon: Polygon


@dataclass(frozen=True, slots=True)
class Shelf:
    """A shelf bay: its footprint, its zone and the aisle node a shopper stands on to reach it."""

    shelf_id: str
    zone: str
    polygon: Polygon
    access: str


@dataclass(frozen=True, slots=True)
class Gate:
    """An entry or exit gate with its position, its aisle node and the RFID reader mounted on it."""

    gate_id: str
    kind: str
    point: tuple[float, float]
    node: str
    reader: str


@dataclass(frozen=True, slots=True)
class Product:
    """A planogram line: a product, where it is displayed, its price and its stock on the shelf."""

    product_id: str
    name: str
    category: str
    shelf_id: str
    price_minor: int
    stock: int
    reorder_at: int
    demand: float = 1.0  # relative expected demand (the twin's popularity); any positive scale


@dataclass(frozen=True, slots=True)
class LayoutIssue:
    """Something suspicious but usable in a layout (reported, never silently ignored)."""

    kind: str
    detail: str
    area_m2: float = 0.0


@dataclass(frozen=True, eq=False)
class StoreLayout:
    """A validated store layout. Build it with :func:`build_layout` or load it from a file.

    Layouts compare and hash by identity, so indexes built over one can be cached.
    """

    name: str
    currency: str
    floor: Polygon
    zones: tuple[Zone, ...]
    shelves: Mapping[str, Shelf]
    products: Mapping[str, Product]
    nodes: Mapping[str, tuple[float, float]]
    edges: tuple[tuple[str, str], ...]
    gates: tuple[Gate, ...]
    issues: tuple[LayoutIssue, ...] = field(default=())

    @property
    def zone_names(self) -> tuple[str, ...]:
        """Zone names in priority order (the first zone wins where zones overlap)."""
        return tuple(z.name for z in self.zones)

    def gates_of(self, kind: str) -> tuple[Gate, ...]:
        """Return the gates of ``kind`` (``entry`` or ``exit``)."""
        return tuple(g for g in self.gates if g.kind == kind)

    @property
    def queue_zones(self) -> tuple[str, ...]:
        """Names of the zones of kind ``queue``."""
        return tuple(z.name for z in self.zones if z.kind == QUEUE_KIND)

    def products_on(self, shelf_id: str) -> tuple[str, ...]:
        """Product ids displayed on ``shelf_id``."""
        return tuple(p.product_id for p in self.products.values() if p.shelf_id == shelf_id)


def build_layout(
    *,
    name: str,
    currency: str,
    floor: Polygon,
    zones: Sequence[Zone],
    shelves: Sequence[Shelf],
    products: Sequence[Product],
    nodes: Mapping[str, tuple[float, float]],
    edges: Sequence[tuple[str, str]],
    gates: Sequence[Gate],
) -> StoreLayout:
    """Validate the parts of a layout and return it with its issues.

    Raises
    ------
    LayoutInvalid
        When the floor or a polygon is broken, names repeat, or a reference (shelf zone, shelf access
        node, gate node, product shelf, edge end) points at nothing.
    """
    _check_shapes_and_names(floor, zones, shelves, products, gates)
    _check_references(zones, shelves, products, nodes=nodes, edges=edges, gates=gates)
    if not any(g.kind == "entry" for g in gates) or not any(g.kind == "exit" for g in gates):
        raise LayoutInvalid("a layout needs at least one entry gate and one exit gate")
    return StoreLayout(
        name=name,
        currency=currency,
        floor=floor,
        zones=tuple(zones),
        shelves={s.shelf_id: s for s in shelves},
        products={p.product_id: p for p in products},
        nodes=dict(nodes),
        edges=tuple(edges),
        gates=tuple(gates),
        issues=tuple(_geometry_issues(floor, zones, shelves, nodes)),
    )


def _check_shapes_and_names(
    floor: Polygon, zones: Sequence[Zone], shelves: Sequence[Shelf], products: Sequence[Product], gates: Sequence[Gate]
) -> None:
    _check_polygon("floor", floor)
    for zone in zones:
        _check_polygon(f"zone {zone.name}", zone.polygon)
    for shelf in shelves:
        _check_polygon(f"shelf {shelf.shelf_id}", shelf.polygon)
    _unique("zone", [z.name for z in zones])
    _unique("shelf", [s.shelf_id for s in shelves])
    _unique("product", [p.product_id for p in products])
    _unique("gate", [g.gate_id for g in gates])


def _check_polygon(what: str, polygon: Any) -> None:
    if not isinstance(polygon, Polygon) or polygon.is_empty or polygon.area <= _AREA_EPS:
        raise LayoutInvalid(f"{what}: not a polygon with an area")
    if not polygon.is_valid:
        raise LayoutInvalid(f"{what}: invalid polygon ({shapely.is_valid_reason(polygon)})")


def _unique(what: str, names: Sequence[str]) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise LayoutInvalid(f"{what} {name!r} is defined twice")
        seen.add(name)


def _check_references(
    zones: Sequence[Zone],
    shelves: Sequence[Shelf],
    products: Sequence[Product],
    *,
    nodes: Mapping[str, tuple[float, float]],
    edges: Sequence[tuple[str, str]],
    gates: Sequence[Gate],
) -> None:
    zone_names = {z.name for z in zones}
    shelf_ids = {s.shelf_id for s in shelves}
    for shelf in shelves:
        if shelf.zone not in zone_names:
            raise LayoutInvalid(f"shelf {shelf.shelf_id} is in unknown zone {shelf.zone!r}")
        if shelf.access not in nodes:
            raise LayoutInvalid(f"shelf {shelf.shelf_id} is reached from unknown aisle node {shelf.access!r}")
    for product in products:
        if product.shelf_id not in shelf_ids:
            raise LayoutInvalid(f"product {product.product_id} is displayed on unknown shelf {product.shelf_id!r}")
        if product.price_minor < 0 or product.stock < 0 or product.reorder_at < 0 or not product.demand > 0:
            raise LayoutInvalid(f"product {product.product_id}: price, stock, reorder_at >= 0 and demand > 0 needed")
    for a, b in edges:
        if a not in nodes or b not in nodes:
            raise LayoutInvalid(f"aisle edge {a}-{b} joins an unknown node")
    for gate in gates:
        if gate.kind not in GATE_KINDS:
            raise LayoutInvalid(f"gate {gate.gate_id}: kind must be one of {GATE_KINDS}")
        if gate.node not in nodes:
            raise LayoutInvalid(f"gate {gate.gate_id} opens on unknown aisle node {gate.node!r}")


def _geometry_issues(
    floor: Polygon, zones: Sequence[Zone], shelves: Sequence[Shelf], nodes: Mapping[str, tuple[float, float]]
) -> list[LayoutIssue]:
    issues: list[LayoutIssue] = []
    for i, first in enumerate(zones):
        for second in zones[i + 1 :]:
            overlap = first.polygon.intersection(second.polygon).area
            if overlap > _AREA_EPS:
                detail = f"zones {first.name} and {second.name} overlap; points there count for {first.name}"
                issues.append(LayoutIssue("overlapping_zones", detail, overlap))
    for zone in zones:
        outside = zone.polygon.difference(floor).area
        if outside > _AREA_EPS:
            issues.append(LayoutIssue("zone_outside_floor", f"zone {zone.name} extends beyond the floor", outside))
    covered = shapely.union_all([z.polygon for z in zones]) if zones else Polygon()
    uncovered = floor.difference(covered).area
    if uncovered > _AREA_EPS:
        issues.append(LayoutIssue("floor_not_zoned", "part of the floor is in no zone", uncovered))
    for shelf in shelves:
        if not floor.covers(shelf.polygon):
            issues.append(LayoutIssue("shelf_outside_floor", f"shelf {shelf.shelf_id} is not inside the floor"))
    for node, (x, y) in nodes.items():
        if not floor.covers(Point(x, y)):
            issues.append(LayoutIssue("node_outside_floor", f"aisle node {node} is not on the floor"))
    return issues
