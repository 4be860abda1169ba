"""A psycopg connection that presents the ``sqlite3`` calls the core's SQLite repositories make.

The core areas keep one set of SQL statements and guards (their SQLite adapters); their PostgreSQL
adapters run those statements through :class:`SqliteDialect`, which translates the parameter style,
``rowid`` and result types, and raises ``sqlite3.IntegrityError`` for constraint violations so the
repositories' error handling is the same on both databases. A serialization failure or a
deadlock (another transaction won a race) becomes :class:`~wujie.shared.errors.RetryableError`.
"""

from __future__ import annotations

import functools
import re
import sqlite3
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

import psycopg

from wujie.shared.errors import RetryableError

#: errors that mean another transaction won a race: the whole transaction may be retried
LOST_RACE = (psycopg.errors.SerializationFailure, psycopg.errors.DeadlockDetected)


class SqliteDialect:
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
        except LOST_RACE as exc:
            raise RetryableError(f"PostgreSQL transaction lost a race: {exc}", cause=exc) from exc

    def executemany(self, sql: str, rows: Iterable[Any]) -> None:
        """Run one statement per row."""
        try:
            with self.connection.cursor() as cursor:
                cursor.executemany(_translate(sql), [_plain(row) for row in rows])
        except psycopg.errors.IntegrityError as exc:
            raise sqlite3.IntegrityError(str(exc)) from exc
        except LOST_RACE as exc:
            raise RetryableError(f"PostgreSQL transaction lost a race: {exc}", cause=exc) from exc


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
