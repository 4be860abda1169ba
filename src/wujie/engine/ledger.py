"""Payments at intake speed: idempotent captures and a double-entry ledger that sums to zero.

Each capture posts three entries: the customer pays ``-amount``, the merchant receives
``amount - fee`` and the platform ``fee`` (basis points, rounded half-even), so every capture,
and therefore the ledger, sums to zero. An idempotency key remembers its first request and
answer: the same key with the same order and amount replays the answer, anything else conflicts.
The keys live in a :class:`~wujie.engine.keytable.KeyTable` (64-bit hashes, bytes verified).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from wujie.engine.columns import Column
from wujie.engine.keytable import U64, KeyBatch, KeyTable, first_seen
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


def fee_of(amount: I64, basis_points: int) -> I64:
    """Return ``amount * basis_points / 10_000`` rounded half-even, element-wise, in integers."""
    whole, rest = np.divmod(amount * basis_points, 10_000)
    up = (rest > 5_000) | ((rest == 5_000) & (whole % 2 == 1))
    result: I64 = whole + up
    return result


@dataclass(frozen=True, slots=True)
class Captures:
    """How a batch of captures was decided: per request its code and key entry; who captured."""

    codes: I64
    entries: I64
    captured: I64  # request indices that captured, in payment-number order


class Ledger:
    """Captured payments (payment number = row + 1), idempotency keys and account balances."""

    def __init__(self, fee_bp: int, hash_bits: int | None = None) -> None:
        self.fee_bp = fee_bp
        self.cols = {name: Column(np.int64) for name in ("order", "amount", "fee", "at")}
        self.keys = KeyTable(hash_bits)
        self.customer_balance = Column(np.int64)
        self.merchant = 0
        self.platform = 0

    def __len__(self) -> int:
        return len(self.cols["order"])

    def col(self, name: str) -> I64:
        """Return one payment column."""
        return self.cols[name].view()

    def decide(self, orders: OrderBook, numbers: I64, amounts: I64, keys: KeyBatch, now_us: int) -> Captures:
        """Decide captures exactly as one by one (keys make them order-dependent); mark orders paid.

        Keys seen in an earlier batch replay their answer (or conflict). Requests with a new key
        and an order that no earlier new request of the batch repeats depend on nothing else in
        the batch: one vector pass decides them. The rest (a key or an order repeated inside the
        batch, or a 64-bit hash shared with an earlier key) follow one by one, in arrival order.
        """
        table = self.keys
        hashes = table.hashes(keys)
        entries, ends = table.probe(keys, hashes)
        codes = np.zeros(len(entries), dtype=np.int64)
        known = np.flatnonzero(entries >= 0)
        if len(known):
            seen = entries[known]
            same = (table.col("number")[seen] == numbers[known]) & (table.col("amount")[seen] == amounts[known])
            codes[known] = np.where(same, table.col("code")[seen], CONFLICT)
        new = np.flatnonzero(entries < 0)
        independent = first_seen(hashes[new]) & first_seen(numbers[new].view(np.uint64))
        firsts, later = new[independent], new[~independent]
        first_codes = self._vector_codes(orders, numbers[firsts], amounts[firsts], now_us)
        codes[firsts] = first_codes
        memory = {"number": numbers[firsts], "amount": amounts[firsts], "code": first_codes}
        entries[firsts] = table.add(keys, hashes, firsts, memory, ends[firsts])
        captured = firsts[first_codes == PAID_OK]
        if len(later):
            late = _Batch(numbers, amounts, keys, hashes, codes, entries)
            captured = np.concatenate((captured, self._decide_later(orders, late, firsts, later, now_us)))
        table.remember(keys, entries)
        return Captures(codes, entries, captured)

    def _vector_codes(self, orders: OrderBook, numbers: I64, amounts: I64, now_us: int) -> I64:
        if len(orders) == 0:
            return np.full(len(numbers), UNKNOWN_ORDER, dtype=np.int64)
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

    def _decide_later(self, orders: OrderBook, batch: _Batch, firsts: I64, later: I64, now_us: int) -> I64:
        """Decide the dependent requests one by one; add their new keys; return those that captured."""
        codes, entries = batch.codes, batch.entries
        local: dict[bytes, tuple[int, int, int, int]] = {}  # key -> (entry, number, amount, code)
        for i in firsts[np.isin(batch.hashes[firsts], batch.hashes[later])].tolist():
            local[batch.keys.key(i)] = (int(entries[i]), int(batch.numbers[i]), int(batch.amounts[i]), int(codes[i]))
        state, total, expires = orders.col("state"), orders.col("total"), orders.col("expires")
        reserved, paid, count = int(OrderState.RESERVED), int(OrderState.PAID), len(orders)
        added: list[int] = []
        captured: list[int] = []
        for i in later.tolist():
            key, number, amount = batch.keys.key(i), int(batch.numbers[i]), int(batch.amounts[i])
            seen = local.get(key)
            if seen is not None:
                entries[i] = seen[0]
                codes[i] = seen[3] if (seen[1], seen[2]) == (number, amount) else CONFLICT
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
                captured.append(i)
            local[key] = (self.keys.count + len(added), number, amount, code)
            entries[i], codes[i] = local[key][0], code
            added.append(i)
        rows = np.asarray(added, dtype=np.int64)
        memory = {"number": batch.numbers[rows], "amount": batch.amounts[rows], "code": codes[rows]}
        self.keys.add(batch.keys, batch.hashes, rows, memory)
        return np.asarray(captured, dtype=np.int64)

    def record(self, orders: OrderBook, decided: Captures, numbers: I64, now_us: int) -> None:
        """Post the captures of ``decided`` (``numbers``: order number per request); number the payments."""
        if not len(decided.captured):
            return
        first = len(self) + 1
        captured = numbers[decided.captured]
        amount = orders.col("total")[captured - 1]
        fee = fee_of(amount, self.fee_bp)
        for name, values in (("order", captured), ("amount", amount), ("fee", fee)):
            self.cols[name].extend(values)
        self.cols["at"].extend(np.full(len(captured), now_us, dtype=np.int64))
        self.keys.set_payments(decided.entries[decided.captured], np.arange(first, first + len(captured)))
        customers = orders.col("customer")[captured - 1]
        self.grow_customers(int(customers.max()) + 1)
        np.subtract.at(self.customer_balance.view(), customers, amount)
        self.merchant += int((amount - fee).sum())
        self.platform += int(fee.sum())

    def payments(self, decided: Captures) -> I64:
        """Return the payment number per request of ``decided`` (its capture's, or a replayed one's; else 0)."""
        paid: I64 = np.where(decided.codes == PAID_OK, self.keys.col("payment")[decided.entries], 0)
        return paid

    def grow_customers(self, count: int) -> None:
        """Make room for ``count`` customer accounts."""
        missing = count - len(self.customer_balance)
        if missing > 0:
            self.customer_balance.extend(np.zeros(missing, dtype=np.int64))

    def total(self) -> int:
        """Return the sum of every account balance (zero, always)."""
        return int(self.customer_balance.view().sum()) + self.merchant + self.platform


@dataclass(frozen=True, slots=True)
class _Batch:
    """One batch's request columns, hashes, and the codes and entries being filled in."""

    numbers: I64
    amounts: I64
    keys: KeyBatch
    hashes: U64
    codes: I64
    entries: I64
