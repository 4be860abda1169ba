"""The engine facade: orders, payments, cancels, expiry, events."""

from __future__ import annotations

from datetime import timedelta

from wujie.engine.decisions import OrderRequest
from wujie.engine.engine import Engine
from wujie.engine.ports import ListSink
from wujie.shared.clock import ManualClock


def order(customer: str, *lines: tuple[str, int]) -> OrderRequest:
    return OrderRequest(customer, tuple(lines), region="east")


def test_orders_get_flash_prices_and_limits(engine: Engine) -> None:
    got = engine.place_orders(
        [order("ann", ("tea", 2)), order("ann", ("tea", 1)), order("bob", ("tea", 1), ("cup", 2))]
    )
    assert [(d.accepted, d.order_id, d.code, d.total) for d in got] == [
        (True, "ord_000000001", None, 6_000),
        (False, None, "purchase_limit_exceeded", 0),
        (True, "ord_000000002", None, 3_000 + 2_500),
    ]
    view = engine.order("ord_000000002")
    assert view is not None
    assert (view.customer, view.region, view.status, view.lines) == (
        "bob",
        "east",
        "reserved",
        (("tea", 1, 3_000), ("cup", 2, 1_250)),
    )
    assert [(s.sku, s.reserved, s.available) for s in engine.stock()] == [("tea", 3, 7), ("cup", 2, 1)]


def test_multi_line_order_is_all_or_nothing(engine: Engine) -> None:
    [refused] = engine.place_orders([order("ann", ("tea", 1), ("cup", 4))])
    assert (refused.accepted, refused.code) == (False, "insufficient_stock")
    assert [s.available for s in engine.stock()] == [10, 3]


def test_bad_input_is_refused_per_order(engine: Engine) -> None:
    got = engine.place_orders([order("a", ("nope", 1)), order("a", ("tea", 0)), order("a", ("tea", -3)), order("a")])
    assert [d.code for d in got] == ["unknown_sku", "invalid_quantity", "invalid_quantity", "invalid_order"]
    assert engine.counts()["orders"] == 0


def test_payment_is_idempotent_and_ledger_balances(engine: Engine, sink: ListSink) -> None:
    [placed] = engine.place_orders([order("ann", ("cup", 1))])
    assert placed.order_id is not None
    first = engine.pay(placed.order_id, 1_250, "key-1")
    again = engine.pay(placed.order_id, 1_250, "key-1")
    other_amount = engine.pay(placed.order_id, 1_000, "key-1")
    second_key = engine.pay(placed.order_id, 1_250, "key-2")
    assert first == again
    assert (first.code, first.payment_id) == (None, "pay_000000001")
    assert other_amount.code == "idempotency_conflict"
    assert second_key.code == "already_captured"
    assert engine.ledger_total() == 0
    assert (engine.state.ledger.merchant, engine.state.ledger.platform) == (1_250 - 31, 31)  # 2.5% half-even
    assert engine.counts()["payments"] == 1
    assert [s.sold for s in engine.stock(["cup"])] == [1]
    assert [type(e).__name__ for e in sink.events] == ["StockReceived"] * 0 + [
        "OrderPlaced",
        "PaymentCaptured",
        "OrderPaid",
    ]


def test_wrong_amount_and_unknown_order(engine: Engine) -> None:
    [placed] = engine.place_orders([order("ann", ("cup", 1))])
    assert placed.order_id is not None
    assert engine.pay(placed.order_id, 1, "k").code == "amount_mismatch"
    assert engine.pay("ord_000000099", 1_250, "k2").code == "unknown_order"
    assert engine.pay("bogus", 1_250, "k3").code == "unknown_order"


def test_cancel_releases_stock_and_limit(engine: Engine) -> None:
    [placed] = engine.place_orders([order("ann", ("tea", 2))])
    assert placed.order_id is not None
    assert engine.cancel([placed.order_id, "ord_000000042"]) == [None, "unknown_order"]
    assert engine.cancel([placed.order_id]) == ["illegal_transition"]
    [again] = engine.place_orders([order("ann", ("tea", 2))])
    assert again.accepted
    assert engine.stock(["tea"])[0].reserved == 2


def test_expiry_releases_unpaid_reservations(engine: Engine, clock: ManualClock, sink: ListSink) -> None:
    placed = engine.place_orders([order("ann", ("cup", 1)), order("bob", ("cup", 2))])
    assert placed[0].order_id and placed[1].order_id
    engine.pay(placed[0].order_id, 1_250, "k")
    clock.advance(timedelta(seconds=59))
    assert engine.expire() == 0
    clock.advance(timedelta(seconds=1))
    assert engine.pay(placed[1].order_id, 2_500, "late").code == "reservation_expired"
    assert engine.expire() == 1
    assert engine.order(placed[1].order_id).status == "expired"  # type: ignore[union-attr]
    assert [(s.reserved, s.sold, s.available) for s in engine.stock(["cup"])] == [(0, 1, 2)]
    assert type(sink.events[-1]).__name__ == "OrderExpired"


def test_receive_adds_units(engine: Engine) -> None:
    engine.receive("cup", 7)
    assert engine.stock(["cup"])[0].on_hand == 10
