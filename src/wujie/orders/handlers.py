"""Order use cases: one function per command, one unit of work, one commit.

Each handler reaches the catalog, inventory and payments only through the ports of
:mod:`wujie.orders.ports`, bound to the same transaction, so an order and its stock, quotas
and money change together or not at all.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from wujie.orders.commands import (
    AllocateOrder,
    CancelOrder,
    DeliverOrder,
    ExpireOrders,
    PayOrder,
    PlaceOrder,
    RefundOrder,
    ShipOrder,
)
from wujie.orders.errors import DuplicateOrder, IllegalTransition, ReservationExpired, UnknownOrder
from wujie.orders.model import Order, OrderLine, OrderStatus
from wujie.orders.ports import OrdersUnitOfWork, Quote
from wujie.shared.clock import Clock
from wujie.shared.ids import OrderId, PaymentId

#: How many due orders one sweep transaction handles.
SWEEP_BATCH = 200


def place_order(cmd: PlaceOrder, uow: OrdersUnitOfWork, clock: Clock, ttl: timedelta) -> OrderId:
    """Price the lines, claim flash-sale quotas, reserve stock and create the order."""
    now = clock.now()
    with uow:
        if uow.orders.get(cmd.order_id) is not None:
            raise DuplicateOrder(cmd.order_id)
        quotes = [uow.prices.offer(req.sku, now) for req in cmd.lines]
        lines = tuple(
            OrderLine(req.sku, req.quantity, quote.unit_price, quote.flash_sale)
            for req, quote in zip(cmd.lines, quotes, strict=True)
        )
        order = Order.place(cmd.order_id, cmd.customer_id, cmd.region, lines, now)
        uow.orders.add(order)
        _claim_quotas(uow, order, quotes)
        for line in lines:
            uow.warehouse.hold(order.id, line.sku, line.quantity, now + ttl, cmd.region, at=now)
        order.reserve(now + ttl, now)
        uow.orders.save(order)
        uow.commit()
    return order.id


def pay_order(cmd: PayOrder, uow: OrdersUnitOfWork, clock: Clock) -> PaymentId:
    """Capture the order's payment; a retry with the same key replays the first result."""
    now = clock.now()
    with uow:
        order = _get(uow, cmd.order_id)
        receipt = uow.till.capture(cmd.idempotency_key, order.id, order.customer_id, cmd.amount, now)
        if not receipt.replayed:
            if order.is_due(now) and order.expires_at is not None:
                raise ReservationExpired(order.id, order.expires_at.isoformat())
            order.pay(receipt.payment_id, cmd.amount, now)
            uow.orders.save(order)
        uow.commit()
    return receipt.payment_id


def allocate_order(cmd: AllocateOrder, uow: OrdersUnitOfWork, clock: Clock) -> None:
    """Assign the order to the locations that will ship it (by default, where its stock is held)."""
    with uow:
        order = _get(uow, cmd.order_id)
        order.allocate(cmd.locations or uow.warehouse.locations(order.id), cmd.local, clock.now())
        uow.orders.save(order)
        uow.commit()


def ship_order(cmd: ShipOrder, uow: OrdersUnitOfWork, clock: Clock) -> None:
    """Ship the order: its held units become sold."""
    with uow:
        order = _get(uow, cmd.order_id)
        order.ship(clock.now())
        uow.warehouse.commit(order.id, clock.now())
        uow.orders.save(order)
        uow.commit()


def deliver_order(cmd: DeliverOrder, uow: OrdersUnitOfWork, clock: Clock) -> None:
    """Mark the order delivered."""
    with uow:
        order = _get(uow, cmd.order_id)
        order.deliver(clock.now())
        uow.orders.save(order)
        uow.commit()


def cancel_order(cmd: CancelOrder, uow: OrdersUnitOfWork, clock: Clock) -> None:
    """Cancel an unpaid order, releasing its stock and quotas."""
    with uow:
        order = _get(uow, cmd.order_id)
        order.cancel(cmd.reason, clock.now())
        uow.warehouse.release(order.id, "cancelled", clock.now())
        _give_back_quotas(uow, order)
        uow.orders.save(order)
        uow.commit()


def refund_order(cmd: RefundOrder, uow: OrdersUnitOfWork, clock: Clock) -> None:
    """Refund a paid order; units not yet shipped go back on the shelf."""
    with uow:
        order = _get(uow, cmd.order_id)
        if order.payment_id is None or not order.can(OrderStatus.REFUNDED):
            raise IllegalTransition(order.id, order.status, OrderStatus.REFUNDED)
        amount = uow.till.refund(order.payment_id, clock.now())
        order.refund(amount, clock.now())
        uow.warehouse.release(order.id, "refunded", clock.now())
        uow.orders.save(order)
        uow.commit()


def expire_orders(cmd: ExpireOrders, uow: OrdersUnitOfWork, clock: Clock) -> int:
    """Expire every unpaid order whose reservation ran out; return how many."""
    expired = 0
    while True:
        with uow:
            now = clock.now()
            due = uow.orders.due(now, SWEEP_BATCH)
            for order in due:
                _expire(uow, order, now)
            uow.commit()
        expired += len(due)
        if len(due) < SWEEP_BATCH:
            return expired


def _expire(uow: OrdersUnitOfWork, order: Order, now: datetime) -> None:
    order.expire(now)
    uow.warehouse.release(order.id, "expired", now)
    _give_back_quotas(uow, order)
    uow.orders.save(order)


def _get(uow: OrdersUnitOfWork, order_id: OrderId) -> Order:
    order = uow.orders.get(order_id)
    if order is None:
        raise UnknownOrder(order_id)
    return order


def _claim_quotas(uow: OrdersUnitOfWork, order: Order, quotes: list[Quote]) -> None:
    for line, quote in zip(order.lines, quotes, strict=True):
        if quote.flash_sale is not None and quote.limit_per_customer is not None:
            quota = uow.quotas.get(quote.flash_sale, order.customer_id)
            quota.claim(line.quantity, quote.limit_per_customer)
            uow.quotas.save(quota)


def _give_back_quotas(uow: OrdersUnitOfWork, order: Order) -> None:
    for line in order.lines:
        if line.flash_sale is not None:
            quota = uow.quotas.get(line.flash_sale, order.customer_id)
            quota.give_back(line.quantity)
            uow.quotas.save(quota)
