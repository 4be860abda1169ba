"""SQLite payment repositories. They run inside the caller's transaction (see ``wujie.bootstrap``).

The idempotency key is UNIQUE and a journal entry id (``<payment>:capture``) is a primary key,
so a second capture of one intent is refused by the database itself.
"""

from __future__ import annotations

import sqlite3

from wujie.payments.errors import PaymentErrorCode, PaymentStateError
from wujie.payments.model import Account, IntentStatus, JournalEntry, PaymentIntent, Posting
from wujie.shared.clock import from_utc_text, to_utc_text
from wujie.shared.ids import CustomerId, IdempotencyKey, OrderId, PaymentId
from wujie.shared.money import Money
from wujie.shared.unit_of_work import EventTracker

SCHEMA = """
CREATE TABLE IF NOT EXISTS payment_intents (
    id TEXT PRIMARY KEY, idempotency_key TEXT NOT NULL UNIQUE, fingerprint TEXT NOT NULL,
    order_id TEXT NOT NULL, customer_id TEXT NOT NULL,
    amount_minor INTEGER NOT NULL CHECK (amount_minor > 0), currency TEXT NOT NULL,
    fee_bp INTEGER NOT NULL, status TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS payment_intents_by_order ON payment_intents(order_id);
CREATE TABLE IF NOT EXISTS ledger (
    entry_id TEXT NOT NULL, position INTEGER NOT NULL, payment_id TEXT NOT NULL, kind TEXT NOT NULL,
    account TEXT NOT NULL, minor INTEGER NOT NULL, currency TEXT NOT NULL, at TEXT NOT NULL,
    PRIMARY KEY (entry_id, position)
);
"""

_COLUMNS = "id, idempotency_key, fingerprint, order_id, customer_id, amount_minor, currency, fee_bp, status"


class SqlitePaymentRepository:
    """Payment intents in SQLite."""

    def __init__(self, connection: sqlite3.Connection, tracker: EventTracker) -> None:
        self._db = connection
        self._tracker = tracker
        self._read: dict[PaymentId, IntentStatus] = {}

    def add(self, intent: PaymentIntent) -> None:
        """Store a new intent (its key must be unused)."""
        i = intent
        try:
            self._db.execute(
                f"INSERT INTO payment_intents ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    i.id,
                    i.idempotency_key,
                    i.fingerprint,
                    i.order_id,
                    i.customer_id,
                    i.amount.minor,
                    i.amount.currency,
                    i.fee_bp,
                    i.status,
                ),
            )
        except sqlite3.IntegrityError as exc:
            raise PaymentStateError(PaymentErrorCode.IDEMPOTENCY_CONFLICT, i.id, "already recorded") from exc
        self._read[i.id] = i.status
        self._tracker.track(i)

    def get(self, payment_id: PaymentId) -> PaymentIntent | None:
        """Return the intent or ``None``."""
        row = self._db.execute(f"SELECT {_COLUMNS} FROM payment_intents WHERE id = ?", (payment_id,)).fetchone()
        return None if row is None else self._intent(row)

    def by_key(self, key: IdempotencyKey) -> PaymentIntent | None:
        """Return the intent first created under ``key``, or ``None``."""
        row = self._db.execute(f"SELECT {_COLUMNS} FROM payment_intents WHERE idempotency_key = ?", (key,)).fetchone()
        return None if row is None else self._intent(row)

    def save(self, intent: PaymentIntent) -> None:
        """Store the intent's new status, only if nobody changed it since it was read."""
        cursor = self._db.execute(
            "UPDATE payment_intents SET status = ? WHERE id = ? AND status = ?",
            (intent.status, intent.id, self._read[intent.id]),
        )
        if cursor.rowcount != 1:
            raise PaymentStateError(PaymentErrorCode.ALREADY_CAPTURED, intent.id, "changed by another writer")
        self._read[intent.id] = intent.status
        self._tracker.track(intent)

    def _intent(self, row: tuple[str | int, ...]) -> PaymentIntent:
        intent = PaymentIntent(
            PaymentId(str(row[0])),
            IdempotencyKey(str(row[1])),
            str(row[2]),
            OrderId(str(row[3])),
            CustomerId(str(row[4])),
            Money(int(row[5]), str(row[6])),
            int(row[7]),
            IntentStatus(str(row[8])),
        )
        self._read[intent.id] = intent.status
        self._tracker.track(intent)
        return intent


class SqliteLedgerRepository:
    """The journal in SQLite; an entry id is posted at most once (primary key)."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._db = connection

    def post(self, entry: JournalEntry) -> None:
        """Append a balanced entry."""
        rows = [
            (
                entry.id,
                n,
                entry.payment_id,
                entry.kind,
                p.account,
                p.amount.minor,
                p.amount.currency,
                to_utc_text(entry.at),
            )
            for n, p in enumerate(entry.postings)
        ]
        try:
            self._db.executemany("INSERT INTO ledger VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
        except sqlite3.IntegrityError as exc:
            raise PaymentStateError(
                PaymentErrorCode.ALREADY_CAPTURED, entry.payment_id, f"already posted {entry.kind}"
            ) from exc

    def entries(self) -> list[JournalEntry]:
        """Return every entry, in the order posted."""
        rows = self._db.execute(
            "SELECT entry_id, payment_id, kind, at, account, minor, currency FROM ledger ORDER BY rowid"
        ).fetchall()
        grouped: dict[str, list[tuple[str, ...]]] = {}
        for row in rows:
            grouped.setdefault(row[0], []).append(row)
        return [
            JournalEntry(
                entry_id,
                PaymentId(group[0][1]),
                group[0][2],
                from_utc_text(group[0][3]),
                tuple(Posting(Account(r[4]), Money(int(r[5]), r[6])) for r in group),
            )
            for entry_id, group in grouped.items()
        ]

    def balances(self) -> dict[tuple[Account, str], Money]:
        """Return the balance of every (account, currency)."""
        rows = self._db.execute("SELECT account, currency, SUM(minor) FROM ledger GROUP BY account, currency")
        return {(Account(account), currency): Money(int(total), currency) for account, currency, total in rows}
