"""Baselines measured in the same run on the same workload: how others decide a purchase.

* SQLite: a guarded ``UPDATE ... WHERE qty >= 1``, one durable transaction per order (WAL, FULL).
* PostgreSQL: the same guarded UPDATE from N concurrent clients (synchronous commit on), and the
  Saleor-style lock transaction (SELECT ... FOR UPDATE, UPDATE, INSERT order, COMMIT).
* Redis: a Lua check-and-decrement, one call at a time and pipelined (Redis as configured on the
  machine; its figure includes no fsync unless the server has ``appendfsync always``).

Clients are separate processes (forked), each with its own connection, running until its share
of the attempts is done or the time budget is spent; the figures count what was done.
"""

from __future__ import annotations

import multiprocessing
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from wujie.bench.workloads import I64, Workload, percentiles_ms

F64 = npt.NDArray[np.float64]
Attempt = Callable[[int, int], bool]

_LUA = """
local q = tonumber(redis.call('GET', KEYS[1]))
if q and q >= tonumber(ARGV[1]) then redis.call('DECRBY', KEYS[1], ARGV[1]) return 1 end
return 0
"""


def _timed_loop(attempt: Attempt, skus: I64, customers: I64, seconds: float) -> tuple[int, int, F64, float]:
    """Run ``attempt`` over the rows until done or out of time: (tries, successes, latencies, elapsed)."""
    latencies = np.empty(len(skus), dtype=np.float64)
    ok = 0
    start = time.perf_counter()
    deadline = start + seconds
    n = 0
    for sku, customer in zip(skus.tolist(), customers.tolist(), strict=True):
        t0 = time.perf_counter()
        ok += attempt(sku, customer)
        t1 = time.perf_counter()
        latencies[n] = t1 - t0
        n += 1
        if t1 > deadline:
            break
    return n, ok, latencies[:n], time.perf_counter() - start


def _figures(
    results: list[tuple[int, int, F64, float]], sold_before: int, sold_after: int, wanted: I64, stock: I64
) -> dict[str, Any]:
    tries = sum(r[0] for r in results)
    ok = sum(r[1] for r in results)
    elapsed = max(r[3] for r in results)
    latencies = np.concatenate([r[2] for r in results]) if results else np.zeros(0)
    return {
        "per_s": round(tries / elapsed, 1),
        **percentiles_ms(latencies),
        "attempts": tries,
        "sold": ok,
        "oversold": max(0, ok - int(np.minimum(wanted, stock).sum()), sold_after - sold_before - ok),
        "seconds": round(elapsed, 2),
    }


def _run_processes(worker: Callable[[int], tuple[int, int, F64, float]], clients: int) -> list[Any]:
    """Run ``worker(i)`` in ``clients`` forked processes (closures are inherited, not pickled)."""
    context = multiprocessing.get_context("fork")
    queue = context.Queue()

    def run(index: int) -> None:
        queue.put((index, worker(index)))

    processes = [context.Process(target=run, args=(i,)) for i in range(clients)]
    for process in processes:
        process.start()
    results = dict(queue.get() for _ in processes)
    for process in processes:
        process.join()
    return [results[i] for i in range(clients)]


def sqlite_guarded(workload: Workload, directory: Path, seconds: float) -> dict[str, Any]:
    """One client, one durable transaction per attempt (SQLite serialises writers anyway)."""
    db = sqlite3.connect(directory / "baseline.db", isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("CREATE TABLE stock (id INTEGER PRIMARY KEY, qty INTEGER NOT NULL)")
    db.execute("BEGIN")
    db.executemany("INSERT INTO stock VALUES (?, ?)", enumerate(workload.stock.tolist()))
    db.execute("COMMIT")

    def attempt(sku: int, _customer: int) -> bool:
        return db.execute("UPDATE stock SET qty = qty - 1 WHERE id = ? AND qty >= 1", (sku,)).rowcount == 1

    result = _timed_loop(attempt, workload.sku, workload.customer, seconds)
    left = db.execute("SELECT sum(qty) FROM stock").fetchone()[0]
    db.close()
    wanted = np.bincount(workload.sku[: result[0]], minlength=len(workload.stock))
    return _figures([result], 0, int(workload.stock.sum()) - left, wanted, workload.stock) | {"clients": 1}


def _pg_setup(url: str, schema: str, workload: Workload) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        conn.execute(f"CREATE SCHEMA {schema}")
        conn.execute(f"CREATE TABLE {schema}.stock (id int PRIMARY KEY, qty int NOT NULL)")
        conn.execute(f"CREATE TABLE {schema}.orders (id bigserial PRIMARY KEY, sku int, customer bigint)")
        with conn.cursor().copy(f"COPY {schema}.stock (id, qty) FROM STDIN") as copy:
            for row in enumerate(workload.stock.tolist()):
                copy.write_row(row)


def _pg_left(url: str, schema: str, drop: bool = True) -> int:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(f"SELECT sum(qty) FROM {schema}.stock").fetchone()
        if drop:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")
    return int(row[0]) if row else 0


def postgres(workload: Workload, url: str, clients: int, seconds: float, *, lock_txn: bool) -> dict[str, Any]:
    """Guarded UPDATE (autocommit, one txn each) or the Saleor-style lock transaction, N clients."""
    import psycopg

    schema = f"bench_{'lock' if lock_txn else 'guard'}_{int(time.time() * 1000) % 10**9}"
    _pg_setup(url, schema, workload)

    def worker(index: int) -> tuple[int, int, F64, float]:
        with psycopg.connect(url, autocommit=True) as conn:
            if lock_txn:

                def attempt(sku: int, customer: int) -> bool:
                    with conn.transaction():
                        row = conn.execute(
                            f"SELECT qty FROM {schema}.stock WHERE id = %s FOR UPDATE", (sku,)
                        ).fetchone()
                        if row is None or row[0] < 1:
                            return False
                        conn.execute(f"UPDATE {schema}.stock SET qty = qty - 1 WHERE id = %s", (sku,))
                        conn.execute(f"INSERT INTO {schema}.orders (sku, customer) VALUES (%s, %s)", (sku, customer))
                        return True

            else:

                def attempt(sku: int, customer: int) -> bool:
                    sql = f"UPDATE {schema}.stock SET qty = qty - 1 WHERE id = %s AND qty >= 1"
                    return conn.execute(sql, (sku,)).rowcount == 1

            return _timed_loop(attempt, workload.sku[index::clients], workload.customer[index::clients], seconds)

    results = _run_processes(worker, clients)
    wanted = _wanted(workload, results, clients)
    left = _pg_left(url, schema)
    return _figures(results, 0, int(workload.stock.sum()) - left, wanted, workload.stock) | {"clients": clients}


def _wanted(workload: Workload, results: list[tuple[int, int, F64, float]], clients: int) -> I64:
    parts = [workload.sku[i::clients][: results[i][0]] for i in range(clients)]
    return np.bincount(np.concatenate(parts), minlength=len(workload.stock))


def redis_lua(workload: Workload, url: str, clients: int, seconds: float, *, depth: int) -> dict[str, Any]:
    """Lua check-and-decrement per attempt; ``depth`` > 1 pipelines that many calls per round trip."""
    import redis

    prefix = f"wujie:bench:{int(time.time() * 1000) % 10**9}:{depth}:"
    client = redis.Redis.from_url(url)
    pipe = client.pipeline(transaction=False)
    for sku, units in enumerate(workload.stock.tolist()):
        pipe.set(f"{prefix}{sku}", units)
    pipe.execute()
    sha = client.script_load(_LUA)

    def worker(index: int) -> tuple[int, int, F64, float]:
        conn = redis.Redis.from_url(url)
        skus, customers = workload.sku[index::clients], workload.customer[index::clients]
        if depth == 1:
            return _timed_loop(lambda s, _c: bool(conn.evalsha(sha, 1, f"{prefix}{s}", 1)), skus, customers, seconds)
        return _pipelined(conn, sha, prefix, skus, depth=depth, seconds=seconds)

    results = _run_processes(worker, clients)
    wanted = _wanted(workload, results, clients)
    keys = [f"{prefix}{sku}" for sku in range(len(workload.stock))]
    left = sum(int(v) for v in client.mget(keys) if v is not None)
    client.delete(*keys) if len(keys) < 200_000 else None
    return _figures(results, 0, int(workload.stock.sum()) - left, wanted, workload.stock) | {
        "clients": clients,
        "pipeline_depth": depth,
    }


def _pipelined(
    conn: Any, sha: str, prefix: str, skus: I64, *, depth: int, seconds: float
) -> tuple[int, int, F64, float]:
    latencies: list[float] = []
    ok = 0
    start = time.perf_counter()
    done = 0
    for lo in range(0, len(skus), depth):
        t0 = time.perf_counter()
        pipe = conn.pipeline(transaction=False)
        for sku in skus[lo : lo + depth].tolist():
            pipe.evalsha(sha, 1, f"{prefix}{sku}", 1)
        ok += sum(pipe.execute())
        t1 = time.perf_counter()
        chunk = min(depth, len(skus) - lo)
        latencies.extend([t1 - t0] * chunk)
        done += chunk
        if t1 - start > seconds:
            break
    return done, ok, np.asarray(latencies), time.perf_counter() - start
