"""Operations projections: fulfilment against the 24 h / 48 h SLA, stock-outs, search terms."""

from __future__ import annotations

from collections import deque
from datetime import timedelta

from wujie.catalog.events import SearchPerformed
from wujie.dashboard.sketch import SpaceSaving
from wujie.inventory.events import StockDepleted, StockReceived
from wujie.orders.events import OrderAllocated, OrderDelivered, OrderShipped

HOUR = timedelta(hours=1)
DAY = timedelta(hours=24)
TWO_DAYS = timedelta(hours=48)


class FulfilmentProjection:
    """Allocated, shipped and delivered orders; deliveries within 24 h and 48 h of the order."""

    def __init__(self) -> None:
        self.allocated = 0
        self.allocated_local = 0
        self.shipped = 0
        self.delivered = 0
        self.within_24h = 0
        self.within_48h = 0
        self.delivery_time_total = timedelta(0)

    def on_allocated(self, event: OrderAllocated) -> None:
        """Count an allocation, and whether it ships from the customer's own region."""
        self.allocated += 1
        if event.local:
            self.allocated_local += 1

    def on_shipped(self, event: OrderShipped) -> None:
        """Count a shipment."""
        self.shipped += 1

    def on_delivered(self, event: OrderDelivered) -> None:
        """Count a delivery and check it against both SLAs."""
        took = event.at - event.placed_at
        self.delivered += 1
        self.delivery_time_total += took
        if took <= TWO_DAYS:
            self.within_48h += 1
            if took <= DAY:
                self.within_24h += 1

    def snapshot(self) -> dict[str, float | int | None]:
        """Return the counts and the SLA shares (``None`` before the first delivery)."""
        delivered = self.delivered
        return {
            "allocated": self.allocated,
            "local_share": self.allocated_local / self.allocated if self.allocated else None,
            "shipped": self.shipped,
            "delivered": delivered,
            "within_24h": self.within_24h,
            "within_48h": self.within_48h,
            "sla_24h": self.within_24h / delivered if delivered else None,
            "sla_48h": self.within_48h / delivered if delivered else None,
            "mean_delivery_hours": self.delivery_time_total / delivered / HOUR if delivered else None,
        }


class StockProjection:
    """Stock-outs: how many happened, which SKU x location pairs are out now, the latest ones."""

    def __init__(self, latest: int = 10) -> None:
        self.stockouts = 0
        self.out_now: set[tuple[str, str]] = set()
        self.latest: deque[tuple[str, str, str]] = deque(maxlen=latest)

    def on_depleted(self, event: StockDepleted) -> None:
        """Record a stock-out."""
        self.stockouts += 1
        self.out_now.add((event.sku, event.location))
        self.latest.appendleft((event.sku, event.location, event.at.isoformat()))

    def on_received(self, event: StockReceived) -> None:
        """A replenished SKU x location is no longer out of stock."""
        if event.quantity > 0:
            self.out_now.discard((event.sku, event.location))


class SearchProjection:
    """Hot search terms (case-folded, trimmed) in a Space-Saving sketch, and zero-result searches."""

    def __init__(self, capacity: int = 1_000) -> None:
        self.terms = SpaceSaving(capacity)
        self.zero_results = 0
        self._normal: dict[str, str] = {}

    def on_search(self, event: SearchPerformed) -> None:
        """Count the query's term."""
        query = event.query
        term = self._normal.get(query)
        if term is None:
            term = query.strip().casefold()
            if len(self._normal) < 100_000:
                self._normal[query] = term
        terms = self.terms
        if term in terms.counts:  # the common case, inlined: a monitored term
            terms.counts[term] += 1
            terms.total += 1
        elif term:
            terms.add(term)
        if event.results == 0:
            self.zero_results += 1
