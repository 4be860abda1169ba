"""Event tables: loading JSON/CSV/Parquet, and cleaning that counts every problem instead of dropping it."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from wujie.stores.default_layout import default_layout
from wujie.stores.errors import EventsInvalid, ParamsInvalid, UnsupportedFormat
from wujie.stores.event_tables import clean_events, events_from_tables, load_events, save_events
from wujie.stores.events import GatePassed, ShelfEventSeen, TagRead, TagRegistered, TrackPointSeen, frame_of
from wujie.stores.tabular import read_table

DAY = 1_794_355_200_000


def _events():  # type: ignore[no-untyped-def]
    gates = [
        GatePassed(DAY + 5_000, 1, "acct_1", "entry-1", "entry"),
        GatePassed(DAY + 1_000, 2, "acct_2", "entry-1", "entry"),  # out of order
        GatePassed(DAY + 1_000, 2, "acct_2", "entry-1", "entry"),  # exact duplicate
        GatePassed(DAY + 9_000, 1, "acct_1", "side-door", "exit"),  # unknown gate
        GatePassed(DAY + 9_500, 2, "acct_2", "exit-1", "sideways"),  # bad direction
    ]
    tracks = [
        TrackPointSeen(DAY + 1_000, 1, 3.0, 1.0),
        TrackPointSeen(DAY + 3_000, 1, 3.0, 3.0),
        TrackPointSeen(DAY + 2_000, 1, 3.0, 2.0),  # out of order within track 1
        TrackPointSeen(DAY + 2_000, 1, 3.1, 2.1),  # second point at the same instant: duplicate
        TrackPointSeen(DAY + 500, 2, 45.0, 1.0),  # off the floor (counted by the analysis)
    ]
    shelf = [
        ShelfEventSeen(DAY + 2_500, 1, "fresh-r1b1s", "cj1082185", "pick"),
        ShelfEventSeen(DAY + 2_600, 1, "fresh-r1b1s", "ghost-product", "pick"),
        ShelfEventSeen(DAY + 2_700, 1, "ghost-shelf", "cj1082185", "juggle"),
    ]
    rfid = [TagRead(DAY + 9_100, "cj1082185-000001", "rfid-exit-1"), TagRead(DAY + 9_200, "zz-1", "rfid-roof")]
    tags = [TagRegistered("cj1082185-000001", "cj1082185"), TagRegistered("x-1", "nope"), TagRegistered("x-1", "nope")]
    return events_from_tables(
        gates=frame_of("gates", gates),
        tracks=frame_of("tracks", tracks),
        shelf=frame_of("shelf", shelf),
        rfid=frame_of("rfid", rfid),
        tags=frame_of("tags", tags),
    )


def test_cleaning_counts_every_problem() -> None:
    clean, quality = clean_events(_events(), default_layout())
    assert quality["gates"] == {
        "rows": 5,
        "unreadable": 0,
        "out_of_order": 2,
        "duplicates": 1,
        "unknown_gate": 1,
        "bad_direction": 1,
    }
    assert quality["tracks"] == {"rows": 5, "unreadable": 0, "out_of_order": 2, "duplicates": 0, "conflicting": 1}
    assert quality["shelf"]["unknown_product"] == 1
    assert quality["shelf"]["unknown_shelf"] == 1
    assert quality["shelf"]["bad_action"] == 1
    assert quality["rfid"]["unknown_reader"] == 1
    assert quality["rfid"]["unknown_tag"] == 1
    assert quality["tags"]["unknown_product"] == 1
    assert quality["tags"]["duplicates"] == 1
    assert clean.gates["t"].to_list() == [DAY + 1_000, DAY + 5_000, DAY + 9_000, DAY + 9_500]
    assert clean.tracks.filter(pl.col("track") == 1)["t"].to_list() == [DAY + 1_000, DAY + 2_000, DAY + 3_000]
    assert clean.shelf.height == 3  # unknown references are kept for the analytics to report


def test_unreadable_values_are_counted_and_removed() -> None:
    gates = pl.DataFrame(
        {
            "t": ["1794355201000", "soon", None],
            "track": [1, 2, 3],
            "account": ["a", "b", "c"],
            "gate": ["entry-1"] * 3,
            "direction": ["entry"] * 3,
        }
    )
    clean, quality = clean_events(events_from_tables(gates=gates), default_layout())
    assert quality["gates"]["unreadable"] == 2
    assert clean.gates["t"].to_list() == [1_794_355_201_000]


@pytest.mark.parametrize("fmt", ["parquet", "csv", "json"])
def test_tables_round_trip_in_every_format(tmp_path: Path, fmt: str) -> None:
    events = _events()
    save_events(events, tmp_path, fmt)
    again = load_events(tmp_path)
    for kind in ("gates", "tracks", "shelf", "rfid", "tags"):
        assert again.table(kind).equals(events.table(kind)), kind


def test_json_arrays_are_read_too(tmp_path: Path) -> None:
    path = tmp_path / "rfid.json"
    path.write_text(json.dumps([{"t": DAY, "tag": "a", "reader": "rfid-exit-1"}]))
    events = load_events(tmp_path)
    assert events.rfid.to_dicts() == [{"t": DAY, "tag": "a", "reader": "rfid-exit-1"}]
    assert events.tracks.height == 0


def test_unusable_inputs_raise_typed_errors(tmp_path: Path) -> None:
    with pytest.raises(EventsInvalid, match="not a directory"):
        load_events(tmp_path / "missing")
    with pytest.raises(EventsInvalid, match="holds no event table"):
        load_events(tmp_path)
    pl.DataFrame({"t": [1], "track": [1]}).write_csv(tmp_path / "tracks.csv")
    with pytest.raises(EventsInvalid, match=r"tracks table lacks columns \['x', 'y'\]"):
        load_events(tmp_path)
    (tmp_path / "tracks.csv").write_bytes(b"\x00\x01garbage\n\xff")
    with pytest.raises(EventsInvalid):
        load_events(tmp_path)
    with pytest.raises(UnsupportedFormat):
        read_table(tmp_path / "tracks.xlsx")
    with pytest.raises(ParamsInvalid):
        save_events(_events(), tmp_path, "xlsx")
    with pytest.raises(EventsInvalid, match="unknown event kinds"):
        events_from_tables(cameras=pl.DataFrame())


def test_frame_of_refuses_the_wrong_event_class() -> None:
    with pytest.raises(TypeError):
        frame_of("gates", [TagRead(1, "a", "b")])


def test_non_finite_coordinates_are_unreadable_not_a_crash() -> None:
    from wujie.stores.analysis import analyze

    points = [
        TrackPointSeen(DAY, 1, float("nan"), 2.0),
        TrackPointSeen(DAY + 1_000, 1, 3.0, 2.0),
        TrackPointSeen(DAY + 2_000, 1, float("inf"), 2.0),
        TrackPointSeen(DAY + 3_000, 1, 4.0, 2.0),
    ]
    report = analyze(events_from_tables(tracks=frame_of("tracks", points)), default_layout())
    assert report.quality["tracks"]["unreadable"] == 2
    # two points 2 s apart (the typical gap): half a gap before, the gap between, half a gap after
    assert report.occupancy.sum() == pytest.approx(4.0)


def test_a_day_with_only_gate_events_is_analysed() -> None:
    from wujie.stores.analysis import analyze

    gates = [GatePassed(DAY, 1, "acct_1", "entry-1", "entry"), GatePassed(DAY + 60_000, 1, "acct_1", "exit-1", "exit")]
    summary = analyze(events_from_tables(gates=frame_of("gates", gates)), default_layout()).summary()
    assert summary["footfall"]["entry_by_hour"][0] == 1
    assert summary["checkout"]["baskets"] == 0
    assert summary["conversion"]["overall"] == 0.0


def test_a_file_spanning_two_days_adds_footfall_by_hour_of_day() -> None:
    from wujie.stores.analysis import analyze

    day_ms = 86_400_000
    gates = [
        GatePassed(DAY + 3_600_000, 1, "acct_1", "entry-1", "entry"),
        GatePassed(DAY + day_ms + 3_600_005, 2, "acct_2", "entry-1", "entry"),
    ]
    points = [TrackPointSeen(DAY + 3_600_000, 1, 25.0, 2.0), TrackPointSeen(DAY + day_ms + 5, 2, 25.0, 2.0)]
    events = events_from_tables(gates=frame_of("gates", gates), tracks=frame_of("tracks", points))
    report = analyze(events, default_layout())
    assert report.footfall["entry_by_hour"][1] == 2
    assert report.queue.size == 2 * 1440
    assert report.summary()["days"] == 2
