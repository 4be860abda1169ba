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
_MARGIN_M = 1e-4

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
        xs = np.asarray(x, dtype=np.float64)
        ys = np.asarray(y, dtype=np.float64)
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
    """Rasterise ``layout`` with square cells of ``cell`` metres (cached per layout object)."""
    if not 0.005 <= cell <= 5.0:
        raise ParamsInvalid("zone raster cell must be within [0.005, 5] metres", cell=cell)
    x0, y0, x1, y1 = layout.floor.bounds
    cols = int(np.floor((x1 - x0) / cell)) + 1  # one more, so points on the far edges have a cell
    rows = int(np.floor((y1 - y0) / cell)) + 1
    gx, gy = np.meshgrid(x0 + np.arange(cols) * cell, y0 + np.arange(rows) * cell)
    # each box is grown by a margin wider than any rounding of a point's cell index, so a cell is
    # called pure only if every point that can be mapped into it has that answer
    margin = _MARGIN_M
    boxes = shapely.box(gx - margin, gy - margin, gx + cell + margin, gy + cell + margin)
    for polygon in (layout.floor, *(z.polygon for z in layout.zones)):
        shapely.prepare(polygon)
    raster = np.full(boxes.shape, _MIXED, dtype=np.int16)
    on_floor = shapely.contains_properly(layout.floor, boxes)
    off_floor = ~shapely.intersects(layout.floor, boxes)
    touched = np.zeros(boxes.shape, dtype=bool)
    clean = on_floor.copy()
    for index, zone in enumerate(layout.zones):
        inside = shapely.contains_properly(zone.polygon, boxes)
        hits = shapely.intersects(zone.polygon, boxes)
        raster[clean & inside & ~touched] = index
        clean &= ~(hits & ~inside)  # a cell crossed by a zone border is mixed from here on
        touched |= hits
    raster[on_floor & ~touched] = UNZONED
    raster[off_floor] = OUTSIDE
    padded = np.pad(raster, 1, constant_values=OUTSIDE)
    return ZoneIndex(layout, (x0, y0), cell, (rows, cols), padded)
