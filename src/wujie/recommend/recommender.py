"""The recommender: one estimator over every model, with cold start and session re-ranking."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Self

import numpy as np
import numpy.typing as npt
import pandas as pd  # type: ignore[import-untyped]

from wujie.recommend.collaborative import Collaborative
from wujie.recommend.errors import InvalidParams, NotFitted
from wujie.recommend.interactions import CleaningReport, InteractionMatrix, clean_interactions
from wujie.recommend.params import RecommenderParams
from wujie.recommend.popularity import Popularity
from wujie.recommend.repeat import PurchaseHistory, blend_with_history, candidates
from wujie.recommend.session import SessionEvent, blend, session_affinity

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float32]

#: the largest k a single request may ask for
MAX_K = 1000

TasteFn = Callable[[Sequence[str]], list[float]]


@dataclass(frozen=True, slots=True)
class Recommendation:
    """One recommended item.

    ``source`` says where it came from: ``model`` (the fitted model), ``popularity_region`` or
    ``popularity`` (cold start and backfill), ``similar`` (similar items) or ``session`` (re-ranked).
    """

    item_id: str
    score: float
    source: str


@dataclass(frozen=True, slots=True)
class _Fitted:
    data: InteractionMatrix
    popularity: Popularity
    model: Collaborative | None
    report: CleaningReport
    history: PurchaseHistory | None


class Recommender:
    """Fit on an interaction log, then recommend, find similar items and re-rank within a visit.

    Parameters
    ----------
    params
        Model choice and hyper-parameters; keyword overrides are applied on top
        (``Recommender(model="bpr", factors=32)``).

    Examples
    --------
    >>> rec = Recommender(model="item_knn").fit(log)        # doctest: +SKIP
    >>> rec.recommend(["u1", "new-user"], k=5, region="SH")  # doctest: +SKIP
    """

    def __init__(self, params: RecommenderParams | None = None, **overrides: Any) -> None:
        base = params or RecommenderParams()
        self.params = replace(base, **overrides) if overrides else base
        self._fitted: _Fitted | None = None
        self._neighbours: Collaborative | None = None

    # -- fitting ---------------------------------------------------------------------------

    def fit(self, interactions: pd.DataFrame, *, strict: bool = True) -> Self:
        """Learn from a ``user, item, event, timestamp[, region]`` log and return self.

        Raises :class:`~wujie.recommend.errors.InvalidInteractions` on a bad row when ``strict``
        (else drops it) and :class:`~wujie.recommend.errors.EmptyInteractions` on an empty log.
        """
        clean, report = clean_interactions(interactions, strict=strict)
        data = InteractionMatrix.from_frame(clean, self.params.weights, self.params.half_life_days)
        model = None if self.params.model == "popularity" else Collaborative(self.params).fit(data.matrix)
        history = None
        if self.params.repeat_weight > 0:
            history = PurchaseHistory(
                clean, data.user_index, data.item_index, self.params.weights, self.params.repeat_half_life_days
            )
        self._fitted = _Fitted(data, Popularity(data), model, report, history)
        self._neighbours = model if self.params.model == "item_knn" else None
        return self

    @property
    def fitted(self) -> _Fitted:
        """The fitted state; raises :class:`NotFitted` before ``fit``."""
        if self._fitted is None:
            raise NotFitted()
        return self._fitted

    @property
    def cleaning(self) -> CleaningReport:
        """What cleaning did to the training log."""
        return self.fitted.report

    def knows_user(self, user_id: str) -> bool:
        """Whether ``user_id`` was in the training log."""
        return user_id in self.fitted.data.user_index

    def region_of(self, user_id: str) -> str | None:
        """The user's most frequent region in training, if any."""
        return self.fitted.data.user_region.get(user_id) or None

    # -- recommending ----------------------------------------------------------------------

    def recommend(
        self, user_ids: Sequence[str], k: int = 10, exclude_seen: bool = True, region: str | None = None
    ) -> list[list[Recommendation]]:
        """Return up to ``k`` items for each user, best first.

        Known users get the model's items, topped up with regional popularity when the model
        has fewer than ``k``; unknown users (cold start) get the popularity of ``region`` (or of
        their usual region), then global popularity. Seen items are left out when ``exclude_seen``;
        otherwise, with ``params.repeat_weight > 0``, a known user's own recency-decayed purchases
        are blended in (see :mod:`wujie.recommend.repeat`).
        """
        _check_k(k)
        fitted = self.fitted
        index = fitted.data.user_index
        known = np.array([index[u] for u in user_ids if u in index], dtype=np.int64)
        model_rows = self._model_rows(known, k, exclude_seen)
        out: list[list[Recommendation]] = []
        for user in user_ids:
            row = index.get(user)
            items, scores = model_rows.get(row, _EMPTY) if row is not None else _EMPTY
            where = (region or fitted.data.user_region.get(user) or None) if self.params.use_region else None
            if row is not None and fitted.history is not None and not exclude_seen:
                items, scores = self._with_history(row, items, k, where)
            out.append(self._with_backfill(row, items, scores, k=k, exclude_seen=exclude_seen, region=where))
        return out

    def _model_rows(self, users: IntArray, k: int, exclude_seen: bool) -> dict[int, tuple[IntArray, FloatArray]]:
        fitted = self.fitted
        if fitted.model is None or users.size == 0:
            return {}
        rows = fitted.model.recommend(users, fitted.data.matrix, k, exclude_seen)
        return dict(zip(users.tolist(), rows, strict=True))

    def _with_history(self, row: int, items: IntArray, k: int, region: str | None) -> tuple[IntArray, FloatArray]:
        """Blend the model's top ``k`` with the user's own recency-decayed purchases (repeats)."""
        fitted = self.fitted
        assert fitted.history is not None
        own_items, own_weights = fitted.history.of(row)
        if fitted.model is None:
            items = fitted.popularity.top(k, region)[0]
            union = candidates(items, own_items)
            score_of = fitted.popularity.score(union, region)
        else:
            union = candidates(items, own_items)
            score_of = fitted.model.score(row, fitted.data.matrix, union)
        return blend_with_history(items, score_of, own_items, own_weights, k=k, repeat_weight=self.params.repeat_weight)

    def _with_backfill(
        self, row: int | None, items: IntArray, scores: FloatArray, *, k: int, exclude_seen: bool, region: str | None
    ) -> list[Recommendation]:
        fitted = self.fitted
        ids = fitted.data.item_ids
        result = [
            Recommendation(ids[i], float(s), "model") for i, s in zip(items.tolist(), scores.tolist(), strict=True)
        ]
        if len(result) >= k:
            return result[:k]
        seen = self._seen(row) if exclude_seen else np.empty(0, dtype=np.int64)
        more, more_scores, regional = fitted.popularity.top(k - len(result), region, np.concatenate([seen, items]))
        for n, (i, s) in enumerate(zip(more.tolist(), more_scores.tolist(), strict=True)):
            source = "popularity_region" if n < regional else "popularity"
            if fitted.model is None and row is not None:
                source = "model"  # the popularity model's own answer for a known user
            result.append(Recommendation(ids[i], float(s), source))
        return result

    def _seen(self, row: int | None) -> IntArray:
        if row is None:
            return np.empty(0, dtype=np.int64)
        matrix = self.fitted.data.matrix
        seen: IntArray = matrix.indices[matrix.indptr[row] : matrix.indptr[row + 1]].astype(np.int64)
        return seen

    # -- similar items and sessions ------------------------------------------------------------

    def similar_items(self, item_ids: Sequence[str], k: int = 10) -> list[list[Recommendation]]:
        """Return up to ``k`` items most similar to each item (cosine over co-buyers); [] for an unknown item."""
        _check_k(k)
        index = self.fitted.data.item_index
        neighbours = self._neighbour_index()
        ids = self.fitted.data.item_ids
        out: list[list[Recommendation]] = []
        for item in item_ids:
            row = index.get(item)
            if row is None:
                out.append([])
                continue
            found, scores = neighbours.model.similar_items(row, N=k + 1)
            pairs = [(int(i), float(s)) for i, s in zip(found, scores, strict=True) if int(i) != row and s > 0]
            out.append([Recommendation(ids[i], s, "similar") for i, s in pairs[:k]])
        return out

    def rerank(
        self,
        user_id: str,
        recent_events: Sequence[SessionEvent],
        candidates: Sequence[str],
        region: str | None = None,
    ) -> list[Recommendation]:
        """Re-order ``candidates`` for what the user did in this visit (``recent_events``, oldest first).

        The score blends the user's model score (popularity for an unknown user) with the
        candidates' similarity to the visit's events, weighted by event kind and recency
        (``params.session_weight``). Items bought in this visit are dropped; candidates unknown
        to the model keep their relative order at the end with score 0.
        """
        fitted = self.fitted
        index = fitted.data.item_index
        bought = {e.item_id for e in recent_events if e.event == "buy"}
        wanted = [c for c in dict.fromkeys(candidates) if c not in bought]
        known = [c for c in wanted if c in index]
        items = np.array([index[c] for c in known], dtype=np.int64)
        base = self._base_scores(user_id, items, region)
        session = [(index[e.item_id], e.event) for e in recent_events if e.item_id in index]
        similarity = self._neighbour_index().model.similarity
        affinity = session_affinity(similarity, session, items, self.params.weights)
        final = blend(base, affinity, self.params.session_weight)
        order = np.argsort(-final, kind="stable")
        ranked = [Recommendation(known[i], float(final[i]), "session") for i in order.tolist()]
        return ranked + [Recommendation(c, 0.0, "session") for c in wanted if c not in index]

    def taste(self, user_id: str | None) -> TasteFn:
        """Return a function scoring item ids in [0, 1] by this user's taste (all 0 for an unknown user).

        Items the user already interacted with score 1; others their min-max normalised model score.
        """

        def score(item_ids: Sequence[str]) -> list[float]:
            index = self.fitted.data.item_index
            if user_id is None or not self.knows_user(user_id):
                return [0.0] * len(item_ids)
            items = np.array([index.get(i, -1) for i in item_ids], dtype=np.int64)
            values = np.zeros(items.size, dtype=np.float32)
            known = items >= 0
            values[known] = blend(self._base_scores(user_id, items[known], None), values[known], 0.0)
            values[np.isin(items, self._seen(self.fitted.data.user_index[user_id]))] = 1.0
            return [float(v) for v in values]

        return score

    def _base_scores(self, user_id: str, items: IntArray, region: str | None) -> FloatArray:
        fitted = self.fitted
        row = fitted.data.user_index.get(user_id)
        if row is None or fitted.model is None:
            return fitted.popularity.score(items, region or fitted.data.user_region.get(user_id))
        return fitted.model.score(row, fitted.data.matrix, items)

    def _neighbour_index(self) -> Collaborative:
        if self._neighbours is None:
            params = replace(self.params, model="item_knn")
            self._neighbours = Collaborative(params).fit(self.fitted.data.matrix)
        return self._neighbours


_EMPTY: tuple[IntArray, FloatArray] = (np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float32))


def _check_k(k: int) -> None:
    if not 1 <= k <= MAX_K:
        raise InvalidParams(f"k must be within 1..{MAX_K}", k=k)
