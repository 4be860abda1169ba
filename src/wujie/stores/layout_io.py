"""Load and save a :class:`~wujie.stores.layout.StoreLayout` as JSON (planogram inline or CSV/Parquet)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import Polygon

from wujie.stores.errors import EventsInvalid, LayoutInvalid, UnsupportedFormat
from wujie.stores.layout import Gate, Product, Shelf, StoreLayout, Zone, build_layout
from wujie.stores.tabular import read_table

_PRODUCT_COLUMNS = ("product", "shelf", "price_minor", "stock")


def load_layout(path: Path) -> StoreLayout:
    """Load a layout file (``.json``); its ``planogram`` is a list of rows or a CSV/Parquet path.

    Raises
    ------
    LayoutInvalid
        When the file is not a usable layout.
    """
    if path.suffix.lower() != ".json":
        raise UnsupportedFormat(str(path))
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise LayoutInvalid(f"{path}: not JSON ({exc})") from exc
    if not isinstance(document, dict):
        raise LayoutInvalid(f"{path}: a layout is a JSON object")
    return layout_from_dict(document, base=path.parent)


def layout_from_dict(document: dict[str, Any], base: Path | None = None) -> StoreLayout:
    """Build a layout from its JSON document (see ``docs/stores.md`` for the format)."""
    try:
        aisles = document["aisles"]
        planogram = document["planogram"]
        if isinstance(planogram, str):
            planogram = _planogram_rows(Path(planogram) if base is None else base / planogram)
        return build_layout(
            name=str(document.get("name", "store")),
            currency=str(document.get("currency", "CNY")),
            floor=_polygon(document["floor"]),
            zones=[Zone(str(z["name"]), str(z.get("kind", "area")), _polygon(z["polygon"])) for z in document["zones"]],
            shelves=[_shelf(s) for s in document["shelves"]],
            products=[_product(p) for p in planogram],
            nodes={str(k): (float(v[0]), float(v[1])) for k, v in aisles["nodes"].items()},
            edges=[(str(a), str(b)) for a, b in aisles["edges"]],
            gates=[_gate(g) for g in document["gates"]],
        )
    except KeyError as exc:
        raise LayoutInvalid(f"layout is missing the field {exc}") from exc
    except (TypeError, ValueError, IndexError) as exc:
        raise LayoutInvalid(f"layout has a malformed value ({exc})") from exc


def layout_to_dict(layout: StoreLayout) -> dict[str, Any]:
    """Return the JSON document of ``layout`` (planogram inline)."""
    return {
        "name": layout.name,
        "currency": layout.currency,
        "floor": _coords(layout.floor),
        "zones": [{"name": z.name, "kind": z.kind, "polygon": _coords(z.polygon)} for z in layout.zones],
        "shelves": [
            {"shelf": s.shelf_id, "zone": s.zone, "access": s.access, "polygon": _coords(s.polygon)}
            for s in layout.shelves.values()
        ],
        "aisles": {"nodes": {k: list(v) for k, v in layout.nodes.items()}, "edges": [list(e) for e in layout.edges]},
        "gates": [
            {"gate": g.gate_id, "kind": g.kind, "point": list(g.point), "node": g.node, "reader": g.reader}
            for g in layout.gates
        ],
        "planogram": [
            {
                "product": p.product_id,
                "name": p.name,
                "category": p.category,
                "shelf": p.shelf_id,
                "price_minor": p.price_minor,
                "stock": p.stock,
                "reorder_at": p.reorder_at,
                "demand": p.demand,
            }
            for p in layout.products.values()
        ],
    }


def save_layout(layout: StoreLayout, path: Path) -> None:
    """Write ``layout`` as JSON to ``path``."""
    path.write_text(json.dumps(layout_to_dict(layout), indent=1), encoding="utf-8")


def _planogram_rows(path: Path) -> list[dict[str, Any]]:
    try:
        frame = read_table(path)
    except EventsInvalid as exc:
        raise LayoutInvalid(f"planogram {path} cannot be read") from exc
    missing = [c for c in _PRODUCT_COLUMNS if c not in frame.columns]
    if missing:
        raise LayoutInvalid(f"planogram {path} lacks columns {missing}")
    return frame.to_dicts()


def _polygon(value: Any) -> Polygon:
    if isinstance(value, str):
        geometry = shapely.from_wkt(value)
        if not isinstance(geometry, Polygon):
            raise LayoutInvalid(f"expected a POLYGON, got {geometry.geom_type}")
        return geometry
    return Polygon([(float(x), float(y)) for x, y in value])


def _coords(polygon: Polygon) -> list[list[float]]:
    return [[round(x, 4), round(y, 4)] for x, y in list(polygon.exterior.coords)[:-1]]


def _shelf(row: dict[str, Any]) -> Shelf:
    return Shelf(str(row["shelf"]), str(row["zone"]), _polygon(row["polygon"]), str(row["access"]))


def _gate(row: dict[str, Any]) -> Gate:
    x, y = row["point"]
    reader = str(row.get("reader", f"rfid-{row['gate']}"))
    return Gate(str(row["gate"]), str(row["kind"]), (float(x), float(y)), str(row["node"]), reader)


def _product(row: dict[str, Any]) -> Product:
    stock = int(row["stock"])
    return Product(
        product_id=str(row["product"]),
        name=str(row.get("name") or row["product"]),
        category=str(row.get("category") or ""),
        shelf_id=str(row["shelf"]),
        price_minor=int(row["price_minor"]),
        stock=stock,
        reorder_at=int(row["reorder_at"]) if row.get("reorder_at") is not None else stock // 5,
        demand=float(row["demand"]) if row.get("demand") is not None else 1.0,
    )
