"""Repeat purchases: each user's own history, recency-decayed, blended with the model's scores.

Grocery baskets are mostly repeats: the milk bought last week is bought again. When seen items
may be recommended (``exclude_seen=False``), a user's own purchase frequency is the strongest
single signal; the model's scores still rank what the user has not bought yet. The blend is

    score = (1 - w) * model / max(model) + w * own / max(own)

over the union of the model's top ``k`` and the user's own items, with ``w`` the
``repeat_weight``. Any item outside that union has no own weight and a model score below the
model's ``k``-th item, so the union's top ``k`` is the blend's exact top ``k``.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd  # type: ignore[import-untyped]
from scipy import sparse

from wujie.recommend.interactions import EVENTS, EventWeights

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float32]


class PurchaseHistory:
    """Per user and item: the summed event weights, each halved every ``half_life_days`` before the log's end.

    Parameters
    ----------
    frame
        A cleaned log (see :func:`~wujie.recommend.interactions.clean_interactions`).
    user_index, item_index
        The row and column numbering of the fitted interaction matrix.
    weights
        View, cart and buy weights.
    half_life_days
        0 counts every past event alike.
    """

    def __init__(
        self,
        frame: pd.DataFrame,
        user_index: dict[str, int],
        item_index: dict[str, int],
        weights: EventWeights,
        half_life_days: float = 0.0,
    ) -> None:
        values = frame["event"].map({e: weights.of(e) for e in EVENTS}).to_numpy(dtype=np.float64)
        if half_life_days > 0:
            age_days = (frame["timestamp"].max() - frame["timestamp"]).dt.total_seconds().to_numpy() / 86400.0
            values = values * np.power(0.5, age_days / half_life_days)
        rows = frame["user"].map(user_index).to_numpy(dtype=np.int64)
        cols = frame["item"].map(item_index).to_numpy(dtype=np.int64)
        shape = (len(user_index), len(item_index))
        self.matrix: sparse.csr_matrix = sparse.csr_matrix(
            sparse.coo_matrix((values, (rows, cols)), shape=shape, dtype=np.float32).tocsr()
        )

    def of(self, user: int) -> tuple[IntArray, FloatArray]:
        """Return the user's own items and their decayed weights."""
        start, end = self.matrix.indptr[user], self.matrix.indptr[user + 1]
        items: IntArray = self.matrix.indices[start:end].astype(np.int64)
        values: FloatArray = self.matrix.data[start:end].astype(np.float32)
        return items, values


def blend_with_history(
    model_items: IntArray,
    score_of: FloatArray,
    own_items: IntArray,
    own_weights: FloatArray,
    *,
    k: int,
    repeat_weight: float,
) -> tuple[IntArray, FloatArray]:
    """Return the top ``k`` of the blend over ``model_items`` followed by ``own_items``.

    ``score_of`` holds the model's score of each item of the union, in the order
    ``unique(concatenate([model_items, own_items]))`` (see :func:`candidates`).
    """
    union = candidates(model_items, own_items)
    model_part = np.maximum(score_of, 0.0)
    top = float(model_part.max()) if model_part.size else 0.0
    model_part = model_part / top if top > 0 else model_part
    own = np.zeros(union.size, dtype=np.float32)
    if own_items.size:
        own[np.searchsorted(union, own_items)] = own_weights / float(own_weights.max())
    final = ((1.0 - repeat_weight) * model_part + repeat_weight * own).astype(np.float32)
    order = np.lexsort((union, -final))[:k]  # best first; ties by the lower item index
    return union[order], final[order]


def candidates(model_items: IntArray, own_items: IntArray) -> IntArray:
    """The sorted union of the model's items and the user's own items."""
    return np.union1d(model_items, own_items).astype(np.int64)
