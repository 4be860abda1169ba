"""The benchmark's synthetic log and query sampler: the properties the figures rely on."""

from __future__ import annotations

from wujie.bench.recommend import compare, recommendation_latency, search_latency, search_queries, synthetic_log
from wujie.catalog.search import CatalogRecord
from wujie.recommend.evaluation import ModelScore


def test_synthetic_log_has_every_item_and_is_seeded() -> None:
    log = synthetic_log(n_items=500, n_users=50, events_per_user=10, seed=3)
    assert len(log) == 50 * 10 + 500
    assert log["item"].nunique() == 500
    assert set(log["event"]) == {"view", "cart", "buy"}
    assert log.equals(synthetic_log(n_items=500, n_users=50, events_per_user=10, seed=3))


def test_queries_are_real_words_and_search_latency_reports_ratios() -> None:
    records = [CatalogRecord(f"p{n}", f"Apple Sauce {n} Oz", "Private", "Grocery Fruit", n) for n in range(200)]
    queries = search_queries(records, 20, seed=1)
    assert queries == search_queries(records, 20, seed=1)
    assert all(set(q.split()) <= {"apple", "sauce", "oz", "grocery", "fruit"} for q in queries)
    report = search_latency(records, queries=20, seed=1)
    assert report["queries_without_hits"] == 0
    assert report["products"] == 200
    assert report["index"]["p50_ms"] <= report["index"]["p99_ms"]


def test_latency_part_times_every_model_and_both_als_paths() -> None:
    report = recommendation_latency(n_items=300, n_users=40, seed=2, requests=30)
    assert report["items"] == 300
    assert report["requests"] == 30
    assert report["als"]["exclude_seen"] is True
    assert report["als_repeat"]["exclude_seen"] is False
    for name in ("popularity_region", "item_knn", "als", "als_repeat"):
        assert 0 < report[name]["cpu_p50_ms"] <= report[name]["cpu_p99_ms"] <= report[name]["cpu_max_ms"]
    assert report["target_met"] == (report["ratio_worst_p99_vs_target"] < 1.0)


def test_compare_picks_the_best_learned_model_and_its_ratios() -> None:
    def score(model: str, recall: float) -> ModelScore:
        return ModelScore(model, "all_purchases", recall, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 10)

    rows = [score("popularity_global", 0.05), score("item_knn", 0.06), score("buy_again", 0.12), score("als", 0.07)]
    rows.append(score("als_repeat", 0.11))
    out = compare(rows)
    assert out["best"] == "als_repeat"  # buy_again is a baseline, never "best"
    assert out["ratio_best_vs_popularity_global"] == 2.2
    assert out["ratio_best_vs_buy_again"] == 0.917
    assert "ratio_best_vs_popularity_region" not in out
    assert out["targets_met"] is True
