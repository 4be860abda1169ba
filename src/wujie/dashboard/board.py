"""The command center's state: every projection behind one dispatch table, and its snapshot."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from wujie.catalog.events import SearchPerformed
from wujie.dashboard.errors import DashboardError
from wujie.dashboard.lookups import Lookups
from wujie.dashboard.operations import FulfilmentProjection, SearchProjection, StockProjection
from wujie.dashboard.sales import SalesProjection
from wujie.dashboard.snapshot import build_snapshot
from wujie.inventory.events import StockDepleted, StockReceived
from wujie.orders.events import OrderAllocated, OrderCancelled, OrderDelivered, OrderExpired, OrderPlaced, OrderShipped
from wujie.payments.events import PaymentCaptured, PaymentFailed, PaymentRefunded
from wujie.shared.events import Event


class SaleDashboard:
    """All projections of one sale, fed by batches of events.

    Parameters
    ----------
    lookups
        Brand and heritage flag per SKU, name and coordinates per region.
    currency
        The sale's currency; ``None`` adopts the first payment's.
    top_k
        How many brands, products and search terms the snapshot lists.
    search_capacity
        Counters of the Space-Saving sketch of search terms.

    Notes
    -----
    Events the dashboard does not show (reservations, ``OrderPaid``...) are skipped in one dict
    lookup. A projection that refuses an event (a second currency) does not stop the batch: the
    event is counted in :attr:`rejected` and the error kept in :attr:`last_error`.
    """

    def __init__(
        self,
        lookups: Lookups | None = None,
        *,
        currency: str | None = None,
        top_k: int = 10,
        search_capacity: int = 1_000,
    ) -> None:
        self.lookups = lookups or Lookups()
        self.top_k = top_k
        self.sales = SalesProjection(currency)
        self.fulfilment = FulfilmentProjection()
        self.stock = StockProjection()
        self.search = SearchProjection(search_capacity)
        self.events = 0
        self.rejected = 0
        self.last_error: str | None = None
        self._handlers: dict[type[Event], Callable[[Any], None]] = {
            OrderPlaced: self.sales.on_placed,
            PaymentCaptured: self.sales.on_captured,
            PaymentFailed: self.sales.on_failed,
            PaymentRefunded: self.sales.on_refunded,
            OrderCancelled: self.sales.on_cancelled,
            OrderExpired: self.sales.on_cancelled,
            OrderAllocated: self.fulfilment.on_allocated,
            OrderShipped: self.fulfilment.on_shipped,
            OrderDelivered: self.fulfilment.on_delivered,
            StockDepleted: self.stock.on_depleted,
            StockReceived: self.stock.on_received,
            SearchPerformed: self.search.on_search,
        }

    def apply(self, events: Sequence[Event]) -> None:
        """Fold ``events`` (in commit order) into every projection."""
        handler_of = self._handlers.get
        for event in events:
            handler = handler_of(type(event))
            if handler is not None:
                try:
                    handler(event)
                except DashboardError as exc:
                    self.rejected += 1
                    self.last_error = str(exc)
        self.events += len(events)

    def publish(self, events: Sequence[Event]) -> None:
        """Same as :meth:`apply`: a board is an ``EventSink`` (single-threaded; see ``LiveDashboard``)."""
        self.apply(events)

    def snapshot(self) -> dict[str, Any]:
        """Return the whole state as JSON-ready plain data (see :func:`build_snapshot`)."""
        return build_snapshot(self)
