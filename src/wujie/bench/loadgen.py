"""A small HTTP/1.1 load generator on raw asyncio sockets (keep-alive, no client library overhead).

Two modes per process: a closed loop (each connection sends its next request when the previous
answer arrives) and an open model (requests are *scheduled* at a fixed rate and latency is taken
from the scheduled time, so a slow server cannot hide its queueing: no coordinated omission).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

F64 = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Shot:
    """What one process measured: latencies (s), status codes, elapsed seconds."""

    latencies: F64
    statuses: npt.NDArray[np.int32]
    elapsed: float


def request_bytes(method: str, path: str, body: bytes, headers: dict[str, str]) -> bytes:
    """Return a complete HTTP/1.1 request."""
    head = [
        f"{method} {path} HTTP/1.1",
        "host: bench",
        f"content-length: {len(body)}",
        "content-type: application/json",
    ]
    head += [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


async def _exchange(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, payload: bytes) -> int:
    writer.write(payload)
    status_line = await reader.readline()
    length = 0
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b""):
            break
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
    if length:
        await reader.readexactly(length)
    return int(status_line[9:12]) if len(status_line) >= 12 else 0


async def _run(port: int, payloads: Sequence[bytes], connections: int, rate: float | None, seconds: float) -> Shot:
    count = len(payloads)
    latencies = np.zeros(count, dtype=np.float64)
    statuses = np.zeros(count, dtype=np.int32)
    next_index = 0
    start = time.perf_counter()

    async def connection() -> None:
        nonlocal next_index
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while next_index < count and time.perf_counter() - start < seconds:
                i = next_index
                next_index += 1
                scheduled = start + i / rate if rate else time.perf_counter()
                delay = scheduled - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                statuses[i] = await _exchange(reader, writer, payloads[i])
                latencies[i] = time.perf_counter() - scheduled
        finally:
            writer.close()

    await asyncio.gather(*(connection() for _ in range(connections)))
    done = statuses > 0
    return Shot(latencies[done], statuses[done], time.perf_counter() - start)


def drive(
    port: int,
    make_payloads: Callable[[int], Sequence[bytes]],
    *,
    processes: int,
    connections: int,
    rate: float | None,
    seconds: float,
) -> list[Shot]:
    """Run the load from ``processes`` forked processes; ``rate`` (total/s) selects the open model."""
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    share = None if rate is None else rate / processes

    def work(index: int) -> None:
        payloads = make_payloads(index)
        queue.put(asyncio.run(_run(port, payloads, connections, share, seconds)))

    workers = [context.Process(target=work, args=(i,)) for i in range(processes)]
    for worker in workers:
        worker.start()
    shots = [queue.get() for _ in workers]
    for worker in workers:
        worker.join()
    return shots


def summarise(shots: list[Shot]) -> dict[str, float | int | None]:
    """Return requests/s, p50/p99 (ms) and the status mix over all processes."""
    latencies = np.concatenate([s.latencies for s in shots])
    statuses = np.concatenate([s.statuses for s in shots])
    elapsed = max(s.elapsed for s in shots)
    p50, p99 = (np.percentile(latencies, [50, 99]) * 1000).tolist() if len(latencies) else (None, None)
    return {
        "per_s": round(len(latencies) / elapsed, 1),
        "p50_ms": None if p50 is None else round(p50, 3),
        "p99_ms": None if p99 is None else round(p99, 3),
        "requests": len(latencies),
        "ok_2xx": int(((statuses >= 200) & (statuses < 300)).sum()),
        "refused_4xx": int(((statuses >= 400) & (statuses < 500)).sum()),
        "errors_5xx": int((statuses >= 500).sum()),
        "seconds": round(elapsed, 2),
    }
