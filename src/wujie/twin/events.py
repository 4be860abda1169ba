"""Build the core's event objects for what the twin itself observes (searches, declines, parcels).

The engine publishes its own facts (orders placed, payments captured, cancellations); the twin
adds the searches, the declined payments and the fulfilment steps, so the dashboard sees the
whole day. Objects are built only when a sink listens.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import numpy as np

from wujie.catalog.events import SearchPerformed
from wujie.engine.decisions import order_id
from wujie.orders.events import OrderAllocated, OrderDelivered, OrderShipped
from wujie.payments.events import PaymentFailed
from wujie.shared.events import Event
from wujie.shared.ids import CustomerId, LocationId, OrderId, PaymentId, RegionId
from wujie.twin.scenario import Scenario


class EventFactory:
    """Turn the twin's columns into event objects stamped on the simulated clock."""

    def __init__(self, scenario: Scenario) -> None:
        self.start = scenario.sale_start
        self.population = scenario.population
        self.region_ids = [RegionId(r.id) for r in scenario.geography.regions]
        self.site_ids = [LocationId(s.id) for s in scenario.geography.sites]

    def at(self, seconds: float) -> datetime:
        """Return the moment ``seconds`` after the sale's start."""
        return self.start + timedelta(seconds=float(seconds))

    def searches(self, customer: Any, queries: list[str], results: list[int], now: datetime) -> list[Event]:
        """Return one :class:`SearchPerformed` per query."""
        regions = self.population.region[customer].tolist()
        return [
            SearchPerformed(q, CustomerId(self.population.customer_id(c)), self.region_ids[r], n, now)
            for q, c, r, n in zip(queries, customer.tolist(), regions, results, strict=True)
        ]

    def payment_failed(self, numbers: Any, now: datetime) -> list[Event]:
        """Return one :class:`PaymentFailed` per declined order."""
        return [
            PaymentFailed(PaymentId(f"declined-{order_id(n)}"), OrderId(order_id(n)), "card_declined", now)
            for n in numbers.tolist()
        ]

    def allocated(self, numbers: Any, sites: list[tuple[int, ...]], local: Any, now: datetime) -> list[Event]:
        """Return one :class:`OrderAllocated` per paid order."""
        return [
            OrderAllocated(OrderId(order_id(n)), tuple(self.site_ids[s] for s in where), bool(is_local), now)
            for n, where, is_local in zip(numbers.tolist(), sites, local.tolist(), strict=True)
        ]

    def shipped_delivered(self, numbers: Any, placed: Any, shipped: Any, delivered: Any, until_s: float) -> list[Event]:
        """Return the shipped and delivered events whose time is at or before ``until_s``."""
        out: list[Event] = []
        for row in np.flatnonzero(np.isfinite(shipped) & (shipped <= until_s)).tolist():
            out.append(OrderShipped(OrderId(order_id(int(numbers[row]))), self.at(shipped[row])))
        for row in np.flatnonzero(delivered <= until_s).tolist():
            n = OrderId(order_id(int(numbers[row])))
            out.append(OrderDelivered(n, self.at(placed[row]), self.at(delivered[row])))
        out.sort(key=lambda e: e.at)  # type: ignore[attr-defined]
        return out
