"""Full-text search over the catalog: BM25 over names, brands and categories, blended with taste.

Relevance is BM25 over the fields (a brand match counts more than a name match, a category match
less), multiplied by the share of the query's tokens a product matches, so a product matching
every word beats one repeating a single word. The final score adds the product's popularity and,
when a taste function is given, the customer's affinity to it::

    score = relevance / best relevance + popularity_weight * popularity + taste_weight * taste

with popularity ``log1p(p) / log1p(max p)`` and taste in [0, 1]. See :mod:`wujie.catalog.search_tokens`
for the CJK-aware tokenizer.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from wujie.catalog.search_errors import SearchError, SearchErrorCode
from wujie.catalog.search_tokens import normalise, tokenize

#: scores item ids in [0, 1] for one customer (``Recommender.taste(user)`` returns one)
TasteFn = Callable[[Sequence[str]], list[float]]
FloatArray = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int32]


@dataclass(frozen=True, slots=True)
class CatalogRecord:
    """What search needs to know of a product."""

    id: str
    name: str
    brand: str = ""
    category: str = ""
    popularity: float = 0.0

    def __post_init__(self) -> None:
        if not self.id:
            raise SearchError(SearchErrorCode.INVALID_RECORD, "a catalog record needs an id")
        if not math.isfinite(self.popularity) or self.popularity < 0:
            raise SearchError(SearchErrorCode.INVALID_RECORD, "popularity must be a finite number >= 0", id=self.id)


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One product found, with its blended score and its text relevance alone."""

    id: str
    name: str
    brand: str
    category: str
    score: float
    relevance: float


@dataclass(frozen=True, slots=True)
class SearchResults:
    """The answer to one query: the normalised query, the best hits, and how many products matched."""

    query: str
    hits: tuple[SearchHit, ...]
    matched: int


@dataclass(frozen=True, slots=True)
class SearchParams:
    """Ranking knobs; the defaults favour text relevance, then taste, then popularity."""

    name_weight: float = 1.0
    brand_weight: float = 1.5
    category_weight: float = 0.7
    popularity_weight: float = 0.15
    taste_weight: float = 0.25
    k1: float = 1.2
    b: float = 0.75
    candidates: int = 200
    max_query_chars: int = 200
    max_k: int = 100

    def __post_init__(self) -> None:
        weights = (self.name_weight, self.brand_weight, self.category_weight, self.popularity_weight, self.taste_weight)
        if min(weights) < 0 or self.k1 <= 0 or not 0 <= self.b <= 1 or self.candidates < 1:
            raise SearchError(SearchErrorCode.INVALID_LIMIT, "search params out of range")


class SearchIndex:
    """An in-memory inverted index over catalog records.

    Parameters
    ----------
    records
        The products to index (ids must be unique: a later record with the same id is refused).
    params
        Ranking knobs.
    """

    def __init__(self, records: Iterable[CatalogRecord], params: SearchParams | None = None) -> None:
        self.params = params or SearchParams()
        self.records: tuple[CatalogRecord, ...] = tuple(records)
        ids = [r.id for r in self.records]
        if len(set(ids)) != len(ids):
            raise SearchError(SearchErrorCode.INVALID_RECORD, "catalog record ids repeat")
        self._postings = self._build()
        popularity = np.array([r.popularity for r in self.records], dtype=np.float32)
        top = float(np.log1p(popularity.max())) if popularity.size else 0.0
        self._popularity: FloatArray = (np.log1p(popularity) / top if top > 0 else popularity * 0).astype(np.float32)

    def __len__(self) -> int:
        return len(self.records)

    def _build(self) -> dict[str, tuple[IntArray, FloatArray]]:
        p = self.params
        counts: dict[str, dict[int, float]] = {}
        lengths = np.zeros(len(self.records), dtype=np.float32)
        for doc, record in enumerate(self.records):
            for text, weight in (
                (record.name, p.name_weight),
                (record.brand, p.brand_weight),
                (record.category, p.category_weight),
            ):
                tokens = tokenize(text)
                lengths[doc] += weight * len(tokens)
                for token in tokens:
                    seen = counts.setdefault(token, {})
                    seen[doc] = seen.get(doc, 0.0) + weight
        average = float(lengths.mean()) if lengths.size and lengths.mean() > 0 else 1.0
        total = len(self.records)
        postings: dict[str, tuple[IntArray, FloatArray]] = {}
        for token, per_doc in counts.items():
            docs = np.fromiter(per_doc.keys(), dtype=np.int32, count=len(per_doc))
            tf = np.fromiter(per_doc.values(), dtype=np.float32, count=len(per_doc))
            idf = math.log(1.0 + (total - docs.size + 0.5) / (docs.size + 0.5))
            norm = p.k1 * (1.0 - p.b + p.b * lengths[docs] / average)
            postings[token] = (docs, (idf * tf * (p.k1 + 1.0) / (tf + norm)).astype(np.float32))
        return postings

    def check_query(self, query: str) -> tuple[str, list[str]]:
        """Return the normalised query and its distinct tokens, or raise a :class:`SearchError`."""
        limit = self.params.max_query_chars
        if len(query) > limit * 4 or len(normalise(query)) > limit:
            raise SearchError(
                SearchErrorCode.QUERY_TOO_LONG, f"a query may hold at most {limit} characters", limit=limit
            )
        text = normalise(query)
        tokens = list(dict.fromkeys(tokenize(text)))
        if not tokens:
            raise SearchError(SearchErrorCode.EMPTY_QUERY, "the query has no letters or digits to search for")
        return text, tokens

    def search(self, query: str, k: int = 10, taste: TasteFn | None = None) -> SearchResults:
        """Return the ``k`` best products for ``query`` (see the module docstring for the score)."""
        if not 1 <= k <= self.params.max_k:
            raise SearchError(SearchErrorCode.INVALID_LIMIT, f"k must be within 1..{self.params.max_k}", k=k)
        text, tokens = self.check_query(query)
        found = [self._postings[t] for t in tokens if t in self._postings]
        if not found:
            return SearchResults(text, (), 0)
        size = len(self.records)
        docs = np.concatenate([d for d, _ in found])
        relevance = np.bincount(docs, weights=np.concatenate([w for _, w in found]), minlength=size)
        matched_terms = np.bincount(docs, minlength=size)
        matched = np.flatnonzero(matched_terms)
        coverage = (matched_terms[matched] / len(tokens)) ** 2
        return SearchResults(text, self._rank(matched, relevance[matched] * coverage, k, taste), int(matched.size))

    def _rank(
        self, docs: npt.NDArray[np.intp], relevance: npt.NDArray[np.float64], k: int, taste: TasteFn | None
    ) -> tuple[SearchHit, ...]:
        p = self.params
        if docs.size > p.candidates:
            keep = np.argpartition(-relevance, p.candidates - 1)[: p.candidates]
            docs, relevance = docs[keep], relevance[keep]
        text = relevance / relevance.max()
        score = text + p.popularity_weight * self._popularity[docs]
        if taste is not None and p.taste_weight > 0:
            affinity = np.clip(np.asarray(taste([self.records[d].id for d in docs]), dtype=np.float64), 0.0, 1.0)
            score = score + p.taste_weight * affinity
        order = np.lexsort((docs, -score))[:k]
        hits = []
        for n in order.tolist():
            record = self.records[int(docs[n])]
            hits.append(
                SearchHit(
                    record.id,
                    record.name,
                    record.brand,
                    record.category,
                    round(float(score[n]), 6),
                    round(float(text[n]), 6),
                )
            )
        return tuple(hits)
