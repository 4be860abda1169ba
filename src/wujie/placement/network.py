"""Warehouses, demand regions and the transport between them (great-circle km x a road factor)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from wujie.placement.errors import InvalidPlacementInput

EARTH_RADIUS_KM = 6371.0088


@dataclass(frozen=True)
class Warehouse:
    """A regional warehouse that can hold forward-deployed stock.

    Parameters
    ----------
    name
        Unique name.
    lat, lon
        Position in degrees.
    capacity
        Units it can hold (all SKUs together).
    holding_cost
        Cost per unit stocked there for the sale period.
    """

    name: str
    lat: float
    lon: float
    capacity: float
    holding_cost: float = 0.0

    def __post_init__(self) -> None:
        _check_position(self.name, self.lat, self.lon)
        if self.capacity < 0 or self.holding_cost < 0:
            raise InvalidPlacementInput(f"warehouse {self.name}: capacity and holding cost must be >= 0")


@dataclass(frozen=True)
class Region:
    """A demand region (a province, a country, a city) with its population."""

    name: str
    lat: float
    lon: float
    population: float

    def __post_init__(self) -> None:
        _check_position(self.name, self.lat, self.lon)
        if self.population < 0:
            raise InvalidPlacementInput(f"region {self.name}: population must be >= 0")


def _check_position(name: str, lat: float, lon: float) -> None:
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise InvalidPlacementInput(f"{name}: latitude/longitude out of range", lat=lat, lon=lon)


def great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Haversine distance in kilometres on a sphere of the mean Earth radius."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


@dataclass(frozen=True)
class Network:
    """Road distances (km) and travel hours between every warehouse and region.

    Attributes
    ----------
    km, hours
        Arrays of shape ``(n_warehouses, n_regions)``.
    local
        Boolean array: the warehouse reaches the region within the promise (``hours <= promise``).
    """

    warehouses: tuple[Warehouse, ...]
    regions: tuple[Region, ...]
    km: np.ndarray
    hours: np.ndarray
    local: np.ndarray

    @property
    def nearest(self) -> np.ndarray:
        """Index of the nearest warehouse of each region."""
        return np.asarray(np.argmin(self.km, axis=0))


def build_network(
    warehouses: Sequence[Warehouse],
    regions: Sequence[Region],
    road_factor: float = 1.3,
    speed_kmh: float = 60.0,
    promise_hours: float = 24.0,
) -> Network:
    """Compute road km (great circle x ``road_factor``), hours and the local-delivery mask."""
    if not warehouses or not regions:
        raise InvalidPlacementInput("at least one warehouse and one region are required")
    for kind, items in (("warehouse", warehouses), ("region", regions)):
        names = [i.name for i in items]
        if len(set(names)) != len(names):
            raise InvalidPlacementInput(f"duplicate {kind} names")
    km = np.array([[great_circle_km(w.lat, w.lon, r.lat, r.lon) * road_factor for r in regions] for w in warehouses])
    hours = km / speed_kmh
    return Network(tuple(warehouses), tuple(regions), km, hours, hours <= promise_hours)
