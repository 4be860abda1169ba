"""The one place where adapters are wired to handlers.

:func:`bootstrap` binds every core handler to a unit of work and a clock and returns the
:class:`~wujie.shared.messagebus.MessageBus`. The two units of work here span all four core
areas in one transaction, so an order, its stock, its quotas and its money change together:

- :class:`MemoryUnitOfWork`: in-process tables (unit tests, the twin);
- :class:`SqliteUnitOfWork`: one SQLite file in WAL mode; ``BEGIN IMMEDIATE`` makes each
  transaction the single writer, and the stock rule is also guarded in SQL (see
  :mod:`wujie.inventory.adapters.sqlite`);
- :class:`PostgresUnitOfWork`: the same statements and guards on PostgreSQL, each transaction
  SERIALIZABLE; a lost race raises :class:`~wujie.shared.errors.RetryableError`.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import timedelta
from functools import partial
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol, Self

import psycopg

from wujie.catalog import commands as catalog_commands
from wujie.catalog import handlers as catalog_handlers
from wujie.catalog.adapters import memory as catalog_memory
from wujie.catalog.adapters import postgres as catalog_pg
from wujie.catalog.adapters import sqlite as catalog_sqlite
from wujie.catalog.ports import CatalogRepository, CatalogUnitOfWork
from wujie.inventory import commands as inventory_commands
from wujie.inventory import handlers as inventory_handlers
from wujie.inventory.adapters import memory as inventory_memory
from wujie.inventory.adapters import postgres as inventory_pg
from wujie.inventory.adapters import sqlite as inventory_sqlite
from wujie.inventory.ports import InventoryUnitOfWork, LocationRepository, ReservationRepository, StockRepository
from wujie.orders import commands as order_commands
from wujie.orders import handlers as order_handlers
from wujie.orders.adapters import memory as order_memory
from wujie.orders.adapters import postgres as orders_pg
from wujie.orders.adapters import sqlite as order_sqlite
from wujie.orders.ports import OrderRepository, OrdersUnitOfWork, QuotaRepository
from wujie.payments import commands as payment_commands
from wujie.payments import handlers as payment_handlers
from wujie.payments.adapters import memory as payment_memory
from wujie.payments.adapters import postgres as payments_pg
from wujie.payments.adapters import sqlite as payment_sqlite
from wujie.payments.ports import LedgerRepository, PaymentRepository, PaymentsUnitOfWork
from wujie.pgdialect import LOST_RACE
from wujie.shared.clock import Clock, SystemClock
from wujie.shared.errors import InvalidInput, RetryableError
from wujie.shared.events import Command, Event
from wujie.shared.messagebus import EventHandler, MessageBus
from wujie.shared.unit_of_work import EventTracker

DEFAULT_TTL = timedelta(minutes=15)
DEFAULT_FEE_BP = 200


class CoreUnitOfWork(CatalogUnitOfWork, InventoryUnitOfWork, OrdersUnitOfWork, PaymentsUnitOfWork, Protocol):
    """A transaction over every core area (what :func:`bootstrap` needs); ``fee_bp`` is the platform fee."""

    fee_bp: int


class _CoreTransaction(ABC):
    """Transaction bookkeeping shared by the units of work; subclasses open, commit and roll back."""

    catalog: CatalogRepository
    locations: LocationRepository
    stock: StockRepository
    reservations: ReservationRepository
    orders: OrderRepository
    quotas: QuotaRepository
    payments: PaymentRepository
    ledger: LedgerRepository

    def __init__(self, fee_bp: int) -> None:
        self.fee_bp = fee_bp
        self._tracker = EventTracker()
        self._lock = threading.Lock()
        self._owner: int | None = None
        self._open = False

    def __enter__(self) -> Self:
        if self._owner == threading.get_ident():
            raise RuntimeError("this unit of work is already open in this thread: transactions do not nest")
        self._lock.acquire()
        try:
            self._begin()
        except BaseException:
            self._lock.release()
            raise
        self._owner = threading.get_ident()
        self._open = True
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        try:
            if self._open:
                self.rollback()
        finally:
            self._owner = None
            self._lock.release()

    def commit(self) -> None:
        """Make the transaction's changes durable and release its events."""
        self._commit()
        self._open = False
        self._tracker.committed()

    def rollback(self) -> None:
        """Discard the transaction's changes and events."""
        self._open = False
        self._tracker.rolled_back()
        self._rollback()

    def collect_new_events(self) -> Iterator[Event]:
        """Yield and forget the events of committed transactions."""
        return self._tracker.collect()

    @property
    def prices(self) -> CatalogRepository:
        """The catalog, pricing orders."""
        return self.catalog

    @property
    def warehouse(self) -> inventory_handlers.StockDesk:
        """Inventory, holding and shipping stock for orders in this transaction."""
        return inventory_handlers.StockDesk(self)

    @property
    def till(self) -> payment_handlers.Till:
        """Payments, capturing and refunding money for orders in this transaction."""
        return payment_handlers.Till(self, self.fee_bp)

    @abstractmethod
    def _begin(self) -> None:
        """Open a transaction (and bind the repositories to it)."""

    @abstractmethod
    def _commit(self) -> None:
        """Make the transaction durable."""

    @abstractmethod
    def _rollback(self) -> None:
        """Undo the transaction."""


class MemoryUnitOfWork(_CoreTransaction):
    """All core repositories in process memory; transactions are serialised by a lock."""

    def __init__(self, fee_bp: int = DEFAULT_FEE_BP) -> None:
        super().__init__(fee_bp)
        cat, inv = catalog_memory.MemoryCatalogTables(), inventory_memory.MemoryInventoryTables()
        ords, pay = order_memory.MemoryOrderTables(), payment_memory.MemoryPaymentTables()
        self._tables = (*cat.tables(), *inv.tables(), *ords.tables(), *pay.tables())
        self.catalog = catalog_memory.MemoryCatalogRepository(cat, self._tracker)
        self.locations = inventory_memory.MemoryLocationRepository(inv)
        self.stock = inventory_memory.MemoryStockRepository(inv, self._tracker)
        self.reservations = inventory_memory.MemoryReservationRepository(inv)
        self.orders = order_memory.MemoryOrderRepository(ords, self._tracker)
        self.quotas = order_memory.MemoryQuotaRepository(ords)
        self.payments = payment_memory.MemoryPaymentRepository(pay, self._tracker)
        self.ledger = payment_memory.MemoryLedgerRepository(pay)

    def _begin(self) -> None:
        for table in self._tables:
            table.rollback()

    def _commit(self) -> None:
        for table in self._tables:
            table.commit()

    def _rollback(self) -> None:
        for table in self._tables:
            table.rollback()


SCHEMA = catalog_sqlite.SCHEMA + inventory_sqlite.SCHEMA + order_sqlite.SCHEMA + payment_sqlite.SCHEMA


def connect_sqlite(path: str | Path, busy_timeout_s: float = 60.0) -> sqlite3.Connection:
    """Open ``path`` in WAL mode (synchronous=NORMAL, foreign keys on) and create the core schema."""
    connection = sqlite3.connect(str(path), timeout=busy_timeout_s, isolation_level=None, check_same_thread=False)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    connection.execute("PRAGMA foreign_keys=ON")
    connection.executescript(SCHEMA)
    return connection


class SqliteUnitOfWork(_CoreTransaction):
    """All core repositories in one SQLite file; each transaction starts with ``BEGIN IMMEDIATE``.

    One instance holds one connection: give each thread or process its own instance.
    """

    def __init__(self, path: str | Path, fee_bp: int = DEFAULT_FEE_BP, busy_timeout_s: float = 60.0) -> None:
        super().__init__(fee_bp)
        self.path = Path(path)
        self.connection = connect_sqlite(path, busy_timeout_s)
        self._repositories()

    def _repositories(self) -> None:
        db, tracker = self.connection, self._tracker
        self.catalog = catalog_sqlite.SqliteCatalogRepository(db, tracker)
        self.locations = inventory_sqlite.SqliteLocationRepository(db)
        self.stock = inventory_sqlite.SqliteStockRepository(db, tracker)
        self.reservations = inventory_sqlite.SqliteReservationRepository(db)
        self.orders = order_sqlite.SqliteOrderRepository(db, tracker)
        self.quotas = order_sqlite.SqliteQuotaRepository(db)
        self.payments = payment_sqlite.SqlitePaymentRepository(db, tracker)
        self.ledger = payment_sqlite.SqliteLedgerRepository(db)

    def _begin(self) -> None:
        try:
            self.connection.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise RetryableError(f"SQLite busy: {exc}", cause=exc) from exc
        self._repositories()

    def _commit(self) -> None:
        try:
            self.connection.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            raise RetryableError(f"SQLite commit failed: {exc}", cause=exc) from exc

    def _rollback(self) -> None:
        if self.connection.in_transaction:
            self.connection.execute("ROLLBACK")

    def close(self) -> None:
        """Close the connection."""
        self.connection.close()


class PostgresUnitOfWork(_CoreTransaction):
    """All core repositories on one PostgreSQL connection, in ``schema``; each transaction is SERIALIZABLE.

    One instance holds one connection: give each thread or process its own instance.
    """

    def __init__(self, url: str, schema: str = "wujie", fee_bp: int = DEFAULT_FEE_BP) -> None:
        if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", schema):
            raise InvalidInput("a schema name is lower-case letters, digits and underscores", schema=schema)
        super().__init__(fee_bp)
        self.schema = schema
        self.connection: psycopg.Connection[Any] = psycopg.connect(url, autocommit=True)
        self.connection.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
        self.connection.execute(f"SET search_path TO {schema}")
        for area in (catalog_pg, inventory_pg, orders_pg, payments_pg):
            area.create_schema(self.connection)
        self._repositories()

    def _repositories(self) -> None:
        db, tracker = self.connection, self._tracker
        self.catalog = catalog_pg.PostgresCatalogRepository(db, tracker)
        self.locations = inventory_pg.PostgresLocationRepository(db)
        self.stock = inventory_pg.PostgresStockRepository(db, tracker)
        self.reservations = inventory_pg.PostgresReservationRepository(db)
        self.orders = orders_pg.PostgresOrderRepository(db, tracker)
        self.quotas = orders_pg.PostgresQuotaRepository(db)
        self.payments = payments_pg.PostgresPaymentRepository(db, tracker)
        self.ledger = payments_pg.PostgresLedgerRepository(db)

    def _begin(self) -> None:
        self.connection.execute("BEGIN ISOLATION LEVEL SERIALIZABLE")
        self._repositories()

    def _commit(self) -> None:
        try:
            self.connection.execute("COMMIT")
        except LOST_RACE as exc:
            raise RetryableError(f"PostgreSQL commit lost a race: {exc}", cause=exc) from exc

    def _rollback(self) -> None:
        self.connection.execute("ROLLBACK")

    def close(self) -> None:
        """Close the connection."""
        self.connection.close()


def bootstrap(
    uow: CoreUnitOfWork | None = None,
    clock: Clock | None = None,
    *,
    reservation_ttl: timedelta = DEFAULT_TTL,
    subscribers: Mapping[type[Event], Sequence[EventHandler]] | None = None,
) -> MessageBus:
    """Wire the core handlers to ``uow`` (default: a new :class:`MemoryUnitOfWork`) and ``clock``.

    Parameters
    ----------
    uow
        The unit of work every handler uses; its ``fee_bp`` is the platform fee.
    clock
        Where handlers read the time (default: the system clock).
    reservation_ttl
        How long an unpaid order holds its stock.
    subscribers
        Event handlers to run after each commit (projections, publishers), by event type.

    Returns
    -------
    MessageBus
        ``bus.handle(command)`` runs a use case and returns its result.
    """
    unit: CoreUnitOfWork = uow if uow is not None else MemoryUnitOfWork()
    now: Clock = clock if clock is not None else SystemClock()
    return MessageBus(
        sources=[unit],
        command_handlers=_command_handlers(unit, now, reservation_ttl),
        event_handlers=dict(subscribers or {}),
    )


def _command_handlers(uow: CoreUnitOfWork, clock: Clock, ttl: timedelta) -> dict[type[Command], Callable[[Any], Any]]:
    cat, inv, ords, pay = catalog_handlers, inventory_handlers, order_handlers, payment_handlers
    return {
        catalog_commands.AddBrand: partial(cat.add_brand, uow=uow),
        catalog_commands.AddCategory: partial(cat.add_category, uow=uow),
        catalog_commands.ListProduct: partial(cat.list_product, uow=uow, clock=clock),
        catalog_commands.ScheduleFlashSale: partial(cat.schedule_flash_sale, uow=uow, clock=clock),
        inventory_commands.AddLocation: partial(inv.add_location, uow=uow),
        inventory_commands.ReceiveStock: partial(inv.receive_stock, uow=uow, clock=clock),
        inventory_commands.ReserveStock: partial(inv.reserve_stock, uow=uow, clock=clock),
        inventory_commands.ReleaseReservation: partial(inv.release_reservation, uow=uow, clock=clock),
        inventory_commands.CommitReservation: partial(inv.commit_reservation, uow=uow, clock=clock),
        inventory_commands.ExpireReservations: partial(inv.expire_reservations, uow=uow, clock=clock),
        order_commands.PlaceOrder: partial(ords.place_order, uow=uow, clock=clock, ttl=ttl),
        order_commands.PayOrder: partial(ords.pay_order, uow=uow, clock=clock),
        order_commands.AllocateOrder: partial(ords.allocate_order, uow=uow, clock=clock),
        order_commands.ShipOrder: partial(ords.ship_order, uow=uow, clock=clock),
        order_commands.DeliverOrder: partial(ords.deliver_order, uow=uow, clock=clock),
        order_commands.CancelOrder: partial(ords.cancel_order, uow=uow, clock=clock),
        order_commands.RefundOrder: partial(ords.refund_order, uow=uow, clock=clock),
        order_commands.ExpireOrders: partial(ords.expire_orders, uow=uow, clock=clock),
        payment_commands.CapturePayment: partial(pay.capture_payment, uow=uow, clock=clock, fee_bp=uow.fee_bp),
        payment_commands.RefundPayment: partial(pay.refund_payment, uow=uow, clock=clock),
    }
