"""The twin's sorting centres: every parcel goes through :func:`wujie.fulfilment.sorting.sort_batch`.

Each site is a sorting centre of the fulfilment library (a FIFO queue in front of its machines,
parcels leaving with the next outbound wave). The twin feeds it on the simulated clock: when the
clock reaches time ``T``, every parcel ready (picked and packed) by ``T`` is sorted, in ready
order, starting from where the site's machines were left by the previous batch. A parcel becomes
ready only after its order is paid, so by ``T`` every parcel ready by ``T`` is known, and feeding
the library in these batches gives the times one call over the whole day would give.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from wujie.fulfilment.sorting import SortingParams, sort_batch


@dataclass(frozen=True)
class SortingCentres:
    """Sorting-centre settings per site kind (``dc``, ``forward``, ``store``)."""

    machines: dict[str, int]
    rate_per_hour: dict[str, float]
    wave_minutes: dict[str, float]

    def params(self, kind: str) -> SortingParams:
        """Return the library's params for a site of ``kind``."""
        return SortingParams(
            machines=self.machines[kind], rate_per_hour=self.rate_per_hour[kind], wave_minutes=self.wave_minutes[kind]
        )


def default_centres() -> SortingCentres:
    """Cainiao-like centres: 8 machines of 4,000 parcels/h at a DC, 3 at a forward warehouse, a slow store belt."""
    return SortingCentres(
        machines={"dc": 8, "forward": 3, "store": 1},
        rate_per_hour={"dc": 4_000.0, "forward": 4_000.0, "store": 1_200.0},
        wave_minutes={"dc": 60.0, "forward": 60.0, "store": 30.0},
    )


class SortingStage:
    """Parcels waiting to be sorted, and each site's machines between batches."""

    def __init__(self, site_kinds: Sequence[str], centres: SortingCentres) -> None:
        self.params = [centres.params(k) for k in site_kinds]
        self.free: list[tuple[float, ...] | None] = [None] * len(site_kinds)
        self.waiting: list[tuple[Any, Any]] = []  # (ready_s, parcel ids)
        self.sorted = 0
        self.wait_s = 0.0
        self.max_wait_s = 0.0
        self.calls = 0

    def add(self, ready_s: Any, parcel: Any) -> None:
        """Queue parcels (global parcel ids) that become ready at ``ready_s`` (seconds)."""
        if len(parcel):
            self.waiting.append((np.asarray(ready_s, dtype=np.float64), np.asarray(parcel, dtype=np.int64)))

    def run(self, until_s: float, parcel_site: Any) -> tuple[Any, Any]:
        """Sort every parcel ready by ``until_s``; return (parcel ids, dispatch time in seconds)."""
        if not self.waiting:
            return np.empty(0, dtype=np.int64), np.empty(0)
        ready = np.concatenate([r for r, _ in self.waiting])
        parcel = np.concatenate([p for _, p in self.waiting])
        due = ready <= until_s
        self.waiting = [(ready[~due], parcel[~due])] if (~due).any() else []
        ready, parcel = ready[due], parcel[due]
        site = parcel_site[parcel]
        rows = np.lexsort((parcel, ready, site))  # per site, in ready order (ties by arrival of the order)
        ready, parcel, site = ready[rows], parcel[rows], site[rows]
        out = np.empty(len(parcel))
        cuts = np.flatnonzero(np.r_[True, site[1:] != site[:-1], True])
        for lo, hi in zip(cuts[:-1].tolist(), cuts[1:].tolist(), strict=True):
            s = int(site[lo])
            batch = sort_batch(ready[lo:hi] / 60.0, self.params[s], self.free[s])
            self.free[s] = batch.machines_free_min
            out[lo:hi] = batch.wave_min * 60.0
            waits = (batch.start_min * 60.0) - ready[lo:hi]
            self.wait_s += float(waits.sum())
            self.max_wait_s = max(self.max_wait_s, float(waits.max()))
            self.calls += 1
        self.sorted += len(parcel)
        return parcel, out

    def summary(self) -> dict[str, Any]:
        """Figures of the day's sorting."""
        return {
            "parcels": self.sorted,
            "batches": self.calls,
            "mean_wait_min": round(self.wait_s / max(self.sorted, 1) / 60.0, 3),
            "max_wait_min": round(self.max_wait_s / 60.0, 3),
        }
