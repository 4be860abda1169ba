"""Payments: intents bound to idempotency keys, capture at most once, a ledger that always balances."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wujie.bootstrap import MemoryUnitOfWork, bootstrap
from wujie.payments.commands import CapturePayment, RefundPayment
from wujie.payments.errors import (
    IdempotencyConflict,
    InvalidPayment,
    PaymentErrorCode,
    PaymentStateError,
    UnbalancedEntry,
    UnknownPayment,
)
from wujie.payments.events import PaymentCaptured, PaymentRefunded
from wujie.payments.handlers import CaptureReceipt
from wujie.payments.model import (
    Account,
    IntentStatus,
    JournalEntry,
    PaymentIntent,
    Posting,
    balances,
    payment_id_for,
    request_fingerprint,
)
from wujie.shared.clock import ManualClock
from wujie.shared.errors import CurrencyMismatch
from wujie.shared.events import Event
from wujie.shared.money import Money

T0 = datetime(2026, 11, 11, tzinfo=UTC)


def cny(minor: int) -> Money:
    return Money(minor, "CNY")


def test_capture_moves_money_less_the_fee_and_happens_once() -> None:
    intent = PaymentIntent.open("k", "o1", "c1", cny(10_000), fee_bp=250)
    entry = intent.capture(T0)
    assert entry.postings == (
        Posting(Account.CUSTOMER, cny(-10_000)),
        Posting(Account.MERCHANT, cny(9_750)),
        Posting(Account.PLATFORM_FEE, cny(250)),
    )
    with pytest.raises(PaymentStateError) as caught:
        intent.capture(T0)
    assert caught.value.code == PaymentErrorCode.ALREADY_CAPTURED
    assert intent.status is IntentStatus.CAPTURED
    assert intent.events == [PaymentCaptured(intent.id, "o1", "c1", cny(10_000), T0)]


def test_refund_reverses_through_the_refunds_account() -> None:
    intent = PaymentIntent.open("k", "o1", "c1", cny(9_999), fee_bp=200)
    with pytest.raises(PaymentStateError) as caught:
        intent.refund(T0)
    assert caught.value.code == PaymentErrorCode.NOT_CAPTURED
    entries = [intent.capture(T0), intent.refund(T0)]
    totals = balances(entries)
    fee = cny(9_999).percent(200)
    assert fee == cny(200)  # 199.98 rounds half-even to 200 fen
    assert totals[(Account.CUSTOMER, "CNY")] == cny(0)
    assert totals[(Account.PLATFORM_FEE, "CNY")] == cny(0)
    assert totals[(Account.MERCHANT, "CNY")] + totals[(Account.REFUNDS, "CNY")] == cny(0)
    with pytest.raises(PaymentStateError):
        intent.refund(T0)


@given(amount=st.integers(1, 10**12), fee_bp=st.integers(0, 10_000))
def test_every_capture_and_refund_entry_sums_to_zero(amount: int, fee_bp: int) -> None:
    intent = PaymentIntent.open("k", "o", "c", cny(amount), fee_bp)
    for entry in (intent.capture(T0), intent.refund(T0)):
        assert sum(p.amount.minor for p in entry.postings) == 0
        assert all(p.amount.currency == "CNY" for p in entry.postings)


def test_unbalanced_or_mixed_entries_are_refused() -> None:
    with pytest.raises(UnbalancedEntry):
        JournalEntry("e", "p", "capture", T0, (Posting(Account.CUSTOMER, cny(-1)), Posting(Account.MERCHANT, cny(2))))
    with pytest.raises(UnbalancedEntry):
        JournalEntry("e", "p", "capture", T0, (Posting(Account.CUSTOMER, cny(0)),))
    with pytest.raises(CurrencyMismatch):
        JournalEntry(
            "e", "p", "x", T0, (Posting(Account.CUSTOMER, cny(-1)), Posting(Account.MERCHANT, Money(1, "USD")))
        )


@pytest.mark.parametrize(("key", "amount", "fee_bp"), [("", 100, 0), ("k", 0, 0), ("k", -5, 0), ("k", 100, 10_001)])
def test_invalid_payments_are_refused(key: str, amount: int, fee_bp: int) -> None:
    with pytest.raises(InvalidPayment):
        PaymentIntent.open(key, "o", "c", cny(amount), fee_bp)


def test_fingerprints_bind_every_parameter() -> None:
    base = request_fingerprint("o", "c", cny(100))
    assert base == request_fingerprint("o", "c", cny(100))
    others = [("o2", "c", cny(100)), ("o", "c2", cny(100)), ("o", "c", cny(101)), ("o", "c", Money(100, "USD"))]
    assert all(request_fingerprint(*args) != base for args in others)  # type: ignore[arg-type]
    assert payment_id_for("k") == payment_id_for("k") != payment_id_for("k2")


def _bus() -> tuple[object, MemoryUnitOfWork, list[Event]]:
    uow = MemoryUnitOfWork(fee_bp=300)
    events: list[Event] = []
    bus = bootstrap(
        uow, ManualClock(T0), subscribers={PaymentCaptured: [events.append], PaymentRefunded: [events.append]}
    )
    return bus, uow, events


def test_same_key_same_request_replays_different_request_conflicts() -> None:
    bus, uow, events = _bus()
    first = bus.handle(CapturePayment("key-1", "o1", "c1", cny(5_000)))  # type: ignore[attr-defined]
    again = bus.handle(CapturePayment("key-1", "o1", "c1", cny(5_000)))  # type: ignore[attr-defined]
    assert first == CaptureReceipt(payment_id_for("key-1"), replayed=False)
    assert again == CaptureReceipt(first.payment_id, replayed=True)
    for changed in (CapturePayment("key-1", "o1", "c1", cny(5_001)), CapturePayment("key-1", "o2", "c1", cny(5_000))):
        with pytest.raises(IdempotencyConflict) as caught:
            bus.handle(changed)  # type: ignore[attr-defined]
        assert caught.value.code == PaymentErrorCode.IDEMPOTENCY_CONFLICT
    assert len(events) == 1
    with uow:
        assert [e.kind for e in uow.ledger.entries()] == ["capture"]
        assert uow.ledger.balances()[(Account.PLATFORM_FEE, "CNY")] == cny(150)


def test_refund_through_the_bus_and_unknown_payments() -> None:
    bus, uow, events = _bus()
    receipt = bus.handle(CapturePayment("key-1", "o1", "c1", cny(5_000)))  # type: ignore[attr-defined]
    assert bus.handle(RefundPayment(receipt.payment_id)) == cny(5_000)  # type: ignore[attr-defined]
    with pytest.raises(PaymentStateError):
        bus.handle(RefundPayment(receipt.payment_id))  # type: ignore[attr-defined]
    with pytest.raises(UnknownPayment):
        bus.handle(RefundPayment("pay_nope"))  # type: ignore[attr-defined]
    with uow:
        assert [e.kind for e in uow.ledger.entries()] == ["capture", "refund"]
        assert sum(m.minor for m in uow.ledger.balances().values()) == 0
    assert [type(e) for e in events] == [PaymentCaptured, PaymentRefunded]


def test_the_ledger_posts_an_entry_id_once() -> None:
    uow = MemoryUnitOfWork()
    intent = PaymentIntent.open("k", "o", "c", cny(100), 0)
    entry = intent.capture(T0)
    with uow:
        uow.ledger.post(entry)
        with pytest.raises(PaymentStateError):
            uow.ledger.post(entry)
        uow.commit()
    with uow:
        assert len(uow.ledger.entries()) == 1
