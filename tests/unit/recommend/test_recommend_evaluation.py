"""Metrics with exact values, the time split, and an evaluation where taste is learnable."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from wujie.recommend.errors import InvalidParams, RecommendError, RecommendErrorCode
from wujie.recommend.evaluation import EvaluationParams, evaluate, ranking_metrics, stage_split, time_split
from wujie.recommend.interactions import clean_interactions
from wujie.recommend.params import RecommenderParams


def test_ranking_metrics_exact() -> None:
    recall, ndcg, mrr = ranking_metrics(["a", "x", "b", "y"], {"a", "b", "c", "d"}, k=4)
    assert recall == 0.5
    assert mrr == 1.0
    ideal = sum(1 / math.log2(n + 2) for n in range(4))
    assert ndcg == pytest.approx((1 + 1 / math.log2(4)) / ideal)
    assert ranking_metrics(["x", "y", "a"], {"a"}, k=2) == (0.0, 0.0, 0.0)
    assert ranking_metrics(["x", "a"], {"a"}, k=2)[2] == 0.5


def test_time_split_holds_out_new_items_and_all_purchases_of_known_users() -> None:
    rows = [
        ("u", "a", "buy", "2024-01-01"),
        ("v", "b", "buy", "2024-01-02"),
        ("u", "a", "buy", "2024-01-03"),  # repeat: not new
        ("u", "b", "buy", "2024-01-04"),  # new for u
        ("w", "a", "buy", "2024-01-05"),  # w unknown in training
    ]
    clean, _ = clean_interactions(pd.DataFrame(rows, columns=["user", "item", "event", "timestamp"]))
    split = time_split(clean, test_fraction=0.6)
    assert len(split.train) == 2
    assert split.truth == {"new_items": {"u": {"b"}}, "all_purchases": {"u": {"a", "b"}}}


def test_validation_stage_cuts_before_the_test_cut() -> None:
    rows = [(f"u{n % 3}", f"i{n % 7}", "buy", f"2024-01-{n + 1:02d}") for n in range(25)]
    clean, _ = clean_interactions(pd.DataFrame(rows, columns=["user", "item", "event", "timestamp"]))
    test = stage_split(clean, EvaluationParams(test_fraction=0.2))
    validation = stage_split(clean, EvaluationParams(test_fraction=0.2, stage="validation"))
    assert validation.cutoff < test.cutoff
    assert validation.train["timestamp"].max() < validation.cutoff
    assert len(validation.train) < len(test.train)


def test_split_without_test_users_is_refused() -> None:
    rows = [("u", "a", "buy", "2024-01-01"), ("u", "a", "buy", "2024-01-02")]
    clean, _ = clean_interactions(pd.DataFrame(rows, columns=["user", "item", "event", "timestamp"]))
    with pytest.raises(RecommendError) as caught:
        time_split(clean, 0.5)
    assert caught.value.code == RecommendErrorCode.NOT_ENOUGH_HISTORY


def _two_tribes(seed: int = 3) -> pd.DataFrame:
    """Users of tribe t buy items of group t; group 1 is more popular overall (bigger tribe)."""
    rng = np.random.default_rng(seed)
    rows = []
    for user in range(60):
        tribe = 0 if user < 20 else 1
        items = rng.choice(10, size=6, replace=False) + 10 * tribe
        for day, item in enumerate(items):
            rows.append((f"u{user}", f"i{item}", "buy", f"2024-01-{day + 1:02d}T{user % 24:02d}:00:00Z"))
    return pd.DataFrame(rows, columns=["user", "item", "event", "timestamp"])


def test_evaluate_reports_every_model_and_knn_learns_the_tribes() -> None:
    models = {
        "popularity": RecommenderParams(model="popularity"),
        "item_knn": RecommenderParams(model="item_knn"),
    }
    params = EvaluationParams(k=5, test_fraction=0.3, latency_users=10, protocols=("new_items",))
    scores = evaluate(_two_tribes(), models, params)
    by_name = {s.model: s for s in scores}
    assert [(s.model, s.protocol) for s in scores] == [("popularity", "new_items"), ("item_knn", "new_items")]
    assert by_name["item_knn"].users == by_name["popularity"].users > 0
    assert by_name["item_knn"].recall > by_name["popularity"].recall
    assert by_name["item_knn"].coverage == 1.0
    assert by_name["popularity"].coverage < 1.0
    assert 0 < by_name["item_knn"].p50_ms <= by_name["item_knn"].p99_ms


def test_evaluation_params_are_validated() -> None:
    bad_values = (
        {"k": 0},
        {"test_fraction": 1.0},
        {"max_users": 0},
        {"latency_users": 0},
        {"protocols": ()},
        {"protocols": ("repeats",)},
        {"stage": "train"},
    )
    for bad in bad_values:
        with pytest.raises(InvalidParams):
            EvaluationParams(**bad)  # type: ignore[arg-type]
