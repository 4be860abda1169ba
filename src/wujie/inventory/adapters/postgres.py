"""PostgreSQL inventory repositories: the SQLite adapter's statements and guards on a psycopg connection.

They run inside the caller's transaction, like the SQLite ones, and keep every rule the same way:
guarded updates and CHECK / UNIQUE / PRIMARY KEY constraints in the database. ``SCHEMA`` is the
SQLite DDL in PostgreSQL types; :func:`create_schema` applies it to the connection's ``search_path``.
"""

from __future__ import annotations

import functools
import re
import sqlite3
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any, cast

import psycopg

from wujie.inventory.adapters import sqlite
from wujie.inventory.adapters.sqlite import SqliteLocationRepository, SqliteReservationRepository, SqliteStockRepository
from wujie.shared.unit_of_work import EventTracker

SCHEMA = sqlite.SCHEMA


def create_schema(connection: psycopg.Connection[Any]) -> None:
    """Create this area's tables (idempotent) in the connection's current schema."""
    connection.execute(pg_schema(SCHEMA))


class PostgresLocationRepository(SqliteLocationRepository):
    """LocationRepository on PostgreSQL."""

    def __init__(self, connection: psycopg.Connection[Any]) -> None:
        super().__init__(cast(sqlite3.Connection, _Dialect(connection)))


class PostgresStockRepository(SqliteStockRepository):
    """StockRepository on PostgreSQL."""

    def __init__(self, connection: psycopg.Connection[Any], tracker: EventTracker) -> None:
        super().__init__(cast(sqlite3.Connection, _Dialect(connection)), tracker)


class PostgresReservationRepository(SqliteReservationRepository):
    """ReservationRepository on PostgreSQL."""

    def __init__(self, connection: psycopg.Connection[Any]) -> None:
        super().__init__(cast(sqlite3.Connection, _Dialect(connection)))


class _Dialect:
    """A psycopg connection presenting the ``sqlite3`` calls the SQLite repositories make.

    The repositories' SQL is standard; only the parameter style (``?``, ``:name``), ``rowid``
    (an ordered ``seq`` column here), integrity errors and ``SUM`` results (numeric) differ.
    """

    def __init__(self, connection: psycopg.Connection[Any]) -> None:
        self.connection = connection

    def execute(self, sql: str, params: Any = ()) -> _Rows:
        """Run one statement."""
        try:
            return _Rows(self.connection.execute(_translate(sql), _plain(params)))
        except psycopg.errors.IntegrityError as exc:
            raise sqlite3.IntegrityError(str(exc)) from exc

    def executemany(self, sql: str, rows: Iterable[Any]) -> None:
        """Run one statement per row."""
        try:
            with self.connection.cursor() as cursor:
                cursor.executemany(_translate(sql), [_plain(row) for row in rows])
        except psycopg.errors.IntegrityError as exc:
            raise sqlite3.IntegrityError(str(exc)) from exc


class _Rows:
    """A cursor whose numeric (``SUM``) values come back as ``int`` like SQLite's."""

    def __init__(self, cursor: psycopg.Cursor[Any]) -> None:
        self.cursor = cursor
        self.rowcount = cursor.rowcount

    def fetchone(self) -> tuple[Any, ...] | None:
        """Return the next row or ``None``."""
        row = self.cursor.fetchone() if self.cursor.description else None
        return None if row is None else _ints(row)

    def fetchall(self) -> list[tuple[Any, ...]]:
        """Return every row."""
        return [_ints(row) for row in self.cursor.fetchall()] if self.cursor.description else []

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        return iter(self.fetchall())


@functools.lru_cache(maxsize=256)
def _translate(sql: str) -> str:
    sql = sql.replace("%", "%%").replace("rowid", "seq")
    return re.sub(r"(?<![:\w]):([a-z_]+)", r"%(\1)s", sql).replace("?", "%s")


def _plain(params: Any) -> Any:
    if isinstance(params, dict):
        return {k: int(v) if isinstance(v, bool) else v for k, v in params.items()}
    return tuple(int(v) if isinstance(v, bool) else v for v in params)


def _ints(row: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(int(v) if isinstance(v, Decimal) else v for v in row)


def pg_schema(sqlite_schema: str) -> str:
    """Return the SQLite DDL as PostgreSQL DDL (integer -> bigint, real -> double precision)."""
    return sqlite_schema.replace("INTEGER", "BIGINT").replace(" REAL ", " DOUBLE PRECISION ")
