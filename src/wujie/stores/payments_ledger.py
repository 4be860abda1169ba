"""The grab-and-go charging port wired to the payments area: its intents and double-entry ledger.

:class:`BusCharger` sends ``CapturePayment`` through the message bus to the payments handlers (what
the CLI uses, over an in-memory or SQLite unit of work); :class:`LedgerCharger` uses the payments
model directly with an in-memory journal (a light default for library use and tests).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Protocol, runtime_checkable

from wujie.payments.commands import CapturePayment
from wujie.payments.model import Account, JournalEntry, PaymentIntent, balances
from wujie.shared.clock import ManualClock
from wujie.shared.errors import WujieError
from wujie.shared.ids import CustomerId, IdempotencyKey, OrderId
from wujie.shared.money import Money
from wujie.stores.checkout import ChargeRequest, ChargeResult


@runtime_checkable
class LedgerView(Protocol):
    """A charger that can show its ledger's balances."""

    def balances(self) -> dict[str, int]:
        """Return each account's balance in minor units, keyed ``account:currency``."""
        ...


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
        return _plain(balances(self.journal))

    def total(self, currency: str) -> Money:
        """Return the total captured from customers in ``currency``."""
        return Money(sum(i.amount.minor for i in self.intents.values() if i.amount.currency == currency), currency)


class BusCharger:
    """Charge baskets with ``CapturePayment`` commands through the payments handlers on a message bus.

    Parameters
    ----------
    handle
        The bus's ``handle`` (``bootstrap(uow, clock).handle``).
    read_balances
        Returns the ledger's balances (``lambda: uow.ledger.balances()``).
    clock
        The bus's manual clock: set to each exit time, so a capture is dated when the shopper left.
    """

    def __init__(
        self,
        handle: Callable[[CapturePayment], Any],
        read_balances: Callable[[], dict[tuple[Account, str], Money]],
        clock: ManualClock | None = None,
    ) -> None:
        self._handle = handle
        self._balances = read_balances
        self._clock = clock

    def charge(self, request: ChargeRequest) -> ChargeResult:
        """Capture once per basket id (a retry replays); a refusal by payments is a decline."""
        if self._clock is not None:
            at = datetime.fromtimestamp(request.at_ms / 1000, UTC)
            if at > self._clock.now():
                self._clock.set(at)
        command = CapturePayment(
            IdempotencyKey(request.basket_id), OrderId(request.basket_id), CustomerId(request.account), request.amount
        )
        try:
            receipt = self._handle(command)
        except WujieError as exc:
            return ChargeResult(False, "", f"{exc.code}: {exc.message}")
        return ChargeResult(True, str(receipt.payment_id))

    def balances(self) -> dict[str, int]:
        """Return each ledger account's balance in minor units (they sum to zero)."""
        return _plain(self._balances())


def _plain(totals: dict[tuple[Account, str], Money]) -> dict[str, int]:
    return {f"{account}:{currency}": money.minor for (account, currency), money in totals.items()}
