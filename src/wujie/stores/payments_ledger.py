"""The grab-and-go charging port wired to the payments area's intents and double-entry ledger."""

from __future__ import annotations

from datetime import UTC, datetime

from wujie.payments.model import JournalEntry, PaymentIntent, balances
from wujie.shared.ids import CustomerId, IdempotencyKey, OrderId
from wujie.shared.money import Money
from wujie.stores.checkout import ChargeRequest, ChargeResult


class LedgerCharger:
    """Charge baskets as payment intents captured into an in-memory double-entry journal.

    The basket id is the idempotency key and the order id, so charging a basket twice replays the
    first capture instead of taking the money again. Accounts listed in ``declined`` are refused.
    """

    def __init__(self, fee_bp: int = 0, declined: frozenset[str] = frozenset()) -> None:
        self.fee_bp = fee_bp
        self.declined = declined
        self.intents: dict[str, PaymentIntent] = {}
        self.journal: list[JournalEntry] = []

    def charge(self, request: ChargeRequest) -> ChargeResult:
        """Capture the basket's amount once; return the payment id (or why it was declined)."""
        if request.account in self.declined:
            return ChargeResult(False, "", "declined by the account's issuer")
        known = self.intents.get(request.basket_id)
        if known is not None:
            known.check_replay(OrderId(request.basket_id), CustomerId(request.account), request.amount)
            return ChargeResult(True, known.id)
        key = IdempotencyKey(request.basket_id)
        intent = PaymentIntent.open(
            key, OrderId(request.basket_id), CustomerId(request.account), request.amount, self.fee_bp
        )
        self.journal.append(intent.capture(datetime.fromtimestamp(request.at_ms / 1000, UTC)))
        self.intents[request.basket_id] = intent
        return ChargeResult(True, intent.id)

    def balances(self) -> dict[str, int]:
        """Return each ledger account's balance in minor units (they sum to zero)."""
        return {f"{account}:{currency}": money.minor for (account, currency), money in balances(self.journal).items()}

    def total(self, currency: str) -> Money:
        """Return the total captured from customers in ``currency``."""
        return Money(sum(i.amount.minor for i in self.intents.values() if i.amount.currency == currency), currency)
