"""The shoppers of one simulated second: who orders what, who grabs a flash deal, who searches.

Draws come from the behaviour model (:mod:`wujie.twin.behaviour`) with a generator the sale
owns, so a run is a pure function of its seed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from wujie.twin.assortment import FlashDeal
from wujie.twin.behaviour import basket_sizes, line_quantities
from wujie.twin.scenario import Scenario

#: share of orders that go for an open flash deal while one runs (higher in the first minutes)
FLASH_SHARE_PEAK = 0.25
FLASH_SHARE_LATER = 0.06
#: searches per order, and the share of searches that name a brand rather than a category
SEARCHES_PER_ORDER = 2.0
BRAND_QUERY_SHARE = 0.4


@dataclass(frozen=True)
class Basket:
    """Orders of one second as columns: customer per order, lines flattened in order."""

    customer: Any
    nlines: Any
    sku: Any
    qty: Any

    def __len__(self) -> int:
        return len(self.customer)


@dataclass(frozen=True)
class Searches:
    """Search queries of one tick: who searched, for the brand or the category of which SKU."""

    customer: Any
    sku: Any
    by_brand: Any

    def __len__(self) -> int:
        return len(self.customer)

    def texts(self, shoppers: Shoppers) -> tuple[list[str], list[int]]:
        """Return each query's text (brand or category, in the country's language) and its result count."""
        a = shoppers.scenario.assortment
        queries, results = [], []
        for s, brand in zip(self.sku.tolist(), self.by_brand.tolist(), strict=True):
            if brand:
                b = int(a.brand[s])
                queries.append(a.brands[b].local_name)
                results.append(int(shoppers.brand_size[b]))
            else:
                c = int(a.category[s])
                queries.append(a.category_name(c))
                results.append(int(shoppers.category_size[c]))
        return queries, results


class Shoppers:
    """Draw baskets and searches for the sale, second by second."""

    def __init__(self, scenario: Scenario, rng: np.random.Generator) -> None:
        self.scenario = scenario
        self.rng = rng
        cdf = np.cumsum(scenario.population.activity)
        cdf[-1] = 1.0
        self.activity_cdf = cdf
        a = scenario.assortment
        self.n_skus = len(a)
        self.category_size = np.bincount(a.category, minlength=len(a.categories))
        self.brand_size = np.bincount(a.brand, minlength=len(a.brands))

    def customers(self, n: int) -> Any:
        """Draw ``n`` customers, the active ones more often."""
        return np.minimum(
            np.searchsorted(self.activity_cdf, self.rng.random(n), side="right"), len(self.activity_cdf) - 1
        )

    def baskets(self, n: int, minute: int) -> Basket:
        """Draw ``n`` orders placed ``minute`` minutes after midnight (flash deals included)."""
        rng = self.rng
        customer = self.customers(n)
        deals = [d for d in self.scenario.assortment.flash if d.start_min <= minute < d.end_min]
        flash = np.zeros(n, dtype=bool)
        if deals:
            share = FLASH_SHARE_PEAK if minute < 10 else FLASH_SHARE_LATER
            flash = rng.random(n) < share
        nlines = np.where(flash, 1, basket_sizes(rng, n))
        segment = np.repeat(self.scenario.population.segment[customer], nlines)
        sku = self.scenario.choice.sample(rng, segment)
        qty = line_quantities(rng, len(sku))
        if deals:
            first = (np.cumsum(nlines) - nlines)[flash]
            sku[first] = self._deal_skus(deals, len(first))
            qty[first] = rng.choice(np.array([1, 2, 3]), size=len(first), p=[0.75, 0.2, 0.05])
        return _merge_duplicates(customer, nlines, sku, qty, self.n_skus)

    def _deal_skus(self, deals: list[FlashDeal], n: int) -> Any:
        pop = np.array([self.scenario.assortment.popularity[d.sku] for d in deals])
        pick = self.rng.choice(len(deals), size=n, p=pop / pop.sum())
        return np.array([d.sku for d in deals], dtype=np.int64)[pick]

    def searches(self, basket: Basket) -> Searches:
        """Draw the searches that led to ``basket`` (about two per order), in the country's language."""
        first = np.cumsum(basket.nlines) - basket.nlines
        n = int(self.rng.poisson(SEARCHES_PER_ORDER * len(basket))) if len(basket) else 0
        pick = self.rng.integers(0, max(1, len(basket)), size=n)
        by_brand = self.rng.random(n) < BRAND_QUERY_SHARE
        return Searches(basket.customer[pick], basket.sku[first[pick]], by_brand)


def _merge_duplicates(customer: Any, nlines: Any, sku: Any, qty: Any, n_skus: int) -> Basket:
    """Merge repeated SKUs inside an order into one line (quantities add up)."""
    order = np.repeat(np.arange(len(customer)), nlines)
    key = order * n_skus + sku
    unique, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    if len(unique) == len(key):
        return Basket(customer, nlines, sku, qty)
    merged_qty = np.bincount(inverse, weights=qty).astype(np.int64)
    merged_order = order[first]
    return Basket(customer, np.bincount(merged_order, minlength=len(customer)), sku[first], merged_qty)
