"""Points on the Earth and distances between them (haversine, with a road factor for vehicles)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from wujie.fulfilment.errors import InvalidFulfilmentInput

EARTH_RADIUS_KM = 6371.0088


@dataclass(frozen=True, slots=True)
class GeoPoint:
    """A latitude/longitude pair in decimal degrees (WGS84)."""

    lat: float
    lon: float

    def __post_init__(self) -> None:
        check_coordinates(self.lat, self.lon, "point")


def check_coordinates(lat: float, lon: float, what: str) -> None:
    """Raise :class:`InvalidFulfilmentInput` unless ``lat``/``lon`` are finite and in range.

    Parameters
    ----------
    lat, lon
        Decimal degrees.
    what
        The record the coordinates belong to, for the error message.
    """
    if not (math.isfinite(lat) and math.isfinite(lon) and -90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        raise InvalidFulfilmentInput(f"{what} has invalid coordinates ({lat}, {lon})", lat=lat, lon=lon)


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Return the great-circle distance in kilometres between two points.

    Parameters
    ----------
    lat1, lon1, lat2, lon2
        Decimal degrees.

    Returns
    -------
    float
        Distance along the Earth's surface, in km.
    """
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def haversine_matrix_km(lats: npt.ArrayLike, lons: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Return the full matrix of great-circle distances (km) between the given points.

    Parameters
    ----------
    lats, lons
        Equal-length sequences of decimal degrees.

    Returns
    -------
    numpy.ndarray
        Square float matrix; entry ``[i, j]`` is the distance from point ``i`` to point ``j``.
    """
    phi = np.radians(np.asarray(lats, dtype=np.float64))
    lam = np.radians(np.asarray(lons, dtype=np.float64))
    dphi = phi[:, None] - phi[None, :]
    dlam = lam[:, None] - lam[None, :]
    a = np.sin(dphi / 2) ** 2 + np.cos(phi)[:, None] * np.cos(phi)[None, :] * np.sin(dlam / 2) ** 2
    result: npt.NDArray[np.float64] = 2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(a)))
    return result


def bearing_rad(lat0: float, lon0: float, lats: npt.ArrayLike, lons: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Return the angle (radians, -pi..pi) of each point seen from ``(lat0, lon0)`` on a local flat map.

    Parameters
    ----------
    lat0, lon0
        The centre, in decimal degrees.
    lats, lons
        The points, in decimal degrees.

    Returns
    -------
    numpy.ndarray
        One angle per point, used to sweep customers around a depot.
    """
    dy = np.asarray(lats, dtype=np.float64) - lat0
    dx = (np.asarray(lons, dtype=np.float64) - lon0) * math.cos(math.radians(lat0))
    result: npt.NDArray[np.float64] = np.arctan2(dy, dx)
    return result
