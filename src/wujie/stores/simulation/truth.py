"""The twin's ground truth, in the same shapes the analytics report, to measure them against.

Positions come from the shoppers' true timelines sampled at ``truth_hz`` (no jitter, finer than the
cameras); baskets, conversion, stock alerts and unpaid tags come from what the shoppers really did.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from wujie.stores.movement import (
    MovementParams,
    Points,
    crossing_split,
    dwell_summary,
    flow_matrix,
    heat_map,
    point_seconds,
    queue_series,
    zone_dwell,
)
from wujie.stores.simulation.run import TwinRun
from wujie.stores.simulation.sensors import sample_positions
from wujie.stores.zoning import zone_index


@dataclass(frozen=True)
class Truth:
    """Ground truth of one twin run."""

    occupancy: npt.NDArray[np.float64]
    dwell: npt.NDArray[np.float64]  # seconds per (shopper, zone)
    flows: npt.NDArray[np.int64]
    queue: npt.NDArray[np.float64]
    baskets: pl.DataFrame  # track, account, product, qty (paying shoppers)
    unpaid_tags: tuple[str, ...]
    unpaid_units: dict[str, int]  # product -> units that left unpaid
    pickers: pl.DataFrame  # track, product: who picked what at least once
    stock_alerts: dict[str, int]  # product -> epoch ms

    def summary(self, zone_names: tuple[str, ...]) -> dict[str, Any]:
        """Headline figures (JSON-friendly)."""
        return {
            "dwell": dwell_summary(self.dwell, zone_names),
            "conversion": conversion(self),
            "baskets": self.baskets.select("track").n_unique(),
            "unpaid_tags": len(self.unpaid_tags),
            "stock_alerts": len(self.stock_alerts),
            "queue_peak_minute_mean": float(self.queue.max()) if self.queue.size else 0.0,
        }


def ground_truth(run: TwinRun, params: MovementParams | None = None) -> Truth:
    """Compute the truth of ``run`` with the analytics' grid, visit and queue settings."""
    knobs = params or MovementParams()
    points = _true_points(run)
    layout = run.layout
    queue_zones = [i for i, z in enumerate(layout.zones) if z.name in layout.queue_zones]
    paying = {s.track: s.account for s in run.shoppers if s.account}
    rows = [(t, paying[t], p) for t, items in run.carried.items() if t in paying for _, p in items]
    baskets = (
        pl.DataFrame(rows, schema=["track", "account", "product"], orient="row")
        .group_by("track", "account", "product")
        .len("qty")
        .sort("track", "product")
    )
    stolen = [(tag, product) for t, items in run.carried.items() if t not in paying for tag, product in items]
    unpaid_units: dict[str, int] = {}
    for _, product in stolen:
        unpaid_units[product] = unpaid_units.get(product, 0) + 1
    picks = {(a.track, a.product) for a in run.actions if a.pick}
    start = run.params.day_start_ms
    return Truth(
        occupancy=heat_map(points, layout, knobs.heat_cell_m),
        dwell=zone_dwell(points, len(layout.zones)),
        flows=flow_matrix(points, len(layout.zones), knobs.min_visit_s),
        queue=queue_series(points, queue_zones, start, knobs.queue_bucket_s),
        baskets=baskets.cast({"qty": pl.Int64}),
        unpaid_tags=tuple(sorted(tag for tag, _ in stolen)),
        unpaid_units=unpaid_units,
        pickers=pl.DataFrame(sorted(picks), schema=["track", "product"], orient="row"),
        stock_alerts={p: start + round(t * 1000) for p, t in run.stock_alerts.items()},
    )


def conversion(truth: Truth) -> float:
    """Picked (shopper, product) pairs that left paid for, over all picked pairs."""
    if truth.pickers.height == 0:
        return 0.0
    bought = truth.baskets.select("track", "product").unique()
    return bought.join(truth.pickers, on=["track", "product"]).height / truth.pickers.height


def _true_points(run: TwinRun) -> Points:
    hz = run.params.truth_hz
    index = zone_index(run.layout)
    ts, xs, ys, ids = [], [], [], []
    for shopper in run.shoppers:
        t, x, y = sample_positions(shopper, hz, 0.0)
        ts.append(t)
        xs.append(x)
        ys.append(y)
        ids.append(np.full(t.size, shopper.track, dtype=np.int32))
    px = np.concatenate(xs).astype(np.float32)
    py = np.concatenate(ys).astype(np.float32)
    track = np.concatenate(ids)
    t_ms = run.params.day_start_ms + np.round(np.concatenate(ts) * 1000).astype(np.int64)
    zone = index.label(px, py)
    split = crossing_split(index, track, (px, py), zone, steps=8)
    return Points(track, t_ms, px, py, zone, point_seconds(track, t_ms, split, max_gap_s=1.0))
