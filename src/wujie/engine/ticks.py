"""Orders that arrive in the same event-loop tick, decided as one batch with one future.

The HTTP hot route does not hand each request to the engine's writer on its own. It appends the
order to the *open* :class:`TickBatch` of its event loop (plain list appends, already in the
engine's column layout) and awaits the batch's single future. The first request of a tick
schedules a flush with ``loop.call_soon``; by the time it runs, every request the loop read in
that tick is in the batch, which goes to the writer as one job
(:meth:`wujie.engine.intake.Intake.submit_ticks`). The writer decides it with one
:meth:`Engine.place_columns` call and the syncer resolves the one future after the ``fdatasync``
that covers it: an answer still never leaves before its order is durable.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from wujie.engine.decisions import OrderColumns
from wujie.engine.ports import IntakeEngine


class SharedFuture(asyncio.Future[None]):
    """A future many requests await; cancelling one waiter must not cancel it for the others.

    ``Task.cancel`` first tries to cancel the future its task awaits; refusing here makes the
    cancelled task see ``CancelledError`` when the batch resolves, and leaves the rest alone.
    """

    def cancel(self, msg: Any | None = None) -> bool:
        """Refuse: the batch's answer belongs to all of its requests."""
        return False


class TickBatch:
    """The orders of one tick as columns, and after the writer ran, their answers.

    ``reason`` holds the index of each order's refusal code (0: accepted, see
    ``book.REASON_CODES``), ``number`` its order number (0 when refused), ``total`` its amount.
    """

    __slots__ = ("customers", "future", "nlines", "number", "qty", "reason", "regions", "skus", "total")

    def __init__(self, future: asyncio.Future[None]) -> None:
        self.future = future
        self.customers: list[str] = []
        self.regions: list[str | None] = []
        self.nlines: list[int] = []
        self.skus: list[str] = []
        self.qty: list[int] = []
        self.reason: list[int] = []
        self.number: list[int] = []
        self.total: list[int] = []

    def __len__(self) -> int:
        return len(self.customers)

    def add(self, customer: str, lines: Sequence[tuple[str, int]], region: str | None) -> int:
        """Append one order; return its slot in the batch."""
        self.customers.append(customer)
        self.regions.append(region)
        self.nlines.append(len(lines))
        for sku, qty in lines:
            self.skus.append(sku)
            self.qty.append(qty)
        return len(self.customers) - 1

    def answer(self, slot: int) -> tuple[int, int, int]:
        """Return ``(reason, number, total)`` of the order in ``slot`` (after the future resolved)."""
        return self.reason[slot], self.number[slot], self.total[slot]


def decide_ticks(engine: IntakeEngine, batches: Sequence[TickBatch]) -> None:
    """Decide every order of ``batches`` with one :meth:`Engine.place_columns` call (on the writer).

    The answers are stored on each batch; the caller makes them durable before resolving futures.
    """
    customers = [c for batch in batches for c in batch.customers]
    skus = [s for batch in batches for s in batch.skus]
    qty = [q for batch in batches for q in batch.qty]
    nlines = [n for batch in batches for n in batch.nlines]
    regions = [r for batch in batches for r in batch.regions]
    columns = OrderColumns(
        customer=engine.customer_ids(customers),
        sku=engine.sku_ids(skus),
        qty=np.array(qty, dtype=np.int64),
        nlines=np.array(nlines, dtype=np.int64),
        region=engine.region_ids(regions),
    )
    result = engine.place_columns(columns)
    reason, number, total = result.reason.tolist(), result.number.tolist(), result.total.tolist()
    start = 0
    for batch in batches:
        end = start + len(batch)
        batch.reason, batch.number, batch.total = reason[start:end], number[start:end], total[start:end]
        start = end


class OrderTicks:
    """Collects the orders of each event-loop tick into one :class:`TickBatch` for the writer.

    Parameters
    ----------
    submit
        Hands a full batch to the writer (``Intake.submit_ticks``).
    """

    def __init__(self, submit: Callable[[TickBatch, asyncio.AbstractEventLoop], None]) -> None:
        self._submit = submit
        self._open: dict[asyncio.AbstractEventLoop, TickBatch] = {}

    async def place(self, customer: str, lines: Sequence[tuple[str, int]], region: str | None) -> tuple[int, int, int]:
        """Decide one order with the others of this tick; return ``(reason, number, total)`` once durable."""
        loop = asyncio.get_running_loop()
        batch = self._open.get(loop)
        if batch is None:
            batch = self._open[loop] = TickBatch(SharedFuture(loop=loop))
            loop.call_soon(self._flush, loop)
        slot = batch.add(customer, lines, region)
        await batch.future
        return batch.answer(slot)

    def _flush(self, loop: asyncio.AbstractEventLoop) -> None:
        batch = self._open.pop(loop)
        try:
            self._submit(batch, loop)
        except BaseException as exc:  # noqa: BLE001 - every waiter of the batch gets the failure
            batch.future.set_exception(exc)
