"""``wujie bench http``: orders through the HTTP API, ours against a plain FastAPI guarded UPDATE.

Ours is ``wujie serve --no-dashboard`` (granian's RSGI interface, one worker: the engine has one writer) in a
child process; the same closed loop also runs on granian's ASGI interface for the ratio. The load comes from
forked raw-socket epoll clients on the same 2 cores (one request in flight per connection). Figures:
single-order requests/s in a closed loop, p50/p99 under an open-model load at a fixed rate, and
orders/s through the batch API (catalog-wide Zipf). The baseline is uvicorn + FastAPI + a guarded UPDATE on PostgreSQL.
"""

from __future__ import annotations

import http.client
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import msgspec
import numpy as np

from wujie.bench import loadgen, wrk
from wujie.bench.rsgi_hello import rsgi_floor
from wujie.bench.served import free_port
from wujie.bench.workloads import catalog_zipf, sku_name

PG_URL = os.environ.get("WUJIE_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
SKUS = 20_000
CUSTOMERS = 2_000
#: keep-alive connections of the closed loop: with a journal sync of ~2-8 ms on the shared disk,
#: 15k requests/s needs well over 100 requests in flight (Little's law), as a real peak has
CLOSED_CONNECTIONS = 256


def _wait(port: int, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            conn.request("GET", "/openapi.json")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("server did not start")


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGINT, then SIGKILL to the process group if it hangs (granian serves from a child process)."""
    process.send_signal(signal.SIGINT)
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def cpu_seconds(root: int) -> float:
    """Return the user+system CPU seconds used so far by process ``root`` and its descendants."""
    ticks = os.sysconf("SC_CLK_TCK")
    parents: dict[int, int] = {}
    used: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents[int(entry.name)] = int(fields[1])
            used[int(entry.name)] = (int(fields[11]) + int(fields[12])) / ticks
    tree, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent and pid not in tree]
        tree.update(children)
        frontier.extend(children)
    return sum(used.get(pid, 0.0) for pid in tree)


def _orders(seed: int, count: int, tokens: list[str]) -> list[tuple[str, bytes]]:
    """Return ``(authorization, body)`` of ``count`` single-line orders, SKUs by Zipf popularity."""
    workload = catalog_zipf(attempts=count, skus=SKUS, customers=len(tokens), seed=seed)
    return [
        (f"Bearer {tokens[customer]}", b'{"lines":[{"sku":"' + sku_name(sku).encode() + b'","qty":1}]}')
        for sku, customer in zip(workload.sku.tolist(), workload.customer.tolist(), strict=True)
    ]


def _order_payloads(seed: int, count: int, tokens: list[str]) -> list[bytes]:
    return [
        loadgen.request_bytes("POST", "/v1/orders", body, {"authorization": auth})
        for auth, body in _orders(seed, count, tokens)
    ]


def _batch_payloads(seed: int, count: int, size: int, token: str) -> list[bytes]:
    workload = catalog_zipf(attempts=count * size, skus=SKUS, customers=CUSTOMERS, seed=seed)
    out = []
    for lo in range(0, count * size, size):
        body = msgspec.json.encode(
            {
                "customer": [f"c{c}" for c in workload.customer[lo : lo + size].tolist()],
                "sku": [sku_name(s) for s in workload.sku[lo : lo + size].tolist()],
                "qty": [1] * size,
            }
        )
        out.append(loadgen.request_bytes("POST", "/v1/orders/batch", body, {"authorization": f"Bearer {token}"}))
    return out


@dataclass(frozen=True)
class Served:
    """Our server under test: its process, port and tokens."""

    process: subprocess.Popen[bytes]
    port: int
    customers: list[str]
    merchant: str
    operator: str


def _start_ours(tmp: Path, interface: str = "rsgi") -> Served:
    """Start ``wujie serve`` (granian, ``interface``) with a fresh secret and the bench's tokens."""
    from wujie.engine.access import Role, Tokens

    secret = secrets.token_hex(16)
    tokens = Tokens(secret)
    customers = [tokens.mint(Role.CUSTOMER, f"c{i}") for i in range(CUSTOMERS)]
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "wujie",
        "serve",
        "--port",
        str(port),
        "--data-dir",
        str(tmp / "ours"),
        "--no-dashboard",
        "--interface",
        interface,
    ]
    command += ["--demo-skus", str(SKUS), "--demo-units", "1000"]
    env = {**os.environ, "WUJIE_SECRET_KEY": secret}
    server = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    return Served(server, port, customers, tokens.mint(Role.MERCHANT, "bench"), tokens.mint(Role.OPERATOR, "bench"))


def _wrk_closed(served: Served, seconds: float, workdir: Path) -> dict[str, Any] | None:
    """The same closed loop driven by ``wrk`` when it is installed (else ``None``)."""
    if not wrk.available():
        return None
    cpu_before = cpu_seconds(served.process.pid)
    requests = _orders(40, 20_000, served.customers)
    found: dict[str, Any] = wrk.closed_loop(
        served.port, "/v1/orders", requests, connections=CLOSED_CONNECTIONS, seconds=seconds, workdir=workdir
    )
    cpu = cpu_seconds(served.process.pid) - cpu_before
    found["server_cpu_us_per_request"] = round(1e6 * cpu / max(1, int(found["requests"])), 1)
    return found


def _warm_up(served: Served, seconds: float = 1.0) -> None:
    """One unmeasured second of the closed loop (first customers interned, caches and pools filled)."""
    loadgen.drive(
        served.port,
        lambda i: _order_payloads(90 + i, int(30_000 * seconds), served.customers),
        processes=2,
        connections=CLOSED_CONNECTIONS // 2,
        rate=None,
        seconds=seconds,
    )


def _intake_stats(served: Served) -> dict[str, int]:
    """Return the engine's batching counters (``GET /v1/admin/stats``)."""
    conn = http.client.HTTPConnection("127.0.0.1", served.port, timeout=30)
    conn.request("GET", "/v1/admin/stats", headers={"authorization": f"Bearer {served.operator}"})
    found: dict[str, int] = msgspec.json.decode(conn.getresponse().read())
    conn.close()
    return found


def _closed_loop(served: Served, seconds: float) -> dict[str, Any]:
    """Single orders as fast as ``CLOSED_CONNECTIONS`` keep-alive connections go; the server's CPU per request."""
    per = int(60_000 * seconds)
    stats_before = _intake_stats(served)
    cpu_before = cpu_seconds(served.process.pid)
    shots = loadgen.drive(
        served.port,
        lambda i: _order_payloads(10 + i, per, served.customers),
        processes=2,
        connections=CLOSED_CONNECTIONS // 2,
        rate=None,
        seconds=seconds,
    )
    closed = loadgen.summarise(shots)
    cpu = cpu_seconds(served.process.pid) - cpu_before
    stats = _intake_stats(served)
    served_requests = int(closed["requests"] or 0)
    writer_batches = stats["batches"] - stats_before["batches"]
    closed["connections"] = CLOSED_CONNECTIONS
    closed["server_cpu_us_per_request"] = round(1e6 * cpu / max(1, served_requests), 1)
    closed["requests_per_server_cpu_second"] = round(served_requests / max(cpu, 1e-9), 1)
    closed["orders_per_writer_batch"] = round(
        (stats["requests"] - stats_before["requests"]) / max(1, writer_batches), 1
    )
    return closed


def _batch_api(port: int, merchant: str, seconds: float, size: int) -> dict[str, Any]:
    """Columnar batches of ``size`` orders through ``POST /v1/orders/batch`` on 2 connections."""
    count = max(4, int(40 * seconds))
    shots = loadgen.drive(
        port,
        lambda i: _batch_payloads(30 + i, count, size, merchant),
        processes=2,
        connections=2,
        rate=None,
        seconds=seconds,
    )
    batch = loadgen.summarise(shots)
    return batch | {"orders_per_batch": size, "orders_per_s": round(float(batch["per_s"] or 0) * size, 1)}


def _ours(tmp: Path, seconds: float, rate: float, quick: bool) -> dict[str, Any]:
    served = _start_ours(tmp)
    try:
        _wait(served.port, served.process)
        _warm_up(served)
        closed = _closed_loop(served, seconds)
        under_wrk = _wrk_closed(served, seconds, tmp)
        opened = _open_model(served.port, served.customers, rate, seconds) | {"offered_per_s": rate}
        half = max(100.0, round(float(closed["per_s"] or 0) / 2, -2))
        sustainable = _open_model(served.port, served.customers, half, seconds) | {"offered_per_s": half}
        batch = _batch_api(served.port, served.merchant, seconds, 2_000 if quick else 10_000)
    finally:
        _stop(served.process)
    return {
        "single_order_closed": closed,
        "single_order_closed_wrk": under_wrk,
        "single_order_open_model": opened,
        "single_order_open_model_half_capacity": sustainable,
        "batch_api": batch,
        "oversold": _oversold(tmp / "ours" / "engine"),
    }


def _ours_asgi(tmp: Path, seconds: float) -> dict[str, Any]:
    """The same closed loop on granian's ASGI interface (the previous default), for the ratio."""
    served = _start_ours(tmp, "asgi")
    try:
        _wait(served.port, served.process)
        _warm_up(served)
        return _closed_loop(served, seconds)
    finally:
        _stop(served.process)


def _open_model(port: int, customers: list[str], rate: float, seconds: float) -> dict[str, Any]:
    """Requests scheduled at ``rate``/s; latency from the scheduled time (queueing included)."""
    shots = loadgen.drive(
        port,
        lambda i: _order_payloads(20 + i, int(rate * seconds / 2), customers),
        processes=2,
        connections=128,
        rate=rate,
        seconds=seconds + 1,
    )
    return loadgen.summarise(shots)


def _oversold(path: Path) -> int:
    from wujie.engine.engine import Engine

    engine = Engine.open(path)
    book = engine.state.book
    excess = int(np.maximum(book.col("reserved") + book.col("sold") - book.col("on_hand"), 0).sum())
    engine.close(checkpoint=False)
    return excess


def _baseline_schema() -> str:
    """Create the baseline's stock table (every SKU with 1,000 units); return its schema."""
    import psycopg

    schema = f"bench_http_{secrets.token_hex(4)}"
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
        conn.execute(f"CREATE TABLE {schema}.stock (sku text PRIMARY KEY, qty int NOT NULL)")
        with conn.cursor().copy(f"COPY {schema}.stock FROM STDIN") as copy:
            for i in range(SKUS):
                copy.write_row((sku_name(i), 1000))
    return schema


def _plain_fastapi(seconds: float) -> dict[str, Any]:
    import psycopg

    schema = _baseline_schema()
    port = free_port()
    env = {**os.environ, "WUJIE_BENCH_PG_URL": PG_URL, "WUJIE_BENCH_PG_SCHEMA": schema}
    flags = "-m uvicorn --factory wujie.bench.plain_fastapi:create_app --log-level warning --no-access-log"
    command = [sys.executable, *flags.split(), "--port", str(port)]
    server = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    try:
        _wait(port, server)
        shots = loadgen.drive(
            port,
            lambda i: _order_payloads(10 + i, int(20_000 * seconds), ["-"]),
            processes=2,
            connections=32,
            rate=None,
            seconds=seconds,
        )
        figures = loadgen.summarise(shots)
    finally:
        _stop(server)
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            negative = conn.execute(f"SELECT count(*) FROM {schema}.stock WHERE qty < 0").fetchone()
            conn.execute(f"DROP SCHEMA {schema} CASCADE")
    return figures | {"oversold": int(negative[0]) if negative else 0}


def run(*, quick: bool = False, seconds: float | None = None, rate: float = 15_000) -> dict[str, Any]:
    """Run ours and the baseline; return the JSON report."""
    span = seconds if seconds is not None else (3.0 if quick else 8.0)
    with tempfile.TemporaryDirectory(prefix="wujie-bench-http-") as tmp:
        ours = _ours(Path(tmp), span, rate, quick)
        asgi = _ours_asgi(Path(tmp) / "asgi", span)
    floor = rsgi_floor(
        span,
        lambda i: _order_payloads(10 + i, int(80_000 * span), [f"t{c}" for c in range(CUSTOMERS)]),
        cpu_seconds,
        CLOSED_CONNECTIONS,
    )
    baseline = _plain_fastapi(span)
    closed = ours["single_order_closed"]
    return {
        "benchmark": "http",
        "date": datetime.now(UTC).date().isoformat(),
        "workload": {
            "skus": SKUS,
            "units_per_sku": 1000,
            "customers": CUSTOMERS,
            "popularity": "zipf 1.1",
            "seconds": span,
            "client": "2 forked raw-socket epoll processes on the same 2 cores, no pipelining",
            "closed_loop_connections": CLOSED_CONNECTIONS,
        },
        "ours": {
            **ours,
            "per_s": closed["per_s"],
            "p50_ms": ours["single_order_open_model"]["p50_ms"],
            "p99_ms": ours["single_order_open_model"]["p99_ms"],
        },
        "baselines": {
            "plain_fastapi_guarded_update_pg": baseline,
            "ours_on_granian_asgi": asgi,
            "raw_rsgi_hello_floor": floor,
        },
        "ratios": {
            "single_order:ours/plain_fastapi": round(closed["per_s"] / baseline["per_s"], 1)
            if baseline["per_s"]
            else None,
            "single_order:rsgi/asgi": round(closed["per_s"] / asgi["per_s"], 2) if asgi["per_s"] else None,
            "server_cpu_per_request:asgi/rsgi": round(
                asgi["server_cpu_us_per_request"] / max(closed["server_cpu_us_per_request"], 1e-9), 2
            ),
            "server_cpu_per_request:ours/raw_rsgi_floor": round(
                closed["server_cpu_us_per_request"] / max(floor["server_cpu_us_per_request"], 1e-9), 2
            ),
        },
        "targets": {
            "single_order_15k_per_s": closed["per_s"] >= 15_000,
            "open_model_p99_under_50ms": (ours["single_order_open_model"]["p99_ms"] or 1e9) < 50,
            "batch_api_325k_orders_per_s": ours["batch_api"]["orders_per_s"] >= 325_000,
        },
    }
