"""Collaborative models from the ``implicit`` package: item-kNN, ALS and BPR.

BLAS runs on one thread (faster for implicit and no oversubscription), and so does implicit
itself, which keeps BPR's SGD deterministic for a given seed.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import sparse

from wujie.recommend.params import RecommenderParams

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float32]

#: users scored per matrix product when ranking with factors (bounds memory at ~25 MB for 100k items)
CHUNK_USERS = 64
_controller: Any = None
_buffers = threading.local()


@dataclass(slots=True)
class _Scratch:
    """Per-thread buffers for one user's scores over the catalog, reused between requests."""

    scores: FloatArray
    partition: FloatArray


def _scratch(n_items: int) -> _Scratch:
    found: _Scratch | None = getattr(_buffers, "scratch", None)
    if found is None or found.scores.size != n_items:
        found = _Scratch(np.empty(n_items, dtype=np.float32), np.empty(n_items, dtype=np.float32))
        _buffers.scratch = found
    return found


def top_k(row: FloatArray, k: int, work: FloatArray | None = None) -> IntArray:
    """Return the indices of the ``k`` largest finite values of ``row``, best first.

    Ties are broken by the lower index, so the answer is deterministic. ``work`` (same size as
    ``row``) is a buffer to partition in place, which spares an allocation per call.
    """
    n = row.size
    if k >= n:
        candidates = np.arange(n)
    else:
        buffer = work if work is not None and work.size == n else np.empty_like(row)
        np.copyto(buffer, row)
        buffer.partition(n - k)
        candidates = np.flatnonzero(row >= buffer[n - k])
    candidates = candidates[np.isfinite(row[candidates])]
    order = np.argsort(-row[candidates], kind="stable")[:k]
    return candidates[order].astype(np.int64)


@contextmanager
def one_blas_thread() -> Iterator[None]:
    """Run BLAS on one thread inside the block (about 0.08 ms to enter and leave)."""
    global _controller
    if _controller is None:
        import implicit.cpu.als  # noqa: F401 - load every BLAS implicit brings before listing them
        from threadpoolctl import ThreadpoolController

        _controller = ThreadpoolController()
    with _controller.limit(limits=1, user_api="blas"):
        yield


def _build(params: RecommenderParams) -> Any:
    from implicit.cpu.als import AlternatingLeastSquares
    from implicit.cpu.bpr import BayesianPersonalizedRanking
    from implicit.nearest_neighbours import ItemItemRecommender

    if params.model == "als":
        return AlternatingLeastSquares(
            factors=params.factors,
            regularization=params.regularization,
            alpha=params.alpha,
            iterations=params.iterations,
            num_threads=1,
            random_state=params.seed,
        )
    if params.model == "bpr":
        return BayesianPersonalizedRanking(
            factors=params.factors,
            learning_rate=params.learning_rate,
            regularization=params.regularization,
            iterations=params.bpr_iterations,
            num_threads=1,
            random_state=params.seed,
        )
    # item_knn and cooccurrence: the same neighbour search, over cosine-normalised or raw columns
    return ItemItemRecommender(K=params.neighbours, num_threads=1)


class Collaborative:
    """One ``implicit`` model behind a small, index-based interface.

    Parameters
    ----------
    params
        ``params.model`` picks the algorithm: ``item_knn`` (cosine), ``cooccurrence``, ``als`` or ``bpr``.
    """

    def __init__(self, params: RecommenderParams) -> None:
        self.params = params
        self.model: Any = None
        self._dense: tuple[FloatArray, FloatArray] | None = None

    def fit(self, user_items: sparse.csr_matrix) -> Collaborative:
        """Fit on a CSR user x item confidence matrix and return self."""
        with one_blas_thread():
            self.model = _build(self.params)
            self.model.fit(self._training_matrix(user_items), show_progress=False)
        self._dense = None
        return self

    def _training_matrix(self, user_items: sparse.csr_matrix) -> sparse.csr_matrix:
        if self.params.model == "item_knn":
            norms = np.sqrt(np.asarray(user_items.multiply(user_items).sum(axis=0)).ravel())
            scale = sparse.diags(1.0 / np.where(norms > 0, norms, 1.0))
            return sparse.csr_matrix(user_items @ scale, dtype=np.float64)
        if self.params.model == "cooccurrence":
            return sparse.csr_matrix(user_items, dtype=np.float64)
        return user_items

    def recommend(
        self, users: IntArray, user_items: sparse.csr_matrix, k: int, exclude_seen: bool
    ) -> list[tuple[IntArray, FloatArray]]:
        """Return, per user row index, the top ``k`` item indices and scores (no padding)."""
        k = min(k, user_items.shape[1])
        if self.params.model in ("als", "bpr"):
            return self._rank_by_factors(users, user_items, k, exclude_seen)
        ids, scores = self.model.recommend(users, user_items[users], N=k, filter_already_liked_items=exclude_seen)
        ids = np.atleast_2d(ids)
        scores = np.atleast_2d(scores)
        out: list[tuple[IntArray, FloatArray]] = []
        for row_ids, row_scores in zip(ids, scores, strict=True):
            keep = (row_ids >= 0) & np.isfinite(row_scores) & (row_scores > -1e30)
            if self.params.model in ("item_knn", "cooccurrence"):
                keep &= row_scores > 0  # a kNN score of 0 means "no neighbour at all"
            out.append((row_ids[keep].astype(np.int64), row_scores[keep].astype(np.float32)))
        return out

    def _rank_by_factors(
        self, users: IntArray, user_items: sparse.csr_matrix, k: int, exclude_seen: bool
    ) -> list[tuple[IntArray, FloatArray]]:
        item_factors, user_factors = self._factors()
        scratch = _scratch(item_factors.shape[0])
        out: list[tuple[IntArray, FloatArray]] = []
        for start in range(0, users.size, CHUNK_USERS):
            chunk = users[start : start + CHUNK_USERS]
            with one_blas_thread():
                if chunk.size == 1:  # one request, one user: a matrix-vector product into a reused buffer
                    np.dot(item_factors, user_factors[int(chunk[0])], out=scratch.scores)
                    scores = scratch.scores[np.newaxis, :]
                else:
                    scores = user_factors[chunk] @ item_factors.T
            for row, user in zip(scores, chunk.tolist(), strict=True):
                if exclude_seen:
                    row[user_items.indices[user_items.indptr[user] : user_items.indptr[user + 1]]] = -np.inf
                top = top_k(row, k, scratch.partition)
                out.append((top, row[top].astype(np.float32)))
        return out

    def _factors(self) -> tuple[FloatArray, FloatArray]:
        """Item and user factors as C-contiguous float32, converted once after fitting."""
        if self._dense is None:
            self._dense = (
                np.ascontiguousarray(self.model.item_factors, dtype=np.float32),
                np.ascontiguousarray(self.model.user_factors, dtype=np.float32),
            )
        return self._dense

    def score(self, user: int, user_items: sparse.csr_matrix, items: IntArray) -> FloatArray:
        """Return the model's score of ``items`` for one user (order of ``items`` kept)."""
        if items.size == 0:
            return np.empty(0, dtype=np.float32)
        if self.params.model in ("item_knn", "cooccurrence"):
            similarity = self.model.similarity
            row = user_items[user] @ similarity[:, items]
            return np.asarray(row.toarray(), dtype=np.float32).ravel()
        item_factors, user_factors = self._factors()
        return np.asarray(item_factors[items] @ user_factors[user], dtype=np.float32)
