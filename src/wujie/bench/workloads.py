"""The capacity workloads shared by the engine, HTTP and payments benchmarks.

* ``hot``: one SKU with 10,000 units and 1,000,000 purchase attempts of one unit each.
* ``catalog``: 100,000 SKUs whose popularity follows a Zipf law; one unit per order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

I64 = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Workload:
    """Attempts (SKU index and customer index per order) against initial stock per SKU."""

    name: str
    stock: I64
    sku: I64
    customer: I64
    customers: int

    def describe(self) -> dict[str, Any]:
        """Return the workload's parameters for the JSON report."""
        return {
            "name": self.name,
            "skus": len(self.stock),
            "units": int(self.stock.sum()),
            "attempts": len(self.sku),
            "customers": self.customers,
        }


def hot_sku(*, attempts: int = 1_000_000, units: int = 10_000, customers: int = 200_000, seed: int = 7) -> Workload:
    """Return the hot-SKU workload: everyone wants the same SKU."""
    rng = np.random.default_rng(seed)
    return Workload(
        "hot_sku",
        np.asarray([units], dtype=np.int64),
        np.zeros(attempts, dtype=np.int64),
        rng.integers(0, customers, attempts, dtype=np.int64),
        customers,
    )


def catalog_zipf(
    *,
    attempts: int = 1_000_000,
    skus: int = 100_000,
    units: int = 20,
    exponent: float = 1.1,
    customers: int = 500_000,
    seed: int = 7,
) -> Workload:
    """Return the catalog-wide workload: SKU ``k`` (by rank) is chosen with probability ~ 1/k^s."""
    rng = np.random.default_rng(seed)
    weights = 1.0 / np.arange(1, skus + 1, dtype=np.float64) ** exponent
    cdf = np.cumsum(weights / weights.sum())
    ranks = np.minimum(np.searchsorted(cdf, rng.random(attempts)), skus - 1).astype(np.int64)
    shuffle = rng.permutation(skus).astype(np.int64)  # popular SKUs are scattered over the catalog
    return Workload(
        "catalog_zipf",
        np.full(skus, units, dtype=np.int64),
        shuffle[ranks],
        rng.integers(0, customers, attempts, dtype=np.int64),
        customers,
    )


def sku_name(index: int) -> str:
    """Return the SKU id of index ``index``."""
    return f"sku-{index:06d}"


def expected_sold(workload: Workload) -> int:
    """Return how many one-unit attempts can succeed: per SKU, min(attempts, units)."""
    wanted = np.bincount(workload.sku, minlength=len(workload.stock))
    return int(np.minimum(wanted, workload.stock).sum())


def percentiles_ms(latencies_s: npt.NDArray[np.float64]) -> dict[str, float | None]:
    """Return p50 and p99 in milliseconds (``None`` without samples)."""
    if len(latencies_s) == 0:
        return {"p50_ms": None, "p99_ms": None}
    p50, p99 = np.percentile(latencies_s, [50, 99]) * 1000
    return {"p50_ms": round(float(p50), 3), "p99_ms": round(float(p99), 3)}
