"""In-memory payment repositories (unit tests, the twin)."""

from __future__ import annotations

from wujie.payments.errors import PaymentErrorCode, PaymentStateError
from wujie.payments.model import Account, JournalEntry, PaymentIntent, balances
from wujie.shared.ids import IdempotencyKey, PaymentId
from wujie.shared.money import Money
from wujie.shared.staging import StagedTable, Transactional
from wujie.shared.unit_of_work import EventTracker


class MemoryPaymentTables:
    """The committed state of in-memory payments."""

    def __init__(self) -> None:
        self.intents: StagedTable[PaymentId, PaymentIntent] = StagedTable()
        self.keys: StagedTable[IdempotencyKey, PaymentId] = StagedTable()
        self.entries: StagedTable[str, JournalEntry] = StagedTable()

    def tables(self) -> tuple[Transactional, ...]:
        """Return every table, for commit and rollback."""
        return (self.intents, self.keys, self.entries)


class MemoryPaymentRepository:
    """Payment intents in memory, with a unique index on the idempotency key."""

    def __init__(self, tables: MemoryPaymentTables, tracker: EventTracker) -> None:
        self._t = tables
        self._tracker = tracker

    def add(self, intent: PaymentIntent) -> None:
        """Store a new intent (its key must be unused)."""
        if intent.idempotency_key in self._t.keys or intent.id in self._t.intents:
            raise PaymentStateError(PaymentErrorCode.IDEMPOTENCY_CONFLICT, intent.id, "already recorded")
        self._t.keys.put(intent.idempotency_key, intent.id)
        self.save(intent)

    def get(self, payment_id: PaymentId) -> PaymentIntent | None:
        """Return a private copy of the intent or ``None``."""
        intent = self._t.intents.get(payment_id)
        if intent is not None:
            self._tracker.track(intent)
        return intent

    def by_key(self, key: IdempotencyKey) -> PaymentIntent | None:
        """Return the intent first created under ``key``, or ``None``."""
        payment_id = self._t.keys.get(key)
        return None if payment_id is None else self.get(payment_id)

    def save(self, intent: PaymentIntent) -> None:
        """Stage the intent's new status."""
        self._t.intents.put(intent.id, intent)
        self._tracker.track(intent)


class MemoryLedgerRepository:
    """The journal in memory; an entry id is posted at most once."""

    def __init__(self, tables: MemoryPaymentTables) -> None:
        self._entries = tables.entries

    def post(self, entry: JournalEntry) -> None:
        """Append a balanced entry."""
        if entry.id in self._entries:
            raise PaymentStateError(PaymentErrorCode.ALREADY_CAPTURED, entry.payment_id, f"already posted {entry.kind}")
        self._entries.put(entry.id, entry)

    def entries(self) -> list[JournalEntry]:
        """Return every entry, in the order posted."""
        return self._entries.select(lambda _: True)

    def balances(self) -> dict[tuple[Account, str], Money]:
        """Return the balance of every (account, currency)."""
        return balances(self._entries.select(lambda _: True))
