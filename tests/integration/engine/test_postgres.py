"""PostgreSQL as system of record: tables equal the engine after every batch, and after recovery."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from wujie.engine.book import SkuTerms
from wujie.engine.decisions import OrderRequest
from wujie.engine.engine import Engine
from wujie.engine.pgstore import MIGRATIONS, PostgresJournal, open_on_postgres, split_schema
from wujie.shared.clock import ManualClock

pytestmark = pytest.mark.services


@pytest.fixture
def schema(postgres_url: str) -> Iterator[str]:
    name = f"t_engine_{uuid.uuid4().hex[:12]}"
    yield name
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")


def tables(url: str, schema: str) -> dict[str, list[tuple[object, ...]]]:
    with psycopg.connect(url) as conn:
        return {
            "stock": conn.execute(f"SELECT sku, on_hand, reserved, sold FROM {schema}.stock ORDER BY sku").fetchall(),
            "orders": conn.execute(
                f"SELECT number, customer, status, total_minor FROM {schema}.orders ORDER BY number"
            ).fetchall(),
            "lines": conn.execute(
                f"SELECT order_number, line, sku, qty FROM {schema}.order_lines ORDER BY 1, 2"
            ).fetchall(),
            "payments": conn.execute(
                f"SELECT number, order_number, amount_minor FROM {schema}.payments ORDER BY 1"
            ).fetchall(),
            "ledger": conn.execute(
                f"SELECT coalesce(sum(amount_minor), 0), count(*) FROM {schema}.ledger_postings"
            ).fetchall(),
        }


def engine_view(engine: Engine) -> dict[str, list[tuple[object, ...]]]:
    orders = [engine.order(f"ord_{n:09d}") for n in range(1, engine.counts()["orders"] + 1)]
    return {
        "stock": sorted((s.sku, s.on_hand, s.reserved, s.sold) for s in engine.stock()),
        "orders": [(int(o.order_id[4:]), o.customer, o.status.value, o.total) for o in orders if o],
        "lines": [(int(o.order_id[4:]), i, s, q) for o in orders if o for i, (s, q, _) in enumerate(o.lines)],
        "payments": [
            (i + 1, int(n), int(a))
            for i, (n, a) in enumerate(
                zip(engine.state.ledger.col("order"), engine.state.ledger.col("amount"), strict=True)
            )
        ],
        "ledger": [(0, 3 * engine.counts()["payments"])],
    }


def test_tables_follow_every_batch_and_survive_reopen(postgres_url: str, schema: str, tmp_path: Path) -> None:
    clock = ManualClock()
    url = f"{postgres_url}?wujie_schema={schema}"
    engine = open_on_postgres(url, tmp_path, clock=clock, reservation_ttl_s=30)
    engine.add_skus([SkuTerms("tea", 6, 500, 300, 0, 10**18, 2), SkuTerms("cup", 3, 250)])
    placed = engine.place_orders(
        [
            OrderRequest("ann", (("tea", 2), ("cup", 1))),
            OrderRequest("bob", (("tea", 3),)),
            OrderRequest("cid", (("cup", 2),)),
            OrderRequest("dan", (("cup", 1),)),
        ]
    )
    assert [d.code for d in placed] == [None, "purchase_limit_exceeded", None, "insufficient_stock"]
    engine.pay(str(placed[0].order_id), 850, "k1")
    engine.pay(str(placed[0].order_id), 850, "k1")
    engine.receive("cup", 4)
    assert tables(postgres_url, schema) == engine_view(engine)
    clock.advance(31)
    assert engine.expire() == 1
    assert tables(postgres_url, schema) == engine_view(engine)
    before = engine_view(engine)
    engine.journal.close()  # no final snapshot: recovery replays the journal table
    again = open_on_postgres(url, tmp_path, clock=clock)
    assert engine_view(again) == before == tables(postgres_url, schema)
    again.close()  # snapshot into PostgreSQL, journal rows dropped
    third = open_on_postgres(url, tmp_path, clock=clock)
    assert engine_view(third) == before
    [late] = third.place_orders([OrderRequest("eve", (("cup", 1),))])
    assert late.order_id == "ord_000000003"
    assert tables(postgres_url, schema)["orders"][-1] == (3, "eve", "reserved", 250)
    third.close()


def test_migrations_run_once_and_constraints_guard_stock(postgres_url: str, schema: str) -> None:
    first = PostgresJournal(postgres_url, schema)
    assert first.migrated == [v for v, _ in MIGRATIONS]
    first.close()
    second = PostgresJournal(postgres_url, schema)
    assert second.migrated == []
    second.close()
    with psycopg.connect(postgres_url) as conn:
        conn.execute(f"INSERT INTO {schema}.stock VALUES ('x', 1, 0, 0, 1, 0, 0, 0, 0)")
        with pytest.raises(psycopg.errors.CheckViolation):
            conn.execute(f"UPDATE {schema}.stock SET reserved = 2 WHERE sku = 'x'")


def test_schema_parameter_is_split_from_the_url() -> None:
    assert split_schema("postgresql://h/db?wujie_schema=abc&sslmode=off") == ("postgresql://h/db?sslmode=off", "abc")
    assert split_schema("postgresql://h/db") == ("postgresql://h/db", "wujie")


def test_api_serves_from_postgres(postgres_url: str, schema: str, tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from wujie.config import Settings
    from wujie.entrypoints.api.app import create_app
    from wujie.entrypoints.api.auth import Role, Tokens

    settings = Settings(data_dir=tmp_path, database_url=f"{postgres_url}?wujie_schema={schema}", secret_key="pg")
    ops = {"Authorization": f"Bearer {Tokens('pg').mint(Role.OPERATOR, 'ops')}"}
    ann = {"Authorization": f"Bearer {Tokens('pg').mint(Role.CUSTOMER, 'ann')}"}
    with TestClient(create_app(settings)) as client:
        assert (
            client.post(
                "/v1/admin/skus", json=[{"sku": "tea", "on_hand": 2, "price_minor": 700}], headers=ops
            ).status_code
            == 201
        )
        order = client.post("/v1/orders", json={"lines": [{"sku": "tea", "qty": 2}]}, headers=ann).json()
        paid = client.post(
            f"/v1/orders/{order['order_id']}/pay", json={"amount_minor": 1_400}, headers={**ann, "Idempotency-Key": "p"}
        )
        assert paid.status_code == 200
    found = tables(postgres_url, schema)
    assert found["stock"] == [("tea", 2, 0, 2)]
    assert found["orders"] == [(1, "ann", "paid", 1_400)]
    assert found["ledger"] == [(0, 3)]
