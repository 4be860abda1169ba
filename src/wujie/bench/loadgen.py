"""A small HTTP/1.1 load generator on raw sockets and one epoll loop per process (keep-alive).

It runs on the same cores as the server it measures, so it is kept cheap: no asyncio, no client
library, one ``send`` and usually one ``recv`` per request, and a response parsed only for its
status line and ``content-length``. One request in flight per connection (no pipelining).
Two modes per process: a closed loop (each connection sends its next request when the previous
answer arrives) and an open model (requests are *scheduled* at a fixed rate and latency is taken
from the scheduled time, so a slow server cannot hide its queueing: no coordinated omission).
"""

from __future__ import annotations

import multiprocessing
import selectors
import socket
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

F64 = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Shot:
    """What one process measured: latencies (s), status codes, elapsed seconds, its own CPU seconds."""

    latencies: F64
    statuses: npt.NDArray[np.int32]
    elapsed: float
    cpu: float = 0.0


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


class _Conn:
    """One keep-alive connection: its socket, what it has read, the request in flight."""

    __slots__ = ("buffer", "index", "scheduled", "sock")

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buffer = b""
        self.index = -1
        self.scheduled = 0.0

    def response(self) -> int | None:
        """Return the status of a complete response in the buffer (and drop it), else ``None``."""
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return None
        head = self.buffer[:end].lower()
        at = head.find(b"content-length:")
        length = 0
        if at >= 0:
            stop = head.find(b"\r\n", at)
            length = int(head[at + 15 : stop if stop > 0 else len(head)])
        if len(self.buffer) < end + 4 + length:
            return None
        self.buffer = self.buffer[end + 4 + length :]
        return int(head[9:12])


def _run(port: int, payloads: Sequence[bytes], connections: int, rate: float | None, seconds: float) -> Shot:
    """One process: ``connections`` sockets driven by one epoll loop (no asyncio, no client library)."""
    count = len(payloads)
    cpu_start = time.process_time()
    latencies = np.zeros(count, dtype=np.float64)
    statuses = np.zeros(count, dtype=np.int32)
    conns = [_Conn(port) for _ in range(connections)]
    selector = selectors.DefaultSelector()
    for conn in conns:
        selector.register(conn.sock, selectors.EVENT_READ, conn)
    idle = list(conns)
    next_index, clock = 0, time.perf_counter
    start = clock()
    deadline = start + seconds
    while True:
        now = clock()
        if now >= deadline:
            break
        while idle and next_index < count:
            scheduled = start + next_index / rate if rate else now
            if scheduled > now:
                break
            conn = idle.pop()
            conn.index, conn.scheduled = next_index, scheduled
            conn.sock.sendall(payloads[next_index])
            next_index += 1
        if next_index >= count and len(idle) == connections:
            break
        wait = deadline - now
        if rate and idle and next_index < count:
            wait = min(wait, max(0.0, start + next_index / rate - now))
        for key, _ in selector.select(wait):
            conn = key.data
            data = conn.sock.recv(262_144)
            if not data:
                raise ConnectionError("the server closed a keep-alive connection")
            conn.buffer += data
            status = conn.response()
            if status is not None:
                statuses[conn.index] = status
                latencies[conn.index] = clock() - conn.scheduled
                idle.append(conn)
    elapsed = clock() - start
    for conn in conns:
        conn.sock.close()
    done = statuses > 0
    return Shot(latencies[done], statuses[done], elapsed, time.process_time() - cpu_start)


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
        queue.put(_run(port, payloads, connections, share, seconds))

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
        "client_cpu_us_per_request": round(1e6 * sum(s.cpu for s in shots) / max(1, len(latencies)), 1),
    }
