"""Admission control in the spirit of Sentinel: refuse early (429 + Retry-After) instead of collapsing.

Two guards: a global cap on requests waiting for the writer, and a token bucket per SKU (requests
per second with a burst), so one hot SKU cannot starve the rest of the catalog.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field


@dataclass
class Admission:
    """Decide whether a request may enter; ``retry_after`` (seconds) when it may not.

    Parameters
    ----------
    max_pending
        Most requests allowed to wait for the writer at once (0: no cap).
    sku_rate
        Requests per second allowed per SKU (0: no per-SKU limit).
    sku_burst
        Bucket size per SKU.
    """

    max_pending: int = 50_000
    sku_rate: float = 0.0
    sku_burst: float = 1_000.0
    pending: int = 0
    refused: int = 0
    _buckets: dict[str, tuple[float, float]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.max_pending < 0 or self.sku_rate < 0 or self.sku_burst < 1:
            raise ValueError("admission limits must be non-negative (burst >= 1)")

    def admit(self, skus: list[str], weight: int = 1, now: float | None = None) -> float | None:
        """Return ``None`` and count the request in, or the seconds to wait before retrying."""
        if self.max_pending and self.pending + weight > self.max_pending:
            self.refused += 1
            return 1.0
        if self.sku_rate:
            moment = time.monotonic() if now is None else now
            for sku in skus:
                wait = self._take(sku, moment)
                if wait is not None:
                    self.refused += 1
                    return wait
        self.pending += weight
        return None

    def done(self, weight: int = 1) -> None:
        """Count a finished request out."""
        self.pending -= weight

    def _take(self, sku: str, now: float) -> float | None:
        tokens, last = self._buckets.get(sku, (self.sku_burst, now))
        tokens = min(self.sku_burst, tokens + (now - last) * self.sku_rate)
        if tokens < 1.0:
            self._buckets[sku] = (tokens, now)
            return max(0.001, (1.0 - tokens) / self.sku_rate)
        self._buckets[sku] = (tokens - 1.0, now)
        return None
