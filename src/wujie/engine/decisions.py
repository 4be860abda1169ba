"""What goes into the engine and what comes back: requests, decisions and read views."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

import numpy as np
import numpy.typing as npt

I64 = npt.NDArray[np.int64]
I8 = npt.NDArray[np.int8]


def order_id(number: int) -> str:
    """Return the public id of order ``number`` (``ord_000000042``)."""
    return f"ord_{number:09d}"


def order_number(order_id: str) -> int:
    """Return the number inside an order id, or 0 when it is not one of ours."""
    if not order_id.startswith("ord_") or not order_id[4:].isdigit():
        return 0
    return int(order_id[4:])


def payment_id(number: int) -> str:
    """Return the public id of payment ``number`` (``pay_000000042``)."""
    return f"pay_{number:09d}"


@dataclass(frozen=True, slots=True)
class OrderRequest:
    """One order: a customer, lines of ``(sku, quantity)`` and an optional region."""

    customer: str
    lines: tuple[tuple[str, int], ...]
    region: str | None = None


@dataclass(frozen=True, slots=True)
class OrderColumns:
    """A batch of orders as columns (the fast path).

    ``customer`` and ``region`` are indices from :meth:`Engine.customer_ids` /
    :meth:`Engine.region_ids` (region -1 for none), ``sku`` indices from :meth:`Engine.sku_ids`
    (-1 for unknown), one entry per line; ``nlines`` counts lines per order (``None``: one each).
    """

    customer: I64
    sku: I64
    qty: I64
    nlines: I64 | None = None
    region: I64 | None = None


@dataclass(frozen=True, slots=True)
class PlaceResult:
    """Per order: reason index (0 accepted, see ``book.REASON_CODES``), order number (0 if not), total."""

    reason: I8
    number: I64
    total: I64

    @property
    def accepted(self) -> int:
        """Return how many orders were accepted."""
        return int((self.reason == 0).sum())


@dataclass(frozen=True, slots=True)
class Decision:
    """The answer to one order: accepted with an id and total, or refused with a code."""

    accepted: bool
    order_id: str | None
    code: str | None
    total: int


@dataclass(frozen=True, slots=True)
class PaymentResult:
    """The answer to one capture request (replayed as-is for a repeated idempotency key)."""

    code: str | None
    order_id: str
    amount: int
    payment_id: str | None


@dataclass(frozen=True, slots=True)
class StockLevel:
    """Units of one SKU: on hand, reserved, sold and available (= on hand - reserved - sold)."""

    sku: str
    on_hand: int
    reserved: int
    sold: int
    available: int


@dataclass(frozen=True, slots=True)
class OrderView:
    """One order as readers see it."""

    order_id: str
    customer: str
    region: str | None
    status: str
    lines: tuple[tuple[str, int, int], ...]
    total: int
    currency: str
    placed_at: datetime
    expires_at: datetime


class Interning(Protocol):
    """What turns names into the indices of :class:`OrderColumns` (both engines)."""

    def customer_ids(self, customers: Sequence[str]) -> I64:
        """Return (interning new ones) the index of each customer."""
        ...

    def sku_ids(self, skus: Sequence[str]) -> I64:
        """Return the index of each SKU, -1 when unknown."""
        ...

    def region_ids(self, regions: Sequence[str | None]) -> I64:
        """Return (interning new ones) the index of each region, -1 for ``None``."""
        ...


def columns_of(requests: Sequence[OrderRequest], names: Interning) -> OrderColumns:
    """Return the requests as one batch of columns, names turned into indices by ``names``."""
    lines = [line for request in requests for line in request.lines]
    return OrderColumns(
        customer=names.customer_ids([r.customer for r in requests]),
        sku=names.sku_ids([sku for sku, _ in lines]),
        qty=np.fromiter((qty for _, qty in lines), np.int64, len(lines)),
        nlines=np.fromiter((len(r.lines) for r in requests), np.int64, len(requests)),
        region=names.region_ids([r.region for r in requests]),
    )


def decisions_of(result: PlaceResult, codes: Sequence[str | None]) -> list[Decision]:
    """Return one :class:`Decision` per order of ``result``; ``codes`` names each reason index."""
    rows = zip(result.reason.tolist(), result.number.tolist(), result.total.tolist(), strict=True)
    return [
        Decision(reason == 0, order_id(number) if reason == 0 else None, codes[reason], total)
        for reason, number, total in rows
    ]
