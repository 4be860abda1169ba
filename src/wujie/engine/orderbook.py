"""The order table: one row per accepted order, its lines in a second table (both columnar)."""

from __future__ import annotations

from enum import IntEnum

import numpy as np
import numpy.typing as npt

from wujie.engine.columns import Column
from wujie.orders.model import OrderStatus

I64 = npt.NDArray[np.int64]


class OrderState(IntEnum):
    """Engine order states; ``status`` gives the order aggregate's :class:`OrderStatus`."""

    RESERVED = 1
    PAID = 2
    CANCELLED = 3
    EXPIRED = 4

    @property
    def status(self) -> OrderStatus:
        """Return the core status (``OrderStatus.RESERVED``...)."""
        return OrderStatus(self.name.lower())


ORDER_COLUMNS = ("customer", "region", "state", "placed", "expires", "total", "line_lo", "nlines")
LINE_COLUMNS = ("sku", "qty", "price", "counted")


class OrderBook:
    """Accepted orders, numbered 1, 2, 3... in decision order (order number = row + 1)."""

    def __init__(self) -> None:
        self.cols = {name: Column(np.int64) for name in ORDER_COLUMNS}
        self.lines = {name: Column(np.int64) for name in LINE_COLUMNS}
        self.expiry_cursor = 0  # rows before it hold no RESERVED order

    def __len__(self) -> int:
        return len(self.cols["state"])

    def col(self, name: str) -> I64:
        """Return one order column (a writable view)."""
        return self.cols[name].view()

    def line(self, name: str) -> I64:
        """Return one line column (a writable view)."""
        return self.lines[name].view()

    def append(self, orders: dict[str, I64], lines: dict[str, I64]) -> I64:
        """Append orders (``line_lo`` relative to ``lines``) and their lines; return their numbers."""
        first = len(self) + 1
        base = len(self.lines["sku"])
        for name in ORDER_COLUMNS:
            values = orders[name] + base if name == "line_lo" else orders[name]
            self.cols[name].extend(values)
        for name in LINE_COLUMNS:
            self.lines[name].extend(lines[name])
        return np.arange(first, first + len(orders["state"]), dtype=np.int64)

    def line_rows(self, rows: I64) -> I64:
        """Return the line rows of order ``rows`` (0-based), concatenated in order."""
        lo, count = self.col("line_lo")[rows], self.col("nlines")[rows]
        if len(rows) == 0:
            return np.zeros(0, dtype=np.int64)
        if bool((count == 1).all()):
            return lo
        owner = np.repeat(np.arange(len(rows)), count)
        offsets = np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count, count)
        return lo[owner] + offsets

    def due(self, now_us: int) -> I64:
        """Return rows of RESERVED orders whose reservation ended at or before ``now_us``."""
        state = self.col("state")[self.expiry_cursor :]
        expires = self.col("expires")[self.expiry_cursor :]
        rows: I64 = np.flatnonzero((state == OrderState.RESERVED) & (expires <= now_us)) + self.expiry_cursor
        return rows

    def advance_cursor(self) -> None:
        """Skip the leading rows that no longer hold a reservation."""
        open_rows = np.flatnonzero(self.col("state")[self.expiry_cursor :] == OrderState.RESERVED)
        self.expiry_cursor += int(open_rows[0]) if len(open_rows) else len(self) - self.expiry_cursor
