"""A day of store events as columnar tables: load, save, and clean with every problem counted.

Cleaning never drops a row silently: each removed or suspicious row is counted in the quality report
(duplicates, out-of-order arrivals - within a track for camera points -, unreadable values, unknown
gates, shelves, products, readers and tags).
Unknown references stay in the tables (the analytics report them); only duplicates and rows with
unreadable required values are removed, and counted.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import polars as pl

from wujie.stores.errors import EventsInvalid, ParamsInvalid
from wujie.stores.events import KINDS, SCHEMAS, empty_frame
from wujie.stores.layout import StoreLayout
from wujie.stores.tabular import find_table, read_table, write_table

Quality = dict[str, dict[str, int]]
#: the columns whose order defines an exact duplicate and a sorted table, per kind
_SORT_KEYS = {"gates": ["t", "gate"], "shelf": ["t", "track"], "rfid": ["t"], "tags": []}


@dataclass(frozen=True)
class StoreEvents:
    """One table per event kind (see :data:`wujie.stores.events.SCHEMAS`)."""

    gates: pl.DataFrame
    tracks: pl.DataFrame
    shelf: pl.DataFrame
    rfid: pl.DataFrame
    tags: pl.DataFrame

    def table(self, kind: str) -> pl.DataFrame:
        """Return the table of ``kind``."""
        frame: pl.DataFrame = getattr(self, kind)
        return frame

    @property
    def sensor_events(self) -> int:
        """Number of sensor events (every row except the tag registry)."""
        return sum(self.table(k).height for k in KINDS if k != "tags")


def events_from_tables(**tables: pl.DataFrame) -> StoreEvents:
    """Build :class:`StoreEvents` from some tables (the others empty), checking columns and types."""
    unknown = set(tables) - set(KINDS)
    if unknown:
        raise EventsInvalid(f"unknown event kinds {sorted(unknown)}; expected {list(KINDS)}")
    return StoreEvents(**{k: _conform(k, tables.get(k, empty_frame(k))) for k in KINDS})


def load_events(directory: Path) -> StoreEvents:
    """Load ``directory/<kind>.{parquet,csv,json}`` for every kind (a missing kind is empty).

    Raises
    ------
    EventsInvalid
        When the directory holds none of the tables, or a table lacks a column.
    """
    if not directory.is_dir():
        raise EventsInvalid(f"{directory} is not a directory of event tables", path=str(directory))
    found = {k: find_table(directory, k) for k in KINDS}
    if not any(p is not None and k != "tags" for k, p in found.items()):
        raise EventsInvalid(f"{directory} holds no event table ({', '.join(KINDS)} .parquet/.csv/.json)")
    return events_from_tables(**{k: read_table(p) for k, p in found.items() if p is not None})


def save_events(events: StoreEvents, directory: Path, fmt: str = "parquet") -> list[Path]:
    """Write every table to ``directory/<kind>.<fmt>`` and return the paths."""
    if fmt not in ("parquet", "csv", "json"):
        raise ParamsInvalid(f"format must be parquet, csv or json, not {fmt!r}")
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for kind in KINDS:
        path = directory / f"{kind}.{fmt}"
        write_table(events.table(kind), path)
        paths.append(path)
    return paths


def _conform(kind: str, frame: pl.DataFrame) -> pl.DataFrame:
    schema = SCHEMAS[kind]
    missing = [c for c in schema if c not in frame.columns]
    if missing and frame.height > 0:
        raise EventsInvalid(f"{kind} table lacks columns {missing}", kind=kind)
    if frame.height == 0:
        return empty_frame(kind)
    return frame.select([pl.col(c).cast(dtype, strict=False) for c, dtype in schema.items()])


def clean_events(events: StoreEvents, layout: StoreLayout) -> tuple[StoreEvents, Quality]:
    """Sort each table, drop (and count) exact duplicates and unreadable rows, count unknown references."""
    quality: Quality = {}
    cleaned: dict[str, pl.DataFrame] = {}
    for kind in KINDS:
        frame, counts = _clean_table(kind, events.table(kind))
        cleaned[kind] = frame
        quality[kind] = counts
    result = replace(events, **cleaned)
    _count_unknown(result, layout, quality)
    return result, quality


def _clean_table(kind: str, frame: pl.DataFrame) -> tuple[pl.DataFrame, dict[str, int]]:
    rows = frame.height
    readable = frame.drop_nulls()
    if kind == "tracks":  # NaN or infinite coordinates are as unreadable as missing ones
        readable = readable.filter(pl.col("x").is_finite() & pl.col("y").is_finite())
    counts = {"rows": rows, "unreadable": rows - readable.height}
    if kind == "tracks":
        return _order_track_points(readable, counts)
    counts.update(out_of_order=0, duplicates=0)
    if "t" in frame.columns and readable.height > 1:
        late = pl.col("t") < pl.col("t").cum_max().shift(1)
        counts["out_of_order"] = int(readable.select(late.sum()).item() or 0)
    keys = _SORT_KEYS[kind]
    ordered = readable.sort([*keys, *[c for c in readable.columns if c not in keys]]) if keys else readable
    unique = ordered.unique(maintain_order=True)
    counts["duplicates"] = ordered.height - unique.height
    return unique, counts


def _strictly_ordered(points: pl.DataFrame) -> bool:
    """Whether points are grouped by ascending track with strictly increasing time in each (nothing to fix)."""
    if points.height < 2:
        return True
    track = points["track"].to_numpy()
    t = points["t"].to_numpy()
    step = np.diff(track.astype(np.int64))
    return bool(np.all(step >= 0) and np.all((step > 0) | (np.diff(t) > 0)))


def _order_track_points(points: pl.DataFrame, counts: dict[str, int]) -> tuple[pl.DataFrame, dict[str, int]]:
    """Sort camera points by (track, t) and keep one point per (track, t), counting what was fixed.

    A point is out of order when it came after a later point of its own track (a tracker may write
    track by track or frame by frame: only the order within a track matters). Of several points of a
    track at one instant the first written is kept; repeats at the same position are duplicates, at
    another position conflicts. Sorting is two stable numpy argsorts (by track, then by time).
    """
    counts.update(out_of_order=0, duplicates=0, conflicting=0)
    if _strictly_ordered(points):
        return points, counts
    track = points["track"].to_numpy().astype(np.int64)
    t = points["t"].to_numpy()
    if int(t.max()) - int(t.min()) >= 1 << 40 or int(track.max()) - int(track.min()) >= 1 << 22:
        raise EventsInvalid("camera points span more than 34 years or 4 million track ids: split the file")
    key = ((track - track.min()) << 40) | (t - t.min())
    by_track = np.argsort(track, kind="stable")
    grouped = key[by_track]
    counts["out_of_order"] = int(np.count_nonzero(grouped[1:] < np.maximum.accumulate(grouped)[:-1]))
    order = by_track[np.argsort(grouped, kind="stable")]
    ordered = points[order]
    sorted_key = key[order]
    same = np.zeros(order.size, dtype=bool)
    same[1:] = sorted_key[1:] == sorted_key[:-1]
    x, y = ordered["x"].to_numpy(), ordered["y"].to_numpy()
    exact = same.copy()
    exact[1:] &= (x[1:] == x[:-1]) & (y[1:] == y[:-1])
    counts["duplicates"] = int(exact.sum())
    counts["conflicting"] = int(same.sum()) - counts["duplicates"]
    return (ordered.filter(~same) if same.any() else ordered), counts


def _count_unknown(events: StoreEvents, layout: StoreLayout, quality: Quality) -> None:
    gates = [g.gate_id for g in layout.gates]
    readers = [g.reader for g in layout.gates]
    registry = events.tags
    quality["gates"]["unknown_gate"] = _not_in(events.gates, "gate", gates)
    quality["gates"]["bad_direction"] = _not_in(events.gates, "direction", ["entry", "exit"])
    quality["shelf"]["unknown_shelf"] = _not_in(events.shelf, "shelf", list(layout.shelves))
    quality["shelf"]["unknown_product"] = _not_in(events.shelf, "product", list(layout.products))
    quality["shelf"]["bad_action"] = _not_in(events.shelf, "action", ["pick", "put_back"])
    quality["rfid"]["unknown_reader"] = _not_in(events.rfid, "reader", readers)
    quality["rfid"]["unknown_tag"] = int(events.rfid.join(registry, on="tag", how="anti").height)
    quality["tags"]["unknown_product"] = _not_in(registry, "product", list(layout.products))
    quality["tags"]["duplicate_tag"] = registry.height - registry.select(pl.col("tag").n_unique()).item()


def _not_in(frame: pl.DataFrame, column: str, allowed: list[str]) -> int:
    return int(frame.select((~pl.col(column).is_in(allowed)).sum()).item() or 0)
