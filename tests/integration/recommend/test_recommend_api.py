"""GET /recommendations and GET /search through FastAPI, with problem+json on bad input."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from wujie.dashboard.live import LiveDashboard


def test_known_user_gets_unseen_items(client: TestClient) -> None:
    response = client.get("/recommendations", params={"user": "u1", "k": 2})
    assert response.status_code == 200
    body = response.json()
    assert body["known_user"] is True
    assert body["region"] == "SH"
    assert [(i["item_id"], i["source"]) for i in body["items"]] == [("p4", "model"), ("p3", "popularity")]


def test_unknown_user_gets_regional_popularity(client: TestClient) -> None:
    body = client.get("/recommendations", params={"user": "newcomer", "k": 2, "region": "BJ"}).json()
    assert body["known_user"] is False
    assert body["items"] == [
        {"item_id": "p3", "score": 1.0, "source": "popularity_region"},
        {"item_id": "p4", "score": 1.0, "source": "popularity_region"},
    ]


def test_similar_items(client: TestClient) -> None:
    assert [i["item_id"] for i in client.get("/recommendations/similar", params={"item": "p3"}).json()["items"]] == [
        "p4"
    ]
    assert client.get("/recommendations/similar", params={"item": "nope"}).json()["items"] == []


def test_bad_recommendation_requests_are_problems(client: TestClient) -> None:
    for params, code in (
        ({"user": "u1", "k": 0}, "recommend_invalid_params"),
        ({"user": "u1", "k": 5000}, "recommend_invalid_params"),
        ({"user": "   "}, "recommend_missing_id"),
        ({"user": "u1", "k": "many"}, "invalid_input"),
        ({}, "invalid_input"),
    ):
        response = client.get("/recommendations", params=params)
        assert response.status_code == 422, params
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["code"] == code


def test_search_ranks_and_feeds_hot_terms(client: TestClient, board: LiveDashboard) -> None:
    body = client.get("/search", params={"q": "华为手机", "k": 5}).json()
    assert body["query"] == "华为手机"
    assert body["matched"] == 2
    assert [h["id"] for h in body["hits"]] == ["p1", "p2"]
    client.get("/search", params={"q": "华为手机 "})
    client.get("/search", params={"q": "bicycle"})
    snapshot = board.snapshot()
    assert snapshot["searches"] == 3
    assert snapshot["zero_result_searches"] == 1
    assert {"term": "华为手机", "count": 2, "error": 0} in snapshot["search_terms"]


def test_search_uses_the_users_taste(client: TestClient) -> None:
    plain = client.get("/search", params={"q": "手机"}).json()
    tasted = client.get("/search", params={"q": "手机", "user": "u4"}).json()  # u4 bought p2
    assert [h["id"] for h in plain["hits"]] == ["p1", "p2"]  # huawei is more popular
    assert [h["id"] for h in tasted["hits"]] == ["p2", "p1"]
    assert tasted["hits"][0]["score"] == pytest.approx(plain["hits"][1]["score"] + 0.25)  # taste 1 x weight 0.25


def test_bad_searches_are_problems_and_not_counted(client: TestClient, board: LiveDashboard) -> None:
    for params, code in (
        ({"q": ""}, "search_empty_query"),
        ({"q": "!!!"}, "search_empty_query"),
        ({"q": "x" * 5000}, "search_query_too_long"),
        ({"q": "phone", "k": 0}, "search_invalid_limit"),
        ({}, "invalid_input"),
    ):
        response = client.get("/search", params=params)
        assert response.status_code == 422, params
        assert response.json()["code"] == code
    assert board.snapshot()["searches"] == 0


def test_default_personalisation_is_built_once_and_publishes_to_the_dashboard(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from fastapi import FastAPI

    from wujie.catalog.search import CatalogRecord, SearchIndex
    from wujie.catalog.search_service import SearchService
    from wujie.entrypoints.api import problems
    from wujie.entrypoints.api import recommend as recommend_routes
    from wujie.entrypoints.api import search as search_routes
    from wujie.recommend import service
    from wujie.recommend.recommender import Recommender

    from .conftest import LOG

    built: list[object] = []

    def fake_default(publish: object) -> service.Personalisation:
        built.append(publish)
        index = SearchIndex([CatalogRecord("p1", "milk")])
        return service.Personalisation(Recommender(model="popularity").fit(LOG), SearchService(index, publish))  # type: ignore[arg-type]

    monkeypatch.setattr(service, "completejourney_personalisation", fake_default)
    app = FastAPI()
    problems.install(app)
    app.include_router(recommend_routes.router)
    app.include_router(search_routes.router)
    with TestClient(app) as client:
        first = client.get("/recommendations", params={"user": "u1"})
        assert first.status_code == 503
        assert first.json()["code"] == "personalisation_warming_up"
        assert first.headers["Retry-After"] == "15"
        deadline = time.monotonic() + 30
        while (answer := client.get("/recommendations", params={"user": "u1"})).status_code == 503:
            assert time.monotonic() < deadline, "the default personalisation was never built"
            time.sleep(0.05)
        assert answer.status_code == 200
        assert client.get("/search", params={"q": "Milk"}).json()["matched"] == 1
    assert len(built) == 1
    assert app.state.dashboard.snapshot()["search_terms"] == [{"term": "milk", "count": 1, "error": 0}]


def test_the_real_app_serves_both_routes(tmp_path: Path) -> None:
    from wujie.catalog.search import CatalogRecord, SearchIndex
    from wujie.catalog.search_service import SearchService
    from wujie.config import Settings
    from wujie.entrypoints.api.app import create_app
    from wujie.recommend.recommender import Recommender
    from wujie.recommend.service import Personalisation

    from .conftest import LOG

    app = create_app(Settings(data_dir=tmp_path))
    board = LiveDashboard()
    app.state.dashboard = board
    index = SearchIndex([CatalogRecord("p4", "Apple iPhone 15", "Apple", "Phones", 2)])
    app.state.personalisation = Personalisation(
        Recommender(model="als", factors=4).fit(LOG), SearchService(index, board.publish)
    )
    with TestClient(app) as client:
        assert client.get("/recommendations", params={"user": "u3", "k": 3}).json()["known_user"] is True
        assert client.get("/search", params={"q": "iphone", "user": "u3"}).json()["hits"][0]["id"] == "p4"
        assert client.get("/search", params={"q": ""}).json()["code"] == "search_empty_query"
    assert board.snapshot()["searches"] == 1
