"""The built-in default store: a 30 m x 20 m unmanned convenience store with 42 shelf bays.

Three departments of gondolas (fresh, grocery, drinks and snacks), a dairy and frozen back wall,
an entrance, a front walkway and an exit queue before two grab-and-go gates. Its 126 products are
the most-bought products of The Complete Journey (see ``data/SOURCE.txt``).
"""

from __future__ import annotations

import csv
import gzip
import importlib.resources
import io
from functools import cache
from itertools import pairwise

from shapely.geometry import box

from wujie.stores.layout import Gate, Product, Shelf, StoreLayout, Zone, build_layout

_ZONES = (
    ("entrance", "entrance", box(0, 0, 8, 3)),
    ("front", "walkway", box(8, 0, 22, 3)),
    ("exit_queue", "queue", box(22, 0, 30, 3)),
    ("fresh", "department", box(0, 3, 11.5, 17.6)),
    ("grocery", "department", box(11.5, 3, 21.5, 17.6)),
    ("drinks", "department", box(21.5, 3, 30, 17.6)),
    ("back", "department", box(0, 17.6, 30, 20)),
)
#: (zone, gondola x-range) and the bay centres along it
_DEPARTMENTS = (("fresh", 1.5, 8.5), ("grocery", 11.5, 18.5), ("drinks", 21.5, 28.5))
_GONDOLA_ROWS = ((6.0, 7.0), (10.0, 11.0), (14.0, 15.0))
_AISLE_YS = (4.5, 8.5, 12.5, 16.5)
_CROSS_XS = (0.75, 10.0, 20.0, 29.25)
_BACK_Y = 18.7
_BACK_BAYS = 6
_FRONT_Y = 1.5
#: shelf stock covers this many days of expected demand at 10k shoppers (cycled over products)
_STOCK_DAYS = (0.8, 1.3, 2.0)
_PRODUCTS_PER_BAY = 3


@cache
def default_layout() -> StoreLayout:
    """Return the built-in default store layout (cached; it is immutable)."""
    nodes: dict[str, tuple[float, float]] = {}
    edges: list[tuple[str, str]] = []
    shelves = _gondola_shelves(nodes) + _back_shelves(nodes)
    _link_grid(nodes, edges)
    gates = _gates(nodes, edges)
    return build_layout(
        name="wujie-default",
        currency="USD",
        floor=box(0, 0, 30, 20),
        zones=[Zone(name, kind, polygon) for name, kind, polygon in _ZONES],
        shelves=shelves,
        products=_products(shelves),
        nodes=nodes,
        edges=edges,
        gates=gates,
    )


def _node(nodes: dict[str, tuple[float, float]], x: float, y: float) -> str:
    name = f"n{x:g}_{y:g}"
    nodes[name] = (x, y)
    return name


def _gondola_shelves(nodes: dict[str, tuple[float, float]]) -> list[Shelf]:
    shelves: list[Shelf] = []
    for zone, x0, x1 in _DEPARTMENTS:
        half = (x1 - x0) / 2
        for row, (y0, y1) in enumerate(_GONDOLA_ROWS):
            for bay in range(2):
                bx0 = x0 + bay * half
                centre = bx0 + half / 2
                south = _node(nodes, centre, _AISLE_YS[row])
                north = _node(nodes, centre, _AISLE_YS[row + 1])
                mid = (y0 + y1) / 2
                shelves.append(Shelf(f"{zone}-r{row + 1}b{bay + 1}s", zone, box(bx0, y0, bx0 + half, mid), south))
                shelves.append(Shelf(f"{zone}-r{row + 1}b{bay + 1}n", zone, box(bx0, mid, bx0 + half, y1), north))
    return shelves


def _back_shelves(nodes: dict[str, tuple[float, float]]) -> list[Shelf]:
    x0, x1 = 1.5, 28.5
    width = (x1 - x0) / _BACK_BAYS
    shelves = []
    for bay in range(_BACK_BAYS):
        bx0 = x0 + bay * width
        access = _node(nodes, bx0 + width / 2, _BACK_Y)
        shelves.append(Shelf(f"back-b{bay + 1}", "back", box(bx0, 19.4, bx0 + width, 20), access))
    return shelves


def _link_grid(nodes: dict[str, tuple[float, float]], edges: list[tuple[str, str]]) -> None:
    """Join every horizontal aisle (sorted by x) and the cross aisles between consecutive lines."""
    for x in _CROSS_XS:
        for y in (_FRONT_Y, *_AISLE_YS, _BACK_Y):
            _node(nodes, x, y)
    for y in (_FRONT_Y, *_AISLE_YS, _BACK_Y):
        line = sorted((n for n, (_, ny) in nodes.items() if ny == y), key=lambda n: nodes[n][0])
        edges.extend(pairwise(line))
    ys = (_FRONT_Y, *_AISLE_YS, _BACK_Y)
    for x in _CROSS_XS:
        edges.extend((f"n{x:g}_{a:g}", f"n{x:g}_{b:g}") for a, b in pairwise(ys))


def _gates(nodes: dict[str, tuple[float, float]], edges: list[tuple[str, str]]) -> list[Gate]:
    gates = [Gate("entry-1", "entry", (3.0, 0.3), _node(nodes, 3.0, _FRONT_Y), "rfid-entry-1")]
    for number, x in ((1, 24.0), (2, 27.0)):
        gates.append(Gate(f"exit-{number}", "exit", (x, 0.3), _node(nodes, x, _FRONT_Y), f"rfid-exit-{number}"))
    line = sorted((n for n, (_, y) in nodes.items() if y == _FRONT_Y), key=lambda n: nodes[n][0])
    edges[:] = [e for e in edges if not (nodes[e[0]][1] == _FRONT_Y and nodes[e[1]][1] == _FRONT_Y)]
    edges.extend(pairwise(line))
    return gates


def _products(shelves: list[Shelf]) -> list[Product]:
    raw = importlib.resources.files("wujie.stores.data").joinpath("default_products.csv.gz").read_bytes()
    rows = list(csv.DictReader(io.StringIO(gzip.decompress(raw).decode("utf-8"))))
    total_baskets = sum(int(r["baskets"]) for r in rows)
    products = []
    for zone in ("fresh", "grocery", "drinks", "back"):
        bays = [s for s in shelves if s.zone == zone]
        for index, row in enumerate(r for r in rows if r["zone"] == zone):
            # expected units per day at 10k shoppers buying ~6 items, stocked for _STOCK_DAYS days
            demand = 10_000 * 6 * int(row["baskets"]) / total_baskets
            stock = max(12, round(demand * _STOCK_DAYS[index % len(_STOCK_DAYS)]))
            products.append(
                Product(
                    product_id=row["product"],
                    name=row["name"],
                    category=row["category"],
                    shelf_id=bays[index // _PRODUCTS_PER_BAY].shelf_id,
                    price_minor=int(row["price_minor"]),
                    stock=stock,
                    reorder_at=max(3, stock // 5),
                    demand=round(demand, 3),
                )
            )
    return products
