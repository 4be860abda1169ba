"""Sorting: a sorting-centre model (chutes by destination, machines, waves) and a backlog simulation."""

from wujie.fulfilment.sorting.chutes import assign_chutes
from wujie.fulfilment.sorting.model import (
    BacklogResult,
    HourStats,
    InboundParcel,
    SortedBatch,
    SortingParams,
    WaveStats,
)
from wujie.fulfilment.sorting.simulation import simulate_backlog, sort_batch
from wujie.fulfilment.sorting.workload import post_midnight_arrivals

__all__ = [
    "BacklogResult",
    "HourStats",
    "InboundParcel",
    "SortedBatch",
    "SortingParams",
    "WaveStats",
    "assign_chutes",
    "post_midnight_arrivals",
    "simulate_backlog",
    "sort_batch",
]
