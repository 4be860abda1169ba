"""``wujie bench engine --partitions P``: the partitioned engine beside the single-process engine.

Same workloads, same batches, same machine, one run: the catalog-wide Zipf workload (single-line
orders, so every order stays inside one partition) and a multi-line workload (the same attempts
grouped three lines per order, so most orders span partitions and go through two-phase commit).
Figures per engine: orders/s, per-batch p50/p99, accepted, oversold, syncs, and CPU seconds of
every process involved (the coordinator and each partition, read from ``/proc``).
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from wujie.bench.workloads import Workload, percentiles_ms, sku_name
from wujie.engine.book import SkuTerms
from wujie.engine.decisions import OrderColumns
from wujie.engine.engine import Engine
from wujie.engine.partitioned import PartitionedEngine, partition_of

I64 = npt.NDArray[np.int64]
LINES = 3


def _cpu_seconds(pids: list[int | None]) -> float:
    """Return user + system CPU seconds used so far by ``pids`` (Linux ``/proc``)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        if pid is None:
            continue
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def multi_line(workload: Workload) -> tuple[I64, I64]:
    """Group the workload's attempts ``LINES`` at a time into orders: (sku per line, nlines per order).

    A repeated SKU inside one order is replaced by the next SKU index, so every line is distinct.
    """
    usable = len(workload.sku) // LINES * LINES
    sku = workload.sku[:usable].reshape(-1, LINES).copy()
    for col in range(1, LINES):
        clash = (sku[:, col : col + 1] == sku[:, :col]).any(axis=1)
        sku[clash, col] = (sku[clash, col] + 1 + col) % len(workload.stock)
    return sku.reshape(-1), np.full(len(sku), LINES, dtype=np.int64)


def _drive(place: Any, customers: I64, sku: I64, nlines: I64 | None, batch: int) -> tuple[float, list[float], int]:
    """Place every order in batches of ``batch`` orders; return seconds, per-batch seconds, accepted."""
    orders = len(customers)
    starts = np.concatenate(([0], np.cumsum(nlines))) if nlines is not None else np.arange(orders + 1)
    qty = np.ones(len(sku), dtype=np.int64)
    times: list[float] = []
    accepted = 0
    begin = time.perf_counter()
    for lo in range(0, orders, batch):
        hi = min(lo + batch, orders)
        a, b = int(starts[lo]), int(starts[hi])
        t0 = time.perf_counter()
        result = place(OrderColumns(customers[lo:hi], sku[a:b], qty[a:b], None if nlines is None else nlines[lo:hi]))
        times.append(time.perf_counter() - t0)
        accepted += result.accepted
    return time.perf_counter() - begin, times, accepted


def _terms(workload: Workload) -> list[SkuTerms]:
    return [SkuTerms(sku_name(i), int(units), 9_900) for i, units in enumerate(workload.stock.tolist())]


def _figures(
    orders: int, lines: int, seconds: float, times: list[float], *, accepted: int, cpu: float
) -> dict[str, Any]:
    return {
        "per_s": round(orders / seconds, 1),
        "lines_per_s": round(lines / seconds, 1),
        "per_cpu_second": round(orders / max(cpu, 1e-9), 1),
        "cpu_seconds": round(cpu, 2),
        **percentiles_ms(np.asarray(times)),
        "orders": orders,
        "accepted": accepted,
        "seconds": round(seconds, 3),
    }


def single(workload: Workload, directory: Path, sku: I64, nlines: I64 | None, batch: int) -> dict[str, Any]:
    """The single-process engine on the workload (the baseline)."""
    engine = Engine.open(directory, sync=True)
    engine.add_skus(_terms(workload))
    orders = len(sku) if nlines is None else len(nlines)
    customers = engine.customer_ids([f"c{i}" for i in range(workload.customers)])[workload.customer[:orders]]
    cpu = time.process_time()
    seconds, times, accepted = _drive(engine.place_columns, customers, sku, nlines, batch)
    cpu = time.process_time() - cpu
    book = engine.state.book
    over = int(np.maximum(book.col("reserved") + book.col("sold") - book.col("on_hand"), 0).sum())
    figures = {**_figures(orders, len(sku), seconds, times, accepted=accepted, cpu=cpu), "oversold": over}
    figures["fsyncs"] = engine.journal.commits
    engine.close(checkpoint=False)
    return figures


def partitioned(
    workload: Workload, directory: Path, partitions: int, sku: I64, nlines: I64 | None, *, batch: int
) -> dict[str, Any]:
    """The partitioned engine (``partitions`` processes + the coordinator) on the workload."""
    engine = PartitionedEngine.open(directory, partitions=partitions, sync=True)
    try:
        engine.add_skus(_terms(workload))
        # the coordinator's SKU indices follow its add order, which is the workload's order here
        orders = len(sku) if nlines is None else len(nlines)
        customers = engine.customer_ids([f"c{i}" for i in range(workload.customers)])[workload.customer[:orders]]
        engine.counts()  # a round trip to each partition: the names above are learned before the clock starts
        pids = engine.partition_pids()
        before = _cpu_seconds(pids)
        coordinator = time.process_time()
        seconds, times, accepted = _drive(engine.place_columns, customers, sku, nlines, batch)
        coordinator = time.process_time() - coordinator
        cpu = coordinator + _cpu_seconds(pids) - before
        counts = engine.counts()
        levels = engine.stock()
        over = sum(max(0, s.reserved + s.sold - s.on_hand) for s in levels)
        figures = {**_figures(orders, len(sku), seconds, times, accepted=accepted, cpu=cpu), "oversold": over}
        figures.update(
            coordinator_cpu_seconds=round(coordinator, 3),
            coordinator_orders_per_cpu_second=round(orders / max(coordinator, 1e-9), 1),
            partitions=partitions,
            partition_fsyncs=counts["partition_fsyncs"],
            decision_fsyncs=counts["decision_fsyncs"],
            transactions_committed=counts["transactions"],
            rounds=engine.rounds,
        )
    finally:
        engine.close(checkpoint=False)
    return figures


def run(workload: Workload, root: Path, partitions: int, batch: int = 16_384) -> dict[str, Any]:
    """Both engines on the single-line and on the multi-line workload; figures and ratios."""
    ml_sku, ml_nlines = multi_line(workload)
    owner = np.asarray([partition_of(sku_name(i), partitions) for i in range(len(workload.stock))])
    spans = owner[ml_sku].reshape(-1, LINES)
    cross_share = float((spans.min(axis=1) != spans.max(axis=1)).mean())
    found: dict[str, Any] = {
        "partitions": partitions,
        "batch_orders": batch,
        "multi_line_cross_share": round(cross_share, 3),
    }
    for name, sku, nlines in (("catalog_zipf", workload.sku, None), ("multi_line", ml_sku, ml_nlines)):
        found[name] = {
            "single_process": single(workload, root / f"{name}-single", sku, nlines, batch),
            "partitioned": partitioned(workload, root / f"{name}-part", partitions, sku, nlines, batch=batch),
        }
    found["ratios"] = {
        f"{name}:partitioned/single_process": round(
            found[name]["partitioned"]["per_s"] / found[name]["single_process"]["per_s"], 3
        )
        for name in ("catalog_zipf", "multi_line")
    }
    found["ratios"].update(
        {
            f"{name}:partitioned/single_process per CPU-second": round(
                found[name]["partitioned"]["per_cpu_second"] / found[name]["single_process"]["per_cpu_second"], 3
            )
            for name in ("catalog_zipf", "multi_line")
        }
    )
    found["same_accepted"] = {
        name: found[name]["partitioned"]["accepted"] == found[name]["single_process"]["accepted"]
        for name in ("catalog_zipf", "multi_line")
    }
    return found
