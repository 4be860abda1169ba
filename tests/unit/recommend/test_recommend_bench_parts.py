"""The benchmark's synthetic log and query sampler: the properties the figures rely on."""

from __future__ import annotations

from wujie.bench.recommend import search_latency, search_queries, synthetic_log
from wujie.catalog.search import CatalogRecord


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
