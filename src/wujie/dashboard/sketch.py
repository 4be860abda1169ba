"""Space-Saving: the top-k heavy hitters of an unbounded stream in bounded memory.

Metwally, Agrawal and El Abbadi, "Efficient Computation of Frequent and Top-k Elements in Data
Streams" (ICDT 2005). While at most ``capacity`` distinct items have been seen, the counts are
exact; after that, an unseen item replaces the item with the smallest count and inherits that count
as its overestimation ``error``. Every item whose true count exceeds ``total / capacity`` is kept.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

from wujie.dashboard.errors import DashboardError, DashboardErrorCode


@dataclass(frozen=True, slots=True)
class HeavyHitter:
    """An item, its estimated count, and by how much at most that count overestimates."""

    item: str
    count: int
    error: int


class SpaceSaving:
    """Count items approximately in at most ``capacity`` counters.

    The smallest counter is found through a lazy min-heap: counts only grow, so a heap entry may
    be stale (smaller than the true count); such entries are refreshed when they reach the top.

    Examples
    --------
    >>> sketch = SpaceSaving(capacity=2)
    >>> for term in ["tea", "tea", "mooncake", "rice"]:
    ...     sketch.add(term)
    >>> sketch.top(1)
    [HeavyHitter(item='tea', count=2, error=0)]
    """

    def __init__(self, capacity: int = 1_000) -> None:
        if capacity < 1:
            raise DashboardError(DashboardErrorCode.INVALID_PARAMETER, "capacity must be >= 1", capacity=capacity)
        self.capacity = capacity
        self.counts: dict[str, int] = {}
        self.errors: dict[str, int] = {}
        self._heap: list[tuple[int, str]] = []
        self.total = 0

    def add(self, item: str, weight: int = 1) -> None:
        """Count ``weight`` occurrences of ``item``."""
        self.total += weight
        counts = self.counts
        if item in counts:
            counts[item] += weight
            return
        if len(counts) < self.capacity:
            counts[item] = weight
            self.errors[item] = 0
            heapq.heappush(self._heap, (weight, item))
            return
        floor = self._evict_smallest()
        counts[item] = floor + weight
        self.errors[item] = floor
        heapq.heappush(self._heap, (floor + weight, item))

    def _evict_smallest(self) -> int:
        heap, counts = self._heap, self.counts
        while True:
            count, item = heap[0]
            current = counts.get(item)
            if current == count:
                heapq.heappop(heap)
                del counts[item]
                del self.errors[item]
                return count
            if current is None:
                heapq.heappop(heap)  # an entry of an item already evicted
            else:
                heapq.heapreplace(heap, (current, item))

    def top(self, k: int) -> list[HeavyHitter]:
        """Return the ``k`` items with the largest counts (ties by item), largest first."""
        best = heapq.nsmallest(k, self.counts.items(), key=lambda kv: (-kv[1], kv[0]))
        return [HeavyHitter(item, count, self.errors[item]) for item, count in best]
