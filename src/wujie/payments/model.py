"""The payments domain: payment intents with idempotency keys, and a double-entry ledger.

A capture moves the amount from the customer to the merchant, less the platform's fee; a refund
reverses it through the ``refunds`` account. Every journal entry sums to zero, so the ledger does.
Pure Python: standard library and :mod:`wujie.shared` only.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from wujie.payments.errors import (
    IdempotencyConflict,
    InvalidPayment,
    PaymentErrorCode,
    PaymentStateError,
    UnbalancedEntry,
)
from wujie.payments.events import PaymentCaptured, PaymentRefunded
from wujie.shared.events import Event
from wujie.shared.ids import CustomerId, IdempotencyKey, OrderId, PaymentId
from wujie.shared.money import Money


class Account(StrEnum):
    """Ledger accounts. Balances are signed: money leaving an account is negative."""

    CUSTOMER = "customer"
    MERCHANT = "merchant"
    PLATFORM_FEE = "platform_fee"
    REFUNDS = "refunds"


class IntentStatus(StrEnum):
    """Life of a payment intent."""

    CREATED = "created"
    CAPTURED = "captured"
    REFUNDED = "refunded"


@dataclass(frozen=True, slots=True)
class Posting:
    """One signed amount on one account."""

    account: Account
    amount: Money


@dataclass(frozen=True, slots=True)
class JournalEntry:
    """A balanced set of postings; construction refuses one that does not sum to zero."""

    id: str
    payment_id: PaymentId
    kind: str
    at: datetime
    postings: tuple[Posting, ...]

    def __post_init__(self) -> None:
        if len(self.postings) < 2:
            raise UnbalancedEntry(self.id, "a single posting")
        first, *rest = (posting.amount for posting in self.postings)
        total = sum(rest, first)
        if total.minor != 0:
            raise UnbalancedEntry(self.id, str(total))


def request_fingerprint(order_id: OrderId, customer_id: CustomerId, amount: Money) -> str:
    """Return a stable digest of a payment request's parameters (what an idempotency key is bound to)."""
    canonical = f"{order_id}\x1f{customer_id}\x1f{amount.minor}\x1f{amount.currency}"
    return hashlib.sha256(canonical.encode()).hexdigest()


def payment_id_for(key: IdempotencyKey) -> PaymentId:
    """Return the deterministic payment id of an idempotency key."""
    return PaymentId(f"pay_{hashlib.sha256(key.encode()).hexdigest()[:24]}")


@dataclass(eq=False)
class PaymentIntent:
    """The payment aggregate: one request to pay, bound to its idempotency key, captured at most once."""

    id: PaymentId
    idempotency_key: IdempotencyKey
    fingerprint: str
    order_id: OrderId
    customer_id: CustomerId
    amount: Money
    fee_bp: int
    status: IntentStatus = IntentStatus.CREATED
    events: list[Event] = field(default_factory=list, repr=False)

    @classmethod
    def open(
        cls, key: IdempotencyKey, order_id: OrderId, customer_id: CustomerId, amount: Money, fee_bp: int
    ) -> PaymentIntent:
        """Create an intent for a request; validate the amount and the fee."""
        if not key:
            raise InvalidPayment("an idempotency key is required")
        if amount.minor <= 0:
            raise InvalidPayment("a payment amount must be positive", amount=str(amount))
        if not 0 <= fee_bp <= 10_000:
            raise InvalidPayment("the fee must be 0..10,000 basis points", fee_bp=fee_bp)
        fingerprint = request_fingerprint(order_id, customer_id, amount)
        return cls(payment_id_for(key), key, fingerprint, order_id, customer_id, amount, fee_bp)

    def check_replay(self, order_id: OrderId, customer_id: CustomerId, amount: Money) -> None:
        """Raise :class:`IdempotencyConflict` unless the request matches the one this key was first used for."""
        if request_fingerprint(order_id, customer_id, amount) != self.fingerprint:
            raise IdempotencyConflict(self.idempotency_key, self.id)

    @property
    def fee(self) -> Money:
        """Return the platform fee on the amount (``fee_bp`` basis points, half-even)."""
        return self.amount.percent(self.fee_bp)

    def capture(self, at: datetime) -> JournalEntry:
        """Capture the amount once; return the balanced journal entry that moves it."""
        if self.status is not IntentStatus.CREATED:
            raise PaymentStateError(PaymentErrorCode.ALREADY_CAPTURED, self.id, self.status)
        self.status = IntentStatus.CAPTURED
        postings = (
            Posting(Account.CUSTOMER, -self.amount),
            Posting(Account.MERCHANT, self.amount - self.fee),
            Posting(Account.PLATFORM_FEE, self.fee),
        )
        self.events.append(PaymentCaptured(self.id, self.order_id, self.customer_id, self.amount, at))
        return JournalEntry(f"{self.id}:capture", self.id, "capture", at, postings)

    def refund(self, at: datetime) -> JournalEntry:
        """Give the captured amount back; the merchant's share and the fee are reversed via ``refunds``."""
        if self.status is not IntentStatus.CAPTURED:
            raise PaymentStateError(PaymentErrorCode.NOT_CAPTURED, self.id, self.status)
        self.status = IntentStatus.REFUNDED
        postings = (
            Posting(Account.CUSTOMER, self.amount),
            Posting(Account.REFUNDS, -(self.amount - self.fee)),
            Posting(Account.PLATFORM_FEE, -self.fee),
        )
        self.events.append(PaymentRefunded(self.id, self.order_id, self.amount, at))
        return JournalEntry(f"{self.id}:refund", self.id, "refund", at, postings)


def balances(entries: Iterable[JournalEntry]) -> dict[tuple[Account, str], Money]:
    """Return the balance of every (account, currency) over ``entries``."""
    totals: dict[tuple[Account, str], Money] = {}
    for entry in entries:
        for posting in entry.postings:
            key = (posting.account, posting.amount.currency)
            totals[key] = totals.get(key, Money.zero(posting.amount.currency)) + posting.amount
    return totals
