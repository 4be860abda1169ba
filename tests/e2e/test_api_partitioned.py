"""``wujie serve --partitions 2``: the HTTP API on the partitioned engine, end to end.

A real server (granian RSGI, two partition processes) takes single-line orders on each partition
and orders that span both (two-phase commit), payments with a retried Idempotency-Key, cancels,
stock reads and per-customer visibility; a second test SIGKILLs the whole server (its process
group: granian, its worker and the partitions) under concurrent orders and checks after a restart
that every acknowledged order came back with its customer, lines and total, and that the reserved
and sold stock per SKU is exactly what the surviving orders hold.
"""

from __future__ import annotations

import http.client
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from wujie.bench.served import ServeProcess
from wujie.engine.partition_routing import partition_of
from wujie.entrypoints.api.auth import Role, Tokens

pytestmark = pytest.mark.xdist_group("api_partitioned")

SECRET = "test-secret-for-partitions"
TOKENS = Tokens(SECRET)
OPS = {"authorization": f"Bearer {TOKENS.mint(Role.OPERATOR, 'ops')}"}
ANN = {"authorization": f"Bearer {TOKENS.mint(Role.CUSTOMER, 'ann')}"}
BOB = {"authorization": f"Bearer {TOKENS.mint(Role.CUSTOMER, 'bob')}"}


def _on(partition: int, count: int) -> list[str]:
    """Return ``count`` SKU names that hash to ``partition`` of 2."""
    names = (f"sku-{i:04d}" for i in range(1_000))
    return [name for name in names if partition_of(name, 2) == partition][:count]


A0, B0 = _on(0, 2)
A1, B1 = _on(1, 2)
PRICES = {A0: 1_000, B0: 300, A1: 2_000, B1: 700}
ON_HAND = {A0: 50, B0: 2, A1: 50, B1: 40}
SKUS = [{"sku": sku, "on_hand": ON_HAND[sku], "price_minor": price} for sku, price in PRICES.items()]
CROSS_TAG = 63  # an order id's low 6 bits: 63 = a cross-partition transaction, else its partition


class Server(ServeProcess):
    """A ``wujie serve --partitions 2`` child process in its own session."""

    def __init__(self, data: Path) -> None:
        super().__init__(data, ["--partitions", "2"], {"WUJIE_SECRET_KEY": SECRET})

    def call(
        self, method: str, path: str, body: object = None, headers: dict[str, str] | None = None
    ) -> tuple[int, object]:
        raw_body = None if body is None else json.dumps(body).encode()
        status, _, raw = self.request(method, path, raw_body, headers or {})
        return status, json.loads(raw) if raw else None


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = Server(tmp_path_factory.mktemp("partitioned"))
    try:
        assert running.call("POST", "/v1/admin/skus", SKUS, OPS)[0] == 201
        yield running
    finally:
        running.stop()


def _order(server: Server, lines: list[tuple[str, int]], who: dict[str, str] = ANN) -> tuple[int, dict[str, object]]:
    status, body = server.call("POST", "/v1/orders", {"lines": [{"sku": s, "qty": q} for s, q in lines]}, who)
    assert isinstance(body, dict)
    return status, body


def _stock(server: Server) -> dict[str, tuple[int, int]]:
    status, levels = server.call("GET", "/v1/inventory/stock", headers=OPS)
    assert status == 200 and isinstance(levels, list)
    return {level["sku"]: (level["reserved"], level["sold"]) for level in levels}


def _stats(server: Server) -> dict[str, int]:
    status, stats = server.call("GET", "/v1/admin/stats", headers=OPS)
    assert status == 200 and isinstance(stats, dict)
    return stats


def test_orders_on_each_partition_and_across_both(server: Server) -> None:
    before = _stock(server)
    one = _order(server, [(A0, 2)])
    two = _order(server, [(A1, 1)])
    assert (one[0], one[1]["total_minor"], two[0], two[1]["total_minor"]) == (201, 2_000, 201, 2_000)
    assert int(str(one[1]["order_id"])[4:]) & CROSS_TAG == 0 and int(str(two[1]["order_id"])[4:]) & CROSS_TAG == 1
    status, cross = _order(server, [(A0, 1), (A1, 3), (B1, 1)])
    assert (status, cross["total_minor"]) == (201, 1_000 + 6_000 + 700)
    assert int(str(cross["order_id"])[4:]) & CROSS_TAG == CROSS_TAG  # a two-phase-commit transaction
    status, view = server.call("GET", f"/v1/orders/{cross['order_id']}", headers=ANN)
    assert status == 200 and isinstance(view, dict)
    assert (view["status"], view["customer"], view["total_minor"]) == ("reserved", "ann", 7_700)
    assert sorted(map(tuple, view["lines"])) == sorted([(A0, 1, 1_000), (A1, 3, 2_000), (B1, 1, 700)])
    after = _stock(server)
    assert after[A0][0] - before[A0][0] == 3 and after[A1][0] - before[A1][0] == 4 and after[B1][0] - before[B1][0] == 1


def test_an_order_short_on_one_partition_reserves_nothing_on_the_other(server: Server) -> None:
    before, orders = _stock(server), _stats(server)["orders"]
    status, problem = _order(server, [(A1, 1), (B0, 3)])  # B0 holds 2 units, on the other partition
    assert (status, problem["code"]) == (409, "insufficient_stock")
    assert _stock(server) == before and _stats(server)["orders"] == orders


def test_pay_a_cross_partition_order_twice_with_one_key_captures_once(server: Server) -> None:
    _, placed = _order(server, [(B0, 1), (B1, 2)])
    oid, total = placed["order_id"], placed["total_minor"]
    assert total == 300 + 1_400
    payments, sold = _stats(server)["payments"], _stock(server)
    pay = {"amount_minor": total}
    first = server.call("POST", f"/v1/orders/{oid}/pay", pay, {**ANN, "idempotency-key": "k-cross"})
    again = server.call("POST", f"/v1/orders/{oid}/pay", pay, {**ANN, "idempotency-key": "k-cross"})
    assert first[0] == again[0] == 200 and first[1] == again[1]
    assert isinstance(first[1], dict) and first[1]["status"] == "captured"
    other = server.call("POST", f"/v1/orders/{oid}/pay", pay, {**ANN, "idempotency-key": "k-other"})
    assert other[0] == 409 and isinstance(other[1], dict) and other[1]["code"] == "already_captured"
    stats = _stats(server)
    assert (stats["payments"] - payments, stats["ledger_total_minor"]) == (1, 0)
    now = _stock(server)
    assert (now[B0][1] - sold[B0][1], now[B1][1] - sold[B1][1]) == (1, 2)
    view = server.call("GET", f"/v1/orders/{oid}", headers=ANN)[1]
    assert isinstance(view, dict) and view["status"] == "paid"
    cancel = server.call("POST", f"/v1/orders/{oid}/cancel", None, ANN)
    assert cancel[0] == 409  # paid: no longer cancellable


def test_cancel_releases_stock_on_every_partition(server: Server) -> None:
    before = _stock(server)
    _, placed = _order(server, [(A0, 1), (A1, 1)])
    status, _ = server.call("POST", f"/v1/orders/{placed['order_id']}/cancel", None, ANN)
    assert status == 204
    view = server.call("GET", f"/v1/orders/{placed['order_id']}", headers=ANN)[1]
    assert isinstance(view, dict) and view["status"] == "cancelled"
    assert _stock(server) == before


def test_a_customer_reads_only_their_own_orders(server: Server) -> None:
    _, mine = _order(server, [(A0, 1), (B1, 1)])
    assert server.call("GET", f"/v1/orders/{mine['order_id']}", headers=BOB)[0] == 404
    pay = server.call(
        "POST", f"/v1/orders/{mine['order_id']}/pay", {"amount_minor": 1_700}, {**BOB, "idempotency-key": "b"}
    )
    assert pay[0] == 404
    _, bobs = _order(server, [(A1, 1)], BOB)
    status, listed = server.call("GET", "/v1/orders", headers=BOB)
    assert status == 200 and isinstance(listed, list)
    assert [o["order_id"] for o in listed] == [bobs["order_id"]]
    status, anns = server.call("GET", "/v1/orders", headers=ANN)
    assert status == 200 and isinstance(anns, list) and mine["order_id"] in [o["order_id"] for o in anns]
    assert all(o["customer"] == "ann" for o in anns)


def test_what_the_partitioned_engine_does_not_serve_is_refused(server: Server) -> None:
    status, problem = server.call("GET", "/v1/catalog/skus")
    assert status == 501 and isinstance(problem, dict) and problem["code"] == "not_supported_partitioned"
    assert server.call("POST", "/v1/admin/checkpoint", None, OPS)[0] == 501


def test_serve_refuses_the_dashboard_with_partitions(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "wujie", "serve", "--partitions", "2", "--dashboard", "--data-dir", str(tmp_path)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode != 0 and "publishes no events" in done.stderr and "Traceback" not in done.stderr


def _place_many(server: Server, client: int, progress: list[int]) -> list[tuple[str, str, list[tuple[str, int]], int]]:
    """Place up to 80 orders (single- and cross-partition) until the server stops answering."""
    who = f"c{client}"
    headers = {"authorization": f"Bearer {TOKENS.mint(Role.CUSTOMER, who)}"}
    shapes = [[(A0, 1)], [(A1, 1)], [(A0, 1), (A1, 1)], [(B1, 1), (A0, 1), (A1, 1)]]
    acknowledged: list[tuple[str, str, list[tuple[str, int]], int]] = []
    for i in range(80):  # a customer's listing shows 100: every order of a client stays visible
        lines = shapes[(i + client) % len(shapes)]
        try:
            status, body = _order(server, lines, headers)
        except (OSError, http.client.HTTPException, json.JSONDecodeError):
            return acknowledged
        if status == 201:
            acknowledged.append((str(body["order_id"]), who, lines, int(str(body["total_minor"]))))
            progress[client] += 1
    return acknowledged


def test_acknowledged_orders_survive_a_sigkill_of_the_whole_server(tmp_path: Path) -> None:
    stock = [{**s, "on_hand": 100_000} for s in SKUS]
    server = Server(tmp_path)
    try:
        assert server.call("POST", "/v1/admin/skus", stock, OPS)[0] == 201
        progress = [0] * 8
        with ThreadPoolExecutor(8) as pool:
            running = [pool.submit(_place_many, server, c, progress) for c in range(8)]
            deadline = time.monotonic() + 20.0
            while time.monotonic() < deadline and sum(progress) < 120:
                time.sleep(0.01)
            server.kill()  # SIGKILL: granian, its worker and both partitions, mid-load
            acknowledged = [order for f in running for order in f.result()]
    finally:
        server.kill()
    assert sum(1 for _, _, lines, _ in acknowledged if len(lines) > 1) >= 50
    assert len(acknowledged) < 8 * 80  # the kill came while clients were still ordering
    again = Server(tmp_path)
    try:
        for oid, who, lines, total in acknowledged:
            status, view = again.call("GET", f"/v1/orders/{oid}", headers=OPS)
            assert status == 200 and isinstance(view, dict), oid
            assert (view["customer"], view["total_minor"]) == (who, total)
            assert sorted((s, q) for s, q, _ in view["lines"]) == sorted(lines)
        held = dict.fromkeys(PRICES, 0)
        for client in range(8):
            status, listed = again.call("GET", f"/v1/orders?customer=c{client}", headers=OPS)
            assert status == 200 and isinstance(listed, list) and len(listed) < 100
            for order in listed:
                assert order["status"] == "reserved"
                for sku, qty, _ in order["lines"]:
                    held[sku] += qty
        assert {sku: level[0] for sku, level in _stock(again).items()} == held
        assert all(level[1] == 0 for level in _stock(again).values())
        assert _stats(again)["ledger_total_minor"] == 0
    finally:
        again.stop()
