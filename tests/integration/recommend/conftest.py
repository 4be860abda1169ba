"""A small app serving only the recommend and search routers, around a fitted personalisation."""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from wujie.catalog.search import CatalogRecord, SearchIndex
from wujie.catalog.search_service import SearchService
from wujie.dashboard.live import LiveDashboard
from wujie.entrypoints.api import problems
from wujie.entrypoints.api import recommend as recommend_routes
from wujie.entrypoints.api import search as search_routes
from wujie.recommend.recommender import Recommender
from wujie.recommend.service import Personalisation

LOG = pd.DataFrame(
    [
        ("u1", "p1", "buy", "2026-11-01T10:00:00Z", "SH"),
        ("u1", "p2", "view", "2026-11-01T10:05:00Z", "SH"),
        ("u2", "p1", "buy", "2026-11-02T10:00:00Z", "SH"),
        ("u2", "p2", "buy", "2026-11-02T10:01:00Z", "SH"),
        ("u2", "p4", "cart", "2026-11-02T10:02:00Z", "SH"),
        ("u3", "p4", "buy", "2026-11-03T10:00:00Z", "BJ"),
        ("u3", "p3", "buy", "2026-11-03T10:00:00Z", "BJ"),
        ("u4", "p2", "buy", "2026-11-04T10:00:00Z", "GZ"),
    ],
    columns=["user", "item", "event", "timestamp", "region"],
)

CATALOG = [
    CatalogRecord("p1", "华为 Mate 60 手机", "华为", "手机", 2),
    CatalogRecord("p2", "小米 14 手机", "小米", "手机", 1),
    CatalogRecord("p3", "삼성 갤럭시 S24", "Samsung", "휴대폰", 1),
    CatalogRecord("p4", "Apple iPhone 15", "Apple", "Phones", 2),
]


@pytest.fixture
def board() -> LiveDashboard:
    return LiveDashboard()


@pytest.fixture
def client(board: LiveDashboard) -> Iterator[TestClient]:
    app = FastAPI()
    problems.install(app)
    app.include_router(recommend_routes.router)
    app.include_router(search_routes.router)
    recommender = Recommender(model="item_knn").fit(LOG)
    app.state.personalisation = Personalisation(recommender, SearchService(SearchIndex(CATALOG), board.publish))
    with TestClient(app) as test_client:
        yield test_client
