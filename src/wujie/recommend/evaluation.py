"""Offline evaluation with a time-based split: Recall, NDCG and MRR at K, coverage, latency.

The log is cut at one moment: everything before trains, everything after tests. Two protocols
score the same fitted models:

- ``new_items``: the held-out items are those a known user touched after the cut and had not
  touched before; recommendations use ``exclude_seen=True``.
- ``all_purchases``: every known item a known user touched after the cut counts, repeats
  included (most of a grocery basket); recommendations use ``exclude_seen=False``.

``stage="validation"`` cuts the log before the test cut once more, with the same fraction, so
settings can be chosen there and reported once on the test stage.
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

PROTOCOLS: dict[str, str] = {
    "new_items": "new items only: held-out items the user had not touched before the cut; exclude_seen=True",
    "all_purchases": "all purchases incl. repeats: every held-out item of the user; exclude_seen=False",
}
STAGES: tuple[str, ...] = ("validation", "test")


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
        Evaluate at most this many test users per protocol (a seeded sample), ``None`` for all.
    latency_users
        How many single-user requests to time for p50/p99.
    seed
        Seeds the user samples.
    protocols
        Which of :data:`PROTOCOLS` to score, in order (the models are fitted once for all).
    stage
        ``test`` scores after the log's cut; ``validation`` drops the test part and cuts what is
        left again with the same fraction (for choosing settings without touching the test part).
    """

    k: int = 20
    test_fraction: float = 0.2
    max_users: int | None = None
    latency_users: int = 300
    seed: int = 42
    protocols: tuple[str, ...] = ("new_items", "all_purchases")
    stage: str = "test"

    def __post_init__(self) -> None:
        if not 1 <= self.k <= 1000:
            raise InvalidParams("k must be within 1..1000", k=self.k)
        if not 0.0 < self.test_fraction < 1.0:
            raise InvalidParams("test_fraction must be within (0, 1)", test_fraction=self.test_fraction)
        if self.max_users is not None and self.max_users < 1:
            raise InvalidParams("max_users must be >= 1", max_users=self.max_users)
        if self.latency_users < 1:
            raise InvalidParams("latency_users must be >= 1", latency_users=self.latency_users)
        if not self.protocols or set(self.protocols) - set(PROTOCOLS):
            raise InvalidParams(f"protocols must be among {', '.join(PROTOCOLS)}", protocols=",".join(self.protocols))
        if self.stage not in STAGES:
            raise InvalidParams(f"stage must be one of {', '.join(STAGES)}", stage=self.stage)


@dataclass(frozen=True, slots=True)
class Split:
    """A time-based split: the training log and each test user's held-out items per protocol."""

    train: pd.DataFrame
    truth: dict[str, dict[str, set[str]]]
    cutoff: pd.Timestamp


@dataclass(frozen=True, slots=True)
class ModelScore:
    """One model's figures on one split under one protocol."""

    model: str
    protocol: str
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
    """Cut a cleaned log at the ``1 - test_fraction`` quantile of its timestamps.

    ``truth["all_purchases"]`` holds every known item a known user touched after the cut;
    ``truth["new_items"]`` only those the user had not touched before it.
    """
    if frame.empty:
        raise RecommendError(RecommendErrorCode.EMPTY_INTERACTIONS, "the interaction log is empty")
    cutoff = frame["timestamp"].quantile(1.0 - test_fraction)
    train = frame[frame["timestamp"] < cutoff]
    test = frame[frame["timestamp"] >= cutoff]
    seen = set(zip(train["user"], train["item"], strict=True))
    known_users, known_items = set(train["user"]), set(train["item"])
    every: dict[str, set[str]] = {}
    new: dict[str, set[str]] = {}
    for user, item in zip(test["user"], test["item"], strict=True):
        if user in known_users and item in known_items:
            every.setdefault(user, set()).add(item)
            if (user, item) not in seen:
                new.setdefault(user, set()).add(item)
    if train.empty or not new:
        raise RecommendError(
            RecommendErrorCode.NOT_ENOUGH_HISTORY,
            "no user has both training history and new items after the cut; use a longer log",
            cutoff=str(cutoff),
        )
    return Split(train=train, truth={"new_items": new, "all_purchases": every}, cutoff=cutoff)


def stage_split(frame: pd.DataFrame, params: EvaluationParams) -> Split:
    """Return the test split, or for ``stage="validation"`` the split of the part before the test cut."""
    split = time_split(frame, params.test_fraction)
    if params.stage == "test":
        return split
    return time_split(split.train, params.test_fraction)


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
    """Fit each model once on the training part of ``frame`` and score it under each protocol.

    Parameters
    ----------
    frame
        A raw ``user, item, event, timestamp[, region]`` log (cleaned here, strictly).
    models
        Display name -> parameters, evaluated in order.
    params
        K, split, stage, protocols and sampling; defaults to :class:`EvaluationParams()`.
    progress
        Called with each model's name before it is fitted.

    Returns
    -------
    list of ModelScore
        One per model and protocol, model-major (each model's protocols in ``params.protocols`` order).
    """
    params = params or EvaluationParams()
    clean, _ = clean_interactions(frame)
    split = stage_split(clean, params)
    samples = _samples(split, params)
    scores = []
    for name, model_params in models.items():
        if progress is not None:
            progress(name)
        recommender = Recommender(model_params)
        started = time.perf_counter()
        recommender.fit(split.train)
        fit_s = time.perf_counter() - started
        for protocol, (users, timed) in samples.items():
            truth = split.truth[protocol]
            scores.append(_score(name, protocol, recommender, truth, users=users, timed=timed, k=params.k, fit_s=fit_s))
    return scores


def _samples(split: Split, params: EvaluationParams) -> dict[str, tuple[list[str], list[str]]]:
    """Per protocol: the (seeded sample of) test users, and the users whose requests are timed."""
    rng = np.random.default_rng(params.seed)
    samples: dict[str, tuple[list[str], list[str]]] = {}
    for protocol in params.protocols:
        users = sorted(split.truth[protocol])
        if params.max_users is not None and len(users) > params.max_users:
            users = sorted(rng.choice(users, size=params.max_users, replace=False).tolist())
        timed = rng.choice(users, size=min(params.latency_users, len(users)), replace=False).tolist()
        samples[protocol] = (users, timed)
    return samples


def _score(
    name: str,
    protocol: str,
    recommender: Recommender,
    truth: dict[str, set[str]],
    *,
    users: list[str],
    timed: list[str],
    k: int,
    fit_s: float,
) -> ModelScore:
    exclude_seen = protocol == "new_items"
    lists = recommender.recommend(users, k=k, exclude_seen=exclude_seen)
    metrics = np.array(
        [ranking_metrics([r.item_id for r in recs], truth[u], k) for u, recs in zip(users, lists, strict=True)]
    )
    shown = {r.item_id for recs in lists for r in recs}
    latencies = []
    for user in timed:
        begin = time.perf_counter()
        recommender.recommend([user], k=k, exclude_seen=exclude_seen)
        latencies.append((time.perf_counter() - begin) * 1000.0)
    mean = metrics.mean(axis=0)
    return ModelScore(
        model=name,
        protocol=protocol,
        recall=round(float(mean[0]), 4),
        ndcg=round(float(mean[1]), 4),
        mrr=round(float(mean[2]), 4),
        coverage=round(len(shown) / len(recommender.fitted.data.item_ids), 4),
        p50_ms=round(float(np.percentile(latencies, 50)), 3),
        p99_ms=round(float(np.percentile(latencies, 99)), 3),
        fit_s=round(fit_s, 2),
        users=len(users),
    )
