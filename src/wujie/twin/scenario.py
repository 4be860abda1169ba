"""The twin's settings and the scenario they produce: country, catalog, customers and history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

from wujie.twin.assortment import Assortment, build_assortment
from wujie.twin.behaviour import ChoiceModel, choice_model, region_sku_probability
from wujie.twin.errors import TwinError, TwinErrorCode
from wujie.twin.geography import Geography, load_geography
from wujie.twin.history import History, build_history
from wujie.twin.population import Population, build_population


@dataclass(frozen=True)
class TwinConfig:
    """Settings of one twin run; validated on creation.

    Parameters
    ----------
    country
        ISO 3166 alpha-2 code; the sale follows that country's cities, currency and time zone.
    orders
        Orders customers try to place during the sale day (before stock-outs and failures).
    seed
        Seed of every random draw: the same seed gives the same report (wall-clock figures aside).
    skus, customers
        Catalog size and number of customers (default: a quarter of the orders, at least 1,000).
    year
        The year of the 11.11 being simulated.
    speed
        Simulated seconds per wall-clock second; 0 runs as fast as possible.
    payment_failure_rate, cancel_rate
        Share of payments declined, and share of paid orders later cancelled by the customer.
    stock_cover
        Stock supplied per SKU as a multiple of its forecast sale-day demand.
    allocator
        ``library`` (the fulfilment library's allocator) or ``fast`` (the twin's nearest-site rule).
    libraries
        Forecast and place with the forecasting/placement libraries (else the fallback methods).
    routing_parcels
        About how many delivered parcels the routing library (PyVRP) routes; the other delivery
        clusters are estimated (see :mod:`wujie.twin.delivery`). 0 estimates every cluster.
    """

    country: str = "CN"
    orders: int = 200_000
    seed: int = 11
    skus: int = 2_000
    customers: int | None = None
    year: int = 2026
    speed: float = 0.0
    payment_failure_rate: float = 0.03
    cancel_rate: float = 0.015
    stock_cover: float = 1.15
    allocator: str = "library"
    libraries: bool = True
    routing_parcels: int = 12_000

    def __post_init__(self) -> None:
        problems = []
        if self.orders < 1:
            problems.append("orders must be at least 1")
        if self.skus < 16:
            problems.append("skus must be at least 16 (one per category)")
        if self.customers is not None and self.customers < 1:
            problems.append("customers must be at least 1")
        if self.speed < 0:
            problems.append("speed must be >= 0 (0 = as fast as possible)")
        if not (0 <= self.payment_failure_rate < 1 and 0 <= self.cancel_rate < 1):
            problems.append("rates must be in [0, 1)")
        if self.stock_cover <= 0:
            problems.append("stock_cover must be positive")
        if self.routing_parcels < 0:
            problems.append("routing_parcels must be >= 0")
        if self.allocator not in {"library", "fast"}:
            problems.append("allocator must be 'library' or 'fast'")
        if problems:
            raise TwinError(TwinErrorCode.INVALID_CONFIG, "; ".join(problems))

    @property
    def n_customers(self) -> int:
        """Number of customers."""
        return self.customers if self.customers is not None else max(1_000, self.orders // 4)


@dataclass(frozen=True)
class Scenario:
    """Everything the sale needs that is known before midnight."""

    config: TwinConfig
    geography: Geography
    assortment: Assortment
    population: Population
    choice: ChoiceModel
    region_sku: Any  # P(sku | region), (regions x skus)
    region_share: Any  # share of orders per region
    history: History
    sale_start: datetime  # local midnight of 11.11, in UTC

    @property
    def currency(self) -> str:
        """The country's currency."""
        return self.assortment.currency


def build_scenario(config: TwinConfig) -> Scenario:
    """Build the scenario of ``config``: deterministic given its seed."""
    geo = load_geography(config.country, seed=config.seed)
    assortment = build_assortment(geo.country, geo.currency, config.skus, config.seed)
    population = build_population(geo, assortment, config.n_customers, config.seed)
    choice = choice_model(assortment, population)
    region_sku = region_sku_probability(choice, population)
    region_share = np.bincount(population.region, weights=population.activity, minlength=len(geo.regions))
    sale_day = date(config.year, 11, 11)
    history = build_history(
        sale_day,
        config.orders,
        region_sku=region_sku,
        region_share=region_share,
        category=assortment.category,
        seed=config.seed,
    )
    midnight = datetime(config.year, 11, 11, tzinfo=ZoneInfo(geo.timezone)).astimezone(UTC)
    return Scenario(config, geo, assortment, population, choice, region_sku, region_share, history, midnight)
