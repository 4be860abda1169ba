"""The HTTP API end to end: roles, orders, idempotent payments, problems, admission, hot path parity."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from wujie.config import Settings
from wujie.engine.admission import Admission
from wujie.entrypoints.api.app import create_app
from wujie.entrypoints.api.auth import Role, Tokens

SECRET = "test-secret-for-api"


def bearer(role: Role, subject: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {Tokens(SECRET).mint(role, subject)}"}


OPS = bearer(Role.OPERATOR, "ops")
SHOP = bearer(Role.MERCHANT, "shop")
ANN = bearer(Role.CUSTOMER, "ann")
BOB = bearer(Role.CUSTOMER, "bob")


def make_client(path: Path, *, hot_path: bool = True, admission: Admission | None = None) -> TestClient:
    app = create_app(Settings(data_dir=path, secret_key=SECRET), hot_path=hot_path, admission=admission)
    return TestClient(app, raise_server_exceptions=False)


def stock_up(client: TestClient) -> None:
    skus = [
        {"sku": "tea", "on_hand": 5, "price_minor": 5_000},
        {"sku": "cup", "on_hand": 2, "price_minor": 1_250},
        {
            "sku": "flash",
            "on_hand": 100,
            "price_minor": 9_900,
            "flash_price_minor": 4_900,
            "flash_start": "2000-01-01T00:00:00Z",
            "flash_end": "2100-01-01T00:00:00Z",
            "limit_per_customer": 2,
        },
    ]
    assert client.post("/v1/admin/skus", json=skus, headers=OPS).status_code == 201


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with make_client(tmp_path) as c:
        stock_up(c)
        yield c


def place(client: TestClient, who: dict[str, str], *lines: tuple[str, int]) -> dict[str, object]:
    response = client.post("/v1/orders", json={"lines": [{"sku": s, "qty": q} for s, q in lines]}, headers=who)
    assert response.status_code == 201, response.text
    body: dict[str, object] = response.json()
    return body


def test_order_pay_read_cycle(client: TestClient) -> None:
    order = place(client, ANN, ("tea", 2), ("cup", 1))
    assert order == {"order_id": "ord_000000001", "status": "reserved", "total_minor": 11_250, "currency": "CNY"}
    paid = client.post(
        "/v1/orders/ord_000000001/pay", json={"amount_minor": 11_250}, headers={**ANN, "Idempotency-Key": "a1"}
    )
    assert paid.status_code == 200
    assert paid.json() == {
        "payment_id": "pay_000000001",
        "order_id": "ord_000000001",
        "amount_minor": 11_250,
        "status": "captured",
    }
    view = client.get("/v1/orders/ord_000000001", headers=ANN).json()
    assert (view["status"], view["lines"]) == ("paid", [["tea", 2, 5_000], ["cup", 1, 1_250]])
    stock = client.get("/v1/inventory/stock", params={"sku": ["tea", "cup"]}, headers=SHOP).json()
    assert [(s["sku"], s["sold"], s["available"]) for s in stock] == [("tea", 2, 3), ("cup", 1, 1)]
    stats = client.get("/v1/admin/stats", headers=OPS).json()
    assert (stats["paid"], stats["payments"], stats["ledger_total_minor"]) == (1, 1, 0)


def test_flash_price_and_limit_over_http(client: TestClient) -> None:
    sku = client.get("/v1/catalog/skus/flash").json()
    assert (sku["flash_price_minor"], sku["limit_per_customer"]) == (4_900, 2)
    assert place(client, ANN, ("flash", 2))["total_minor"] == 9_800
    refused = client.post("/v1/orders", json={"lines": [{"sku": "flash", "qty": 1}]}, headers=ANN)
    assert refused.status_code == 409
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["code"] == "purchase_limit_exceeded"
    place(client, BOB, ("flash", 1))


def test_retries_with_same_key_never_charge_twice(client: TestClient) -> None:
    order = place(client, ANN, ("cup", 2))
    url = f"/v1/orders/{order['order_id']}/pay"
    answers = [
        client.post(url, json={"amount_minor": 2_500}, headers={**ANN, "Idempotency-Key": "retry-1"}) for _ in range(5)
    ]
    assert {a.status_code for a in answers} == {200}
    assert len({a.text for a in answers}) == 1
    conflict = client.post(url, json={"amount_minor": 2_499}, headers={**ANN, "Idempotency-Key": "retry-1"})
    assert (conflict.status_code, conflict.json()["code"]) == (409, "idempotency_conflict")
    other_key = client.post(url, json={"amount_minor": 2_500}, headers={**ANN, "Idempotency-Key": "retry-2"})
    assert (other_key.status_code, other_key.json()["code"]) == (409, "already_captured")
    stats = client.get("/v1/admin/stats", headers=OPS).json()
    assert (stats["payments"], stats["ledger_total_minor"]) == (1, 0)


def test_customers_see_only_their_own_orders(client: TestClient) -> None:
    order = place(client, ANN, ("tea", 1))
    url = f"/v1/orders/{order['order_id']}"
    assert client.get(url, headers=ANN).status_code == 200
    assert client.get(url, headers=SHOP).status_code == 200
    assert client.get(url, headers=BOB).json()["code"] == "unknown_order"
    assert (
        client.post(f"{url}/pay", json={"amount_minor": 5_000}, headers={**BOB, "Idempotency-Key": "x"}).status_code
        == 404
    )
    assert client.post(f"{url}/cancel", headers=BOB).status_code == 404
    assert [o["order_id"] for o in client.get("/v1/orders", headers=ANN).json()] == [order["order_id"]]
    assert client.get("/v1/orders", headers=BOB).json() == []
    foreign = client.post("/v1/orders", json={"lines": [{"sku": "tea", "qty": 1}], "customer": "bob"}, headers=ANN)
    assert (foreign.status_code, foreign.json()["code"]) == (403, "forbidden")
    assert client.post(f"{url}/cancel", headers=ANN).status_code == 204
    assert client.get(url, headers=ANN).json()["status"] == "cancelled"


@pytest.mark.parametrize(
    ("method", "path", "who", "status"),
    [
        ("get", "/v1/admin/stats", ANN, 403),
        ("get", "/v1/admin/stats", SHOP, 403),
        ("get", "/v1/admin/stats", OPS, 200),
        ("get", "/v1/inventory/stock", ANN, 403),
        ("get", "/v1/inventory/stock", SHOP, 200),
        ("get", "/v1/admin/stats", {}, 401),
        ("get", "/v1/admin/stats", {"Authorization": "Bearer wj1.operator.ops.forged"}, 401),
        ("get", "/v1/orders", {"Authorization": "Bearer " + Tokens("other").mint(Role.CUSTOMER, "ann")}, 401),
    ],
)
def test_roles(client: TestClient, method: str, path: str, who: dict[str, str], status: int) -> None:
    response = client.request(method, path, headers=who)
    assert response.status_code == status
    if status >= 400:
        assert response.json()["code"] in {"forbidden", "unauthorized"}


def test_operator_mints_tokens_others_cannot(client: TestClient) -> None:
    minted = client.post("/v1/admin/tokens", json={"role": "customer", "subject": "cid"}, headers=OPS).json()["token"]
    assert client.get("/v1/orders", headers={"Authorization": f"Bearer {minted}"}).status_code == 200
    assert client.post("/v1/admin/tokens", json={"role": "operator", "subject": "me"}, headers=SHOP).status_code == 403


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (b"{not json", 400, "malformed_json"),
        (b'{"lines": []}', 422, "invalid_input"),
        (b'{"lines": [{"sku": "tea", "qty": -1}]}', 422, "invalid_input"),
        (b'{"lines": [{"sku": "tea", "qty": 0}]}', 422, "invalid_input"),
        (b'{"lines": [{"sku": "tea", "qty": "1"}]}', 422, "invalid_input"),
        (b'{"lines": [{"sku": "tea", "qty": 1}], "extra": 1}', 422, "invalid_input"),
        (b'{"lines": [{"sku": "nope", "qty": 1}]}', 404, "unknown_sku"),
        (b'{"lines": [{"sku": "bad sku!", "qty": 1}]}', 422, "invalid_input"),
        (b'{"lines": [{"sku": "cup", "qty": 3}]}', 409, "insufficient_stock"),
        (b'{"lines": [' + b",".join([b'{"sku": "tea", "qty": 1}'] * 51) + b"]}", 422, "invalid_input"),
    ],
)
@pytest.mark.parametrize("hot_path", [True, False])
def test_bad_orders_get_the_same_4xx_on_both_routes(
    tmp_path: Path, body: bytes, status: int, code: str, hot_path: bool
) -> None:
    with make_client(tmp_path, hot_path=hot_path) as c:
        stock_up(c)
        response = c.post("/v1/orders", content=body, headers={**ANN, "content-type": "application/json"})
        assert (response.status_code, response.json()["code"]) == (status, code)
        assert response.headers["content-type"] == "application/problem+json"
        assert c.get("/v1/admin/stats", headers=OPS).json()["orders"] == 0


def test_batch_api_and_its_limits(client: TestClient) -> None:
    batch = {
        "customer": ["a", "b", "c", "d"],
        "sku": ["cup", "cup", "cup", "zzz", "tea"],
        "qty": [1, 1, 1, 1, 2],
        "nlines": [1, 1, 1, 2],
    }
    out = client.post("/v1/orders/batch", json=batch, headers=SHOP).json()
    assert out == {
        "accepted": 2,
        "order_number": [1, 2, 0, 0],
        "code": [None, None, "insufficient_stock", "unknown_sku"],
        "total_minor": [1_250, 1_250, 0, 0],
    }
    assert client.post("/v1/orders/batch", json=batch, headers=ANN).status_code == 403
    bad = client.post("/v1/orders/batch", json={**batch, "nlines": [1, 1]}, headers=SHOP)
    assert (bad.status_code, bad.json()["code"]) == (422, "invalid_input")
    huge = {"customer": ["a"] * 100_001, "sku": ["cup"] * 100_001, "qty": [1] * 100_001}
    assert client.post("/v1/orders/batch", json=huge, headers=SHOP).status_code == 422
    pays = {
        "order_id": ["ord_000000001", "ord_000000001", "ord_000000009"],
        "amount_minor": [1_250, 1_250, 5],
        "key": ["k1", "k1", "k2"],
    }
    paid = client.post("/v1/payments/batch", json=pays, headers=SHOP).json()
    assert paid == {
        "captured": 2,
        "payment_id": ["pay_000000001", "pay_000000001", None],
        "code": [None, None, "unknown_order"],
    }


def test_overload_is_answered_with_429_and_retry_after(tmp_path: Path) -> None:
    with make_client(tmp_path, admission=Admission(max_pending=0, sku_rate=0.001, sku_burst=2)) as c:
        stock_up(c)
        codes = [c.post("/v1/orders", json={"lines": [{"sku": "tea", "qty": 1}]}, headers=ANN) for _ in range(4)]
        assert [r.status_code for r in codes] == [201, 201, 429, 429]
        assert codes[2].json()["code"] == "overloaded"
        assert int(codes[2].headers["retry-after"]) >= 1
        assert c.post("/v1/orders", json={"lines": [{"sku": "cup", "qty": 1}]}, headers=ANN).status_code == 201


def test_a_body_past_the_limit_is_refused_with_413(client: TestClient) -> None:
    from wujie.entrypoints.api.app import MAX_BODY_BYTES

    body = b'{"customer": ["' + b"a" * MAX_BODY_BYTES + b'"], "sku": ["cup"], "qty": [1]}'
    response = client.post("/v1/orders/batch", content=body, headers={**SHOP, "content-type": "application/json"})
    assert (response.status_code, response.json()["code"]) == (413, "batch_too_large")
    assert client.get("/v1/admin/stats", headers=OPS).json()["orders"] == 0
