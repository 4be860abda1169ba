"""PostgreSQL payments repositories: the SQLite adapter's statements and guards on a psycopg connection.

They run inside the caller's transaction, like the SQLite ones, and keep every rule the same way:
guarded updates and CHECK / UNIQUE / PRIMARY KEY constraints in the database. ``SCHEMA`` is the
SQLite DDL in PostgreSQL types; :func:`create_schema` applies it to the connection's ``search_path``.
"""

from __future__ import annotations

import sqlite3
from typing import Any, cast

import psycopg

from wujie.payments.adapters import sqlite
from wujie.payments.adapters.sqlite import SqliteLedgerRepository, SqlitePaymentRepository
from wujie.pgdialect import SqliteDialect, pg_schema
from wujie.shared.unit_of_work import EventTracker

#: PostgreSQL has no ``rowid``: the ledger keeps its posting order in ``seq``
SCHEMA = sqlite.SCHEMA.replace(
    "at TEXT NOT NULL,\n    PRIMARY KEY (entry_id, position)",
    "at TEXT NOT NULL, seq BIGSERIAL NOT NULL,\n    PRIMARY KEY (entry_id, position)",
)


def create_schema(connection: psycopg.Connection[Any]) -> None:
    """Create this area's tables (idempotent) in the connection's current schema."""
    connection.execute(pg_schema(SCHEMA))


class PostgresPaymentRepository(SqlitePaymentRepository):
    """PaymentRepository on PostgreSQL."""

    def __init__(self, connection: psycopg.Connection[Any], tracker: EventTracker) -> None:
        super().__init__(cast(sqlite3.Connection, SqliteDialect(connection)), tracker)


class PostgresLedgerRepository(SqliteLedgerRepository):
    """LedgerRepository on PostgreSQL."""

    def __init__(self, connection: psycopg.Connection[Any]) -> None:
        super().__init__(cast(sqlite3.Connection, SqliteDialect(connection)))
