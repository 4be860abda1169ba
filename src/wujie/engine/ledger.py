"""Payments at intake speed: idempotent captures and a double-entry ledger that sums to zero.

Each capture posts three entries: the customer pays ``-amount``, the merchant receives
``amount - fee`` and the platform ``fee`` (basis points, rounded half-even), so every capture,
and therefore the ledger, sums to zero. An idempotency key remembers its first request and
answer: the same key with the same order and amount replays the answer, anything else conflicts.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from wujie.engine.columns import Column
from wujie.engine.orderbook import OrderBook, OrderState
from wujie.orders.errors import OrderErrorCode
from wujie.payments.errors import PaymentErrorCode

I64 = npt.NDArray[np.int64]

PAID_OK, UNKNOWN_ORDER, ALREADY_PAID, NOT_PAYABLE, AMOUNT_MISMATCH, CONFLICT, EXPIRED = 0, 1, 2, 3, 4, 5, 6
#: the core's stable error codes, by code index
PAY_CODES: tuple[str | None, ...] = (
    None,
    OrderErrorCode.UNKNOWN_ORDER.value,
    PaymentErrorCode.ALREADY_CAPTURED.value,
    OrderErrorCode.ILLEGAL_TRANSITION.value,
    OrderErrorCode.AMOUNT_MISMATCH.value,
    PaymentErrorCode.IDEMPOTENCY_CONFLICT.value,
    OrderErrorCode.RESERVATION_EXPIRED.value,
)


#: what an idempotency key answered the first time: (order number, amount, code, payment number or 0)
KeyMemory = tuple[int, int, int, int]


def fee_of(amount: I64, basis_points: int) -> I64:
    """Return ``amount * basis_points / 10_000`` rounded half-even, element-wise, in integers."""
    whole, rest = np.divmod(amount * basis_points, 10_000)
    up = (rest > 5_000) | ((rest == 5_000) & (whole % 2 == 1))
    result: I64 = whole + up
    return result


class Ledger:
    """Captured payments (payment number = row + 1), idempotency keys and account balances."""

    def __init__(self, fee_bp: int) -> None:
        self.fee_bp = fee_bp
        self.cols = {name: Column(np.int64) for name in ("order", "amount", "fee", "at")}
        self.keys: dict[str, KeyMemory] = {}
        self.customer_balance = Column(np.int64)
        self.merchant = 0
        self.platform = 0

    def __len__(self) -> int:
        return len(self.cols["order"])

    def col(self, name: str) -> I64:
        """Return one payment column."""
        return self.cols[name].view()

    def decide(
        self, orders: OrderBook, numbers: list[int], amounts: list[int], keys: list[str], now_us: int
    ) -> tuple[list[int], list[str], list[int]]:
        """Decide captures exactly as one by one (keys make them order-dependent); mark orders paid.

        Returns the code per request, and the keys and order numbers that captured (for :meth:`record`). Requests with
        a new key and a new order depend on nothing else in the batch: one vector pass decides
        them; requests repeating a key or an order of this batch follow one by one, in order.
        """
        memory = self.keys
        seen = [memory.get(key) for key in keys]
        codes = [0] * len(keys)
        firsts, later = _split(seen, numbers, amounts, keys, codes)
        at = np.asarray(firsts, dtype=np.int64)
        first_codes = self._vector_codes(
            orders, np.asarray(numbers, dtype=np.int64)[at], np.asarray(amounts, dtype=np.int64)[at], now_us
        )
        captured: list[str] = []
        captured_numbers: list[int] = []
        for i, code in zip(firsts, first_codes.tolist(), strict=True):
            codes[i] = code
            memory[keys[i]] = (numbers[i], amounts[i], code, 0)
            if code == PAID_OK:
                captured.append(keys[i])
                captured_numbers.append(numbers[i])
        if later:
            late_codes, late_captured, late_numbers = self._decide_one_by_one(
                orders, [numbers[i] for i in later], [amounts[i] for i in later], [keys[i] for i in later], now_us
            )
            for i, code in zip(later, late_codes, strict=True):
                codes[i] = code
            captured += late_captured
            captured_numbers += late_numbers
        return codes, captured, captured_numbers

    def _vector_codes(self, orders: OrderBook, numbers: I64, amounts: I64, now_us: int) -> I64:
        rows = numbers - 1
        known = (rows >= 0) & (rows < len(orders))
        safe = np.where(known, rows, 0)
        state = orders.col("state")
        status = state[safe]
        codes: I64 = np.select(
            [
                ~known,
                status == OrderState.PAID,
                status != OrderState.RESERVED,
                orders.col("expires")[safe] <= now_us,
                orders.col("total")[safe] != amounts,
            ],
            [UNKNOWN_ORDER, ALREADY_PAID, NOT_PAYABLE, EXPIRED, AMOUNT_MISMATCH],
            PAID_OK,
        ).astype(np.int64)
        state[rows[codes == PAID_OK]] = OrderState.PAID
        return codes

    def _decide_one_by_one(
        self, orders: OrderBook, numbers: list[int], amounts: list[int], keys: list[str], now_us: int
    ) -> tuple[list[int], list[str], list[int]]:
        state, total, expires = orders.col("state"), orders.col("total"), orders.col("expires")
        reserved, paid = int(OrderState.RESERVED), int(OrderState.PAID)
        codes: list[int] = []
        captured: list[str] = []
        captured_numbers: list[int] = []
        count = len(orders)
        memory = self.keys
        for number, amount, key in zip(numbers, amounts, keys, strict=True):
            seen = memory.get(key)
            if seen is not None:
                codes.append(seen[2] if (seen[0], seen[1]) == (number, amount) else CONFLICT)
                continue
            row = number - 1
            if not 0 <= row < count:
                code = UNKNOWN_ORDER
            elif state[row] != reserved:
                code = ALREADY_PAID if state[row] == paid else NOT_PAYABLE
            elif expires[row] <= now_us:
                code = EXPIRED
            elif total[row] != amount:
                code = AMOUNT_MISMATCH
            else:
                code = PAID_OK
                state[row] = paid
                captured.append(key)
                captured_numbers.append(number)
            memory[key] = (number, amount, code, 0)
            codes.append(code)
        return codes, captured, captured_numbers

    def record(self, orders: OrderBook, captured: list[str], numbers: I64, now_us: int) -> None:
        """Post the captures of ``captured`` keys on orders ``numbers`` and number their payments."""
        if not captured:
            return
        first = len(self) + 1
        memory = self.keys
        amount = orders.col("total")[numbers - 1]
        fee = fee_of(amount, self.fee_bp)
        for name, values in (("order", numbers), ("amount", amount), ("fee", fee)):
            self.cols[name].extend(values)
        self.cols["at"].extend(np.full(len(captured), now_us, dtype=np.int64))
        for payment, key in enumerate(captured, start=first):
            seen = memory[key]
            memory[key] = (seen[0], seen[1], seen[2], payment)
        customers = orders.col("customer")[numbers - 1]
        self.grow_customers(int(customers.max()) + 1)
        np.subtract.at(self.customer_balance.view(), customers, amount)
        self.merchant += int((amount - fee).sum())
        self.platform += int(fee.sum())

    def grow_customers(self, count: int) -> None:
        """Make room for ``count`` customer accounts."""
        missing = count - len(self.customer_balance)
        if missing > 0:
            self.customer_balance.extend(np.zeros(missing, dtype=np.int64))

    def total(self) -> int:
        """Return the sum of every account balance (zero, always)."""
        return int(self.customer_balance.view().sum()) + self.merchant + self.platform


def _split(
    seen: list[KeyMemory | None], numbers: list[int], amounts: list[int], keys: list[str], codes: list[int]
) -> tuple[list[int], list[int]]:
    """Answer replayed keys into ``codes``; split the rest into independent and dependent requests.

    A request is independent when no earlier request of the batch has its key or its order.
    """
    firsts: list[int] = []
    later: list[int] = []
    batch_keys: set[str] = set()
    batch_numbers: set[int] = set()
    for i, found in enumerate(seen):
        if found is not None:
            codes[i] = found[2] if (found[0], found[1]) == (numbers[i], amounts[i]) else CONFLICT
            continue
        key, number = keys[i], numbers[i]
        (later if key in batch_keys or number in batch_numbers else firsts).append(i)
        batch_keys.add(key)
        batch_numbers.add(number)
    return firsts, later
