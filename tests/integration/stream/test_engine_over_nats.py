"""The real engine's committed facts over NATS JetStream into the dashboard: GMV == the ledger."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from wujie.dashboard.board import SaleDashboard
from wujie.dashboard.feed import ScriptedSale
from wujie.engine.book import SkuTerms
from wujie.engine.decisions import OrderRequest
from wujie.engine.engine import Engine
from wujie.shared.clock import ManualClock
from wujie.stream.background import BackgroundSink
from wujie.stream.nats import NatsJetStreamSink, NatsJetStreamSource

from .test_nats_jetstream import _delete_stream, drain

pytestmark = pytest.mark.services


@pytest.fixture
def stream_name(nats_url: str) -> Iterator[str]:
    name = f"WUJIE_ENGINE_{uuid.uuid4().hex[:10].upper()}"
    yield name
    _delete_stream(nats_url, name)


def test_dashboard_fed_through_jetstream_matches_the_engine_ledger(
    nats_url: str, stream_name: str, tmp_path: Path
) -> None:
    subject = f"{stream_name.lower()}.events"
    script = ScriptedSale(seed=5)
    clock = ManualClock(datetime(2026, 11, 11, tzinfo=UTC))
    with NatsJetStreamSink(nats_url, stream_name, subject) as broker, BackgroundSink(broker) as sink:
        engine = Engine.open(tmp_path / "engine", clock=clock, sink=sink, currency="CNY")
        engine.add_skus([SkuTerms(sku, 40, script.price(sku)) for sku in script.lookups.skus])  # some sell out
        for _ in range(10):
            baskets = [script.basket() for _ in range(100)]
            requests = [
                OrderRequest(b.customer, tuple((ln.sku, ln.quantity) for ln in b.lines), b.region) for b in baskets
            ]
            decisions = [d for d in engine.place_orders(requests) if d.accepted and d.order_id]
            engine.pay_many(
                [d.order_id for d in decisions[::2]],
                [d.total for d in decisions[::2]],
                [f"k-{d.order_id}" for d in decisions[::2]],
            )
            engine.cancel([d.order_id for d in decisions[1::4]])
            clock.advance(1)
        captured = int(engine.state.ledger.col("amount").sum())
        counts = engine.counts()
        engine.close()
        sink.flush()
        assert sink.failures == []

    board = SaleDashboard(script.lookups)
    with NatsJetStreamSource(nats_url, stream_name, subject, durable="dashboard") as source:
        assert drain(source, board, sink.delivered) == sink.delivered
    assert board.sales.gmv_minor == captured > 0
    assert board.sales.placed == counts["orders"]
    assert board.sales.paid == counts["payments"]
    assert board.stock.stockouts > 0
