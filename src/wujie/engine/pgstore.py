"""PostgreSQL as the system of record: the journal, snapshots, and the relational tables
(stock, orders, order lines, payments, ledger postings) written in ONE transaction per batch.

The engine still decides in memory (single writer, no row locks); each batch's records and
its effects on the tables commit together (``synchronous_commit`` as the server sets it, on by
default), so the tables always equal the replayed journal. The tables carry the rules as
constraints too: ``reserved + sold <= on_hand`` per SKU, one payment per order, and ledger
postings per payment that sum to zero (checked by the tests).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from wujie.engine.engine import Engine
from wujie.engine.orderbook import OrderState
from wujie.engine.ports import EventSink
from wujie.engine.snapshot import Snapshot
from wujie.engine.state import Changes, EngineState
from wujie.shared.errors import InvalidInput, RetryableError

#: (version, SQL) applied in order and recorded in ``schema_migrations``; ``{s}`` is the schema
MIGRATIONS: tuple[tuple[int, str], ...] = (
    (
        1,
        """
        CREATE TABLE {s}.engine_journal (seq bigint PRIMARY KEY, payload bytea NOT NULL);
        CREATE TABLE {s}.engine_snapshot (seq bigint PRIMARY KEY, payload bytea NOT NULL);
        CREATE TABLE {s}.stock (
            sku text PRIMARY KEY, on_hand bigint NOT NULL, reserved bigint NOT NULL, sold bigint NOT NULL,
            price_minor bigint NOT NULL, flash_price_minor bigint NOT NULL, flash_start_us bigint NOT NULL,
            flash_end_us bigint NOT NULL, limit_per_customer bigint NOT NULL,
            CHECK (reserved >= 0 AND sold >= 0 AND reserved + sold <= on_hand));
        CREATE TABLE {s}.orders (
            number bigint PRIMARY KEY, customer text NOT NULL, region text, status text NOT NULL,
            total_minor bigint NOT NULL, currency text NOT NULL, placed_us bigint NOT NULL,
            expires_us bigint NOT NULL);
        CREATE INDEX ON {s}.orders (customer);
        CREATE TABLE {s}.order_lines (
            order_number bigint NOT NULL REFERENCES {s}.orders, line int NOT NULL, sku text NOT NULL,
            qty bigint NOT NULL CHECK (qty > 0), unit_price_minor bigint NOT NULL,
            PRIMARY KEY (order_number, line));
        CREATE TABLE {s}.payments (
            number bigint PRIMARY KEY, order_number bigint NOT NULL UNIQUE REFERENCES {s}.orders,
            amount_minor bigint NOT NULL, fee_minor bigint NOT NULL, captured_us bigint NOT NULL);
        CREATE TABLE {s}.ledger_postings (
            payment_number bigint NOT NULL REFERENCES {s}.payments, account text NOT NULL,
            customer text, amount_minor bigint NOT NULL, PRIMARY KEY (payment_number, account));
        """,
    ),
    (
        2,
        """
        CREATE VIEW {s}.orders_at AS SELECT *, to_timestamp(placed_us / 1e6) AS placed_at,
            to_timestamp(expires_us / 1e6) AS expires_at FROM {s}.orders;
        """,
    ),
)
_SCHEMA = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def migrate(conn: Any, schema: str) -> list[int]:
    """Apply the missing migrations to ``schema`` (created if needed); return the versions applied."""
    conn.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
    conn.execute(
        f"CREATE TABLE IF NOT EXISTS {schema}.schema_migrations "
        "(version int PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"
    )
    conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (schema,))
    done = {row[0] for row in conn.execute(f"SELECT version FROM {schema}.schema_migrations").fetchall()}
    applied = []
    for version, sql in MIGRATIONS:
        if version not in done:
            conn.execute(sql.format(s=schema))
            conn.execute(f"INSERT INTO {schema}.schema_migrations (version) VALUES (%s)", (version,))
            applied.append(version)
    return applied


class PostgresJournal:
    """A :class:`JournalStore` on PostgreSQL that also projects the engine state into tables."""

    def __init__(self, url: str, schema: str = "wujie") -> None:
        import psycopg

        if not _SCHEMA.match(schema):
            raise InvalidInput("a schema name is lower-case letters, digits and '_'", schema=schema)
        self.schema = schema
        try:
            self.conn = psycopg.connect(url, autocommit=True)
        except psycopg.OperationalError as exc:
            raise RetryableError(f"cannot reach PostgreSQL: {exc}", cause=exc) from exc
        with self.conn.transaction():
            self.migrated = migrate(self.conn, schema)
        self.last_seq = 0
        self.bytes_written = 0
        self.commits = 0
        self._pending: list[tuple[int, bytes]] = []
        self._state: EngineState | None = None
        self._synced = {"skus": 0, "orders": 0, "payments": 0}

    def load_snapshot(self) -> Snapshot | None:
        """Return the latest snapshot row, or ``None``."""
        import msgspec

        row = self.conn.execute(
            f"SELECT payload FROM {self.schema}.engine_snapshot ORDER BY seq DESC LIMIT 1"
        ).fetchone()
        return None if row is None else msgspec.msgpack.decode(row[0], type=Snapshot)

    def replay(self, after_seq: int) -> Iterator[tuple[int, bytes]]:
        """Yield journal rows after ``after_seq``."""
        self.last_seq = after_seq
        with self.conn.cursor(name="wujie_replay") as cursor, self.conn.transaction():
            cursor.execute(
                f"SELECT seq, payload FROM {self.schema}.engine_journal WHERE seq > %s ORDER BY seq", (after_seq,)
            )
            for seq, payload in cursor:
                self.last_seq = seq
                yield seq, bytes(payload)
        top = self.conn.execute(f"SELECT coalesce(max(seq), 0) FROM {self.schema}.engine_journal").fetchone()
        self.last_seq = max(self.last_seq, int(top[0]) if top else 0)

    def open_for_append(self, state: object = None) -> None:
        """Start projecting ``state`` (already equal to the tables after recovery)."""
        assert isinstance(state, EngineState)
        self._state = state
        state.changes = Changes([], [])
        self._synced = {"skus": len(state.book), "orders": len(state.orders), "payments": len(state.ledger)}

    def append(self, payload: bytes) -> int:
        """Stage one record."""
        self.last_seq += 1
        self._pending.append((self.last_seq, payload))
        return self.last_seq

    def commit(self) -> None:
        """Insert the staged records and project their effects, in one transaction."""
        if not self._pending or self._state is None:
            return
        import psycopg

        try:
            with self.conn.transaction(), self.conn.cursor() as cursor:
                with cursor.copy(f"COPY {self.schema}.engine_journal (seq, payload) FROM STDIN") as copy:
                    for row in self._pending:
                        copy.write_row(row)
                _Projection(cursor, self.schema, self._state, self._synced).write()
        except psycopg.OperationalError as exc:
            raise OSError(f"PostgreSQL commit failed: {exc}") from exc
        self.bytes_written += sum(len(p) for _, p in self._pending)
        self._pending.clear()
        self.commits += 1

    def checkpoint(self, snapshot: Snapshot) -> None:
        """Store a snapshot and delete the journal rows it covers, atomically."""
        import msgspec

        self.commit()
        with self.conn.transaction():
            self.conn.execute(
                f"INSERT INTO {self.schema}.engine_snapshot (seq, payload) VALUES (%s, %s) "
                "ON CONFLICT (seq) DO UPDATE SET payload = excluded.payload",
                (snapshot.seq, msgspec.msgpack.encode(snapshot)),
            )
            self.conn.execute(f"DELETE FROM {self.schema}.engine_snapshot WHERE seq < %s", (snapshot.seq,))
            self.conn.execute(f"DELETE FROM {self.schema}.engine_journal WHERE seq <= %s", (snapshot.seq,))
        self.bytes_written = 0

    def close(self) -> None:
        """Close the connection (staged records are dropped)."""
        self._pending.clear()
        self.conn.close()


class _Projection:
    """Write the effects of the staged batches into the tables."""

    def __init__(self, cursor: Any, schema: str, state: EngineState, synced: dict[str, int]) -> None:
        self.cursor, self.s, self.state, self.synced = cursor, schema, state, synced

    def write(self) -> None:
        self._new_skus()
        self._new_orders()
        self._new_payments()
        assert self.state.changes is not None
        orders, skus = self.state.changes.take()
        self._order_status(orders[orders < self.synced["orders_before"]])
        self._stock(skus)

    def _copy(self, table: str, columns: str, rows: Iterator[tuple[Any, ...]]) -> None:
        with self.cursor.copy(f"COPY {self.s}.{table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    def _new_skus(self) -> None:
        book, lo = self.state.book, self.synced["skus"]
        cols = [
            book.col(n)[lo:].tolist()
            for n in ("on_hand", "reserved", "sold", "price", "flash_price", "flash_start", "flash_end", "limit")
        ]
        self._copy(
            "stock",
            "sku, on_hand, reserved, sold, price_minor, flash_price_minor, flash_start_us, flash_end_us, "
            "limit_per_customer",
            ((sku, *values) for sku, *values in zip(book.skus[lo:], *cols, strict=True)),
        )
        self.synced["skus"] = len(book)

    def _new_orders(self) -> None:
        orders, lo = self.state.orders, self.synced["orders"]
        self.synced["orders_before"] = lo
        if len(orders) == lo:
            return
        names, regions, skus = self.state.customers.names, self.state.regions.names, self.state.book.skus
        cols = {
            n: orders.col(n)[lo:].tolist()
            for n in ("customer", "region", "state", "total", "placed", "expires", "line_lo", "nlines")
        }
        currency = self.state.currency
        self._copy(
            "orders",
            "number, customer, region, status, total_minor, currency, placed_us, expires_us",
            (
                (lo + i + 1, names[c], regions[r] if r >= 0 else None, OrderState(st).status.value, t, currency, p, e)
                for i, (c, r, st, t, p, e) in enumerate(
                    zip(
                        cols["customer"],
                        cols["region"],
                        cols["state"],
                        cols["total"],
                        cols["placed"],
                        cols["expires"],
                        strict=True,
                    )
                )
            ),
        )
        first_line = cols["line_lo"][0]
        sku, qty, price = (orders.line(n)[first_line:].tolist() for n in ("sku", "qty", "price"))
        owner = np.repeat(np.arange(lo + 1, len(orders) + 1), orders.col("nlines")[lo:]).tolist()
        line_no = (np.arange(len(owner)) - np.repeat(np.asarray(cols["line_lo"]) - first_line, cols["nlines"])).tolist()
        self._copy(
            "order_lines",
            "order_number, line, sku, qty, unit_price_minor",
            ((o, n, skus[s], q, p) for o, n, s, q, p in zip(owner, line_no, sku, qty, price, strict=True)),
        )
        self.synced["orders"] = len(orders)

    def _new_payments(self) -> None:
        ledger, lo = self.state.ledger, self.synced["payments"]
        if len(ledger) == lo:
            return
        order, amount, fee, at = (ledger.col(n)[lo:].tolist() for n in ("order", "amount", "fee", "at"))
        numbers = range(lo + 1, len(ledger) + 1)
        self._copy(
            "payments",
            "number, order_number, amount_minor, fee_minor, captured_us",
            zip(numbers, order, amount, fee, at, strict=True),
        )
        owners = self.state.orders.col("customer")[np.asarray(order, dtype=np.int64) - 1].tolist()
        names = self.state.customers.names

        def postings() -> Iterator[tuple[Any, ...]]:
            for n, a, f, c in zip(numbers, amount, fee, owners, strict=True):
                yield n, "customer", names[c], -a
                yield n, "merchant", None, a - f
                yield n, "platform_fee", None, f

        self._copy("ledger_postings", "payment_number, account, customer, amount_minor", postings())
        self.synced["payments"] = len(ledger)

    def _order_status(self, rows: np.ndarray) -> None:
        if len(rows):
            status = [OrderState(s).status.value for s in self.state.orders.col("state")[rows].tolist()]
            self.cursor.execute(
                f"UPDATE {self.s}.orders o SET status = v.status "
                "FROM unnest(%s::bigint[], %s::text[]) AS v(number, status) WHERE o.number = v.number",
                ((rows + 1).tolist(), status),
            )

    def _stock(self, skus: np.ndarray) -> None:
        skus = skus[skus < self.synced["skus"]]
        if len(skus):
            book = self.state.book
            self.cursor.execute(
                f"UPDATE {self.s}.stock t SET on_hand = v.on_hand, reserved = v.reserved, sold = v.sold "
                "FROM unnest(%s::text[], %s::bigint[], %s::bigint[], %s::bigint[]) AS v(sku, on_hand, reserved, sold) "
                "WHERE t.sku = v.sku",
                (
                    [book.skus[i] for i in skus.tolist()],
                    book.col("on_hand")[skus].tolist(),
                    book.col("reserved")[skus].tolist(),
                    book.col("sold")[skus].tolist(),
                ),
            )


def split_schema(url: str, default: str = "wujie") -> tuple[str, str]:
    """Return ``(url, schema)``: a ``wujie_schema=<name>`` query parameter picks the schema."""
    base, _, query = url.partition("?")
    params = [p for p in query.split("&") if p]
    chosen = [p.split("=", 1)[1] for p in params if p.startswith("wujie_schema=")]
    rest = "&".join(p for p in params if not p.startswith("wujie_schema="))
    return (f"{base}?{rest}" if rest else base), (chosen[-1] if chosen else default)


def open_on_postgres(
    url: str, directory: Path, *, schema: str = "wujie", sink: EventSink | None = None, **options: Any
) -> Engine:
    """Open the engine with PostgreSQL as its system of record (migrating the schema first)."""
    url, named = split_schema(url, schema)
    store = PostgresJournal(url, named)
    return Engine.open(directory, store=store, sink=sink, **options)
