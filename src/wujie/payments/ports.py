"""Ports of the payments area."""

from __future__ import annotations

from typing import Protocol

from wujie.payments.model import Account, JournalEntry, PaymentIntent
from wujie.shared.ids import IdempotencyKey, PaymentId
from wujie.shared.money import Money
from wujie.shared.unit_of_work import UnitOfWork


class PaymentRepository(Protocol):
    """Payment intents, findable by idempotency key."""

    def add(self, intent: PaymentIntent) -> None:
        """Store a new intent (its key must be unused)."""
        ...

    def get(self, payment_id: PaymentId) -> PaymentIntent | None:
        """Return the intent or ``None``."""
        ...

    def by_key(self, key: IdempotencyKey) -> PaymentIntent | None:
        """Return the intent first created under ``key``, or ``None``."""
        ...

    def save(self, intent: PaymentIntent) -> None:
        """Store the intent's new status."""
        ...


class LedgerRepository(Protocol):
    """The double-entry journal."""

    def post(self, entry: JournalEntry) -> None:
        """Append a balanced entry (an entry id is posted at most once)."""
        ...

    def entries(self) -> list[JournalEntry]:
        """Return every entry, in the order posted."""
        ...

    def balances(self) -> dict[tuple[Account, str], Money]:
        """Return the balance of every (account, currency)."""
        ...


class PaymentsUnitOfWork(UnitOfWork, Protocol):
    """A transaction over intents and the ledger."""

    payments: PaymentRepository
    ledger: LedgerRepository
