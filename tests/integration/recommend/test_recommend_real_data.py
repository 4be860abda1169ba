"""The real logs: loaders give the documented counts, and ALS beats popularity on UCI Online Retail."""

from __future__ import annotations

import pandas as pd
import pytest
from tests.conftest import require_shared_data

from wujie.recommend.datasets import UCI_FILE, load_completejourney, load_uci_online_retail
from wujie.recommend.evaluation import EvaluationParams, evaluate
from wujie.recommend.params import default_models


@pytest.fixture(scope="module")
def uci_log() -> pd.DataFrame:
    root = require_shared_data("retail/uci-online-retail")
    return load_uci_online_retail(root.parent.parent / UCI_FILE)


def test_uci_loader_keeps_purchases_of_known_customers(uci_log: pd.DataFrame) -> None:
    log = uci_log
    # 541,909 lines minus cancellations, non-positive quantities, blank customers and non-product codes
    assert len(log) == 396_370
    assert log["user"].nunique() == 4_335
    assert log["item"].nunique() == 3_659
    assert not log["item"].isin(["POST", "DOT", "M", "BANK CHARGES"]).any()
    assert set(log["event"]) == {"buy"}
    assert log["region"].nunique() == 37


def test_completejourney_loader_reads_the_full_bundled_log() -> None:
    log = load_completejourney()
    assert len(log) == 1_469_307
    assert log["user"].nunique() == 2_469
    assert log["item"].nunique() == 68_509


def test_als_beats_popularity_on_uci_online_retail(uci_log: pd.DataFrame) -> None:
    models = {name: default_models()[name] for name in ("popularity_region", "item_knn", "als")}
    params = EvaluationParams(k=20, max_users=400, latency_users=10, protocols=("new_items",))
    scores = {s.model: s for s in evaluate(uci_log, models, params)}
    assert scores["als"].users == 400
    assert scores["als"].recall > 1.3 * scores["popularity_region"].recall
    assert scores["als"].recall > scores["item_knn"].recall
    assert scores["item_knn"].coverage > scores["popularity_region"].coverage


def test_repeats_count_only_in_the_all_purchases_protocol(uci_log: pd.DataFrame) -> None:
    models = {name: default_models()[name] for name in ("popularity_global", "buy_again")}
    params = EvaluationParams(k=20, max_users=300, latency_users=10)
    scores = {(s.model, s.protocol): s for s in evaluate(uci_log, models, params)}
    # with seen items excluded the user's own history is masked: buy_again is popularity exactly
    assert scores[("buy_again", "new_items")].recall == scores[("popularity_global", "new_items")].recall
    # when repeats count, the user's own purchases are the strongest signal
    assert scores[("buy_again", "all_purchases")].recall > 2 * scores[("popularity_global", "all_purchases")].recall


def test_completejourney_catalog_is_searchable() -> None:
    from wujie.catalog.search import SearchIndex
    from wujie.recommend.datasets import completejourney_catalog

    records = completejourney_catalog({"1260411": 42.0})
    assert len(records) == 92_331
    by_id = {r.id: r for r in records}
    assert by_id["1260411"].popularity == 42.0
    assert by_id["1260411"].name == "Apple Sauce"
    assert sum(r.popularity > 0 for r in records) == 1
    hits = SearchIndex(records).search("apple sauce", 3).hits
    assert hits[0].id == "1260411"  # the only one with buyers among equally relevant products
