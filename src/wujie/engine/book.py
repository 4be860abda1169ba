"""The stock book: available units per SKU, prices, purchase limits, and the decision kernels.

Every SKU belongs to exactly one writer (the engine's sequencer), so a decision is a read and a
write of plain integers with nothing in between: overselling is impossible by construction.
A run of single-line orders is decided with numpy in one pass that gives *exactly* the answer of
deciding them one by one in arrival order (see :meth:`StockBook.decide_singles`); multi-line orders
and the rare groups the vector pass cannot prove exact go through :meth:`StockBook.decide_lines`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from wujie.catalog.errors import CatalogErrorCode
from wujie.catalog.model import FlashSale, Sku
from wujie.engine.columns import Column
from wujie.engine.errors import EngineError, EngineErrorCode
from wujie.engine.timebase import to_us
from wujie.inventory.errors import InventoryErrorCode
from wujie.orders.errors import OrderErrorCode
from wujie.shared.errors import InvalidInput

I64 = npt.NDArray[np.int64]
I8 = npt.NDArray[np.int8]

#: per-order decision reasons (``REASON_CODES`` names them)
OK, OUT_OF_STOCK, LIMIT, UNKNOWN_SKU, BAD_QTY, BAD_LINES = 0, 1, 2, 3, 4, 5
#: the core's stable error codes, by reason index
REASON_CODES: tuple[str | None, ...] = (
    None,
    InventoryErrorCode.INSUFFICIENT_STOCK.value,
    OrderErrorCode.PURCHASE_LIMIT_EXCEEDED.value,
    CatalogErrorCode.UNKNOWN_SKU.value,
    OrderErrorCode.INVALID_QUANTITY.value,
    OrderErrorCode.INVALID_ORDER.value,
)
_KEY_SHIFT = 32


@dataclass(frozen=True, slots=True)
class SkuTerms:
    """What the engine must know of a SKU: units on hand, prices (minor units) and the limit.

    ``flash_price`` applies when ``flash_start_us <= now < flash_end_us`` (microseconds since the
    epoch); ``limit`` is the flash sale's per-customer limit: while the sale runs, the units one
    customer holds at the flash price (reserved or bought) may not exceed it (0: no limit).
    """

    sku: str
    on_hand: int
    price: int
    flash_price: int = 0
    flash_start_us: int = 0
    flash_end_us: int = 0
    limit: int = 0

    @classmethod
    def from_catalog(cls, sku: Sku, on_hand: int, sale: FlashSale | None = None) -> SkuTerms:
        """Return the terms of a catalog SKU (list price) and its flash sale, if any."""
        if sale is None:
            return cls(sku.id, on_hand, sku.list_price.minor)
        return cls(
            sku.id,
            on_hand,
            sku.list_price.minor,
            sale.price.minor,
            to_us(sale.start),
            to_us(sale.end),
            sale.limit_per_customer,
        )


def check_new_skus(terms: Sequence[SkuTerms], existing: Iterable[str]) -> None:
    """Refuse SKUs already in ``existing`` or repeated in ``terms``, and negative stock, prices or limits."""
    seen = set(existing)
    for term in terms:
        if term.sku in seen:
            raise EngineError(EngineErrorCode.DUPLICATE_SKU, f"SKU {term.sku} already exists", sku=term.sku)
        seen.add(term.sku)
        if min(term.on_hand, term.price, term.flash_price, term.limit) < 0 or not term.sku:
            raise InvalidInput("stock, prices and limits must be non-negative", sku=term.sku)


def group_starts(sorted_keys: npt.NDArray[Any]) -> tuple[I64, I64]:
    """Return ``(starts, group_of_each_row)`` of the runs of equal values in ``sorted_keys``."""
    breaks = np.empty(len(sorted_keys), dtype=bool)
    breaks[:1] = True
    np.not_equal(sorted_keys[1:], sorted_keys[:-1], out=breaks[1:])
    return np.flatnonzero(breaks), np.cumsum(breaks) - 1


class StockBook:
    """Columnar SKU state owned by one writer."""

    def __init__(self) -> None:
        self.skus: list[str] = []
        self.index: dict[str, int] = {}
        names = ("on_hand", "reserved", "sold", "price", "flash_price", "flash_start", "flash_end", "limit")
        self.cols = {name: Column(np.int64) for name in names}
        self.used: dict[int, int] = {}

    def __len__(self) -> int:
        return len(self.skus)

    def col(self, name: str) -> I64:
        """Return one SKU column (a writable view)."""
        return self.cols[name].view()

    def add(self, terms: Sequence[SkuTerms]) -> None:
        """Append SKUs (the caller has refused duplicates)."""
        for term in terms:
            self.index[term.sku] = len(self.skus)
            self.skus.append(term.sku)
        values = {
            "on_hand": [t.on_hand for t in terms],
            "reserved": [0] * len(terms),
            "sold": [0] * len(terms),
            "price": [t.price for t in terms],
            "flash_price": [t.flash_price for t in terms],
            "flash_start": [t.flash_start_us for t in terms],
            "flash_end": [t.flash_end_us for t in terms],
            "limit": [t.limit for t in terms],
        }
        for name, column in self.cols.items():
            column.extend(np.asarray(values[name], dtype=np.int64))

    def available(self, sku: I64 | None = None) -> I64:
        """Return units on hand minus reserved minus sold (for ``sku`` rows, or all)."""
        on_hand, reserved, sold = self.col("on_hand"), self.col("reserved"), self.col("sold")
        if sku is not None:  # only the rows asked for: the whole catalog costs ~90 us at 100k SKUs
            on_hand, reserved, sold = on_hand[sku], reserved[sku], sold[sku]
        free: I64 = on_hand - reserved - sold
        return free

    def on_sale(self, sku: I64, now_us: int) -> npt.NDArray[np.bool_]:
        """Return, per row, whether the SKU's flash sale runs at ``now_us``."""
        return (self.col("flash_start")[sku] <= now_us) & (now_us < self.col("flash_end")[sku])

    def unit_prices(self, sku: I64, now_us: int) -> I64:
        """Return the price each row pays at ``now_us`` (the flash price inside its window)."""
        return np.where(self.on_sale(sku, now_us), self.col("flash_price")[sku], self.col("price")[sku])

    def limits(self, sku: I64, now_us: int) -> I64:
        """Return the per-customer limit in force for each row at ``now_us`` (0: none)."""
        return np.where(self.on_sale(sku, now_us), self.col("limit")[sku], 0)

    def decide_singles(self, cust: I64, sku: I64, qty: I64, now_us: int) -> I8:
        """Decide single-line orders exactly as one-by-one in arrival order; apply the accepted.

        Rows are grouped by SKU (a stable sort keeps arrival order). In a group whose quantities
        are all equal, one-by-one decisions accept a prefix of the limit-respecting rows, so ranks
        and cumulative sums give the same answer; other groups fall back to :meth:`decide_lines`.
        """
        reasons = np.zeros(len(sku), dtype=np.int8)
        if len(sku) == 0:
            return reasons
        order = np.argsort(sku, kind="stable")
        s, q, c = sku[order], qty[order], cust[order]
        starts, gid = group_starts(s)
        uniform = np.ones(len(starts), dtype=bool)
        uniform[gid[q != q[starts][gid]]] = False
        fast = uniform[gid]
        limit = self.limits(s, now_us)
        ok = self._limit_ok(c, s, q, fast, limit)
        ok_count = np.cumsum(ok)
        before: I64 = ok_count - ok - (ok_count[starts] - ok[starts])[gid]  # limit-passing rows ahead in the group
        sold_out = before >= (self.available(s[starts]) // q[starts])[gid]
        accepted = fast & ok & ~sold_out
        sorted_reasons = np.where(accepted, OK, np.where(sold_out, OUT_OF_STOCK, LIMIT)).astype(np.int8)
        reasons[order] = sorted_reasons
        self._apply_reserve(c[accepted], s[accepted], q[accepted], limit[accepted])
        for row in np.sort(order[~fast]):
            reasons[row] = self.decide_lines(int(cust[row]), [int(sku[row])], [int(qty[row])], now_us)
        return reasons

    def _limit_ok(self, c: I64, s: I64, q: I64, fast: npt.NDArray[np.bool_], limit: I64) -> npt.NDArray[np.bool_]:
        """For rows sorted by SKU: may each row's customer still buy (limit rank test)?"""
        ok = np.ones(len(s), dtype=bool)
        rows = np.flatnonzero((limit > 0) & fast)
        if len(rows) == 0:
            return ok
        keys = (c[rows] << _KEY_SHIFT) | s[rows]
        key_order = np.argsort(keys, kind="stable")
        sorted_keys = keys[key_order]
        kstarts, kgid = group_starts(sorted_keys)
        used = self.used
        prior = np.fromiter((used.get(k, 0) for k in sorted_keys[kstarts].tolist()), np.int64, len(kstarts))
        first = rows[key_order][kstarts]
        allowed = (limit[first] - prior) // q[first]
        krank = np.arange(len(sorted_keys)) - kstarts[kgid]
        ok[rows[key_order]] = krank < allowed[kgid]
        return ok

    def _apply_reserve(self, c: I64, s: I64, q: I64, limit: I64) -> None:
        np.add.at(self.col("reserved"), s, q)
        limited = limit > 0
        if limited.any():
            keys = (c[limited] << _KEY_SHIFT) | s[limited]
            uniq, first, counts = np.unique(keys, return_index=True, return_counts=True)
            used = self.used
            for key, units in zip(uniq.tolist(), (counts * q[limited][first]).tolist(), strict=True):
                used[key] = used.get(key, 0) + units

    def decide_lines(self, cust: int, skus: Sequence[int], qtys: Sequence[int], now_us: int) -> int:
        """Decide one order: stock first, then limits; all lines are reserved, or none. Return its reason."""
        need: dict[int, int] = {}
        for sku, qty in zip(skus, qtys, strict=True):
            need[sku] = need.get(sku, 0) + qty
        on_hand, reserved, sold = (self.col(n) for n in ("on_hand", "reserved", "sold"))
        limit = self._scalar_limits(need, now_us)
        if any(on_hand[sku] - reserved[sku] - sold[sku] < qty for sku, qty in need.items()):
            return OUT_OF_STOCK
        used = self.used
        if any(limit[sku] and used.get((cust << _KEY_SHIFT) | sku, 0) + qty > limit[sku] for sku, qty in need.items()):
            return LIMIT
        for sku, qty in need.items():
            reserved[sku] += qty
            if limit[sku]:
                key = (cust << _KEY_SHIFT) | sku
                self.used[key] = self.used.get(key, 0) + qty
        return OK

    def _scalar_limits(self, skus: dict[int, int], now_us: int) -> dict[int, int]:
        """Return :meth:`limits` for the few SKUs of one order, by scalar reads (numpy costs more on 1-3 rows)."""
        start, end, limit = self.col("flash_start"), self.col("flash_end"), self.col("limit")
        return {sku: int(limit[sku]) if start[sku] <= now_us < end[sku] else 0 for sku in skus}

    def release(self, cust: I64, sku: I64, qty: I64, counted: npt.NDArray[np.bool_]) -> None:
        """Give reserved units back (cancel, expiry), and the ``counted`` ones to the customer's limit."""
        np.subtract.at(self.col("reserved"), sku, qty)
        used = self.used
        for c, s, q in zip(cust[counted].tolist(), sku[counted].tolist(), qty[counted].tolist(), strict=True):
            key = (c << _KEY_SHIFT) | s
            used[key] = max(0, used.get(key, 0) - q)

    def commit(self, sku: I64, qty: I64) -> None:
        """Turn reserved units into sold ones (payment captured)."""
        np.subtract.at(self.col("reserved"), sku, qty)
        np.add.at(self.col("sold"), sku, qty)
