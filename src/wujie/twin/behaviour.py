"""The behaviour model shared by the year of history and the sale: what, how much and when people buy.

* **What**: a customer of taste segment ``s`` picks SKU ``i`` with probability proportional to
  ``category_weight[s, cat(i)] * popularity[i] * price_factor[s, i] * heritage_factor[s, i]``.
* **How much**: 1 to 4 lines per order, 1 to 3 units per line.
* **When**: a daily multiplier over the year (weekly and annual seasonality, sale days 6.18, 11.11
  and 12.12, the lull of the days just before 11.11) and, on the sale day, a per-second intensity
  with the midnight spike: most of the first hour's orders arrive in its first minutes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from wujie.twin.assortment import Assortment
from wujie.twin.population import Population

SECONDS_PER_DAY = 86_400
#: multipliers of a normal day's demand on the big sale days and around them
SALE_DAYS: dict[tuple[int, int], float] = {(11, 11): 12.0, (6, 18): 4.0, (12, 12): 3.0, (11, 10): 0.7, (11, 9): 0.8}
#: the midnight rush: (share of the day's orders, decay time constant in seconds) of a sharp and a slow wave
_RUSH: tuple[tuple[float, float], ...] = ((0.06, 150.0), (0.22, 1200.0))


@dataclass(frozen=True)
class ChoiceModel:
    """Cumulative SKU choice probabilities per taste segment, for fast vectorised sampling."""

    cdf: Any  # (segments x skus), last column 1.0
    probability: Any  # (segments x skus)

    def sample(self, rng: np.random.Generator, segments: Any) -> Any:
        """Return one SKU index per entry of ``segments``."""
        u = rng.random(len(segments))
        out = np.empty(len(segments), dtype=np.int64)
        for s in np.unique(segments):
            members = np.flatnonzero(segments == s)
            out[members] = np.searchsorted(self.cdf[s], u[members], side="right")
        return np.minimum(out, self.cdf.shape[1] - 1)


def choice_model(assortment: Assortment, population: Population) -> ChoiceModel:
    """Build the per-segment SKU choice probabilities of the behaviour model."""
    cat_w = population.segment_category[:, assortment.category]
    log_price = np.log(assortment.price_minor.astype(float))
    relative = log_price - np.log(np.median(assortment.price_minor))
    price_factor = np.exp(-population.segment_price_sensitivity[:, None] * relative[None, :])
    heritage = np.array([b.heritage for b in assortment.brands])[assortment.brand]
    heritage_factor = np.where(heritage[None, :], population.segment_heritage[:, None], 1.0)
    weight = cat_w * assortment.popularity[None, :] * price_factor * heritage_factor
    probability = weight / weight.sum(axis=1, keepdims=True)
    cdf = np.cumsum(probability, axis=1)
    cdf[:, -1] = 1.0
    return ChoiceModel(cdf=cdf, probability=probability)


def region_sku_probability(model: ChoiceModel, population: Population) -> Any:
    """Return P(sku | an order from region r) as a (regions x skus) matrix, weighting segments by activity."""
    regions = population.region_segments.shape[0]
    weight = np.zeros((regions, model.probability.shape[0]))
    np.add.at(weight, (population.region, population.segment), population.activity)
    weight /= np.maximum(weight.sum(axis=1, keepdims=True), 1e-300)
    return weight @ model.probability


def basket_sizes(rng: np.random.Generator, n: int) -> Any:
    """Return the number of lines of ``n`` orders (1 to 4, mostly 1)."""
    return np.minimum(1 + rng.poisson(0.45, size=n), 4)


def line_quantities(rng: np.random.Generator, n: int) -> Any:
    """Return ``n`` line quantities (1 to 3 units, mostly 1)."""
    return rng.choice(np.array([1, 2, 3]), size=n, p=[0.82, 0.13, 0.05])


MEAN_LINES = 1.0 + 0.45  # approximately; the cap at 4 trims a little
MEAN_QUANTITY = 0.82 + 2 * 0.13 + 3 * 0.05


def day_multiplier(day: date) -> float:
    """Return the demand of ``day`` relative to an ordinary weekday."""
    weekly = 1.12 if day.weekday() >= 5 else 1.0
    annual = 1.0 + 0.15 * np.cos(2 * np.pi * (day.timetuple().tm_yday - 350) / 365.25)
    return float(weekly * annual * SALE_DAYS.get((day.month, day.day), 1.0))


def sale_second_profile() -> Any:
    """Return the share of the sale day's orders in each of its 86,400 seconds (sums to 1).

    A day shape (quiet small hours, a morning and an evening peak) plus the midnight rush: a sharp
    wave decaying over a couple of minutes and a slower one over twenty, so that about 30 % of the
    day's orders come in its first hour and most of those in the first ten minutes.
    """
    t = np.arange(SECONDS_PER_DAY, dtype=float)
    hour = t / 3600.0
    day_shape = 0.25 + np.exp(-(((hour - 10.5) / 2.5) ** 2)) + 1.3 * np.exp(-(((hour - 21.0) / 2.0) ** 2))
    profile = day_shape / day_shape.sum() * (1.0 - sum(share for share, _ in _RUSH))
    for share, tau in _RUSH:
        wave = np.exp(-t / tau)
        profile += share * wave / wave.sum()
    return profile / profile.sum()


def arrivals_per_second(rng: np.random.Generator, orders: int) -> Any:
    """Split ``orders`` over the seconds of the sale day by :func:`sale_second_profile` (a multinomial draw)."""
    return rng.multinomial(orders, sale_second_profile())
