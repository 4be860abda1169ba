"""``wujie serve`` on granian's RSGI interface: the hot route and the bridged FastAPI routes, end to end.

One real server process (granian, RSGI, file journal) for the module; a restart test of its own
checks that the lifespan ran on stop and that every acknowledged order came back.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from wujie.bench.served import ServeProcess
from wujie.entrypoints.api.auth import Role, Tokens

pytestmark = pytest.mark.xdist_group("api_rsgi")  # one worker shares the module's server (make test: loadgroup)

SECRET = "test-secret-for-rsgi"
TOKENS = Tokens(SECRET)
OPS = {"authorization": f"Bearer {TOKENS.mint(Role.OPERATOR, 'ops')}"}
ANN = {"authorization": f"Bearer {TOKENS.mint(Role.CUSTOMER, 'ann')}"}
BOB = {"authorization": f"Bearer {TOKENS.mint(Role.CUSTOMER, 'bob')}"}
SKUS = [
    {"sku": "tea", "on_hand": 50, "price_minor": 5_000},
    {"sku": "cup", "on_hand": 2, "price_minor": 1_250},
]


class Server(ServeProcess):
    """A ``wujie serve --interface rsgi`` child process."""

    def __init__(self, data: Path) -> None:
        super().__init__(data, ["--no-dashboard", "--interface", "rsgi"], {"WUJIE_SECRET_KEY": SECRET})

    def call(
        self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], object]:
        status, found, raw = self.request(method, path, body, headers or {}, timeout=10)
        return status, found, json.loads(raw) if raw else None


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    data = tmp_path_factory.mktemp("rsgi")
    running = Server(data)
    try:
        assert running.call("POST", "/v1/admin/skus", json.dumps(SKUS).encode(), OPS)[0] == 201
        yield running
    finally:
        running.stop()


def _orders(server: Server) -> int:
    status, _, stats = server.call("GET", "/v1/admin/stats", headers=OPS)
    assert status == 200 and isinstance(stats, dict)
    return int(stats["orders"])


def test_hot_route_and_bridged_routes(server: Server) -> None:
    status, headers, placed = server.call("POST", "/v1/orders", b'{"lines":[{"sku":"tea","qty":2}]}', ANN)
    assert (status, headers["content-type"]) == (201, "application/json")
    assert isinstance(placed, dict) and placed["status"] == "reserved" and placed["total_minor"] == 10_000
    number = placed["order_id"]
    view = server.call("GET", f"/v1/orders/{number}", headers=ANN)
    assert view[0] == 200 and isinstance(view[2], dict) and view[2]["lines"] == [["tea", 2, 5_000]]
    assert server.call("GET", f"/v1/orders/{number}", headers=BOB)[0] == 404  # not bob's
    pay = json.dumps({"amount_minor": 10_000}).encode()
    first = server.call("POST", f"/v1/orders/{number}/pay", pay, {**ANN, "idempotency-key": "k1"})
    again = server.call("POST", f"/v1/orders/{number}/pay", pay, {**ANN, "idempotency-key": "k1"})
    assert first[0] == again[0] == 200 and first[2] == again[2]
    status, _, stock = server.call("GET", "/v1/inventory/stock?sku=tea&sku=cup", headers=OPS)
    assert status == 200 and isinstance(stock, list)
    assert [(s["sku"], s["sold"]) for s in stock] == [("tea", 2), ("cup", 0)]
    missing = server.call("GET", "/v1/nowhere")
    assert (missing[0], missing[1]["content-type"]) == (404, "application/problem+json")


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (b"{not json", 400, "malformed_json"),
        (b'{"lines": []}', 422, "invalid_input"),
        (b'{"lines": [{"sku": "tea", "qty": -1}]}', 422, "invalid_input"),
        (b'{"lines": [{"sku": "tea", "qty": "1"}]}', 422, "invalid_input"),
        (b'{"lines": [{"sku": "tea", "qty": 1}], "extra": 1}', 422, "invalid_input"),
        (b'{"lines": [{"sku": "nope", "qty": 1}]}', 404, "unknown_sku"),
        (b'{"lines": [{"sku": "bad sku!", "qty": 1}]}', 422, "invalid_input"),
        (b'{"lines": [{"sku": "cup", "qty": 3}]}', 409, "insufficient_stock"),
        (b'{"lines": [{"sku": "tea", "qty": 1}], "customer": "bob"}', 403, "forbidden"),
        (b'{"lines": [{"sku": "tea", "qty": 1}], "pad": "' + b"x" * 70_000 + b'"}', 413, "batch_too_large"),
    ],
)
def test_bad_orders_get_their_problem_and_write_nothing(server: Server, body: bytes, status: int, code: str) -> None:
    before = _orders(server)
    got, headers, problem = server.call("POST", "/v1/orders", body, ANN)
    assert isinstance(problem, dict)
    assert (got, problem["code"], headers["content-type"]) == (status, code, "application/problem+json")
    assert _orders(server) == before


def test_no_token_is_401_with_a_challenge(server: Server) -> None:
    status, headers, problem = server.call("POST", "/v1/orders", b'{"lines":[{"sku":"tea","qty":1}]}')
    assert (status, headers["www-authenticate"]) == (401, "Bearer")
    assert isinstance(problem, dict) and problem["code"] == "unauthorized"


def _place(server: Server, i: int) -> str:
    who = {"authorization": f"Bearer {TOKENS.mint(Role.CUSTOMER, f'c{i}')}"}
    status, _, body = server.call("POST", "/v1/orders", b'{"lines":[{"sku":"tea","qty":1}]}', who)
    assert status == 201 and isinstance(body, dict)
    return str(body["order_id"])


def test_concurrent_orders_are_all_answered_and_survive_a_restart(tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    server = Server(tmp_path)
    try:
        assert server.call("POST", "/v1/admin/skus", json.dumps(SKUS).encode(), OPS)[0] == 201
        with ThreadPoolExecutor(16) as pool:
            ids = list(pool.map(lambda i: _place(server, i), range(32)))
        assert len(set(ids)) == 32
    finally:
        code = server.stop()
    assert code == 0  # SIGINT: the lifespan closed the engine (snapshot)
    again = Server(tmp_path)
    try:
        for number in ids:
            assert again.call("GET", f"/v1/orders/{number}", headers=OPS)[0] == 200
    finally:
        again.stop()
