"""SIGKILL the API server at random moments under load; every acknowledged fact must survive.

Each round forks a real server (uvicorn + the app + the engine on one directory), drives it with
concurrent clients placing multi-line orders and paying them (with retried idempotency keys),
kills it with SIGKILL mid-load, then recovers the directory and checks: every acknowledged order
and payment is there, nothing is half-applied (stock equals what the surviving orders hold),
stock is conserved, and the ledger sums to zero.
"""

from __future__ import annotations

import http.client
import json
import multiprocessing
import os
import random
import signal
import socket
import threading
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

from wujie.config import Settings
from wujie.engine.engine import Engine
from wujie.engine.orderbook import OrderState
from wujie.entrypoints.api.auth import Role, Tokens

SECRET = "crash-secret"
ROUNDS = 20
SKUS = {"a": 400, "b": 300, "c": 200}


def _serve(path: Path, port: int) -> None:
    import uvicorn

    from wujie.entrypoints.api.app import create_app

    app = create_app(Settings(data_dir=path, secret_key=SECRET, reservation_ttl_s=3600))
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="critical", access_log=False)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _call(
    conn: http.client.HTTPConnection, method: str, path: str, body: object, headers: dict[str, str]
) -> tuple[int, dict[str, object]]:
    conn.request(method, path, json.dumps(body), {"content-type": "application/json", **headers})
    response = conn.getresponse()
    return response.status, json.loads(response.read() or b"{}")


class Acks:
    """What the server acknowledged (201/200), collected by the client threads."""

    def __init__(self) -> None:
        self.orders: dict[str, tuple[str, list[tuple[str, int]], int]] = {}
        self.payments: dict[str, str] = {}
        self.lock = threading.Lock()


def _client(port: int, seed: int, acks: Acks, stop: threading.Event) -> None:
    rng = random.Random(seed)
    tokens = Tokens(SECRET)
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        while not stop.is_set():
            customer = f"c{rng.randrange(20)}"
            auth = {"Authorization": f"Bearer {tokens.mint(Role.CUSTOMER, customer)}"}
            lines = [(sku, rng.randint(1, 3)) for sku in rng.sample(sorted(SKUS), rng.randint(1, 2))]
            status, body = _call(conn, "POST", "/v1/orders", {"lines": [{"sku": s, "qty": q} for s, q in lines]}, auth)
            if status != 201:
                continue
            order_id = str(body["order_id"])
            with acks.lock:
                acks.orders[order_id] = (customer, lines, int(body["total_minor"]))  # type: ignore[call-overload]
            if rng.random() < 0.6:
                key = {"Idempotency-Key": f"{order_id}-k", **auth}
                for _ in range(rng.randint(1, 2)):  # a retry with the same key must not charge twice
                    status, body = _call(
                        conn, "POST", f"/v1/orders/{order_id}/pay", {"amount_minor": acks.orders[order_id][2]}, key
                    )
                    if status == 200:
                        with acks.lock:
                            acks.payments[order_id] = str(body["payment_id"])
    except (OSError, http.client.HTTPException, json.JSONDecodeError):
        return  # the server died under us


def _wait_ready(port: int, process: multiprocessing.process.BaseProcess) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        assert process.is_alive(), "the server died on start"
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.02)
    raise AssertionError("the server did not start")


def _verify(path: Path, acks: Acks, checkpoint: bool) -> int:
    engine = Engine.open(path / "engine")
    state = engine.state
    for order_id, (customer, lines, total) in acks.orders.items():
        view = engine.order(order_id)
        assert view is not None, f"acknowledged {order_id} is lost"
        assert (view.customer, [(s, q) for s, q, _ in view.lines], view.total) == (customer, lines, total)
    for order_id, payment_id in acks.payments.items():
        view = engine.order(order_id)
        assert view is not None and view.status == "paid", f"acknowledged payment of {order_id} is lost"
        number = int(order_id[4:])
        assert np.flatnonzero(state.ledger.col("order") == number).tolist() == [int(payment_id[4:]) - 1]
    held: dict[tuple[str, int], int] = defaultdict(int)
    rows = np.arange(len(state.orders))
    for row, st in zip(rows.tolist(), state.orders.col("state").tolist(), strict=True):
        lo, n = int(state.orders.col("line_lo")[row]), int(state.orders.col("nlines")[row])
        for sku, qty in zip(
            state.orders.line("sku")[lo : lo + n].tolist(), state.orders.line("qty")[lo : lo + n].tolist(), strict=True
        ):
            held[(state.book.skus[sku], st)] += qty
    for level in engine.stock():
        assert level.on_hand == SKUS[level.sku]  # conserved: nothing appears or vanishes
        assert level.reserved == held[(level.sku, OrderState.RESERVED)]  # nothing half-applied
        assert level.sold == held[(level.sku, OrderState.PAID)]
        assert level.available >= 0
    paid = int((state.orders.col("state") == OrderState.PAID).sum())
    assert len(state.ledger) == paid  # at most one capture per order
    assert engine.ledger_total() == 0
    engine.close(checkpoint=checkpoint)
    return len(acks.orders)


def test_sigkill_under_load_loses_nothing_acknowledged(tmp_path: Path) -> None:
    boot = Engine.open(tmp_path / "engine")
    from wujie.engine.book import SkuTerms

    boot.add_skus([SkuTerms(sku, units, 1_000 + i) for i, (sku, units) in enumerate(SKUS.items())])
    boot.close()
    context = multiprocessing.get_context("fork")
    rng = random.Random(20261111)
    acks = Acks()
    acknowledged_before = 0
    for round_no in range(ROUNDS):
        port = _free_port()
        server = context.Process(target=_serve, args=(tmp_path, port), daemon=True)
        server.start()
        _wait_ready(port, server)
        stop = threading.Event()
        clients = [threading.Thread(target=_client, args=(port, rng.random(), acks, stop)) for _ in range(4)]
        for client in clients:
            client.start()
        time.sleep(rng.uniform(0.05, 0.5))
        assert server.pid is not None
        os.kill(server.pid, signal.SIGKILL)
        server.join(5)
        stop.set()
        for client in clients:
            client.join(10)
        acknowledged = _verify(tmp_path, acks, checkpoint=round_no % 4 == 3)
        assert acknowledged >= acknowledged_before
        acknowledged_before = acknowledged
    assert len(acks.orders) > 50 and len(acks.payments) > 20  # the load really ran
