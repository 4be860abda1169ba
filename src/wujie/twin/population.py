"""Customers in proportion to city population, each with a taste profile.

A taste profile is a segment (one of ``segments`` archetypes, each with its own weights over
categories, price sensitivity and liking for heritage brands) plus a personal activity level.
Regions differ in their mix of segments, so demand differs by region as it does in life.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from wujie.shared.ids import CustomerId
from wujie.twin.assortment import Assortment
from wujie.twin.geography import Geography


@dataclass(frozen=True)
class Population:
    """Customers as arrays; customer ``i`` has id ``customer_id(i)``."""

    city: Any  # int array: index into Geography.cities
    region: Any  # int array: index into Geography.regions
    segment: Any  # int array: taste archetype
    activity: Any  # float array: relative purchase frequency, sums to 1
    segment_category: Any  # (segments x categories) weights
    segment_price_sensitivity: Any  # (segments,)
    segment_heritage: Any  # (segments,) multiplier on heritage brands
    region_segments: Any  # (regions x segments) mix
    lat: Any  # float array: home latitude (city centre plus a draw within the city's radius)
    lon: Any  # float array: home longitude

    def __len__(self) -> int:
        return len(self.city)

    @staticmethod
    def customer_id(index: int) -> CustomerId:
        """Return the id of customer ``index``."""
        return CustomerId(f"cus-{index + 1:08d}")


def build_population(
    geo: Geography, assortment: Assortment, n_customers: int, seed: int, segments: int = 24
) -> Population:
    """Draw ``n_customers`` customers over ``geo``'s cities in proportion to population.

    Parameters
    ----------
    geo, assortment
        The country and its catalog (for the number of categories).
    n_customers
        How many customers.
    seed
        Seed of every draw.
    segments
        Number of taste archetypes.
    """
    rng = np.random.default_rng([seed, 2])
    pops = np.array([c.population for c in geo.cities], dtype=float)
    city = rng.choice(len(pops), size=n_customers, p=pops / pops.sum())
    index = geo.region_index()
    city_region = np.array([index[c.region] for c in geo.cities], dtype=np.int64)
    region = city_region[city]
    shares = np.array([c.share for c in assortment.categories])
    segment_category = rng.dirichlet(shares * 12, size=segments)
    region_segments = rng.dirichlet(np.full(segments, 0.7), size=len(geo.regions))
    segment = _draw_segments(rng, region, region_segments)
    activity = rng.gamma(0.6, 1.0, size=n_customers)
    lat, lon = _homes(rng, geo, city)
    return Population(
        city=city,
        region=region,
        segment=segment,
        activity=activity / activity.sum(),
        segment_category=segment_category,
        segment_price_sensitivity=rng.uniform(0.0, 0.8, size=segments),
        segment_heritage=rng.choice([1.0, 1.0, 2.5], size=segments),
        region_segments=region_segments,
        lat=lat,
        lon=lon,
    )


def city_radius_km(population: Any) -> Any:
    """Return a city's radius in km from its population (2 km for a town, up to 20 km)."""
    return np.clip(np.sqrt(np.asarray(population, dtype=float)) / 150.0, 2.0, 20.0)


def _homes(rng: np.random.Generator, geo: Geography, city: Any) -> tuple[Any, Any]:
    """Draw each customer's home uniformly over a disc around the city centre."""
    clat = np.array([c.lat for c in geo.cities])[city]
    clon = np.array([c.lon for c in geo.cities])[city]
    radius = city_radius_km([c.population for c in geo.cities])[city] * np.sqrt(rng.random(len(city)))
    angle = rng.random(len(city)) * 2 * np.pi
    lat = clat + radius * np.sin(angle) / 111.0
    lon = clon + radius * np.cos(angle) / (111.0 * np.maximum(np.cos(np.radians(clat)), 0.05))
    return np.clip(lat, -90.0, 90.0), (lon + 180.0) % 360.0 - 180.0


def _draw_segments(rng: np.random.Generator, region: Any, mix: Any) -> Any:
    cdf = np.cumsum(mix, axis=1)
    cdf[:, -1] = 1.0
    u = rng.random(len(region))
    out = np.empty(len(region), dtype=np.int64)
    for r in range(len(mix)):  # per region: one vectorised search
        members = np.flatnonzero(region == r)
        out[members] = np.minimum(np.searchsorted(cdf[r], u[members], side="right"), len(cdf[r]) - 1)
    return out
