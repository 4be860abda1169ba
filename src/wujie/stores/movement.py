"""Movement analytics over camera track points: heat map, zone dwell, zone-to-zone flows, exit queue.

Everything is numpy over the whole day at once: points are sorted by (track, t); each point stands for
the time until the track's next point (capped at ``max_gap_s``, the last point of a track for none).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import polars as pl

from wujie.stores.errors import ParamsInvalid
from wujie.stores.layout import StoreLayout
from wujie.stores.zoning import OUTSIDE, ZoneIndex

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
DWELL_QUANTILES = (0.25, 0.5, 0.75, 0.9)


@dataclass(frozen=True, slots=True)
class MovementParams:
    """Knobs of the movement analytics (validated)."""

    heat_cell_m: float = 1.0
    max_gap_s: float = 3.0
    min_visit_s: float = 3.0
    queue_bucket_s: int = 60

    def __post_init__(self) -> None:
        if not 0.05 <= self.heat_cell_m <= 10:
            raise ParamsInvalid("heat_cell_m must be within [0.05, 10]")
        if self.max_gap_s <= 0 or self.min_visit_s < 0 or self.queue_bucket_s <= 0:
            raise ParamsInvalid("max_gap_s and queue_bucket_s must be > 0, min_visit_s >= 0")


@dataclass(frozen=True)
class Points:
    """Track points as arrays, sorted by (track, t), with their zone labels and durations."""

    track: npt.NDArray[np.int32]
    t: I64
    x: npt.NDArray[np.float32]
    y: npt.NDArray[np.float32]
    zone: npt.NDArray[np.int16]
    seconds: F64

    @property
    def outside(self) -> int:
        """Number of points off the floor."""
        return int(np.count_nonzero(self.zone == OUTSIDE))


def points_of(tracks: pl.DataFrame, index: ZoneIndex, params: MovementParams) -> Points:
    """Label the (track, t)-sorted ``tracks`` with zones and the seconds each point stands for."""
    track = tracks["track"].to_numpy()
    t = tracks["t"].to_numpy()
    x = tracks["x"].to_numpy()
    y = tracks["y"].to_numpy()
    zone = index.label(x, y)
    split = crossing_split(index, track, (x, y), zone)
    return Points(track, t, x, y, zone, point_seconds(track, t, split, params.max_gap_s))


def crossing_split(
    index: ZoneIndex,
    track: npt.NDArray[np.int32],
    xy: tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]],
    zone: npt.NDArray[np.int16],
    steps: int = 6,
) -> F64:
    """Where, along the segment from each point to its track's next one, the zone changes (0..1).

    0.5 (the midpoint) where both points are in the same zone; otherwise the zone border is found by
    bisection on the straight segment between the points (``steps`` halvings), all crossings at once.
    """
    x, y = xy
    split = np.full(max(track.size - 1, 0), 0.5)
    if track.size < 2:
        return split
    change = np.flatnonzero((track[1:] == track[:-1]) & (zone[1:] != zone[:-1]))
    x0, y0, dx, dy = x[change], y[change], x[change + 1] - x[change], y[change + 1] - y[change]
    low, high = np.zeros(change.size), np.ones(change.size)
    for _ in range(steps):
        middle = 0.5 * (low + high)
        same = index.label(x0 + middle * dx, y0 + middle * dy) == zone[change]
        low = np.where(same, middle, low)
        high = np.where(same, high, middle)
    split[change] = 0.5 * (low + high)
    return split


def point_seconds(track: npt.NDArray[np.int32], t: I64, split: F64, max_gap_s: float) -> F64:
    """Seconds each point of (track, t)-sorted samples stands for.

    The gap to the track's next point (capped at ``max_gap_s``) is shared at ``split``: the part before
    goes to the point, the rest to the next point. A track's first and last points add half the typical
    sampling period (the time before its first and after its last sample).
    """
    if t.size == 0:
        return np.zeros(0, dtype=np.float64)
    same = track[1:] == track[:-1]
    gap = np.minimum(np.diff(t), max_gap_s * 1000) / 1000.0
    within = gap[same]
    typical = float(np.median(within[:: max(1, within.size // 100_000)])) if within.size else 0.0
    seconds = np.zeros(t.size, dtype=np.float64)
    seconds[:-1] += np.where(same, split * gap, 0.5 * typical)
    seconds[1:] += np.where(same, (1.0 - split) * gap, 0.5 * typical)
    seconds[0] += 0.5 * typical
    seconds[-1] += 0.5 * typical
    return seconds


def heat_map(points: Points, layout: StoreLayout, cell_m: float) -> F64:
    """Return person-seconds per grid cell (rows from the floor's min y), points off the floor excluded."""
    x0, y0, x1, y1 = layout.floor.bounds
    cols = int(np.ceil((x1 - x0) / cell_m))
    rows = int(np.ceil((y1 - y0) / cell_m))
    keep = points.zone != OUTSIDE
    col = np.clip(((points.x[keep] - x0) / cell_m).astype(np.int64), 0, cols - 1)
    row = np.clip(((points.y[keep] - y0) / cell_m).astype(np.int64), 0, rows - 1)
    grid = np.bincount(row * cols + col, weights=points.seconds[keep], minlength=rows * cols)
    result: F64 = np.asarray(grid, dtype=np.float64).reshape(rows, cols)
    return result


def zone_dwell(points: Points, zones: int) -> F64:
    """Return seconds per (track ordinal, zone): row i is the i-th distinct track in sorted order."""
    ordinal = _track_ordinals(points.track)
    keep = points.zone >= 0
    key = ordinal[keep] * zones + points.zone[keep]
    tracks = int(ordinal[-1]) + 1 if ordinal.size else 0
    spent: F64 = np.bincount(key, weights=points.seconds[keep], minlength=tracks * zones).astype(np.float64)
    return spent.reshape(tracks, zones)


def dwell_summary(dwell: F64, names: tuple[str, ...]) -> dict[str, dict[str, float]]:
    """Per zone: visitors, mean and quantiles of the seconds spent by each visitor (all visits summed)."""
    summary: dict[str, dict[str, float]] = {}
    for index, name in enumerate(names):
        spent = dwell[:, index][dwell[:, index] > 0]
        stats = {"visitors": float(spent.size), "mean_s": float(spent.mean()) if spent.size else 0.0}
        for q in DWELL_QUANTILES:
            stats[f"p{round(q * 100)}_s"] = float(np.quantile(spent, q)) if spent.size else 0.0
        summary[name] = stats
    return summary


def flow_matrix(points: Points, zones: int, min_visit_s: float) -> I64:
    """Count zone-to-zone moves: visits shorter than ``min_visit_s`` (border flicker) are ignored."""
    if points.t.size == 0:
        return np.zeros((zones, zones), dtype=np.int64)
    starts = _run_starts(points.track, points.zone)
    run_track = points.track[starts]
    run_zone = points.zone[starts]
    run_seconds = np.add.reduceat(points.seconds, starts)
    keep = (run_zone >= 0) & (run_seconds >= min_visit_s)
    run_track, run_zone = run_track[keep], run_zone[keep]
    move = (run_track[1:] == run_track[:-1]) & (run_zone[1:] != run_zone[:-1])
    key = run_zone[:-1][move].astype(np.int64) * zones + run_zone[1:][move]
    return np.bincount(key, minlength=zones * zones).reshape(zones, zones).astype(np.int64)


def queue_series(points: Points, queue_zones: list[int], day_start_ms: int, bucket_s: int) -> F64:
    """Mean number of shoppers in the queue zones per bucket (person-seconds / bucket).

    The series starts at ``day_start_ms`` and covers whole days, as many as the points reach into.
    """
    days = 1 + (max(int(points.t.max()) - day_start_ms, 0) // 86_400_000 if points.t.size else 0)
    buckets = days * int(np.ceil(86_400 / bucket_s))
    inside = np.isin(points.zone, np.asarray(queue_zones, dtype=np.int16))
    bucket = (points.t[inside] - day_start_ms) // (bucket_s * 1000)
    valid = (bucket >= 0) & (bucket < buckets)
    person_seconds = np.bincount(bucket[valid], weights=points.seconds[inside][valid], minlength=buckets)
    result: F64 = person_seconds.astype(np.float64) / bucket_s
    return result


def _track_ordinals(track: npt.NDArray[np.int32]) -> I64:
    change = np.empty(track.shape, dtype=np.int64)
    if track.size:
        change[0] = 0
        change[1:] = track[1:] != track[:-1]
    return np.cumsum(change)


def _run_starts(track: npt.NDArray[np.int32], zone: npt.NDArray[np.int16]) -> I64:
    boundary = np.ones(track.shape, dtype=bool)
    boundary[1:] = (track[1:] != track[:-1]) | (zone[1:] != zone[:-1])
    return np.flatnonzero(boundary)
