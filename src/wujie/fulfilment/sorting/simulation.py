"""Discrete-event simulation of a sorting centre working off the post-midnight backlog."""

from __future__ import annotations

import heapq
import math
from collections import Counter
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from wujie.fulfilment.errors import InvalidFulfilmentInput
from wujie.fulfilment.sorting.chutes import assign_chutes
from wujie.fulfilment.sorting.model import (
    BacklogResult,
    HourStats,
    InboundParcel,
    SortedBatch,
    SortingParams,
    WaveStats,
)


def simulate_backlog(parcels: Sequence[InboundParcel], params: SortingParams | None = None) -> BacklogResult:
    """Simulate machines sorting ``parcels`` first come, first served, into chutes, dispatched in waves.

    Events are parcel arrivals and machine completions: each parcel, in arrival order, is inducted
    on the machine that frees first (a FIFO multi-server queue), sorted in ``3600 / rate`` seconds
    (with seeded noise when ``service_cv > 0``), dropped into its destination's chute and leaves with
    the first outbound wave after it is sorted.

    Parameters
    ----------
    parcels
        Inbound parcels (ids unique), any order.
    params
        Machines, rate, chutes, waves and seed.

    Returns
    -------
    BacklogResult
        Per-hour arrivals, throughput, queue and utilisation; waves; chute loads; ``clear_min``, the
        moment the queue first empties after its peak (the last parcel of that backlog reaches a machine).
    """
    params = params or SortingParams()
    if not parcels:
        raise InvalidFulfilmentInput("no parcels to sort")
    if len({p.id for p in parcels}) != len(parcels):
        raise InvalidFulfilmentInput("parcel ids must be unique")
    ordered = sorted(parcels, key=lambda p: (p.arrival_min, p.id))
    arrivals = np.array([p.arrival_min for p in ordered])
    starts, ends, _ = _serve(arrivals, _service_times(len(ordered), params), params.machines)
    chute_of = _chute_per_parcel(ordered, params.chutes)
    wave_of = np.ceil(ends / params.wave_minutes - 1e-9) * params.wave_minutes
    waits = starts - arrivals
    return BacklogResult(
        parcels=len(ordered),
        capacity_per_hour=params.capacity_per_hour,
        hours=_hours(arrivals, starts, ends, params),
        waves=_waves(ordered, wave_of),
        chute_loads=dict(sorted(Counter(chute_of).items())),
        clear_min=_clear_min(arrivals, starts, waits),
        last_sorted_min=float(ends.max()),
        peak_queue=_peak_queue(arrivals, starts),
        mean_wait_min=float(waits.mean()),
        p95_wait_min=float(np.percentile(waits, 95)),
        parcel_chute={p.id: c for p, c in zip(ordered, chute_of, strict=True)},
        parcel_wave_min={p.id: float(w) for p, w in zip(ordered, wave_of, strict=True)},
    )


def sort_batch(
    arrival_min: npt.ArrayLike, params: SortingParams | None = None, machines_free_min: Sequence[float] | None = None
) -> SortedBatch:
    """Sort one batch of parcels through the machines, continuing from where the last batch left them.

    The same FIFO multi-server queue as :func:`simulate_backlog`, on arrays and without the
    per-hour statistics, for a caller that feeds parcels as they come (a digital twin): batches
    fed in arrival order, each starting from the previous batch's ``machines_free_min``, give the
    times one call over all the parcels would give (with ``service_cv == 0``; with noise, each
    batch draws its own service times from ``params.seed``).

    Parameters
    ----------
    arrival_min
        Arrival times (minutes, >= 0) of the batch, in arrival order (non-decreasing).
    params
        Machines, rate, waves and seed.
    machines_free_min
        When each machine frees (minutes), from the previous batch's result; all free at 0 when ``None``.

    Returns
    -------
    SortedBatch
        Start and end of sorting and the outbound wave of each parcel, and the machines' state after the batch.
    """
    params = params or SortingParams()
    arrivals = np.asarray(arrival_min, dtype=np.float64)
    if arrivals.ndim != 1 or not np.all(np.isfinite(arrivals)) or (arrivals.size and arrivals.min() < 0):
        raise InvalidFulfilmentInput("arrival times must be a 1-d array of finite minutes >= 0")
    if np.any(np.diff(arrivals) < 0):
        raise InvalidFulfilmentInput("arrival times must be in arrival order (non-decreasing)")
    free = list(machines_free_min) if machines_free_min is not None else [0.0] * params.machines
    if len(free) != params.machines:
        raise InvalidFulfilmentInput("machines_free_min needs one time per machine", machines=params.machines)
    starts, ends, free = _serve(arrivals, _service_times(len(arrivals), params), params.machines, free)
    waves = np.ceil(ends / params.wave_minutes - 1e-9) * params.wave_minutes
    return SortedBatch(starts, ends, waves, tuple(free))


def _service_times(n: int, params: SortingParams) -> npt.NDArray[np.float64]:
    mean = 60.0 / params.rate_per_hour
    if params.service_cv == 0:
        return np.full(n, mean)
    shape = 1.0 / params.service_cv**2
    rng = np.random.default_rng(params.seed)
    return rng.gamma(shape, mean / shape, size=n)


def _serve(
    arrivals: npt.NDArray[np.float64],
    service: npt.NDArray[np.float64],
    machines: int,
    free: list[float] | None = None,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], list[float]]:
    """Event loop: each arrival takes the machine whose completion event comes first.

    ``free`` is when each machine frees at the start (all at 0 when ``None``); the third value
    returned is when each frees at the end, sorted.
    """
    heap = [0.0] * machines if free is None else list(free)
    heapq.heapify(heap)
    starts: list[float] = []
    pop_push = heapq.heappushpop
    first = heapq.heappop(heap) if arrivals.size else 0.0
    for arrival, took in zip(arrivals.tolist(), service.tolist(), strict=True):
        start = arrival if arrival > first else first
        starts.append(start)
        first = pop_push(heap, start + took)
    if arrivals.size:
        heapq.heappush(heap, first)
    begun = np.array(starts, dtype=np.float64)
    # round away float drift (k * 0.015 min) so parcels finishing on an hour boundary count in that hour
    return np.round(begun, 9), np.round(begun + service, 9), sorted(heap)


def _chute_per_parcel(ordered: list[InboundParcel], chutes: int) -> list[int]:
    volumes = Counter(p.destination for p in ordered)
    plan = assign_chutes(volumes, chutes)
    turn: Counter[str] = Counter()
    result = []
    for parcel in ordered:
        options = plan[parcel.destination]
        result.append(options[turn[parcel.destination] % len(options)])
        turn[parcel.destination] += 1
    return result


def _hours(
    arrivals: npt.NDArray[np.float64],
    starts: npt.NDArray[np.float64],
    ends: npt.NDArray[np.float64],
    params: SortingParams,
) -> tuple[HourStats, ...]:
    last = max(float(ends.max()), float(arrivals.max()))
    sorted_starts, sorted_ends = np.sort(starts), np.sort(ends)
    busy_start, busy_end = starts, ends
    hours = []
    for h in range(max(1, math.ceil(last / 60.0 - 1e-9))):
        lo, hi = 60.0 * h, 60.0 * (h + 1)
        arrived = int(np.searchsorted(arrivals, hi, "left") - np.searchsorted(arrivals, lo, "left"))
        done = int(np.searchsorted(sorted_ends, hi, "right") - np.searchsorted(sorted_ends, lo, "right"))
        queue = int(np.searchsorted(arrivals, hi, "right") - np.searchsorted(sorted_starts, hi, "right"))
        busy = float(np.clip(np.minimum(busy_end, hi) - np.maximum(busy_start, lo), 0, None).sum())
        hours.append(HourStats(h, arrived, done, queue, busy / (60.0 * params.machines)))
    return tuple(hours)


def _peak_queue(arrivals: npt.NDArray[np.float64], starts: npt.NDArray[np.float64]) -> int:
    """Largest number of parcels waiting for a machine at any arrival instant."""
    waiting = np.searchsorted(arrivals, arrivals, "right") - np.searchsorted(np.sort(starts), arrivals, "right")
    return int(waiting.max())


def _clear_min(
    arrivals: npt.NDArray[np.float64], starts: npt.NDArray[np.float64], waits: npt.NDArray[np.float64]
) -> float:
    """When the queue first empties after its peak: the last waiting parcel of that busy spell is inducted."""
    waiting = waits > 1e-9
    if not waiting.any():
        return 0.0
    queue = np.searchsorted(arrivals, arrivals, "right") - np.searchsorted(np.sort(starts), arrivals, "right")
    # the peak holds until the last parcel arriving at that same instant
    peak = int(np.searchsorted(arrivals, arrivals[int(np.argmax(queue))], "right")) - 1
    idle_after = np.flatnonzero(~waiting[peak + 1 :])
    end = peak + int(idle_after[0]) if idle_after.size else len(starts) - 1
    return float(starts[end])


def _waves(ordered: list[InboundParcel], wave_of: npt.NDArray[np.float64]) -> tuple[WaveStats, ...]:
    per_wave: dict[float, list[str]] = {}
    for parcel, wave in zip(ordered, wave_of.tolist(), strict=True):
        per_wave.setdefault(wave, []).append(parcel.destination)
    return tuple(WaveStats(w, len(d), len(set(d))) for w, d in sorted(per_wave.items()))
