"""What the store's sensors report about a twin run: cameras (1 Hz, jittered), gates, shelves, RFID.

Noise is drawn from its own seeded generator, so the clean and the noisy view of one run describe
exactly the same shoppers.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import numpy.typing as npt
import polars as pl

from wujie.stores.event_tables import StoreEvents, events_from_tables
from wujie.stores.layout import StoreLayout
from wujie.stores.simulation.params import TwinParams
from wujie.stores.simulation.run import TwinRun
from wujie.stores.simulation.shoppers import Shopper

_READ_DELAY_S = (0.2, 1.5)
_DUPLICATE_DELAY_S = (0.05, 0.6)


def observe(run: TwinRun, params: TwinParams | None = None) -> StoreEvents:
    """Return the events the sensors report for ``run`` (noise from ``params``, default the run's)."""
    noise = params or run.params
    rng = np.random.default_rng([run.params.seed, 1])
    start = run.params.day_start_ms
    return events_from_tables(
        gates=_gates(run, start),
        tracks=_tracks(run.shoppers, noise, rng, start, run.layout),
        shelf=_shelf(run, start),
        rfid=_rfid(run, noise, rng, start),
        tags=pl.DataFrame({"tag": list(run.tags), "product": list(run.tags.values())}),
    )


def sample_positions(
    shopper: Shopper, hz: float, phase: float
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Positions of ``shopper`` every ``1/hz`` seconds from its entry (plus ``phase``) to its gate passage."""
    times = np.asarray(shopper.times)
    t = np.arange(times[0] + phase, times[-1], 1.0 / hz)
    return t, np.interp(t, times, shopper.xs), np.interp(t, times, shopper.ys)


def _tracks(
    shoppers: list[Shopper], noise: TwinParams, rng: np.random.Generator, start: int, layout: StoreLayout
) -> pl.DataFrame:
    parts_t, parts_x, parts_y, parts_id = [], [], [], []
    for shopper in shoppers:
        t, x, y = sample_positions(shopper, noise.track_hz, float(rng.uniform(0, 1.0 / noise.track_hz)))
        parts_t.append(t)
        parts_x.append(x)
        parts_y.append(y)
        parts_id.append(np.full(t.size, shopper.track, dtype=np.int32))
    t = np.concatenate(parts_t)
    x = np.concatenate(parts_x)
    y = np.concatenate(parts_y)
    if noise.jitter_m > 0:
        x = x + rng.normal(0, noise.jitter_m, x.size)
        y = y + rng.normal(0, noise.jitter_m, y.size)
        x0, y0, x1, y1 = layout.floor.bounds  # cameras only see the floor
        x, y = np.clip(x, x0, x1), np.clip(y, y0, y1)
    return pl.DataFrame(
        {
            "t": start + np.round(t * 1000).astype(np.int64),
            "track": np.concatenate(parts_id),
            "x": x.astype(np.float32),
            "y": y.astype(np.float32),
        }
    )


def _gates(run: TwinRun, start: int) -> pl.DataFrame:
    entry = run.layout.gates_of("entry")[0].gate_id
    rows = []
    for s in run.shoppers:
        rows.append((start + round(s.entry_s * 1000), s.track, s.account, entry, "entry"))
        rows.append((start + round(s.pass_s * 1000), s.track, s.account, s.exit_gate, "exit"))
    return pl.DataFrame(rows, schema=["t", "track", "account", "gate", "direction"], orient="row").sort("t")


def _shelf(run: TwinRun, start: int) -> pl.DataFrame:
    rows = [
        (start + round(a.t_s * 1000), a.track, a.shelf, a.product, "pick" if a.pick else "put_back")
        for a in run.actions
    ]
    frame = pl.DataFrame(rows, schema=["t", "track", "shelf", "product", "action"], orient="row")
    # two units taken in the same millisecond are two events: a sensor stamps them a millisecond apart
    same = ["t", "track", "product", "action"]
    return frame.with_columns(pl.col("t") + pl.int_range(pl.len()).over(same)).sort("t")


def _rfid(run: TwinRun, noise: TwinParams, rng: np.random.Generator, start: int) -> pl.DataFrame:
    readers = {g.gate_id: g.reader for g in run.layout.gates_of("exit")}
    rows: list[tuple[int, str, str]] = []
    for s in run.shoppers:
        for tag, _product in run.carried.get(s.track, []):
            read = s.pass_s + rng.uniform(*_READ_DELAY_S)
            if rng.random() >= noise.missed_read:
                rows.append((start + round(read * 1000), tag, readers[s.exit_gate]))
            if rng.random() < noise.duplicate_read:
                again = read + rng.uniform(*_DUPLICATE_DELAY_S)
                rows.append((start + round(again * 1000), tag, readers[s.exit_gate]))
    return pl.DataFrame(rows, schema=["t", "tag", "reader"], orient="row").sort("t")


def with_noise(params: TwinParams, jitter_m: float, missed_read: float, duplicate_read: float) -> TwinParams:
    """Return ``params`` with the given sensor noise."""
    return replace(params, jitter_m=jitter_m, missed_read=missed_read, duplicate_read=duplicate_read)
