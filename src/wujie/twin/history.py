"""A year of order history drawn from the same behaviour model as the sale, for forecasting.

Daily units sold per region x category (Poisson around the model's expectation: trend, weekly
and annual seasonality, the sale days including last year's 11.11), plus the last 90 days of
units per region x SKU, which split a category forecast down to SKUs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np

from wujie.twin.behaviour import MEAN_LINES, MEAN_QUANTITY, SALE_DAYS, day_multiplier

HISTORY_DAYS = 375  # from before last year's 11.11 up to the eve of this year's
SKU_WINDOW_DAYS = 90
YEARLY_GROWTH = 1.15


@dataclass(frozen=True)
class History:
    """Units sold per day x region x category, and per region x SKU over the last 90 days."""

    start: date
    units: Any  # (days, regions, categories) int64
    recent_sku_units: Any  # (regions, skus) int64

    @property
    def days(self) -> int:
        """Number of days of history."""
        return int(self.units.shape[0])

    def dates(self) -> list[date]:
        """Return the calendar date of each history day."""
        return [self.start + timedelta(days=d) for d in range(self.days)]

    def frame(self, region_ids: Sequence[str], category_keys: Sequence[str]) -> Any:
        """Return a long-format pandas frame ``unique_id, ds, y, sale_day`` (id ``region/category``)."""
        import pandas as pd  # type: ignore[import-untyped]

        days, regions, cats = self.units.shape
        ids = [f"{r}/{c}" for r in region_ids for c in category_keys]
        ds = pd.to_datetime(self.dates())
        sale = np.array([1.0 if (d.month, d.day) in SALE_DAYS and SALE_DAYS[(d.month, d.day)] > 1 else 0.0 for d in ds])
        return pd.DataFrame(
            {
                "unique_id": np.repeat(np.array(ids), days),
                "ds": np.tile(ds.values, regions * cats),
                "y": self.units.transpose(1, 2, 0).reshape(-1).astype(float),
                "sale_day": np.tile(sale, regions * cats),
            }
        )


def build_history(
    sale_day: date, sale_orders: int, *, region_sku: Any, region_share: Any, category: Any, seed: int
) -> History:
    """Draw the history that leads up to ``sale_day``.

    Parameters
    ----------
    sale_day
        The day of the sale; history ends the day before.
    sale_orders
        Orders expected on the sale day; an ordinary day then has ``sale_orders / 12``
        (the sale-day multiplier), less a year of growth further back.
    region_sku
        P(sku | order from region), (regions x skus).
    region_share
        Share of orders from each region.
    category
        Category index of each SKU.
    seed
        Seed of the Poisson draws.
    """
    rng = np.random.default_rng([seed, 3])
    start = sale_day - timedelta(days=HISTORY_DAYS)
    n_cats = int(category.max()) + 1
    region_cat = np.zeros((region_sku.shape[0], n_cats))
    for c in range(n_cats):
        region_cat[:, c] = region_sku[:, category == c].sum(axis=1)
    base = sale_orders / SALE_DAYS[(11, 11)] * MEAN_LINES * MEAN_QUANTITY
    level = np.array([_level(start + timedelta(days=d), sale_day) for d in range(HISTORY_DAYS)])
    expected = base * level[:, None, None] * (region_share[:, None] * region_cat)[None, :, :]
    units = rng.poisson(expected).astype(np.int64)
    recent = base * level[-SKU_WINDOW_DAYS:].sum() * region_share[:, None] * region_sku
    return History(start=start, units=units, recent_sku_units=rng.poisson(recent).astype(np.int64))


def _level(day: date, sale_day: date) -> float:
    """Trend times the day's seasonal multiplier."""
    years_back = (sale_day - day).days / 365.25
    return float(YEARLY_GROWTH ** (-years_back) * day_multiplier(day))
