"""The twin's door into the real intake engine (:mod:`wujie.engine`): catalog, orders, payments.

Everything the customers do goes through :class:`wujie.engine.engine.Engine`: its single-writer
stock book decides every order (no oversell by construction), its journal makes each batch
durable, its ledger captures each payment once. The twin only translates its columns to the
engine's and reads back the decisions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np

from wujie.engine.book import LIMIT, OUT_OF_STOCK, SkuTerms
from wujie.engine.decisions import OrderColumns, PlaceResult, order_id
from wujie.engine.engine import Engine
from wujie.engine.ports import EventSink
from wujie.engine.timebase import to_us
from wujie.shared.clock import Clock
from wujie.twin.scenario import Scenario
from wujie.twin.shoppers import Basket

OVER_LIMIT = LIMIT
__all__ = ["OUT_OF_STOCK", "OVER_LIMIT", "Intake", "Payments", "sku_terms"]


@dataclass(frozen=True)
class Payments:
    """What the engine answered to a batch of captures."""

    paid: Any  # bool per request
    codes: list[str | None]


class Intake:
    """The engine, loaded with the scenario's catalog and the pre-positioned stock."""

    def __init__(self, engine: Engine, n_customers: int, region_index: Any) -> None:
        self.engine = engine
        self.customer_index = np.full(n_customers, -1, dtype=np.int64)
        self.region_index = region_index

    @classmethod
    def for_scenario(
        cls,
        scenario: Scenario,
        supply: Any,
        directory: Path,
        clock: Clock,
        sink: EventSink | None,
        *,
        sync: bool = True,
    ) -> Intake:
        """Open an engine in ``directory`` and list every SKU with its supply, price and flash deal."""
        engine = Engine.open(directory, clock=clock, sink=sink, currency=scenario.currency, sync=sync)
        engine.add_skus(sku_terms(scenario, supply))
        regions = engine.region_ids([r.id for r in scenario.geography.regions])
        return cls(engine, len(scenario.population), regions)

    def _customers(self, customers: Any, scenario: Scenario) -> Any:
        """Map population indices to engine customer indices, interning new customers."""
        index = self.customer_index[customers]
        new = np.unique(customers[index < 0])
        if len(new):
            self.customer_index[new] = self.engine.customer_ids([scenario.population.customer_id(int(c)) for c in new])
            index = self.customer_index[customers]
        return index

    def place(self, basket: Basket, scenario: Scenario) -> PlaceResult:
        """Decide one second's orders in one engine batch."""
        region = self.region_index[scenario.population.region[basket.customer]]
        columns = OrderColumns(
            customer=self._customers(basket.customer, scenario),
            sku=basket.sku,
            qty=basket.qty,
            nlines=basket.nlines,
            region=region,
        )
        return self.engine.place_columns(columns)

    def pay(self, numbers: Sequence[int], amounts: Sequence[int]) -> Payments:
        """Capture payments with one idempotency key per order."""
        ids = [order_id(n) for n in numbers]
        results = self.engine.pay_many(ids, amounts, [f"twin-pay-{n}" for n in numbers])
        codes = [r.code for r in results]
        return Payments(np.array([c is None for c in codes], dtype=bool), codes)

    def cancel(self, numbers: Sequence[int], reason: str) -> int:
        """Cancel reserved orders; return how many the engine cancelled."""
        if not numbers:
            return 0
        return sum(code is None for code in self.engine.cancel([order_id(n) for n in numbers], reason))

    def captured_total(self) -> int:
        """Return the ledger's captured total in minor units (sum of every capture)."""
        return int(self.engine.state.ledger.col("amount").sum())

    def oversold(self) -> int:
        """Return the units sold or reserved beyond what was on hand, summed over SKUs (must be 0)."""
        book = self.engine.state.book
        excess = book.col("sold") + book.col("reserved") - book.col("on_hand")
        return int(np.maximum(excess, 0).sum())

    def sold_out(self) -> int:
        """Return how many SKUs have no units left to sell."""
        return int((self.engine.state.book.available() <= 0).sum())

    def close(self) -> None:
        """Close the engine (sync and snapshot)."""
        self.engine.close()


def sku_terms(scenario: Scenario, supply: Any) -> list[SkuTerms]:
    """Return the engine's terms of every SKU: units, list price and its flash deal, if any."""
    a = scenario.assortment
    deals = {d.sku: d for d in a.flash}
    start = scenario.sale_start
    terms = []
    for i, sku in enumerate(a.sku_ids):
        deal = deals.get(i)
        if deal is None:
            terms.append(SkuTerms(sku, int(supply[i]), int(a.price_minor[i])))
            continue
        begin, end = start + timedelta(minutes=deal.start_min), start + timedelta(minutes=deal.end_min)
        terms.append(
            SkuTerms(sku, int(supply[i]), int(a.price_minor[i]), deal.price_minor, to_us(begin), to_us(end), deal.limit)
        )
    return terms
