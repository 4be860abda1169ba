"""Zoning, heat map, dwell, flows and queue over hand-made camera tracks with known answers."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from wujie.stores.default_layout import default_layout
from wujie.stores.errors import ParamsInvalid
from wujie.stores.layout_io import layout_from_dict, layout_to_dict
from wujie.stores.movement import (
    MovementParams,
    dwell_summary,
    flow_matrix,
    heat_map,
    points_of,
    queue_series,
    zone_dwell,
)
from wujie.stores.zoning import OUTSIDE, UNZONED, exact_labels, zone_index

DAY = 1_794_355_200_000  # 2026-11-11 00:00 UTC in ms


def _odd_layout():  # type: ignore[no-untyped-def]
    """The default store plus a triangular promo zone overlapping two others, and a hole in the zoning."""
    document = layout_to_dict(default_layout())
    zones = document["zones"]
    zones.insert(0, {"name": "promo", "kind": "area", "polygon": [[9.0, 0.5], [15.3, 0.5], [12.1, 4.7]]})
    zones[:] = [z for z in zones if z["name"] != "back"]
    for shelf in document["shelves"]:
        if shelf["zone"] == "back":
            shelf["zone"] = "fresh"
    return layout_from_dict(document)


def test_raster_labels_equal_exact_shapely_labels() -> None:
    layout = _odd_layout()
    rng = np.random.default_rng(5)
    x = rng.uniform(-2, 32, 200_000)
    y = rng.uniform(-2, 22, 200_000)
    # points exactly on zone borders, on grid lines and on the floor's edge
    x = np.concatenate([x, [8.0, 11.5, 21.5, 0.0, 30.0, 12.1, 10.0]])
    y = np.concatenate([y, [1.0, 10.0, 3.0, 0.0, 20.0, 4.7, 17.6]])
    index = zone_index(layout)
    assert np.array_equal(index.label(x, y), exact_labels(layout, x, y))
    names = layout.zone_names
    assert index.label([12.1], [1.0])[0] == names.index("promo")  # the first zone wins an overlap
    assert index.label([5.0], [19.0])[0] == UNZONED
    assert index.label([-0.5], [5.0])[0] == OUTSIDE


def _tracks(rows: list[tuple[int, int, float, float]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema={"t": pl.Int64, "track": pl.Int32, "x": pl.Float32, "y": pl.Float32}, orient="row")


def _walk() -> pl.DataFrame:
    """Track 1 walks along y=1.5 at 1 m/s from x=4.5 (entrance) to x=11.5 (front); the border x=8 at 3.5 s."""
    return _tracks([(DAY + 1000 * k, 1, 4.5 + k, 1.5) for k in range(8)])


def test_dwell_splits_time_at_the_zone_border() -> None:
    layout = default_layout()
    points = points_of(_walk(), zone_index(layout), MovementParams())
    dwell = zone_dwell(points, len(layout.zones))
    names = layout.zone_names
    # 0.5 s before the first sample + 3.5 s to the border; 3.5 s after it + 0.5 s after the last sample
    assert dwell[0, names.index("entrance")] == pytest.approx(4.0, abs=1 / 64)
    assert dwell[0, names.index("front")] == pytest.approx(4.0, abs=1 / 64)
    assert dwell.sum() == pytest.approx(8.0)
    summary = dwell_summary(dwell, names)
    assert summary["entrance"]["visitors"] == 1.0
    assert summary["fresh"] == {"visitors": 0.0, "mean_s": 0.0, "p25_s": 0.0, "p50_s": 0.0, "p75_s": 0.0, "p90_s": 0.0}


def test_heat_map_holds_every_second_on_the_floor() -> None:
    layout = default_layout()
    off_floor = pl.concat([_walk(), _tracks([(DAY, 2, -3.0, 5.0), (DAY + 1000, 2, -3.0, 6.0)])])
    points = points_of(off_floor, zone_index(layout), MovementParams())
    assert points.outside == 2
    grid = heat_map(points, layout, 1.0)
    assert grid.shape == (20, 30)
    assert grid.sum() == pytest.approx(8.0)
    assert grid[1, 4] == pytest.approx(1.0)  # the point at (4.5, 1.5)
    assert grid[1, 11] == pytest.approx(1.0)  # the last point (11.5, 1.5): half gap + half period


def test_flows_ignore_short_border_flicker() -> None:
    layout = default_layout()
    names = layout.zone_names
    # entrance 4 s -> front 1 s (flicker) -> entrance 4 s -> front 5 s
    xs = [5.0, 6.0, 7.0, 7.5, 8.5, 7.5, 7.0, 6.0, 7.5, 8.5, 9.0, 10.0, 11.0, 12.0]
    track = _tracks([(DAY + 1000 * k, 7, x, 1.5) for k, x in enumerate(xs)])
    points = points_of(track, zone_index(layout), MovementParams())
    flows = flow_matrix(points, len(names), min_visit_s=3.0)
    assert flows.sum() == 1
    assert flows[names.index("entrance"), names.index("front")] == 1
    every = flow_matrix(points, len(names), min_visit_s=0.0)
    assert every[names.index("entrance"), names.index("front")] == 2
    assert every[names.index("front"), names.index("entrance")] == 1


def test_queue_series_is_mean_shoppers_per_bucket() -> None:
    layout = default_layout()
    standing = [(DAY + 3_600_000 + 1000 * k, 3, 25.0, 2.0) for k in range(120)]
    passing = [(DAY + 3_600_000 + 1000 * k, 4, 25.0 + 0.0 * k, 2.5) for k in range(30)]
    points = points_of(_tracks(standing + passing), zone_index(layout), MovementParams())
    queue = queue_series(points, [layout.zone_names.index("exit_queue")], DAY, 60)
    assert queue.size == 1440
    assert queue[60] == pytest.approx(1.5)
    assert queue[61] == pytest.approx(1.0)
    assert queue.sum() == pytest.approx(2.5)


@pytest.mark.parametrize(
    "knobs",
    [
        {"heat_cell_m": 0.01},
        {"max_gap_s": 0.0},
        {"queue_bucket_s": 0},
        {"min_visit_s": -1.0},
    ],
)
def test_movement_params_are_validated(knobs: dict[str, float]) -> None:
    with pytest.raises(ParamsInvalid):
        MovementParams(**knobs)  # type: ignore[arg-type]
