"""Running figures of a twin run: what the report is computed from."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from wujie.twin.behaviour import SECONDS_PER_DAY

#: delivery-time histogram: 15-minute bins up to five days
DELIVERY_BIN_S = 900
DELIVERY_BINS = 5 * 96


@dataclass
class Tally:
    """Counters of the sale, the payments and the deliveries."""

    countdown_s: int
    regions: int
    customers: int
    attempted: int = 0
    placed: int = 0
    paid: int = 0
    cancelled: int = 0
    payment_failures: int = 0
    expired: int = 0
    refused_out_of_stock: int = 0
    refused_limit: int = 0
    searches: int = 0
    cart_adds: int = 0
    events: int = 0
    gmv_paid: int = 0
    allocated: int = 0
    delivered: int = 0
    local: int = 0
    split: int = 0
    within_24h: int = 0
    within_48h: int = 0
    placed_per_second: Any = None
    gmv_by_region: Any = None
    buyers: Any = None
    delivery_hist: Any = None
    wall_start: float = field(default_factory=time.perf_counter)
    wall_orders: dict[int, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.placed_per_second = np.zeros(self.countdown_s + SECONDS_PER_DAY, dtype=np.int64)
        self.gmv_by_region = np.zeros(self.regions, dtype=np.int64)
        self.buyers = np.zeros(self.customers, dtype=bool)
        self.delivery_hist = np.zeros(DELIVERY_BINS + 1, dtype=np.int64)

    def record_placed(self, seconds: Any, customers: Any) -> None:
        """Count accepted orders by arrival second (counted from the countdown's start) and wall-clock."""
        accepted = len(seconds)
        self.placed += accepted
        np.add.at(self.placed_per_second, seconds, 1)
        self.buyers[customers] = True
        wall = int(time.perf_counter() - self.wall_start)
        self.wall_orders[wall] = self.wall_orders.get(wall, 0) + accepted

    def record_allocated(self, local: Any, split: Any) -> None:
        """Count allocated orders, their locality and splits."""
        self.allocated += len(local)
        self.local += int(local.sum())
        self.split += int(split.sum())

    def record_delivered(self, hours_from_order: Any) -> None:
        """Count deliveries: SLA shares and the delivery-time histogram."""
        seconds = hours_from_order * 3600.0
        self.delivered += len(seconds)
        self.within_24h += int((seconds <= 86_400).sum())
        self.within_48h += int((seconds <= 172_800).sum())
        bins = np.minimum((seconds // DELIVERY_BIN_S).astype(np.int64), DELIVERY_BINS)
        self.delivery_hist += np.bincount(bins, minlength=DELIVERY_BINS + 1)

    def peak_wall_orders_per_s(self) -> int:
        """Return the most orders decided in one wall-clock second."""
        return max(self.wall_orders.values(), default=0)
