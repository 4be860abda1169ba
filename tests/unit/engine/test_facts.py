"""The engine's columnar event building equals the per-order reference (``Engine.order()`` per order)."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np

from wujie.engine.book import SkuTerms
from wujie.engine.decisions import OrderRequest, payment_id
from wujie.engine.engine import Engine
from wujie.engine.facts import ENGINE_LOCATION
from wujie.engine.ports import ListSink
from wujie.engine.timebase import from_us, to_us
from wujie.inventory.events import StockDepleted
from wujie.orders.events import LineFact, OrderPaid, OrderPlaced
from wujie.payments.events import PaymentCaptured
from wujie.shared.clock import ManualClock
from wujie.shared.events import Event
from wujie.shared.ids import CustomerId, OrderId, PaymentId, RegionId, SkuId
from wujie.shared.money import Money

SKUS = [f"sku-{i}" for i in range(40)]


def random_batch(rng: random.Random, size: int) -> list[OrderRequest]:
    """Orders of 1-4 lines (some of unknown SKUs), some without a region."""
    regions = ["east", "west", "north", None]
    return [
        OrderRequest(
            f"c{rng.randrange(60)}",
            tuple((rng.choice([*SKUS, "nope"]), rng.randint(1, 4)) for _ in range(rng.choice([1, 1, 2, 4]))),
            rng.choice(regions),
        )
        for _ in range(size)
    ]


def placed_reference(engine: Engine, ids: list[str]) -> list[Event]:
    """The former per-order building: one ``Engine.order()`` view per accepted order."""
    events: list[Event] = []
    for oid in ids:
        view = engine.order(oid)
        assert view is not None
        lines = tuple(LineFact(SkuId(s), q, Money(p, engine.currency)) for s, q, p in view.lines)
        region = RegionId(view.region) if view.region else None
        total = Money(view.total, engine.currency)
        events.append(
            OrderPlaced(OrderId(view.order_id), CustomerId(view.customer), region, lines, total, view.placed_at)
        )
    return events


def paid_reference(engine: Engine, at_us: int) -> list[Event]:
    """The former per-order building of captures."""
    events: list[Event] = []
    for key in engine.state.last_captured:
        number, amount, _, payment = engine.state.ledger.keys[key]
        view = engine.order(f"ord_{number:09d}")
        assert view is not None
        money, at = Money(amount, engine.currency), from_us(at_us)
        order = OrderId(view.order_id)
        events.append(PaymentCaptured(PaymentId(payment_id(payment)), order, CustomerId(view.customer), money, at))
        events.append(OrderPaid(order, money, at))
    return events


def test_batch_events_equal_the_per_order_reference(tmp_path: Path) -> None:
    rng, clock, sink = random.Random(7), ManualClock(), ListSink()
    engine = Engine.open(tmp_path / "eng", clock=clock, sink=sink, reservation_ttl_s=60)
    now = to_us(clock.now())
    engine.add_skus([SkuTerms(s, rng.randint(0, 30), rng.randint(100, 900), 50, now, now + 10**9, 3) for s in SKUS])
    book, checked = engine.state.book, 0
    for _ in range(3):
        start, before = len(sink.events), book.available().copy()
        decisions = engine.place_orders(random_batch(rng, 120))
        accepted = [str(d.order_id) for d in decisions if d.accepted]
        sold_out = np.flatnonzero((before > 0) & (book.available() <= 0)).tolist()
        at = from_us(to_us(clock.now()))
        expected = placed_reference(engine, accepted)
        expected += [StockDepleted(SkuId(book.skus[s]), ENGINE_LOCATION, at) for s in sold_out]
        assert 0 < len(accepted) < 120 and sold_out
        assert sink.events[start:] == expected

        start = len(sink.events)
        paying = [d for d in decisions if d.accepted and rng.random() < 0.7]
        amounts = [d.total + (1 if rng.random() < 0.1 else 0) for d in paying]
        engine.pay_many([str(d.order_id) for d in paying], amounts, [f"k-{d.order_id}" for d in paying])
        assert sink.events[start:] == paid_reference(engine, to_us(clock.now()))
        checked += len(engine.state.last_captured)
    assert checked > 50
    engine.close(checkpoint=False)
