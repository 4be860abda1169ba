"""Interest -> purchase funnel, shelf attention, restock alerts and display suggestions on known inputs."""

from __future__ import annotations

import json

import polars as pl
import pytest

from wujie.stores.default_layout import default_layout
from wujie.stores.events import ShelfEventSeen, TrackPointSeen, frame_of
from wujie.stores.layout_io import layout_from_dict, layout_to_dict
from wujie.stores.merchandising import (
    attention_index,
    display_moves,
    overall_conversion,
    product_funnel,
    restock_alerts,
    shelf_attention,
)
from wujie.stores.movement import MovementParams, points_of
from wujie.stores.zoning import zone_index

DAY = 1_794_355_200_000
BANANA, STRAWBERRY = "cj1082185", "cj1127831"


def _shelf(rows: list[tuple[int, int, str, str]]) -> pl.DataFrame:
    return frame_of("shelf", [ShelfEventSeen(DAY + t, track, "fresh-r1b1s", p, a) for t, track, p, a in rows])


def test_funnel_counts_pickers_and_buyers() -> None:
    shelf = _shelf(
        [
            (1, 1, BANANA, "pick"),
            (2, 1, BANANA, "pick"),
            (3, 2, BANANA, "pick"),
            (4, 2, BANANA, "put_back"),
            (5, 3, STRAWBERRY, "pick"),
            (6, 3, STRAWBERRY, "put_back"),
        ]
    )
    bought = pl.DataFrame({"track": [1], "product": [BANANA], "qty": [2]})
    funnel = product_funnel(shelf, bought, default_layout())
    row = funnel.filter(pl.col("product") == BANANA).row(0, named=True)
    assert (row["picks"], row["put_backs"], row["pickers"], row["buyers"], row["units"]) == (3, 1, 2, 1, 2)
    assert row["conversion"] == pytest.approx(0.5)
    assert row["revenue_minor"] == 188
    assert funnel.filter(pl.col("product") == STRAWBERRY)["conversion"].to_list() == [0.0]
    assert funnel.filter(pl.col("pickers") == 0)["conversion"].null_count() == 124
    assert overall_conversion(funnel) == pytest.approx(1 / 3)


def test_restock_alert_fires_when_the_shelf_reaches_its_reorder_point() -> None:
    document = layout_to_dict(default_layout())
    for row in document["planogram"]:
        if row["product"] == BANANA:
            row.update(stock=4, reorder_at=2)
    layout = layout_from_dict(json.loads(json.dumps(document)))
    shelf = _shelf(
        [
            (10, 1, BANANA, "pick"),  # 3 left
            (20, 2, BANANA, "pick"),  # 2 left: alert
            (30, 2, BANANA, "put_back"),  # 3 left
            (40, 3, BANANA, "pick"),  # 2 left again: no second alert
        ]
    )
    alerts = restock_alerts(shelf, layout)
    assert alerts.select("product", "alert_t", "left_at_close", "reorder_at", "stock").rows() == [
        (BANANA, DAY + 20, 2, 2, 4)
    ]


def test_attention_is_time_spent_at_the_shelf_access_point() -> None:
    layout = default_layout()
    tracks = frame_of("tracks", [TrackPointSeen(DAY + 1000 * k, 1, 3.25, 4.5) for k in range(10)])
    points = points_of(tracks, zone_index(layout), MovementParams())
    attention = attention_index(layout).seconds(points)
    assert attention["n3.25_4.5"] == pytest.approx(10.0)
    assert sum(attention.values()) == pytest.approx(10.0)
    funnel = product_funnel(
        _shelf([(1, 1, BANANA, "pick")]), pl.DataFrame({"track": [1], "product": [BANANA], "qty": [1]}), layout
    )
    shelves = shelf_attention(funnel, attention, layout)
    assert shelves.filter(pl.col("shelf") == "fresh-r1b1s").select("attention_s", "picks", "units").row(0) == (
        10.0,
        1,
        1,
    )


def test_display_moves_name_handled_products_that_do_not_sell() -> None:
    picks = [(k, k, BANANA, "pick") for k in range(1, 9)] + [(100 + k, 100 + k, STRAWBERRY, "pick") for k in range(8)]
    bought = pl.DataFrame({"track": [*range(1, 9), 100], "product": [BANANA] * 8 + [STRAWBERRY], "qty": [1] * 9})
    layout = default_layout()
    funnel = product_funnel(_shelf(picks), bought, layout)
    shelves = shelf_attention(funnel, {}, layout)
    moves = display_moves(funnel, shelves)
    review = [m for m in moves if str(m["action"]).startswith("review")]
    assert [m["product"] for m in review] == [STRAWBERRY]
    assert review[0]["conversion"] == pytest.approx(0.125)
    assert display_moves(funnel.head(0), shelves) == []
