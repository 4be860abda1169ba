"""Plain records of the sorting-centre model: inbound parcels, params, chute plan and simulation results."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from wujie.fulfilment.errors import InvalidFulfilmentInput, require


@dataclass(frozen=True, slots=True)
class InboundParcel:
    """A parcel reaching the sorting centre: when (minutes after the simulation start) and where it goes."""

    id: str
    destination: str
    arrival_min: float

    def __post_init__(self) -> None:
        if not (math.isfinite(self.arrival_min) and self.arrival_min >= 0):
            raise InvalidFulfilmentInput(f"parcel {self.id} has an invalid arrival time", parcel=self.id)
        if not self.destination:
            raise InvalidFulfilmentInput(f"parcel {self.id} has no destination", parcel=self.id)


@dataclass(frozen=True, slots=True)
class SortingParams:
    """A sorting centre: machines, their rate, outbound chutes and dispatch waves.

    Parameters
    ----------
    machines
        Sorting machines working in parallel, fed from one inbound queue (FIFO).
    rate_per_hour
        Parcels one machine sorts per hour (Cainiao's ~4,000).
    chutes
        Outbound chutes; each destination (route) gets at least one, or shares one when there are too few.
    wave_minutes
        Outbound trucks leave every this many minutes with what their chutes hold.
    service_cv
        Coefficient of variation of one parcel's sorting time (0 for a perfectly regular machine).
    seed
        Seed of the service-time noise.
    """

    machines: int = 4
    rate_per_hour: float = 4000.0
    chutes: int = 48
    wave_minutes: float = 60.0
    service_cv: float = 0.0
    seed: int = 0

    def __post_init__(self) -> None:
        require(self.machines >= 1, "machines must be >= 1", machines=self.machines)
        require(self.rate_per_hour > 0, "rate_per_hour must be > 0", rate_per_hour=self.rate_per_hour)
        require(self.chutes >= 1, "chutes must be >= 1", chutes=self.chutes)
        require(self.wave_minutes > 0, "wave_minutes must be > 0", wave_minutes=self.wave_minutes)
        require(0 <= self.service_cv <= 2, "service_cv must be in 0..2", service_cv=self.service_cv)

    @property
    def capacity_per_hour(self) -> float:
        """Parcels per hour of all machines together."""
        return self.machines * self.rate_per_hour


@dataclass(frozen=True, slots=True)
class SortedBatch:
    """One batch through the machines (minutes): per parcel its sorting start and end and its wave.

    ``machines_free_min`` is when each machine frees after the batch: pass it to the next batch.
    """

    start_min: npt.NDArray[np.float64]
    end_min: npt.NDArray[np.float64]
    wave_min: npt.NDArray[np.float64]
    machines_free_min: tuple[float, ...]


@dataclass(frozen=True, slots=True)
class HourStats:
    """One hour of the simulation."""

    hour: int
    arrived: int
    sorted: int
    queue_at_end: int
    utilisation: float


@dataclass(frozen=True, slots=True)
class WaveStats:
    """One outbound wave: when the trucks leave and how many parcels they take."""

    departs_min: float
    parcels: int
    destinations: int


@dataclass(frozen=True, slots=True)
class BacklogResult:
    """What the discrete-event simulation of a backlog measured (times in minutes from the start).

    ``clear_min`` is when the queue first empties after its peak (0 when no parcel ever waited);
    ``last_sorted_min`` is when the last parcel leaves a machine.
    """

    parcels: int
    capacity_per_hour: float
    hours: tuple[HourStats, ...]
    waves: tuple[WaveStats, ...]
    chute_loads: dict[int, int]
    clear_min: float
    last_sorted_min: float
    peak_queue: int
    mean_wait_min: float
    p95_wait_min: float
    parcel_chute: dict[str, int]
    parcel_wave_min: dict[str, float]

    def summary(self) -> dict[str, object]:
        """Return the headline figures and the per-hour table, JSON-friendly (no per-parcel detail)."""
        return {
            "parcels": self.parcels,
            "capacity_per_hour": self.capacity_per_hour,
            "clear_min": round(self.clear_min, 3),
            "clear_hours": round(self.clear_min / 60, 3),
            "last_sorted_min": round(self.last_sorted_min, 3),
            "peak_queue": self.peak_queue,
            "mean_wait_min": round(self.mean_wait_min, 3),
            "p95_wait_min": round(self.p95_wait_min, 3),
            "waves": len(self.waves),
            "chutes_used": len(self.chute_loads),
            "max_chute_load": max(self.chute_loads.values(), default=0),
            "hours": [
                {
                    "hour": h.hour,
                    "arrived": h.arrived,
                    "sorted": h.sorted,
                    "queue_at_end": h.queue_at_end,
                    "utilisation": round(h.utilisation, 4),
                }
                for h in self.hours
            ],
        }
