"""Repeat purchases: the user's own recency-decayed history blended with the model, worked out by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from wujie.recommend.errors import InvalidParams
from wujie.recommend.params import RecommenderParams
from wujie.recommend.recommender import Recommender
from wujie.recommend.repeat import blend_with_history


def _ids(rec: Recommender, user: str, **kwargs: object) -> list[str]:
    return [r.item_id for r in rec.recommend([user], k=3, **kwargs)[0]]  # type: ignore[arg-type]


def test_own_purchases_are_blended_in_only_when_seen_items_may_be_shown(small_log: pd.DataFrame) -> None:
    # global popularity (distinct users): C 3, A 2, B 2, D 2, E 1; u1 bought A and B once each
    rec = Recommender(model="popularity", use_region=False, repeat_weight=0.5).fit(small_log)
    blended = rec.recommend(["u1"], k=3, exclude_seen=False)[0]
    # A and B: 0.5 * 2/3 + 0.5 * 1 = 0.8333; C: 0.5 * 3/3 + 0 = 0.5
    assert [r.item_id for r in blended] == ["A", "B", "C"]
    assert [round(r.score, 4) for r in blended] == [0.8333, 0.8333, 0.5]
    assert _ids(rec, "u1", exclude_seen=True) == ["C", "D", "E"]
    plain = Recommender(model="popularity", use_region=False).fit(small_log)
    assert _ids(plain, "u1", exclude_seen=False) == ["C", "A", "B"]


def test_recency_decay_ranks_the_latest_purchase_first(small_log: pd.DataFrame) -> None:
    # the log ends on 01-10: A (01-01) weighs 5 * 2^-9, B (01-02) 5 * 2^-8: half of B
    rec = Recommender(model="popularity", use_region=False, repeat_weight=0.5, repeat_half_life_days=1.0).fit(small_log)
    blended = rec.recommend(["u1"], k=3, exclude_seen=False)[0]
    assert [r.item_id for r in blended] == ["B", "A", "C"]
    assert [round(r.score, 4) for r in blended] == [0.8333, 0.5833, 0.5]


def test_unknown_user_gets_popularity_and_model_blend_keeps_k(small_log: pd.DataFrame) -> None:
    rec = Recommender(model="item_knn", use_region=False, repeat_weight=0.7).fit(small_log)
    assert _ids(rec, "stranger", exclude_seen=False) == ["C", "A", "B"]
    lists = rec.recommend(["u4"], k=5, exclude_seen=False)[0]
    assert len(lists) == 5
    assert {r.item_id for r in lists[:3]} == {"C", "D", "E"}  # u4's own purchases lead at weight 0.7


def test_blend_is_exact_top_k_with_lower_index_on_ties() -> None:
    items, scores = blend_with_history(
        np.array([3, 1], dtype=np.int64),
        np.array([0.5, 0.2, 1.0, -4.0], dtype=np.float32),  # scores of the union 1, 2, 3, 7
        np.array([2, 7], dtype=np.int64),
        np.array([1.0, 2.0], dtype=np.float32),
        k=3,
        repeat_weight=0.5,
    )
    # 1: 0.25; 2: 0.1 + 0.25 = 0.35; 3: 0.5; 7: 0 (negative clipped) + 0.5 = 0.5 -> 3 before 7 on the tie
    assert items.tolist() == [3, 7, 2]
    assert scores.tolist() == pytest.approx([0.5, 0.5, 0.35])


def test_repeat_params_are_validated() -> None:
    for bad in ({"repeat_weight": 1.5}, {"repeat_weight": -0.1}, {"repeat_half_life_days": -1.0}):
        with pytest.raises(InvalidParams):
            RecommenderParams(**bad)  # type: ignore[arg-type]
