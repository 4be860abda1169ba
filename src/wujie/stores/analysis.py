"""Analyse a day of store events: every analytic in one pass over cleaned tables, with timings."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from wujie.stores.checkout import BasketCharger, CheckoutResult, charge_baskets, reconcile
from wujie.stores.event_tables import Quality, StoreEvents, clean_events
from wujie.stores.layout import StoreLayout
from wujie.stores.merchandising import (
    attention_index,
    display_moves,
    overall_conversion,
    product_funnel,
    restock_alerts,
    shelf_attention,
)
from wujie.stores.movement import (
    MovementParams,
    Points,
    dwell_summary,
    flow_matrix,
    heat_map,
    points_of,
    queue_series,
    zone_dwell,
)
from wujie.stores.payments_ledger import LedgerCharger, LedgerView
from wujie.stores.zoning import zone_index

_DAY_MS = 86_400_000


@dataclass
class StoreReport:
    """The analytics of one day (arrays and frames; :meth:`summary` gives the JSON view)."""

    layout: StoreLayout
    params: MovementParams
    day_start_ms: int
    quality: Quality
    events: int
    footfall: dict[str, list[int]]
    occupancy: npt.NDArray[np.float64]
    dwell: npt.NDArray[np.float64]
    flows: npt.NDArray[np.int64]
    queue: npt.NDArray[np.float64]
    funnel: pl.DataFrame
    shelves: pl.DataFrame
    restock: pl.DataFrame
    moves: list[dict[str, object]]
    checkout: CheckoutResult
    ledger: dict[str, int]
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def conversion(self) -> float:
        """Overall interest -> purchase conversion."""
        return overall_conversion(self.funnel)

    def summary(self) -> dict[str, Any]:
        """Return the report as JSON-friendly data (big tables are written beside it, see ``report_io``)."""
        names = self.layout.zone_names
        attention = self.shelves["attention_s"].to_numpy()
        units = self.shelves["units"].to_numpy().astype(np.float64)
        corr = float(np.corrcoef(attention, units)[0, 1]) if attention.std() > 0 and units.std() > 0 else None
        busiest = int(np.argmax(self.queue)) if self.queue.size else 0
        return {
            "store": self.layout.name,
            "day_start_ms": self.day_start_ms,
            "events": self.events,
            "days": max(1, self.queue.size * self.params.queue_bucket_s // 86_400),
            "data_quality": {
                **self.quality,
                "layout_issues": [
                    {"kind": i.kind, "detail": i.detail, "area_m2": i.area_m2} for i in self.layout.issues
                ],
            },
            "footfall": self.footfall,
            "dwell": dwell_summary(self.dwell, names),
            "flows": {"zones": list(names), "matrix": self.flows.tolist()},
            "conversion": {
                "overall": round(self.conversion, 6),
                "picks": int(self.funnel["picks"].sum()),
                "put_backs": int(self.funnel["put_backs"].sum()),
                "units_bought": int(self.funnel["units"].sum()),
            },
            "shelf_attention_vs_sales": {"correlation": corr, "shelves": self.shelves.height},
            "exit_queue": {
                "bucket_s": self.params.queue_bucket_s,
                "peak_mean_length": round(float(self.queue.max()), 3) if self.queue.size else 0.0,
                "peak_at_ms": self.day_start_ms + busiest * self.params.queue_bucket_s * 1000,
                "by_hour_mean_length": [round(float(v), 3) for v in _hourly_mean(self.queue, self.params)],
            },
            "restock_alerts": self.restock.height,
            "display_moves": self.moves,
            "checkout": self.checkout.summary(),
            "ledger_balances_minor": self.ledger,
            "timings_s": {k: round(v, 4) for k, v in self.timings.items()},
        }


def analyze(
    events: StoreEvents,
    layout: StoreLayout,
    params: MovementParams | None = None,
    charger: BasketCharger | None = None,
) -> StoreReport:
    """Clean ``events`` and compute every analytic; baskets are charged through ``charger``.

    The default charger is a :class:`~wujie.stores.payments_ledger.LedgerCharger` (an in-memory
    double-entry ledger); its balances are part of the report.
    """
    knobs = params or MovementParams()
    clock = _Stopwatch()
    clean, quality = clean_events(events, layout)
    start = _day_start(clean)
    clock.lap("clean")
    points = points_of(clean.tracks, zone_index(layout), knobs)
    quality["tracks"]["outside_floor"] = points.outside
    clock.lap("zones")
    movement = _movement(points, layout, knobs, start)
    clock.lap("movement")
    ledger = charger if charger is not None else LedgerCharger()
    baskets = reconcile(clean, layout)
    clock.lap("checkout")
    checkout = charge_baskets(baskets, ledger, layout.currency)
    clock.lap("charging")
    merchandising = _merchandising(clean, layout, checkout, points)
    clock.lap("merchandising")
    return StoreReport(
        layout=layout,
        params=knobs,
        day_start_ms=start,
        quality=quality,
        events=events.sensor_events,
        footfall=_footfall(clean, start),
        checkout=checkout,
        ledger=ledger.balances() if isinstance(ledger, LedgerView) else {},
        timings=clock.laps,
        **movement,
        **merchandising,
    )


def _merchandising(clean: StoreEvents, layout: StoreLayout, checkout: CheckoutResult, points: Points) -> dict[str, Any]:
    bought = checkout.lines.join(
        checkout.baskets.filter(pl.col("status") == "captured").select("basket", "track"), on="basket"
    )
    funnel = product_funnel(clean.shelf, bought, layout)
    shelves = shelf_attention(funnel, attention_index(layout).seconds(points), layout)
    return {
        "funnel": funnel,
        "shelves": shelves,
        "restock": restock_alerts(clean.shelf, layout),
        "moves": display_moves(funnel, shelves),
    }


def _movement(points: Points, layout: StoreLayout, knobs: MovementParams, start: int) -> dict[str, Any]:
    zones = len(layout.zones)
    queues = [i for i, z in enumerate(layout.zones) if z.name in layout.queue_zones]
    return {
        "occupancy": heat_map(points, layout, knobs.heat_cell_m),
        "dwell": zone_dwell(points, zones),
        "flows": flow_matrix(points, zones, knobs.min_visit_s),
        "queue": queue_series(points, queues, start, knobs.queue_bucket_s),
    }


def _day_start(events: StoreEvents) -> int:
    """Midnight (UTC) of the day the first event falls on."""
    firsts = [
        events.table(k)["t"].to_numpy().min() for k in ("gates", "tracks", "shelf", "rfid") if events.table(k).height
    ]
    first = int(min(firsts)) if firsts else 0
    return first - first % _DAY_MS


def _footfall(events: StoreEvents, start: int) -> dict[str, list[int]]:
    """Gate passages per hour of day (UTC); a file of several days adds its days up."""
    hour = ((pl.col("t") - start) // 3_600_000) % 24
    result = {}
    for direction in ("entry", "exit"):
        passed = events.gates.filter(pl.col("direction") == direction)
        counts = np.bincount(passed.select(hour)["t"].to_numpy().astype(np.int64), minlength=24)
        result[f"{direction}_by_hour"] = [int(v) for v in counts[:24]]
    return result


def _hourly_mean(queue: npt.NDArray[np.float64], params: MovementParams) -> npt.NDArray[np.float64]:
    """Mean queue length per hour of day (averaged over the days the series covers)."""
    per_hour = max(1, 3600 // params.queue_bucket_s)
    usable = queue[: (queue.size // per_hour) * per_hour]
    if usable.size == 0:
        return np.zeros(0)
    hourly = usable.reshape(-1, per_hour).mean(axis=1)
    whole_days = hourly[: (hourly.size // 24) * 24]
    result: npt.NDArray[np.float64] = whole_days.reshape(-1, 24).mean(axis=0) if whole_days.size else hourly
    return result


class _Stopwatch:
    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = now - self._last
        self._last = now
