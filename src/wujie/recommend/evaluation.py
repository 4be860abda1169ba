"""Offline evaluation with a time-based split: Recall, NDCG and MRR at K, coverage, latency.

The log is cut at one moment: everything before trains, everything after tests. A test user is
one seen in training who, after the cut, interacted with at least one item they had not touched
before and that the catalog knows (so ``exclude_seen=True`` recommendations can hit it).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd  # type: ignore[import-untyped]

from wujie.recommend.errors import InvalidParams, RecommendError, RecommendErrorCode
from wujie.recommend.interactions import clean_interactions
from wujie.recommend.params import RecommenderParams
from wujie.recommend.recommender import Recommender


@dataclass(frozen=True, slots=True)
class EvaluationParams:
    """How to evaluate.

    Parameters
    ----------
    k
        Cut-off of every metric.
    test_fraction
        Share of the log's events (the latest ones) held out for testing.
    max_users
        Evaluate at most this many test users (a seeded sample), ``None`` for all.
    latency_users
        How many single-user requests to time for p50/p99.
    seed
        Seeds the user samples.
    """

    k: int = 20
    test_fraction: float = 0.2
    max_users: int | None = None
    latency_users: int = 300
    seed: int = 42

    def __post_init__(self) -> None:
        if not 1 <= self.k <= 1000:
            raise InvalidParams("k must be within 1..1000", k=self.k)
        if not 0.0 < self.test_fraction < 1.0:
            raise InvalidParams("test_fraction must be within (0, 1)", test_fraction=self.test_fraction)
        if self.max_users is not None and self.max_users < 1:
            raise InvalidParams("max_users must be >= 1", max_users=self.max_users)
        if self.latency_users < 1:
            raise InvalidParams("latency_users must be >= 1", latency_users=self.latency_users)


@dataclass(frozen=True, slots=True)
class Split:
    """A time-based split: the training log and each test user's new items."""

    train: pd.DataFrame
    truth: dict[str, set[str]]
    cutoff: pd.Timestamp


@dataclass(frozen=True, slots=True)
class ModelScore:
    """One model's figures on one split."""

    model: str
    recall: float
    ndcg: float
    mrr: float
    coverage: float
    p50_ms: float
    p99_ms: float
    fit_s: float
    users: int

    def as_dict(self) -> dict[str, float | int | str]:
        """Return the figures as a JSON-friendly dict."""
        return asdict(self)


def time_split(frame: pd.DataFrame, test_fraction: float = 0.2) -> Split:
    """Cut a cleaned log at the ``1 - test_fraction`` quantile of its timestamps."""
    if frame.empty:
        raise RecommendError(RecommendErrorCode.EMPTY_INTERACTIONS, "the interaction log is empty")
    cutoff = frame["timestamp"].quantile(1.0 - test_fraction)
    train = frame[frame["timestamp"] < cutoff]
    test = frame[frame["timestamp"] >= cutoff]
    seen = set(zip(train["user"], train["item"], strict=True))
    known_users, known_items = set(train["user"]), set(train["item"])
    truth: dict[str, set[str]] = {}
    for user, item in zip(test["user"], test["item"], strict=True):
        if user in known_users and item in known_items and (user, item) not in seen:
            truth.setdefault(user, set()).add(item)
    if train.empty or not truth:
        raise RecommendError(
            RecommendErrorCode.NOT_ENOUGH_HISTORY,
            "no user has both training history and new items after the cut; use a longer log",
            cutoff=str(cutoff),
        )
    return Split(train=train, truth=truth, cutoff=cutoff)


def ranking_metrics(ranked: Sequence[str], relevant: set[str], k: int) -> tuple[float, float, float]:
    """Return (Recall@k, NDCG@k, MRR@k) of one ranked list with binary relevance."""
    top = list(ranked[:k])
    hits = [n for n, item in enumerate(top) if item in relevant]
    if not relevant:
        return 0.0, 0.0, 0.0
    recall = len(hits) / len(relevant)
    dcg = sum(1.0 / np.log2(n + 2) for n in hits)
    ideal = sum(1.0 / np.log2(n + 2) for n in range(min(len(relevant), k)))
    mrr = 1.0 / (hits[0] + 1) if hits else 0.0
    return recall, float(dcg / ideal), mrr


def evaluate(
    frame: pd.DataFrame,
    models: Mapping[str, RecommenderParams],
    params: EvaluationParams | None = None,
    progress: Callable[[str], None] | None = None,
) -> list[ModelScore]:
    """Fit each model on the training part of ``frame`` and score it on the test part.

    Parameters
    ----------
    frame
        A raw ``user, item, event, timestamp[, region]`` log (cleaned here, strictly).
    models
        Display name -> parameters, evaluated in order.
    params
        K, split and sampling; defaults to :class:`EvaluationParams()`.
    progress
        Called with each model's name before it is fitted.
    """
    params = params or EvaluationParams()
    clean, _ = clean_interactions(frame)
    split = time_split(clean, params.test_fraction)
    users = sorted(split.truth)
    rng = np.random.default_rng(params.seed)
    if params.max_users is not None and len(users) > params.max_users:
        users = sorted(rng.choice(users, size=params.max_users, replace=False).tolist())
    timed = rng.choice(users, size=min(params.latency_users, len(users)), replace=False).tolist()
    scores = []
    for name, model_params in models.items():
        if progress is not None:
            progress(name)
        scores.append(_score(name, Recommender(model_params), split, users=users, timed=timed, k=params.k))
    return scores


def _score(
    name: str, recommender: Recommender, split: Split, *, users: list[str], timed: list[str], k: int
) -> ModelScore:
    started = time.perf_counter()
    recommender.fit(split.train)
    fit_s = time.perf_counter() - started
    lists = recommender.recommend(users, k=k)
    metrics = np.array(
        [ranking_metrics([r.item_id for r in recs], split.truth[u], k) for u, recs in zip(users, lists, strict=True)]
    )
    shown = {r.item_id for recs in lists for r in recs}
    latencies = []
    for user in timed:
        begin = time.perf_counter()
        recommender.recommend([user], k=k)
        latencies.append((time.perf_counter() - begin) * 1000.0)
    mean = metrics.mean(axis=0)
    return ModelScore(
        model=name,
        recall=round(float(mean[0]), 4),
        ndcg=round(float(mean[1]), 4),
        mrr=round(float(mean[2]), 4),
        coverage=round(len(shown) / len(recommender.fitted.data.item_ids), 4),
        p50_ms=round(float(np.percentile(latencies, 50)), 3),
        p99_ms=round(float(np.percentile(latencies, 99)), 3),
        fit_s=round(fit_s, 2),
        users=len(users),
    )
