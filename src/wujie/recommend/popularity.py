"""Popularity, global and per region: the baseline and the cold-start answer."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from wujie.recommend.interactions import InteractionMatrix

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float32]


class Popularity:
    """Items ranked by how many distinct users interacted with them, overall and in each region.

    Parameters
    ----------
    data
        The training matrix; ``item_region_users`` gives the regional counts.
    """

    def __init__(self, data: InteractionMatrix) -> None:
        binary = data.matrix.copy()
        binary.data[:] = 1.0
        self.counts: FloatArray = np.asarray(binary.sum(axis=0), dtype=np.float32).ravel()
        self.order: IntArray = np.argsort(-self.counts, kind="stable").astype(np.int64)
        self._regional: dict[str, tuple[IntArray, FloatArray]] = {}
        self._lookups: dict[str, dict[int, float]] = {}
        pairs = data.item_region_users
        grouped = pairs[pairs["region"] != ""].groupby(["region", "item"], observed=True).size()
        for region, series in grouped.groupby(level=0):
            ranked = series.droplevel(0).sort_values(ascending=False, kind="stable")
            items = ranked.index.to_numpy(dtype=np.int64)
            self._regional[str(region)] = (items, ranked.to_numpy(dtype=np.float32))

    @property
    def regions(self) -> tuple[str, ...]:
        """The regions seen in training."""
        return tuple(sorted(self._regional))

    def top(
        self, k: int, region: str | None = None, exclude: IntArray | None = None
    ) -> tuple[IntArray, FloatArray, int]:
        """Return the ``k`` most popular item indices (regional first, then global), their scores, and
        how many of them came from the region's own ranking.

        Scores are user counts; the global backfill after a region's own items scores below every
        regional item (count / (1 + max global count)), so the order is kept when merging.
        """
        blocked = exclude if exclude is not None else np.empty(0, dtype=np.int64)
        chosen: list[IntArray] = []
        scores: list[FloatArray] = []
        regional = self._regional.get(region or "")
        if regional is not None:
            items, counts = regional
            keep = ~np.isin(items[: k + blocked.size], blocked)
            chosen.append(items[: k + blocked.size][keep][:k])
            scores.append(counts[: k + blocked.size][keep][:k])
            blocked = np.concatenate([blocked, chosen[0]])
        missing = k - sum(c.size for c in chosen)
        if missing > 0:
            head = self.order[: missing + blocked.size]
            head = head[~np.isin(head, blocked)][:missing]
            chosen.append(head)
            scale = 1.0 if regional is None else 1.0 + float(self.counts.max())
            scores.append((self.counts[head] / scale).astype(np.float32))
        regional_count = chosen[0].size if regional is not None else 0
        return np.concatenate(chosen).astype(np.int64), np.concatenate(scores).astype(np.float32), regional_count

    def score(self, items: IntArray, region: str | None = None) -> FloatArray:
        """Return the popularity of ``items`` (regional counts when the region is known, else global)."""
        regional = self._regional.get(region or "")
        if regional is None:
            return self.counts[items]
        lookup = self._lookups.get(region or "")
        if lookup is None:
            lookup = dict(zip(regional[0].tolist(), regional[1].tolist(), strict=True))
            self._lookups[region or ""] = lookup
        return np.array([lookup.get(int(i), 0.0) for i in items], dtype=np.float32)
