"""Vectorised point -> zone lookup: a raster of pure cells, exact shapely tests only near borders.

A point belongs to the first zone (in layout order) whose polygon covers it; points on the floor in
no zone are :data:`UNZONED`, points off the floor :data:`OUTSIDE`. Cells entirely inside one answer
are answered from the raster; the few points in border cells are tested exactly with shapely.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt
import shapely

from wujie.stores.errors import ParamsInvalid
from wujie.stores.layout import StoreLayout

UNZONED = -1
OUTSIDE = -2
_MIXED = -3

Labels = npt.NDArray[np.int16]


@dataclass(frozen=True)
class ZoneIndex:
    """A raster over the floor's bounding box; see :func:`zone_index`."""

    layout: StoreLayout
    origin: tuple[float, float]
    cell: float
    shape: tuple[int, int]
    raster: Labels  # padded by one OUTSIDE cell on each side

    def label(self, x: npt.ArrayLike, y: npt.ArrayLike) -> Labels:
        """Return the zone index of each point (or :data:`UNZONED` / :data:`OUTSIDE`)."""
        # a non-finite coordinate is nowhere on the floor: push it far outside
        xs = np.nan_to_num(np.asarray(x, dtype=np.float64), nan=-1e9, posinf=1e9, neginf=-1e9)
        ys = np.nan_to_num(np.asarray(y, dtype=np.float64), nan=-1e9, posinf=1e9, neginf=-1e9)
        rows, cols = self.shape
        # the padded raster has a ring of OUTSIDE cells: clipped indices land there
        col = np.clip((xs - self.origin[0]) / self.cell + 1.0, 0.0, cols + 1.0).astype(np.int32)
        row = np.clip((ys - self.origin[1]) / self.cell + 1.0, 0.0, rows + 1.0).astype(np.int32)
        labels = self.raster.ravel()[row * (cols + 2) + col]
        mixed = np.flatnonzero(labels == _MIXED)
        if mixed.size:
            labels[mixed] = exact_labels(self.layout, xs[mixed], ys[mixed])
        result: Labels = labels
        return result


def exact_labels(layout: StoreLayout, xs: npt.NDArray[np.float64], ys: npt.NDArray[np.float64]) -> Labels:
    """Label points with exact shapely tests (first covering zone wins); slow, for few points."""
    labels = np.where(shapely.intersects_xy(layout.floor, xs, ys), UNZONED, OUTSIDE).astype(np.int16)
    for index in range(len(layout.zones) - 1, -1, -1):  # reverse, so the first zone is written last
        hit = shapely.intersects_xy(layout.zones[index].polygon, xs, ys)
        labels[hit & (labels != OUTSIDE)] = index
    return labels


@lru_cache(maxsize=16)
def zone_index(layout: StoreLayout, cell: float = 0.1) -> ZoneIndex:
    """Rasterise ``layout`` with square cells of ``cell`` metres (cached per layout object).

    Every polygon border (floor and zones) is sampled every ``cell / 4``; the cells holding a sample
    and their eight neighbours are *mixed* (answered exactly per point). No border crosses any other
    cell, so all its points share the answer of its centre.
    """
    if not 0.005 <= cell <= 5.0:
        raise ParamsInvalid("zone raster cell must be within [0.005, 5] metres", cell=cell)
    x0, y0, x1, y1 = layout.floor.bounds
    cols = int(np.floor((x1 - x0) / cell)) + 1  # one more, so points on the far edges have a cell
    rows = int(np.floor((y1 - y0) / cell)) + 1
    cx, cy = np.meshgrid(x0 + (np.arange(cols) + 0.5) * cell, y0 + (np.arange(rows) + 0.5) * cell)
    raster = exact_labels(layout, cx.ravel(), cy.ravel()).reshape(rows, cols)
    padded = np.pad(raster, 1, constant_values=OUTSIDE)
    borders = shapely.segmentize(
        [shapely.boundary(p) for p in (layout.floor, *(z.polygon for z in layout.zones))], cell / 4
    )
    samples = shapely.get_coordinates(borders)
    col = np.floor((samples[:, 0] - x0) / cell).astype(np.int64) + 1
    row = np.floor((samples[:, 1] - y0) / cell).astype(np.int64) + 1
    mixed = np.zeros(padded.shape, dtype=bool)
    for dr in (-1, 0, 1):
        for dc in (-1, 0, 1):
            mixed[np.clip(row + dr, 0, rows + 1), np.clip(col + dc, 0, cols + 1)] = True
    padded[mixed] = _MIXED
    return ZoneIndex(layout, (x0, y0), cell, (rows, cols), padded)
