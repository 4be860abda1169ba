"""The store layout: the built-in store, JSON/CSV/Parquet loading, validation and reported issues."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from shapely.geometry import box

from wujie.stores.aisles import aisle_graph
from wujie.stores.default_layout import default_layout
from wujie.stores.errors import LayoutInvalid, UnsupportedFormat
from wujie.stores.layout_io import layout_from_dict, layout_to_dict, load_layout, save_layout


def _document() -> dict[str, object]:
    return layout_to_dict(default_layout())


def test_default_layout_is_complete_and_clean() -> None:
    layout = default_layout()
    assert len(layout.zones) == 7
    assert len(layout.shelves) == 42
    assert len(layout.products) == 126
    assert layout.issues == ()
    assert layout.queue_zones == ("exit_queue",)
    assert [g.gate_id for g in layout.gates_of("exit")] == ["exit-1", "exit-2"]
    assert layout.products["cj1082185"].name == "Bananas (National)"
    assert layout.products["cj1082185"].price_minor == 94
    assert sum(1 for p in layout.products.values() if p.shelf_id == "fresh-r1b1s") == 3


def test_aisle_graph_shortest_path_walks_the_aisles() -> None:
    layout = default_layout()
    graph = aisle_graph(layout)
    start, end = graph.index("n3_1.5"), graph.index("n26.75_16.5")
    path = graph.path(start, end)
    assert path[0] == start and path[-1] == end
    # along the front to the x=10 cross aisle, up it to y=16.5, then along that aisle to x=26.75
    assert graph.distance[start, end] == pytest.approx(7.0 + 15.0 + 16.75)
    assert [graph.names[i] for i in path][:3] == ["n3_1.5", "n10_1.5", "n10_4.5"]


def test_json_round_trip_is_exact(tmp_path: Path) -> None:
    path = tmp_path / "store.json"
    save_layout(default_layout(), path)
    again = load_layout(path)
    assert layout_to_dict(again) == layout_to_dict(default_layout())


@pytest.mark.parametrize("suffix", ["csv", "parquet", "json"])
def test_planogram_can_live_in_a_table_file(tmp_path: Path, suffix: str) -> None:
    document = _document()
    rows = pl.DataFrame(document["planogram"])
    if suffix == "csv":
        rows.write_csv(tmp_path / "planogram.csv")
    elif suffix == "parquet":
        rows.write_parquet(tmp_path / "planogram.parquet")
    else:
        (tmp_path / "planogram.json").write_text(json.dumps(rows.to_dicts()))
    document["planogram"] = f"planogram.{suffix}"
    (tmp_path / "store.json").write_text(json.dumps(document))
    layout = load_layout(tmp_path / "store.json")
    assert layout.products == default_layout().products


def test_overlapping_zones_are_reported_with_their_area() -> None:
    document = _document()
    zones = document["zones"]
    assert isinstance(zones, list)
    zones.append({"name": "promo", "kind": "area", "polygon": [[10, 2], [14, 2], [14, 4], [10, 4]]})
    layout = layout_from_dict(document)
    overlaps = {i.detail: i.area_m2 for i in layout.issues if i.kind == "overlapping_zones"}
    assert overlaps == {
        "zones front and promo overlap; points there count for front": pytest.approx(4.0),
        "zones grocery and promo overlap; points there count for grocery": pytest.approx(2.5),
        "zones fresh and promo overlap; points there count for fresh": pytest.approx(1.5),
    }


def test_unzoned_floor_and_zone_outside_floor_are_reported() -> None:
    document = _document()
    zones = document["zones"]
    assert isinstance(zones, list)
    zones[:] = [z for z in zones if z["name"] != "back"]
    zones.append({"name": "yard", "kind": "area", "polygon": [[0, 20], [5, 20], [5, 22], [0, 22]]})
    with pytest.raises(LayoutInvalid, match="unknown zone 'back'"):
        layout_from_dict(document)
    shelves = document["shelves"]
    assert isinstance(shelves, list)
    for shelf in shelves:
        if shelf["zone"] == "back":
            shelf["zone"] = "fresh"
    kinds = {i.kind: i.area_m2 for i in layout_from_dict(document).issues}
    assert kinds["floor_not_zoned"] == pytest.approx(30 * 2.4 - 0)
    assert kinds["zone_outside_floor"] == pytest.approx(10.0)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["planogram"][0].update(shelf="nowhere"), "unknown shelf 'nowhere'"),
        (lambda d: d["shelves"][0].update(access="n999"), "unknown aisle node 'n999'"),
        (lambda d: d["aisles"]["edges"].append(["n3_1.5", "ghost"]), "joins an unknown node"),
        (lambda d: d["gates"][0].update(kind="window"), "kind must be one of"),
        (lambda d: d["planogram"][1].update(product=d["planogram"][0]["product"]), "defined twice"),
        (lambda d: d["zones"][0].update(polygon=[[0, 0], [3, 2], [3, 0], [0, 3]]), "invalid polygon"),
        (lambda d: d["planogram"][0].update(price_minor=-1), "price, stock"),
        (lambda d: d.pop("floor"), "missing the field 'floor'"),
        (lambda d: d.update(gates=[g for g in d["gates"] if g["kind"] == "entry"]), "one exit gate"),
    ],
)
def test_unusable_layouts_raise_a_typed_error(change: object, message: str) -> None:
    document = json.loads(json.dumps(_document()))
    assert callable(change)
    change(document)
    with pytest.raises(LayoutInvalid, match=message):
        layout_from_dict(document)


def test_disconnected_aisles_are_refused() -> None:
    document = _document()
    nodes = document["aisles"]
    assert isinstance(nodes, dict)
    nodes["nodes"]["island"] = [15.0, 10.5]
    layout = layout_from_dict(document)
    with pytest.raises(LayoutInvalid, match="not connected"):
        aisle_graph(layout)


def test_layout_file_must_be_json(tmp_path: Path) -> None:
    with pytest.raises(UnsupportedFormat):
        load_layout(tmp_path / "store.yaml")
    bad = tmp_path / "store.json"
    bad.write_text("{not json")
    with pytest.raises(LayoutInvalid, match="not JSON"):
        load_layout(bad)


def test_wkt_polygons_are_accepted() -> None:
    document = _document()
    document["floor"] = box(0, 0, 30, 20).wkt
    assert layout_from_dict(document).floor.area == pytest.approx(600.0)
