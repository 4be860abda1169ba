"""The recommender on a log small enough to work out by hand (see conftest.py)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from wujie.recommend.errors import EmptyInteractions, InvalidInteractions, InvalidParams, NotFitted, RecommendErrorCode
from wujie.recommend.params import RecommenderParams, default_models
from wujie.recommend.recommender import Recommender
from wujie.recommend.session import SessionEvent


def _items(recs: list[object]) -> list[tuple[str, float, str]]:
    return [(r.item_id, round(r.score, 4), r.source) for r in recs]  # type: ignore[attr-defined]


def test_popularity_uses_the_users_region_then_global_backfill(small_log: pd.DataFrame) -> None:
    rec = Recommender(model="popularity").fit(small_log)
    [u1] = rec.recommend(["u1"], k=3)
    # SH's own ranking is A 2, B 2, C 1; A and B are seen -> C, then global D 2 and E 1 scaled by 1 / (1 + 3)
    assert _items(u1) == [("C", 1.0, "model"), ("D", 0.5, "model"), ("E", 0.25, "model")]


def test_cold_start_gets_regional_then_global_popularity(small_log: pd.DataFrame) -> None:
    rec = Recommender(model="item_knn").fit(small_log)
    [bj] = rec.recommend(["stranger"], k=3, region="BJ")
    [anywhere] = rec.recommend(["stranger"], k=3)
    [unknown_region] = rec.recommend(["stranger"], k=2, region="Mars")
    assert _items(bj) == [
        ("C", 2.0, "popularity_region"),
        ("D", 2.0, "popularity_region"),
        ("E", 1.0, "popularity_region"),
    ]
    assert _items(anywhere) == [("C", 3.0, "popularity"), ("A", 2.0, "popularity"), ("B", 2.0, "popularity")]
    assert _items(unknown_region) == [("C", 3.0, "popularity"), ("A", 2.0, "popularity")]
    assert not rec.knows_user("stranger")
    assert rec.region_of("u3") == "BJ"


def test_item_knn_scores_are_cosine_sums_and_backfill_is_labelled(small_log: pd.DataFrame) -> None:
    rec = Recommender(model="item_knn").fit(small_log)
    [u1, u3] = rec.recommend(["u1", "u3"], k=3)
    # u1 bought A and B (log1p(5) each); C's cosine to A and to B is 1/sqrt(6)
    assert u1[0].item_id == "C"
    assert u1[0].score == pytest.approx(2 * math.log1p(5) / math.sqrt(6), rel=1e-5)
    assert _items(u1)[1:] == [("D", 0.5, "popularity"), ("E", 0.25, "popularity")]
    assert [r.item_id for r in u3] == ["E", "B", "A"]
    assert {r.source for r in u3} == {"model"}


def test_seen_items_are_excluded_only_when_asked(small_log: pd.DataFrame) -> None:
    rec = Recommender(model="item_knn").fit(small_log)
    [fresh] = rec.recommend(["u2"], k=5)
    [everything] = rec.recommend(["u2"], k=5, exclude_seen=False)
    assert not {"A", "B", "C"} & {r.item_id for r in fresh}
    assert {"A", "B", "C"} <= {r.item_id for r in everything}
    assert len(everything) == 5


@pytest.mark.parametrize("model", ["als", "bpr", "cooccurrence"])
def test_every_model_is_deterministic_for_a_seed(small_log: pd.DataFrame, model: str) -> None:
    params = RecommenderParams(model=model, factors=4, iterations=5, bpr_iterations=20, seed=7)
    first = Recommender(params).fit(small_log).recommend(["u1", "u3", "nobody"], k=3)
    second = Recommender(params).fit(small_log).recommend(["u1", "u3", "nobody"], k=3)
    assert _items(first[0]) == _items(second[0])
    assert _items(first[1]) == _items(second[1])
    assert all(len(recs) == 3 for recs in first)
    assert not {"A", "B"} & {r.item_id for r in first[0]}


def test_similar_items_and_unknown_items(small_log: pd.DataFrame) -> None:
    rec = Recommender(model="als", factors=4, iterations=3).fit(small_log)
    similar_a, similar_c, unknown = rec.similar_items(["A", "C", "nope"], k=3)
    assert [r.item_id for r in similar_a] == ["B", "C"]
    assert similar_a[0].score == pytest.approx(1.0)
    assert [r.item_id for r in similar_c][:2] == ["D", "E"]
    assert similar_c[2].item_id in {"A", "B"}  # A and B tie with C at 1/sqrt(6)
    assert similar_c[2].score == pytest.approx(1 / math.sqrt(6), rel=1e-5)
    assert unknown == []


def test_rerank_moves_items_like_the_visit_up_and_drops_what_was_bought(small_log: pd.DataFrame) -> None:
    rec = Recommender(model="item_knn").fit(small_log)
    before = rec.rerank("u1", [], ["C", "D", "E", "X"])
    visit = [SessionEvent("D", "view"), SessionEvent("E", "cart")]
    after = rec.rerank("u1", visit, ["C", "D", "E", "X"])
    assert [r.item_id for r in before] == ["C", "D", "E", "X"]
    assert _items(after) == [
        ("C", 0.8125, "session"),
        ("E", 0.5, "session"),
        ("D", 0.4812, "session"),
        ("X", 0.0, "session"),
    ]
    bought = rec.rerank("u1", [SessionEvent("D", "buy")], ["C", "D", "E"])
    assert [r.item_id for r in bought] == ["C", "E"]
    only_session = Recommender(model="item_knn", session_weight=1.0).fit(small_log)
    assert [r.item_id for r in only_session.rerank("u1", visit, ["C", "D", "E"])] == ["E", "D", "C"]


def test_rerank_for_an_unknown_user_uses_popularity(small_log: pd.DataFrame) -> None:
    rec = Recommender(model="item_knn", session_weight=0.0).fit(small_log)
    assert [r.item_id for r in rec.rerank("nobody", [SessionEvent("zzz")], ["E", "A", "C"])] == ["C", "A", "E"]


def test_session_events_must_have_a_known_kind() -> None:
    with pytest.raises(InvalidInteractions) as caught:
        SessionEvent("A", "like")
    assert caught.value.code == RecommendErrorCode.UNKNOWN_EVENT


def test_taste_is_normalised_model_score(small_log: pd.DataFrame) -> None:
    rec = Recommender(model="item_knn").fit(small_log)
    assert rec.taste("u1")(["C", "D", "E", "X"]) == [1.0, 0.0, 0.0, 0.0]
    assert rec.taste("nobody")(["C"]) == [0.0]
    assert rec.taste(None)(["C", "D"]) == [0.0, 0.0]


def test_bad_input_is_refused(small_log: pd.DataFrame) -> None:
    with pytest.raises(NotFitted):
        Recommender().recommend(["u1"])
    rec = Recommender(model="popularity").fit(small_log)
    for k in (0, 1001):
        with pytest.raises(InvalidParams):
            rec.recommend(["u1"], k=k)
    with pytest.raises(EmptyInteractions):
        Recommender().fit(small_log.iloc[:0])
    with pytest.raises(InvalidParams):
        RecommenderParams(model="neural")
    with pytest.raises(InvalidParams):
        RecommenderParams(session_weight=1.5)


def test_duplicate_events_do_not_change_the_answer(small_log: pd.DataFrame) -> None:
    doubled = pd.concat([small_log, small_log], ignore_index=True)
    rec = Recommender(model="item_knn").fit(doubled)
    assert rec.cleaning.duplicates == len(small_log)
    assert _items(rec.recommend(["u1"], k=3)[0]) == _items(
        Recommender(model="item_knn").fit(small_log).recommend(["u1"], k=3)[0]
    )


def test_default_models_cover_every_kind() -> None:
    models = default_models()
    assert sorted({p.model for p in models.values()}) == ["als", "bpr", "cooccurrence", "item_knn", "popularity"]
    assert models["popularity_global"].use_region is False
