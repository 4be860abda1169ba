"""``wujie bench engine``: durable purchase decisions per second, ours against the baselines.

Ours: the intake engine in-process, every batch made durable with one ``fdatasync`` before its
decisions count. Two measurements per workload: the closed loop (batches of ``batch`` attempts as
fast as they go) and the open model (attempts arrive at a fixed rate; latency is from scheduled
arrival to durable decision, so queueing is included).
"""

from __future__ import annotations

import os
import socket
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from wujie.bench import baselines
from wujie.bench import partitioned as partitioned_bench
from wujie.bench.workloads import Workload, catalog_zipf, expected_sold, hot_sku, percentiles_ms, sku_name
from wujie.engine.book import SkuTerms
from wujie.engine.decisions import OrderColumns
from wujie.engine.engine import Engine

PG_URL = os.environ.get("WUJIE_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("WUJIE_BENCH_REDIS", "redis://127.0.0.1:6379/0")


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1.0):
            return True
    except OSError:
        return False


def open_engine(workload: Workload, directory: Path) -> tuple[Engine, np.ndarray]:
    """Return a fresh durable engine stocked for ``workload`` and its customers' indices."""
    engine = Engine.open(directory, sync=True)
    engine.add_skus([SkuTerms(sku_name(i), int(units), 9_900) for i, units in enumerate(workload.stock.tolist())])
    customers = engine.customer_ids([f"c{i}" for i in range(workload.customers)])
    return engine, customers


def oversold(engine: Engine) -> int:
    """Return the units promised beyond stock, over all SKUs (0 by construction)."""
    book = engine.state.book
    excess = book.col("reserved") + book.col("sold") - book.col("on_hand")
    return int(np.maximum(excess, 0).sum())


def ours_closed(workload: Workload, directory: Path, batch: int) -> dict[str, Any]:
    """Decide every attempt in batches of ``batch``, as fast as possible."""
    engine, customers = open_engine(workload, directory)
    cust = customers[workload.customer]
    qty = np.ones(len(workload.sku), dtype=np.int64)
    batch_s: list[float] = []
    sold = 0
    cpu = time.process_time()
    start = time.perf_counter()
    for lo in range(0, len(workload.sku), batch):
        t0 = time.perf_counter()
        result = engine.place_columns(
            OrderColumns(cust[lo : lo + batch], workload.sku[lo : lo + batch], qty[lo : lo + batch])
        )
        batch_s.append(time.perf_counter() - t0)
        sold += result.accepted
    elapsed = time.perf_counter() - start
    cpu = time.process_time() - cpu
    figures = {
        "per_s": round(len(workload.sku) / elapsed, 1),
        "per_cpu_second": round(len(workload.sku) / max(cpu, 1e-9), 1),
        **percentiles_ms(np.asarray(batch_s)),
        "attempts": len(workload.sku),
        "sold": sold,
        "expected_sold": expected_sold(workload),
        "oversold": oversold(engine),
        "seconds": round(elapsed, 3),
        "batch": batch,
        "fsyncs": engine.journal.commits,
        "journal_bytes_per_order": round(engine.journal.bytes_written / len(workload.sku), 2),
        "latency_note": "p50/p99 here are per batch (closed loop); see open_model for per-order latency",
    }
    engine.close(checkpoint=False)
    return figures


def ours_open(workload: Workload, directory: Path, rate: float, seconds: float, max_batch: int) -> dict[str, Any]:
    """Attempts arrive at ``rate``/s; each batch takes what has arrived; latency = durable - arrival."""
    engine, customers = open_engine(workload, directory)
    count = min(len(workload.sku), int(rate * seconds))
    arrivals = np.arange(count, dtype=np.float64) / rate
    cust, skus, qty = customers[workload.customer[:count]], workload.sku[:count], np.ones(count, dtype=np.int64)
    latencies = np.empty(count, dtype=np.float64)
    done = 0
    start = time.perf_counter()
    while done < count:
        now = time.perf_counter() - start
        upto = min(int(np.searchsorted(arrivals, now, side="right")), done + max_batch)
        if upto == done:
            time.sleep(max(0.0, arrivals[done] - now))
            continue
        engine.place_columns(OrderColumns(cust[done:upto], skus[done:upto], qty[done:upto]))
        latencies[done:upto] = time.perf_counter() - start - arrivals[done:upto]
        done = upto
    elapsed = time.perf_counter() - start
    figures = {
        "offered_per_s": rate,
        "per_s": round(count / elapsed, 1),
        **percentiles_ms(latencies),
        "attempts": count,
        "oversold": oversold(engine),
        "fsyncs": engine.journal.commits,
    }
    engine.close(checkpoint=False)
    return figures


def _baselines(workload: Workload, directory: Path, seconds: float) -> dict[str, Any]:
    found: dict[str, Any] = {"sqlite_guarded_update": baselines.sqlite_guarded(workload, directory, seconds)}
    if _reachable("127.0.0.1", 5432):
        found["postgres_guarded_update"] = baselines.postgres(workload, PG_URL, 16, seconds, lock_txn=False)
        found["saleor_lock_txn"] = baselines.postgres(workload, PG_URL, 16, seconds, lock_txn=True)
    else:
        found["postgres_guarded_update"] = found["saleor_lock_txn"] = {"skipped": "PostgreSQL not reachable"}
    if _reachable("127.0.0.1", 6379):
        found["redis_lua"] = baselines.redis_lua(workload, REDIS_URL, 4, seconds, depth=1)
        found["redis_lua_pipelined"] = baselines.redis_lua(workload, REDIS_URL, 4, seconds, depth=16)
    else:
        found["redis_lua"] = found["redis_lua_pipelined"] = {"skipped": "Redis not reachable"}
    return found


def run(
    *,
    quick: bool = False,
    seed: int = 7,
    baseline_seconds: float | None = None,
    open_rate: float = 300_000,
    partitions: int = 0,
    partitions_only: bool = False,
) -> dict[str, Any]:
    """Run both workloads for ours and every baseline; return the JSON report.

    With ``partitions`` > 0 the report also holds a ``partitioned`` section: the partitioned engine
    beside the single-process engine on the catalog-wide and a multi-line workload
    (``partitions_only``: that section alone).
    """
    attempts = 200_000 if quick else 1_000_000
    if partitions_only:
        return _partitioned_only(attempts, seed, partitions or 2)
    seconds = baseline_seconds if baseline_seconds is not None else (2.0 if quick else 5.0)
    workloads = [hot_sku(attempts=attempts, seed=seed), catalog_zipf(attempts=attempts, seed=seed)]
    ours: dict[str, Any] = {}
    others: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="wujie-bench-") as tmp:
        root = Path(tmp)
        for workload in workloads:
            name = workload.name
            ours[name] = ours_closed(workload, root / f"{name}-closed", 16_384)
            ours[f"{name}_open_model"] = ours_open(
                workload, root / f"{name}-open", open_rate, 2.0 if quick else 3.0, 65_536
            )
            (root / name).mkdir()
            for base, figures in _baselines(workload, root / name, seconds).items():
                others.setdefault(base, {})[name] = figures
        extra = (
            {} if partitions <= 0 else {"partitioned": partitioned_bench.run(workloads[1], root / "part", partitions)}
        )
    report = {
        "benchmark": "engine",
        "date": datetime.now(UTC).date().isoformat(),
        "machine": {"cores": os.cpu_count(), "note": "shared 2-core machine; figures vary ~30% between runs"},
        "workload": {w.name: w.describe() for w in workloads},
        "ours": ours,
        "baselines": others,
        "ratios": _ratios(ours, others),
        "targets": {
            "hot_sku_per_s_300k": ours["hot_sku"]["per_s"] >= 300_000,
            "hot_sku_2x_redis_pipelined": _ratio(ours, others, "hot_sku", "redis_lua_pipelined") >= 2,
            "zero_oversold": all(f.get("oversold", 0) == 0 for f in ours.values()),
        },
    }
    return {**report, **extra}


def _partitioned_only(attempts: int, seed: int, partitions: int) -> dict[str, Any]:
    workload = catalog_zipf(attempts=attempts, seed=seed)
    with tempfile.TemporaryDirectory(prefix="wujie-bench-") as tmp:
        section = partitioned_bench.run(workload, Path(tmp), partitions)
    return {
        "benchmark": "engine",
        "date": datetime.now(UTC).date().isoformat(),
        "machine": {"cores": os.cpu_count(), "load_average": os.getloadavg()},
        "workload": {workload.name: workload.describe()},
        "partitioned": section,
    }


def _ratio(ours: dict[str, Any], others: dict[str, dict[str, Any]], workload: str, base: str) -> float:
    theirs = others.get(base, {}).get(workload, {}).get("per_s")
    return round(ours[workload]["per_s"] / theirs, 1) if theirs else float("nan")


def _ratios(ours: dict[str, Any], others: dict[str, dict[str, Any]]) -> dict[str, float]:
    return {
        f"{workload}:ours/{base}": _ratio(ours, others, workload, base)
        for base in others
        for workload in ("hot_sku", "catalog_zipf")
    }
