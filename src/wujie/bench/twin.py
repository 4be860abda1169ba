"""``wujie bench twin``: the whole digital twin at scale against the intake engine alone, in the same run.

The twin runs a sale day of ``orders`` orders end to end (scenario, planning, the sale through the
engine, allocation, sorting, delivery, report) with no dashboard, like ``wujie demo --no-serve``.
The baseline is the intake engine alone deciding and capturing the same number of orders of the
same shape (1-4 lines, batches of the twin's mean size) with none of the twin around it: the ratio
says what share of the engine's raw speed the whole simulated day keeps. The target is the issue's
10 minutes for 10 million orders, scaled to ``orders``.
"""

from __future__ import annotations

import resource
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from wujie.engine.book import SkuTerms
from wujie.engine.decisions import OrderColumns, order_id
from wujie.engine.engine import Engine
from wujie.shared.clock import ManualClock
from wujie.twin.runner import run_twin
from wujie.twin.scenario import TwinConfig

TARGET_S_PER_MILLION = 60.0  # 10 minutes for 10 million orders


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def engine_alone(orders: int, batch: int, seed: int) -> dict[str, Any]:
    """Place and pay ``orders`` orders through a bare engine in batches of ``batch``; return the figures."""
    rng = np.random.default_rng(seed)
    skus = 2_000
    with tempfile.TemporaryDirectory(prefix="wujie-bench-twin-") as tmp:
        engine = Engine.open(Path(tmp), clock=ManualClock())
        engine.add_skus([SkuTerms(f"sku-{i:06d}", orders * 4, 9_900) for i in range(skus)])
        customers = engine.customer_ids([f"c{i}" for i in range(max(1_000, orders // 4))])
        started = time.perf_counter()
        done = 0
        while done < orders:
            n = min(batch, orders - done)
            nlines = np.minimum(1 + rng.poisson(0.45, n), 4)
            columns = OrderColumns(
                customer=customers[rng.integers(0, len(customers), n)],
                sku=rng.integers(0, skus, int(nlines.sum())),
                qty=np.ones(int(nlines.sum()), dtype=np.int64),
                nlines=nlines,
            )
            with engine.group():
                placed = engine.place_columns(columns)
                ok = placed.reason == 0
                ids = [order_id(int(x)) for x in placed.number[ok]]
                engine.pay_many(ids, placed.total[ok].tolist(), [f"k{i}" for i in ids])
            done += n
        seconds = time.perf_counter() - started
        engine.close(checkpoint=False)
    return {"orders": orders, "seconds": round(seconds, 3), "orders_per_s": round(orders / seconds, 1)}


def run(orders: int, seed: int, baseline_orders: int | None = None) -> dict[str, Any]:
    """Run the twin and the engine-alone baseline; return one JSON-able object with ratios."""
    allocator = "library" if orders <= 1_000_000 else "fast"
    started = time.perf_counter()
    report = run_twin(TwinConfig(orders=orders, seed=seed, allocator=allocator))
    seconds = time.perf_counter() - started
    twin_peak = _peak_rss_mb()
    data = report.data
    ticks_batch = max(48, orders // 20_000)
    base = engine_alone(min(orders, baseline_orders or orders), ticks_batch, seed)
    target = TARGET_S_PER_MILLION * orders / 1_000_000
    return {
        "benchmark": "twin",
        "workload": {
            "orders": orders,
            "seed": seed,
            "country": data["country"],
            "allocator": data["methods"]["allocation"],
            "routing_parcels_budget": TwinConfig(orders=orders).routing_parcels,
        },
        "ours": {
            "seconds": round(seconds, 3),
            "orders_per_s_wall": round(orders / seconds, 1),
            "events_per_s_wall": data["events_per_s_wall"],
            "phases_s": data["wall_clock"],
            "memory_peak_mb": round(twin_peak, 1),
            "oversold": data["oversold"],
            "gmv_equals_ledger": data["gmv"] == data["ledger"]["captured"],
            "routing": {
                k: data["routing"][k]
                for k in ("parcels_routed", "parcels_estimated", "van_km_routed", "van_km_estimated", "solver_errors")
            },
            "sorting": data["routing"]["sorting"],
        },
        "baselines": {"engine_alone": base},
        "ratios": {
            "twin_vs_engine_alone_orders_per_s": round((orders / seconds) / base["orders_per_s"], 4),
            "target_seconds_over_ours": round(target / seconds, 3),
        },
    }
