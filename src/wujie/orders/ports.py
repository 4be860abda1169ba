"""Ports of the orders area: its repositories, and what it needs from catalog, inventory and payments.

The orders area owns these Protocols; :mod:`wujie.bootstrap` plugs in the other areas' services
(catalog repository, inventory ``StockDesk``, payments ``Till``), which satisfy them structurally.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from wujie.orders.model import Order, PurchaseQuota
from wujie.shared.ids import CustomerId, FlashSaleId, IdempotencyKey, LocationId, OrderId, PaymentId, RegionId, SkuId
from wujie.shared.money import Money
from wujie.shared.unit_of_work import UnitOfWork


class OrderRepository(Protocol):
    """Orders."""

    def add(self, order: Order) -> None:
        """Store a new order."""
        ...

    def get(self, order_id: OrderId) -> Order | None:
        """Return the order or ``None``."""
        ...

    def save(self, order: Order) -> None:
        """Store the order's new state."""
        ...

    def due(self, now: datetime, limit: int) -> list[Order]:
        """Return up to ``limit`` unpaid orders whose reservation ran out, oldest first."""
        ...


class QuotaRepository(Protocol):
    """Flash-sale purchase quotas per customer."""

    def get(self, sale_id: FlashSaleId, customer_id: CustomerId) -> PurchaseQuota:
        """Return the quota (a fresh one at zero if none exists)."""
        ...

    def save(self, quota: PurchaseQuota) -> None:
        """Store the quota's new count."""
        ...


class Quote(Protocol):
    """A unit price, and the flash sale behind it."""

    @property
    def unit_price(self) -> Money:
        """Price of one unit."""
        ...

    @property
    def flash_sale(self) -> FlashSaleId | None:
        """The flash sale giving this price, if any."""
        ...

    @property
    def limit_per_customer(self) -> int | None:
        """The sale's per-customer limit, if any."""
        ...


class PriceBook(Protocol):
    """Prices SKUs (the catalog)."""

    def offer(self, sku: SkuId, at: datetime) -> Quote:
        """Return the price of ``sku`` at ``at``; raise an unknown-SKU error."""
        ...


class Hold(Protocol):
    """Units held at one location."""

    @property
    def location(self) -> LocationId:
        """Where."""
        ...

    @property
    def quantity(self) -> int:
        """How many units."""
        ...


class StockKeeper(Protocol):
    """Holds, releases and ships stock for orders (inventory)."""

    def hold(
        self,
        order_id: OrderId,
        sku: SkuId,
        quantity: int,
        expires_at: datetime,
        region: RegionId | None,
        *,
        at: datetime,
    ) -> Sequence[Hold]:
        """Reserve units; raise an insufficient-stock error."""
        ...

    def release(self, order_id: OrderId, reason: str, at: datetime) -> int:
        """Release the order's held units; return how many."""
        ...

    def commit(self, order_id: OrderId, at: datetime) -> tuple[LocationId, ...]:
        """Turn the order's held units into sold ones; return their locations."""
        ...

    def locations(self, order_id: OrderId) -> tuple[LocationId, ...]:
        """Return the locations holding the order's units."""
        ...


class Receipt(Protocol):
    """The result of a capture request."""

    @property
    def payment_id(self) -> PaymentId:
        """The payment intent."""
        ...

    @property
    def replayed(self) -> bool:
        """Whether the request replayed an earlier one with the same key."""
        ...


class Till(Protocol):
    """Takes and returns money (payments)."""

    def capture(
        self, key: IdempotencyKey, order_id: OrderId, customer_id: CustomerId, amount: Money, at: datetime
    ) -> Receipt:
        """Capture once per key; replay a same-parameter retry; raise a conflict on different ones."""
        ...

    def refund(self, payment_id: PaymentId, at: datetime) -> Money:
        """Refund a captured payment in full; return the amount."""
        ...


class OrdersUnitOfWork(UnitOfWork, Protocol):
    """A transaction over orders and quotas, with the partner services bound to the same transaction."""

    orders: OrderRepository
    quotas: QuotaRepository

    @property
    def prices(self) -> PriceBook:
        """The catalog's prices."""
        ...

    @property
    def warehouse(self) -> StockKeeper:
        """Inventory, in this transaction."""
        ...

    @property
    def till(self) -> Till:
        """Payments, in this transaction."""
        ...
