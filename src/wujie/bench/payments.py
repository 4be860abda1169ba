"""``wujie bench payments``: durable, idempotent captures per second, ours against the baselines.

Ours: ``Engine.pay_many`` over orders placed beforehand; every batch is journaled and synced
before it counts; 5% of requests are client retries that reuse an earlier idempotency key (they
must replay, never capture twice). Baselines on the same orders: a PostgreSQL capture transaction
(guarded UPDATE of the order + payment row + three ledger postings, N clients), SQLite the same
with one durable transaction each, and a Redis Lua capture (SETNX on the order + ledger HINCRBY),
plain and pipelined.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
import time
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from wujie.bench import baselines
from wujie.bench.engine import PG_URL, REDIS_URL, _reachable, oversold
from wujie.bench.workloads import percentiles_ms
from wujie.engine.book import SkuTerms
from wujie.engine.decisions import OrderColumns
from wujie.engine.engine import Engine

PRICE = 9_900
_LUA = """
if redis.call('SETNX', KEYS[1], ARGV[1]) == 1 then
  redis.call('HINCRBY', KEYS[2], 'customer', -tonumber(ARGV[2]))
  redis.call('HINCRBY', KEYS[2], 'merchant', tonumber(ARGV[2]) - tonumber(ARGV[3]))
  redis.call('HINCRBY', KEYS[2], 'platform', tonumber(ARGV[3]))
  return 1
end
return 0
"""


def _requests(orders: int, retry_share: float, seed: int) -> tuple[list[int], list[str]]:
    """Return (order number, idempotency key) per request: every order once, plus retries."""
    rng = np.random.default_rng(seed)
    numbers = np.arange(1, orders + 1, dtype=np.int64)
    retries = rng.choice(numbers, int(orders * retry_share), replace=False)
    position = np.sort(rng.integers(0, orders, len(retries)))
    stream = np.insert(numbers, position + 1, retries).tolist()
    return stream, [f"key-{n}" for n in stream]


def _engine(directory: Path, orders: int) -> Engine:
    engine = Engine.open(directory, reservation_ttl_s=3600)
    engine.add_skus([SkuTerms(f"sku-{i}", 10**9, PRICE) for i in range(100)])
    customers = engine.customer_ids([f"c{i}" for i in range(10_000)])
    for lo in range(0, orders, 65_536):
        n = min(65_536, orders - lo)
        rows = np.arange(lo, lo + n)
        engine.place_columns(OrderColumns(customers[rows % 10_000], rows % 100, np.ones(n, dtype=np.int64)))
    return engine


def _double_captures(engine: Engine) -> int:
    counts = np.bincount(engine.state.ledger.col("order"))
    return int((counts > 1).sum())


def ours(directory: Path, orders: int, batch: int, seed: int, *, pipelined: bool = False) -> dict[str, Any]:
    """Capture every order in batches (closed loop), with retried keys.

    Prepared before the clock starts: order numbers and amounts as int64 columns (as a columnar
    caller hands them over), keys as Python strings. Timed: ``pay_columns`` (encode keys, decide,
    journal). Plain: ``fdatasync`` before the next batch. ``pipelined`` (as the API's intake runs):
    batch *k+1* is decided while another thread syncs batch *k*; a batch counts only once its sync
    returned, and the clock stops after the last sync.
    """
    engine = _engine(directory, orders)
    numbers, keys = _requests(orders, 0.05, seed)
    ids = np.asarray(numbers, dtype=np.int64)
    amounts = np.full(len(ids), PRICE, dtype=np.int64)
    syncs = engine.journal.commits
    chunks = [
        (ids[lo : lo + batch], amounts[lo : lo + batch], keys[lo : lo + batch]) for lo in range(0, len(ids), batch)
    ]
    cpu = time.process_time()
    start = time.perf_counter()
    batch_s, waited = (_pipelined_loop if pipelined else _plain_loop)(engine, chunks)
    elapsed = time.perf_counter() - start
    cpu = time.process_time() - cpu
    figures = {
        "per_s": round(len(ids) / elapsed, 1),
        "per_cpu_second": round(len(ids) / max(cpu, 1e-9), 1),
        **percentiles_ms(np.asarray(batch_s)),
        "requests": len(ids),
        "captured": len(engine.state.ledger),
        "retries_replayed": len(ids) - orders,
        "double_captures": _double_captures(engine),
        "ledger_total_minor": engine.ledger_total(),
        "oversold": oversold(engine),
        "batch": batch,
        "pipelined": pipelined,
        "fsyncs": engine.journal.commits - syncs,
        "sync_wait_s": round(waited, 3),
        "seconds": round(elapsed, 3),
        "cpu_seconds": round(cpu, 3),
        "latency_note": "p50/p99 per batch (closed loop), from its start until the fdatasync that covers it returned",
    }
    engine.close(checkpoint=False)
    return figures


Chunk = tuple[Any, Any, list[str]]


def _plain_loop(engine: Engine, chunks: list[Chunk]) -> tuple[list[float], float]:
    """Pay batch after batch; each call journals and syncs before it returns. Return latencies, sync wait."""
    batch_s: list[float] = []
    waited = [0.0]
    commit = engine.journal.commit

    def timed() -> None:
        t0 = time.perf_counter()
        commit()
        waited[0] += time.perf_counter() - t0

    engine.journal.commit = timed  # type: ignore[method-assign]
    for numbers, amounts, keys in chunks:
        t0 = time.perf_counter()
        engine.pay_columns(numbers, amounts, keys)
        batch_s.append(time.perf_counter() - t0)
    engine.journal.commit = commit  # type: ignore[method-assign]
    return batch_s, waited[0]


def _pipelined_loop(engine: Engine, chunks: list[Chunk]) -> tuple[list[float], float]:
    """Decide batch k+1 while batch k syncs on another thread. Return latencies, time blocked on syncs."""
    batch_s: list[float] = []
    waited = 0.0
    previous: tuple[Future[None], float] | None = None
    with ThreadPoolExecutor(max_workers=1) as syncer:
        for numbers, amounts, keys in chunks:
            t0 = time.perf_counter()
            with engine.written():
                engine.pay_columns(numbers, amounts, keys)
            if previous is not None:
                waited += _finish(previous, batch_s)
            previous = (syncer.submit(engine.sync_written), t0)
        if previous is not None:
            waited += _finish(previous, batch_s)
    return batch_s, waited


def _finish(pending: tuple[Future[None], float], batch_s: list[float]) -> float:
    """Wait for a batch's sync; record its latency; return how long the wait blocked."""
    t0 = time.perf_counter()
    pending[0].result()
    done = time.perf_counter()
    batch_s.append(done - pending[1])
    return done - t0


def _pg_schema(orders: int) -> str:
    """Create the baseline's orders (all reserved), payments and postings tables; return the schema."""
    import psycopg

    schema = f"bench_pay_{int(time.time() * 1000) % 10**9}"
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
        conn.execute(f"CREATE TABLE {schema}.orders (id bigint PRIMARY KEY, status text NOT NULL, total bigint)")
        conn.execute(f"CREATE TABLE {schema}.payments (key text PRIMARY KEY, order_id bigint UNIQUE, amount bigint)")
        conn.execute(f"CREATE TABLE {schema}.postings (key text, account text, amount bigint)")
        conn.execute(
            f"INSERT INTO {schema}.orders SELECT g, 'reserved', {PRICE} FROM generate_series(1, %s) g", (orders,)
        )
    return schema


def _pg_attempt(conn: Any, schema: str, keys: list[str]) -> baselines.Attempt:
    """Return one capture transaction: key replay check, guarded order UPDATE, payment, 3 postings."""
    fee = PRICE * 2 // 100

    def attempt(number: int, position: int) -> bool:
        key = keys[position]
        with conn.transaction():
            if conn.execute(f"SELECT 1 FROM {schema}.payments WHERE key = %s", (key,)).fetchone():
                return False
            moved = conn.execute(
                f"UPDATE {schema}.orders SET status = 'paid' WHERE id = %s AND status = 'reserved'", (number,)
            ).rowcount
            if moved != 1:
                return False
            conn.execute(f"INSERT INTO {schema}.payments VALUES (%s, %s, %s)", (key, number, PRICE))
            conn.execute(
                f"INSERT INTO {schema}.postings VALUES (%s, 'customer', %s), (%s, 'merchant', %s), "
                "(%s, 'platform', %s)",
                (key, -PRICE, key, PRICE - fee, key, fee),
            )
            return True

    return attempt


def _pg_capture(orders: int, clients: int, seconds: float) -> dict[str, Any]:
    import psycopg

    schema = _pg_schema(orders)
    numbers, keys = _requests(orders, 0.05, 1)
    wanted, positions = np.asarray(numbers, dtype=np.int64), np.arange(len(numbers), dtype=np.int64)

    def worker(index: int) -> tuple[int, int, Any, float]:
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            attempt = _pg_attempt(conn, schema, keys)
            return baselines._timed_loop(attempt, wanted[index::clients], positions[index::clients], seconds)

    results = baselines._run_processes(worker, clients)
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        doubles = conn.execute(
            f"SELECT count(*) FROM (SELECT order_id FROM {schema}.payments GROUP BY 1 HAVING count(*) > 1) d"
        ).fetchone()
        total = conn.execute(f"SELECT coalesce(sum(amount), 0) FROM {schema}.postings").fetchone()
        conn.execute(f"DROP SCHEMA {schema} CASCADE")
    return _summary(results) | {
        "clients": clients,
        "double_captures": int(doubles[0]) if doubles else -1,
        "ledger_total_minor": int(total[0]) if total else -1,
    }


def _summary(results: list[tuple[int, int, Any, float]]) -> dict[str, Any]:
    tries = sum(r[0] for r in results)
    elapsed = max(r[3] for r in results)
    latencies = np.concatenate([r[2] for r in results])
    return {
        "per_s": round(tries / elapsed, 1),
        **percentiles_ms(latencies),
        "requests": tries,
        "captured": sum(r[1] for r in results),
        "seconds": round(elapsed, 2),
        "oversold": None,  # these baselines keep no stock: not applicable
    }


def _sqlite_capture(directory: Path, orders: int, seconds: float) -> dict[str, Any]:
    db = sqlite3.connect(directory / "pay.db", isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY, status TEXT)")
    db.execute("CREATE TABLE payments (key TEXT PRIMARY KEY, order_id INTEGER UNIQUE)")
    db.execute("BEGIN")
    db.executemany("INSERT INTO orders VALUES (?, 'reserved')", ((i,) for i in range(1, orders + 1)))
    db.execute("COMMIT")
    numbers, keys = _requests(orders, 0.05, 1)

    def attempt(number: int, position: int) -> bool:
        db.execute("BEGIN IMMEDIATE")
        try:
            if db.execute("SELECT 1 FROM payments WHERE key = ?", (keys[position],)).fetchone():
                return False
            if (
                db.execute("UPDATE orders SET status = 'paid' WHERE id = ? AND status = 'reserved'", (number,)).rowcount
                != 1
            ):
                return False
            db.execute("INSERT INTO payments VALUES (?, ?)", (keys[position], number))
            return True
        finally:
            db.execute("COMMIT")

    result = baselines._timed_loop(attempt, np.asarray(numbers), np.arange(len(numbers)), seconds)
    db.close()
    return _summary([result]) | {"clients": 1}


def _redis_capture(orders: int, clients: int, seconds: float, depth: int) -> dict[str, Any]:
    import redis

    prefix = f"wujie:benchpay:{int(time.time() * 1000) % 10**9}:{depth}:"
    client = redis.Redis.from_url(REDIS_URL)
    sha = client.script_load(_LUA)
    numbers, keys = _requests(orders, 0.05, 1)
    fee = PRICE * 2 // 100

    def worker(index: int) -> tuple[int, int, Any, float]:
        conn = redis.Redis.from_url(REDIS_URL)
        mine = numbers[index::clients]
        mine_keys = keys[index::clients]
        if depth == 1:
            return baselines._timed_loop(
                lambda n, p: bool(conn.evalsha(sha, 2, f"{prefix}o{n}", f"{prefix}ledger", mine_keys[p], PRICE, fee)),
                np.asarray(mine),
                np.arange(len(mine)),
                seconds,
            )
        return _pipelined_captures(conn, sha, prefix, mine, mine_keys, depth=depth, seconds=seconds)

    results = baselines._run_processes(worker, clients)
    ledger = {str(k): int(v) for k, v in client.hgetall(f"{prefix}ledger").items()}
    paid_orders = 0
    for batch in range(1, orders + 1, 10_000):
        chunk = [f"{prefix}o{n}" for n in range(batch, min(orders + 1, batch + 10_000))]
        paid_orders += int(client.exists(*chunk))
        client.delete(*chunk)
    client.delete(f"{prefix}ledger")
    summary = _summary(results)
    return summary | {
        "clients": clients,
        "pipeline_depth": depth,
        "double_captures": summary["captured"] - paid_orders,  # captures beyond one per paid order
        "ledger_total_minor": sum(ledger.values()),
    }


def _pipelined_captures(
    conn: Any, sha: str, prefix: str, numbers: list[int], keys: list[str], *, depth: int, seconds: float
) -> tuple[int, int, Any, float]:
    """Send the capture script ``depth`` calls per round trip until done or out of time."""
    fee = PRICE * 2 // 100
    latencies: list[float] = []
    ok = done = 0
    start = time.perf_counter()
    for lo in range(0, len(numbers), depth):
        t0 = time.perf_counter()
        pipe = conn.pipeline(transaction=False)
        for n, k in zip(numbers[lo : lo + depth], keys[lo : lo + depth], strict=True):
            pipe.evalsha(sha, 2, f"{prefix}o{n}", f"{prefix}ledger", k, PRICE, fee)
        ok += sum(pipe.execute())
        chunk = min(depth, len(numbers) - lo)
        latencies.extend([time.perf_counter() - t0] * chunk)
        done += chunk
        if time.perf_counter() - start > seconds:
            break
    return done, ok, np.asarray(latencies), time.perf_counter() - start


def run(*, quick: bool = False, seed: int = 7, baseline_seconds: float | None = None) -> dict[str, Any]:
    """Measure ours (plain and pipelined group commit) and the baselines; return the JSON report."""
    orders = 200_000 if quick else 1_000_000
    seconds = baseline_seconds if baseline_seconds is not None else (2.0 if quick else 5.0)
    others: dict[str, Any] = {}
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="wujie-bench-pay-") as tmp:
        root = Path(tmp)
        mine = {
            "captures": ours(root / "ours", orders, 16_384, seed) | {"load_avg_1m_before": round(load, 2)},
            "captures_pipelined": ours(root / "pipelined", orders, 16_384, seed, pipelined=True)
            | {"load_avg_1m_after": round(os.getloadavg()[0], 2)},
        }
        others["sqlite_capture_txn"] = _sqlite_capture(root, 50_000, seconds)
    if _reachable("127.0.0.1", 5432):
        others["postgres_capture_txn"] = _pg_capture(50_000, 16, seconds)
    if _reachable("127.0.0.1", 6379):
        others["redis_lua_capture"] = _redis_capture(50_000, 4, seconds, 1)
        others["redis_lua_capture_pipelined"] = _redis_capture(50_000, 4, seconds, 16)
    return {
        "benchmark": "payments",
        "date": datetime.now(UTC).date().isoformat(),
        "machine": {"cores": os.cpu_count(), "note": "shared 2-core machine; figures vary ~30% between runs"},
        "workload": {"orders": orders, "retry_share": 0.05, "amount_minor": PRICE, "fee_bp": 200},
        "ours": mine,
        "baselines": others,
        "ratios": {
            f"{run}/{name}": round(figures["per_s"] / f["per_s"], 1)
            for run, figures in mine.items()
            for name, f in others.items()
            if f.get("per_s")
        },
        "targets": {
            "payments_256k_per_s": mine["captures"]["per_s"] >= 256_000,
            "payments_256k_per_s_pipelined": mine["captures_pipelined"]["per_s"] >= 256_000,
            "zero_double_captures": all(f["double_captures"] == 0 for f in mine.values()),
            "ledger_balanced": all(f["ledger_total_minor"] == 0 for f in mine.values()),
        },
    }
