"""Orders on the in-memory core: the state machine, flows across areas, and failures that leave no trace."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest

from wujie.catalog.errors import UnknownSku
from wujie.inventory.errors import InsufficientStock
from wujie.inventory.events import ReservationReleased, StockDepleted, StockReserved
from wujie.orders.commands import (
    AllocateOrder,
    CancelOrder,
    DeliverOrder,
    ExpireOrders,
    LineRequest,
    PayOrder,
    PlaceOrder,
    RefundOrder,
    ShipOrder,
)
from wujie.orders.errors import (
    AmountMismatch,
    DuplicateOrder,
    IllegalTransition,
    InvalidOrder,
    OrderErrorCode,
    PurchaseLimitExceeded,
    ReservationExpired,
    UnknownOrder,
)
from wujie.orders.events import OrderExpired, OrderPaid, OrderPlaced, OrderReserved
from wujie.orders.model import TRANSITIONS, Order, OrderLine, OrderStatus
from wujie.payments.model import Account
from wujie.shared.money import Money

if TYPE_CHECKING:
    from conftest import Shop


def cny(minor: int) -> Money:
    return Money(minor, "CNY")


def _counts(shop: Shop, sku: str) -> dict[str, tuple[int, int, int]]:
    with shop.uow:
        return {item.location: (item.on_hand, item.reserved, item.sold) for item in shop.uow.stock.for_sku(sku)}


def _status(shop: Shop, order_id: str) -> OrderStatus:
    with shop.uow:
        order = shop.uow.orders.get(order_id)
        assert order is not None
        return order.status


def _place(shop: Shop, order_id: str, *lines: tuple[str, int], customer: str = "c1", region: str | None = None) -> None:
    shop.bus.handle(PlaceOrder(order_id, customer, tuple(LineRequest(s, q) for s, q in lines), region))


@pytest.mark.parametrize("current", list(OrderStatus))
@pytest.mark.parametrize("wanted", list(OrderStatus))
def test_every_transition_is_allowed_exactly_when_the_table_says(current: OrderStatus, wanted: OrderStatus) -> None:
    order = Order("o", "c", None, (OrderLine("s", 1, cny(100)),), placed_at=_now(), status=current)
    moves = {
        OrderStatus.RESERVED: lambda: order.reserve(_now(), _now()),
        OrderStatus.PAID: lambda: order.pay("p", cny(100), _now()),
        OrderStatus.ALLOCATED: lambda: order.allocate(("w",), False, _now()),
        OrderStatus.SHIPPED: lambda: order.ship(_now()),
        OrderStatus.DELIVERED: lambda: order.deliver(_now()),
        OrderStatus.CANCELLED: lambda: order.cancel("x", _now()),
        OrderStatus.EXPIRED: lambda: order.expire(_now()),
        OrderStatus.REFUNDED: lambda: order.refund(cny(100), _now()),
    }
    if wanted is OrderStatus.CREATED:
        assert wanted not in TRANSITIONS[current]
        return
    if wanted in TRANSITIONS[current]:
        moves[wanted]()
        assert order.status is wanted
    else:
        with pytest.raises(IllegalTransition) as caught:
            moves[wanted]()
        assert caught.value.code == OrderErrorCode.ILLEGAL_TRANSITION
        assert order.status is current
        assert order.events == []


def _now() -> datetime:
    return datetime(2026, 11, 11, tzinfo=UTC)


def test_an_order_prices_at_the_flash_sale_reserves_near_the_customer_and_records_events(shop: Shop) -> None:
    _place(shop, "o1", ("duck", 2), ("tea", 1), region="east")
    with shop.uow:
        order = shop.uow.orders.get("o1")
        assert order is not None
        assert order.status is OrderStatus.RESERVED
        assert order.total == cny(2 * 9900 + 3500)
        assert [line.flash_sale for line in order.lines] == ["fs-duck", None]
        assert order.expires_at == shop.clock.now() + timedelta(minutes=15)
    assert _counts(shop, "duck") == {"wh-east": (2, 2, 0), "wh-north": (3, 0, 0)}
    placed = shop.events.index(next(e for e in shop.events if isinstance(e, OrderPlaced)))
    kinds = [type(e) for e in shop.events[placed:]]
    assert kinds == [OrderPlaced, OrderReserved, StockReserved, StockDepleted, StockReserved]
    depleted = shop.events[placed + 3]
    assert isinstance(depleted, StockDepleted)
    assert (depleted.sku, depleted.location) == ("duck", "wh-east")


def test_after_the_flash_sale_the_list_price_applies(shop: Shop) -> None:
    shop.clock.advance(timedelta(hours=1))
    _place(shop, "o1", ("duck", 3))
    with shop.uow:
        order = shop.uow.orders.get("o1")
        assert order is not None
        assert order.total == cny(3 * 19900)
        assert order.lines[0].flash_sale is None


def test_an_order_too_big_for_one_warehouse_is_split(shop: Shop) -> None:
    shop.clock.advance(timedelta(hours=2))
    _place(shop, "o1", ("duck", 4), region="east")
    assert _counts(shop, "duck") == {"wh-east": (2, 2, 0), "wh-north": (3, 2, 0)}


def test_pay_allocate_ship_deliver_then_refund(shop: Shop) -> None:
    _place(shop, "o1", ("duck", 1))
    payment = shop.bus.handle(PayOrder("o1", "key-1", cny(9900)))
    shop.bus.handle(AllocateOrder("o1"))
    shop.bus.handle(ShipOrder("o1"))
    assert _counts(shop, "duck") == {"wh-east": (2, 0, 0), "wh-north": (3, 0, 1)}
    shop.bus.handle(DeliverOrder("o1"))
    shop.bus.handle(RefundOrder("o1"))
    assert _status(shop, "o1") is OrderStatus.REFUNDED
    with shop.uow:
        balances = shop.uow.ledger.balances()
        intent = shop.uow.payments.get(payment)
        assert intent is not None
    fee = cny(9900).percent(200)
    assert balances[(Account.MERCHANT, "CNY")] == cny(9900) - fee
    assert balances[(Account.REFUNDS, "CNY")] == -(cny(9900) - fee)
    assert balances[(Account.CUSTOMER, "CNY")] == cny(0)
    assert balances[(Account.PLATFORM_FEE, "CNY")] == cny(0)


def test_a_retry_with_the_same_key_replays_and_captures_once(shop: Shop) -> None:
    _place(shop, "o1", ("tea", 2))
    first = shop.bus.handle(PayOrder("o1", "key-1", cny(7000)))
    again = shop.bus.handle(PayOrder("o1", "key-1", cny(7000)))
    assert first == again
    assert sum(isinstance(e, OrderPaid) for e in shop.events) == 1
    with shop.uow:
        assert shop.uow.ledger.balances()[(Account.CUSTOMER, "CNY")] == cny(-7000)


def test_a_second_key_cannot_pay_a_paid_order_and_moves_no_money(shop: Shop) -> None:
    _place(shop, "o1", ("tea", 2))
    shop.bus.handle(PayOrder("o1", "key-1", cny(7000)))
    with pytest.raises(IllegalTransition):
        shop.bus.handle(PayOrder("o1", "key-2", cny(7000)))
    with shop.uow:
        assert shop.uow.payments.by_key("key-2") is None
        assert shop.uow.ledger.balances()[(Account.CUSTOMER, "CNY")] == cny(-7000)


def test_a_wrong_amount_is_refused_and_nothing_is_captured(shop: Shop) -> None:
    _place(shop, "o1", ("tea", 2))
    with pytest.raises(AmountMismatch):
        shop.bus.handle(PayOrder("o1", "key-1", cny(6999)))
    with shop.uow:
        assert shop.uow.payments.by_key("key-1") is None
        assert shop.uow.ledger.balances() == {}
    assert _status(shop, "o1") is OrderStatus.RESERVED


def test_purchase_limit_counts_across_orders_and_is_given_back_on_cancel(shop: Shop) -> None:
    _place(shop, "o1", ("duck", 2))
    with pytest.raises(PurchaseLimitExceeded) as caught:
        _place(shop, "o2", ("duck", 1))
    assert caught.value.context == {"sale_id": "fs-duck", "customer_id": "c1", "requested": 1, "used": 2, "limit": 2}
    _place(shop, "o3", ("duck", 1), customer="c2")
    shop.bus.handle(CancelOrder("o1"))
    _place(shop, "o2", ("duck", 2))
    # o3 went to the fuller east DC (2 free vs 1); o2 to the north once o1's units came back
    assert _counts(shop, "duck") == {"wh-east": (2, 1, 0), "wh-north": (3, 2, 0)}


def test_insufficient_stock_on_a_later_line_leaves_nothing_behind(shop: Shop) -> None:
    before = _counts(shop, "duck")
    with pytest.raises(InsufficientStock):
        _place(shop, "o1", ("duck", 2), ("tea", 11))
    assert _counts(shop, "duck") == before
    with shop.uow:
        assert shop.uow.orders.get("o1") is None
        assert shop.uow.quotas.get("fs-duck", "c1").used == 0
        assert shop.uow.reservations.for_order("o1") == []
    assert not any(isinstance(e, StockReserved) for e in shop.events)


@pytest.mark.parametrize(
    ("lines", "error"),
    [
        ((("nope", 1),), UnknownSku),
        ((("tea", 0),), InvalidOrder),
        ((("tea", -3),), InvalidOrder),
        ((), InvalidOrder),
        ((("tea", 1), ("tea", 1)), InvalidOrder),
    ],
)
def test_bad_orders_raise_typed_errors_and_write_nothing(
    shop: Shop, lines: tuple[tuple[str, int], ...], error: type[Exception]
) -> None:
    with pytest.raises(error):
        _place(shop, "o1", *lines)
    with shop.uow:
        assert shop.uow.orders.get("o1") is None
    assert _counts(shop, "tea") == {"wh-north": (10, 0, 0)}


def test_duplicate_and_unknown_orders(shop: Shop) -> None:
    _place(shop, "o1", ("tea", 1))
    with pytest.raises(DuplicateOrder):
        _place(shop, "o1", ("tea", 1))
    with pytest.raises(UnknownOrder):
        shop.bus.handle(CancelOrder("o9"))
    assert _counts(shop, "tea") == {"wh-north": (10, 1, 0)}


def test_the_sweep_expires_unpaid_orders_and_gives_everything_back(shop: Shop) -> None:
    _place(shop, "o1", ("duck", 2))
    _place(shop, "o2", ("tea", 1), customer="c2")
    shop.bus.handle(PayOrder("o2", "k2", cny(3500)))
    shop.clock.advance(timedelta(minutes=15))
    with pytest.raises(ReservationExpired):
        shop.bus.handle(PayOrder("o1", "k1", cny(19800)))
    assert shop.bus.handle(ExpireOrders()) == 1
    assert _status(shop, "o1") is OrderStatus.EXPIRED
    assert _status(shop, "o2") is OrderStatus.PAID
    assert _counts(shop, "duck") == {"wh-east": (2, 0, 0), "wh-north": (3, 0, 0)}
    released = [e for e in shop.events if isinstance(e, ReservationReleased)]
    assert {(e.order_id, e.reason) for e in released} == {("o1", "expired")}
    assert sum(isinstance(e, OrderExpired) for e in shop.events) == 1
    with shop.uow:
        assert shop.uow.quotas.get("fs-duck", "c1").used == 0
    assert shop.bus.handle(ExpireOrders()) == 0


def test_refund_before_shipping_puts_the_units_back(shop: Shop) -> None:
    _place(shop, "o1", ("tea", 3))
    shop.bus.handle(PayOrder("o1", "k1", cny(10500)))
    shop.bus.handle(RefundOrder("o1"))
    assert _counts(shop, "tea") == {"wh-north": (10, 0, 0)}
    with pytest.raises(IllegalTransition):
        shop.bus.handle(RefundOrder("o1"))


def test_cancel_after_payment_is_illegal(shop: Shop) -> None:
    _place(shop, "o1", ("tea", 1))
    shop.bus.handle(PayOrder("o1", "k1", cny(3500)))
    with pytest.raises(IllegalTransition):
        shop.bus.handle(CancelOrder("o1"))
    assert _counts(shop, "tea") == {"wh-north": (10, 1, 0)}


def test_mixed_currencies_in_one_order_are_refused() -> None:
    with pytest.raises(InvalidOrder):
        Order("o", "c", None, (OrderLine("a", 1, cny(1)), OrderLine("b", 1, Money(1, "USD"))), _now())


def test_the_inventory_sweep_and_the_order_sweep_agree(shop: Shop) -> None:
    from wujie.inventory.commands import ExpireReservations

    _place(shop, "o1", ("duck", 2))
    shop.clock.advance(timedelta(minutes=15))
    assert shop.bus.handle(ExpireReservations()) == 1  # stock comes back first
    assert _counts(shop, "duck") == {"wh-east": (2, 0, 0), "wh-north": (3, 0, 0)}
    with pytest.raises(ReservationExpired):  # the order cannot be paid without its hold
        shop.bus.handle(PayOrder("o1", "k1", cny(19800)))
    assert shop.bus.handle(ExpireOrders()) == 1
    assert _status(shop, "o1") is OrderStatus.EXPIRED
    with shop.uow:
        assert shop.uow.quotas.get("fs-duck", "c1").used == 0
    assert _counts(shop, "duck") == {"wh-east": (2, 0, 0), "wh-north": (3, 0, 0)}
