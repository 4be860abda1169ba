"""A hypothesis state machine drives random shop traffic through the core and checks the rules after every step.

Rules checked after each step, on the store itself (memory and SQLite):
``sold + reserved <= on_hand`` and the counts match the reservations; the ledger sums to zero and
the customer account matches captures minus refunds; at most one capture per intent and per order;
flash-sale purchase limits hold and the quota counters match the orders. A small reference model
predicts every outcome (success or the exact typed error).
"""

from __future__ import annotations

import tempfile
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from wujie.bootstrap import MemoryUnitOfWork, SqliteUnitOfWork, bootstrap
from wujie.catalog.commands import AddBrand, AddCategory, ListProduct, ScheduleFlashSale, SkuSpec
from wujie.inventory.commands import AddLocation, ReceiveStock
from wujie.inventory.errors import InsufficientStock
from wujie.inventory.model import ReservationState
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
from wujie.orders.errors import IllegalTransition, PurchaseLimitExceeded, ReservationExpired
from wujie.orders.model import COUNTS_AGAINST_LIMIT, OrderStatus
from wujie.payments.errors import IdempotencyConflict
from wujie.payments.model import Account
from wujie.shared.clock import ManualClock
from wujie.shared.errors import WujieError
from wujie.shared.money import Money

S = OrderStatus
TTL = timedelta(minutes=15)
SKUS = {"s0": 1000, "s1": 2550, "s2": 399, "s3": 12000}  # list prices in fen
SALES = {"s0": ("fs0", 500, 2), "s1": ("fs1", 1999, 3)}  # sku -> (sale id, price, limit per customer)
SALE_END = timedelta(minutes=40)
STOCK = {("s0", "north"): 7, ("s0", "east"): 5, ("s1", "north"): 12, ("s2", "east"): 4, ("s3", "north"): 2}
CUSTOMERS = ["c0", "c1", "c2", "c3", "c4"]
FEE_BP = 250


def cny(minor: int) -> Money:
    return Money(minor, "CNY")


class ShopMachine(RuleBasedStateMachine):
    """Random traffic against one unit of work; subclasses choose the backend."""

    def __init__(self) -> None:
        super().__init__()
        self.clock = ManualClock()
        self.uow = self.make_uow()
        self.bus = bootstrap(self.uow, self.clock, reservation_ttl=TTL)
        self._seed()
        self.orders: dict[str, dict[str, object]] = {}
        self.available = {sku: sum(q for (s, _), q in STOCK.items() if s == sku) for sku in SKUS}
        self.quota: Counter[tuple[str, str]] = Counter()
        self.keys: dict[str, tuple[str, int]] = {}  # idempotency key -> (order, amount)
        self.captured = 0
        self.refunded = 0

    def make_uow(self) -> MemoryUnitOfWork | SqliteUnitOfWork:
        return MemoryUnitOfWork(fee_bp=FEE_BP)

    def _seed(self) -> None:
        handle = self.bus.handle
        handle(AddBrand("b", "Brand", heritage=True))
        handle(AddCategory("c", "Category"))
        for sku, price in SKUS.items():
            handle(ListProduct(f"p-{sku}", sku, "b", "c", (SkuSpec(sku, sku, cny(price), 100, 10, 10, 10),)))
        for sku, (sale, price, limit) in SALES.items():
            handle(ScheduleFlashSale(sale, sku, self.clock.now(), self.clock.now() + SALE_END, cny(price), limit))
        handle(AddLocation("north", "N", "warehouse", "n", 40.0, 116.0))
        handle(AddLocation("east", "E", "store", "e", 31.0, 121.0))
        for (sku, location), quantity in STOCK.items():
            handle(ReceiveStock(sku, location, quantity))
        self.start = self.clock.now()

    # --- reference helpers -------------------------------------------------------------------
    def _price(self, sku: str) -> tuple[int, str | None]:
        if sku in SALES and self.clock.now() < self.start + SALE_END:
            return SALES[sku][1], SALES[sku][0]
        return SKUS[sku], None

    def _pick(self, index: int, aim: tuple[OrderStatus, ...] = ()) -> str | None:
        """Pick an order: among those in an ``aim`` status when there are any, else among all."""
        eligible = sorted(o for o, ref in self.orders.items() if ref["status"] in aim) or sorted(self.orders)
        return eligible[index % len(eligible)] if eligible else None

    def _expect(self, error: type[WujieError] | None, command: object) -> object:
        event(f"{type(command).__name__}: {'ok' if error is None else error.__name__}")
        if error is None:
            return self.bus.handle(command)  # type: ignore[arg-type]
        with pytest.raises(error):
            self.bus.handle(command)  # type: ignore[arg-type]
        return None

    # --- rules -------------------------------------------------------------------------------
    @initialize(
        opening=st.lists(
            st.tuples(
                st.sampled_from(CUSTOMERS),
                st.dictionaries(st.sampled_from(sorted(SKUS)), st.integers(1, 3), min_size=1, max_size=2),
            ),
            min_size=2,
            max_size=5,
        )
    )
    def opening_rush(self, opening: list[tuple[str, dict[str, int]]]) -> None:
        """Every run starts with a few orders, some paid, so later rules find orders in every state."""
        for n, (customer, lines) in enumerate(opening):
            self.place(customer, lines, None)
            if n % 2 == 0:
                self.pay(n, "new", aim=True)

    @rule(
        customer=st.sampled_from(CUSTOMERS),
        lines=st.dictionaries(st.sampled_from(sorted(SKUS)), st.integers(1, 4), min_size=1, max_size=3),
        region=st.sampled_from([None, "n", "e"]),
    )
    def place(self, customer: str, lines: dict[str, int], region: str | None) -> None:
        order_id = f"o{len(self.orders) + 1:03d}"
        priced = {sku: self._price(sku) for sku in lines}
        error: type[WujieError] | None = None
        for sku, quantity in lines.items():
            sale = priced[sku][1]
            if sale is not None and self.quota[(sale, customer)] + quantity > SALES[sku][2]:
                error = PurchaseLimitExceeded
                break
        if error is None and any(self.available[sku] < q for sku, q in lines.items()):
            error = InsufficientStock
        self._expect(error, PlaceOrder(order_id, customer, tuple(LineRequest(s, q) for s, q in lines.items()), region))
        if error is not None:
            return
        for sku, quantity in lines.items():
            self.available[sku] -= quantity
            if priced[sku][1] is not None:
                self.quota[(priced[sku][1], customer)] += quantity
        total = sum(priced[sku][0] * q for sku, q in lines.items())
        self.orders[order_id] = {
            "status": S.RESERVED,
            "customer": customer,
            "lines": {sku: (q, priced[sku][1]) for sku, q in lines.items()},
            "total": total,
            "expires": self.clock.now() + TTL,
            "shipped": False,
        }

    @rule(index=st.integers(0, 999), key_choice=st.sampled_from(["new", "same", "other-amount"]), aim=st.booleans())
    def pay(self, index: int, key_choice: str, aim: bool) -> None:
        order_id = self._pick(index, (S.RESERVED,) if aim else ())
        if order_id is None:
            return
        ref = self.orders[order_id]
        total = int(ref["total"])  # type: ignore[call-overload]
        earlier = [k for k, (o, _) in self.keys.items() if o == order_id]
        if key_choice != "new" and earlier:
            key = earlier[0]
            amount = self.keys[key][1] if key_choice == "same" else self.keys[key][1] + 1
            self._expect(None if key_choice == "same" else IdempotencyConflict, PayOrder(order_id, key, cny(amount)))
            return
        key = f"k{len(self.keys) + 1}"
        if ref["status"] is not S.RESERVED:
            error: type[WujieError] | None = IllegalTransition
        elif self.clock.now() >= ref["expires"]:  # type: ignore[operator]
            error = ReservationExpired
        else:
            error = None
        self._expect(error, PayOrder(order_id, key, cny(total)))
        if error is None:
            self.keys[key] = (order_id, total)
            ref["status"] = S.PAID
            self.captured += total

    @rule(index=st.integers(0, 999), aim=st.booleans())
    def cancel(self, index: int, aim: bool) -> None:
        order_id = self._pick(index, (S.RESERVED,) if aim else ())
        if order_id is None:
            return
        ref = self.orders[order_id]
        ok = ref["status"] in (S.CREATED, S.RESERVED)
        self._expect(None if ok else IllegalTransition, CancelOrder(order_id))
        if ok:
            self._give_back(ref)
            ref["status"] = S.CANCELLED

    @rule(index=st.integers(0, 999), aim=st.booleans())
    def refund(self, index: int, aim: bool) -> None:
        order_id = self._pick(index, (S.PAID, S.ALLOCATED, S.DELIVERED) if aim else ())
        if order_id is None:
            return
        ref = self.orders[order_id]
        ok = ref["status"] in (S.PAID, S.ALLOCATED, S.DELIVERED)
        self._expect(None if ok else IllegalTransition, RefundOrder(order_id))
        if ok:
            if not ref["shipped"]:
                for sku, (quantity, _) in ref["lines"].items():  # type: ignore[attr-defined]
                    self.available[sku] += quantity
            ref["status"] = S.REFUNDED
            self.refunded += int(ref["total"])  # type: ignore[call-overload]

    @rule(index=st.integers(0, 999), step=st.sampled_from(["allocate", "ship", "deliver"]), aim=st.booleans())
    def fulfil(self, index: int, step: str, aim: bool) -> None:
        before, after, make = {
            "allocate": (S.PAID, S.ALLOCATED, AllocateOrder),
            "ship": (S.ALLOCATED, S.SHIPPED, ShipOrder),
            "deliver": (S.SHIPPED, S.DELIVERED, DeliverOrder),
        }[step]
        order_id = self._pick(index, (before,) if aim else ())
        if order_id is None:
            return
        ref = self.orders[order_id]
        command = make(order_id)
        ok = ref["status"] is before
        self._expect(None if ok else IllegalTransition, command)
        if ok:
            ref["status"] = after
            ref["shipped"] = ref["shipped"] or step == "ship"

    @rule(minutes=st.integers(1, 20))
    def tick(self, minutes: int) -> None:
        self.clock.advance(timedelta(minutes=minutes))

    @rule()
    def sweep(self) -> None:
        due = [o for o, r in self.orders.items() if r["status"] is S.RESERVED and r["expires"] <= self.clock.now()]  # type: ignore[operator]
        event(f"ExpireOrders: {min(len(due), 3)}")
        assert self.bus.handle(ExpireOrders()) == len(due)
        for order_id in due:
            self._give_back(self.orders[order_id])
            self.orders[order_id]["status"] = S.EXPIRED

    def _give_back(self, ref: dict[str, object]) -> None:
        for sku, (quantity, sale) in ref["lines"].items():  # type: ignore[attr-defined]
            self.available[sku] += quantity
            if sale is not None:
                self.quota[(sale, ref["customer"])] -= quantity

    # --- invariants --------------------------------------------------------------------------
    @invariant()
    def stock_rule_and_counts_match_reservations(self) -> None:
        with self.uow:
            for sku in SKUS:
                items = self.uow.stock.for_sku(sku)
                for item in items:
                    assert item.reserved >= 0 and item.sold >= 0 and item.sold + item.reserved <= item.on_hand
                assert sum(item.available for item in items) == self.available[sku]
            held: Counter[str] = Counter()
            sold: Counter[str] = Counter()
            for order_id, ref in self.orders.items():
                order = self.uow.orders.get(order_id)
                assert order is not None and order.status is ref["status"]
                for r in self.uow.reservations.for_order(order_id):
                    if r.state is ReservationState.HELD:
                        held[r.sku] += r.quantity
                    elif r.state is ReservationState.COMMITTED:
                        sold[r.sku] += r.quantity
            for sku in SKUS:
                items = self.uow.stock.for_sku(sku)
                assert sum(i.reserved for i in items) == held[sku]
                assert sum(i.sold for i in items) == sold[sku]

    @invariant()
    def ledger_sums_to_zero_and_matches_captures(self) -> None:
        with self.uow:
            balances = self.uow.ledger.balances()
            entries = self.uow.ledger.entries()
        assert sum(m.minor for m in balances.values()) == 0
        customer = balances.get((Account.CUSTOMER, "CNY"), cny(0))
        assert customer == cny(self.refunded - self.captured)
        captures = Counter(e.payment_id for e in entries if e.kind == "capture")
        assert all(n == 1 for n in captures.values())
        assert len(captures) == len(self.keys)

    @invariant()
    def purchase_limits_hold(self) -> None:
        counted: Counter[tuple[str, str]] = Counter()
        for ref in self.orders.values():
            if ref["status"] in COUNTS_AGAINST_LIMIT:
                for quantity, sale in ref["lines"].values():  # type: ignore[attr-defined]
                    if sale is not None:
                        counted[(sale, ref["customer"])] += quantity
        limits = {sale: limit for sale, _, limit in SALES.values()}
        with self.uow:
            for (sale, customer), used in counted.items():
                assert used <= limits[sale]
                assert self.uow.quotas.get(sale, customer).used == used  # type: ignore[arg-type]
        assert +counted == +self.quota


class SqliteShopMachine(ShopMachine):
    """The same machine on a SQLite file."""

    def make_uow(self) -> MemoryUnitOfWork | SqliteUnitOfWork:
        self._dir = tempfile.TemporaryDirectory()
        return SqliteUnitOfWork(Path(self._dir.name) / "core.db", fee_bp=FEE_BP)

    def teardown(self) -> None:
        assert isinstance(self.uow, SqliteUnitOfWork)
        self.uow.close()
        self._dir.cleanup()


_FAST = settings(max_examples=60, stateful_step_count=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])

TestMemoryShop = ShopMachine.TestCase
TestMemoryShop.settings = _FAST
TestSqliteShop = SqliteShopMachine.TestCase
TestSqliteShop.settings = settings(_FAST, max_examples=20)
