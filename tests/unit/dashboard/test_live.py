"""The live board: thread-safe sink, latency marks, cached JSON, and the /dashboard HTTP surface."""

from __future__ import annotations

import threading

import orjson
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from wujie.dashboard.board import SaleDashboard
from wujie.dashboard.live import LiveDashboard
from wujie.entrypoints.api.dashboard import router

from .conftest import LOOKUPS, captured, placed


def test_each_client_gets_the_mark_of_the_oldest_batch_it_has_not_seen() -> None:
    live = LiveDashboard(SaleDashboard(LOOKUPS))
    assert live.snapshot()["live"]["oldest_unseen_ms"] is None
    live.publish([placed("o1", [("duck", 1, 100)])])  # version 1
    live.publish([captured("o1", 100)])  # version 2
    live.publish([])  # not a batch
    marks = list(live._marks)
    assert live.version == 2 and len(marks) == 2 and marks[0] <= marks[1]
    assert live.snapshot()["live"]["oldest_unseen_ms"] is None  # a first push: backlog, no mark
    assert live.snapshot(seen=0)["live"]["oldest_unseen_ms"] == marks[0]
    assert live.snapshot(seen=1)["live"]["oldest_unseen_ms"] == marks[1]  # another client, further on
    assert live.snapshot(seen=2)["live"]["oldest_unseen_ms"] is None  # nothing new for it
    assert live.snapshot(seen=2)["live"]["newest_ms"] == marks[1]


def test_a_client_further_behind_than_the_kept_marks_gets_the_oldest_kept() -> None:
    from collections import deque

    live = LiveDashboard(SaleDashboard(LOOKUPS))
    live._marks = deque(maxlen=3)
    for i in range(5):
        live.publish([placed(f"o{i}", [("duck", 1, 100)])])
    kept = list(live._marks)
    assert live.snapshot(seen=0)["live"]["oldest_unseen_ms"] == kept[0]  # versions 3..5 kept
    assert live.snapshot(seen=3)["live"]["oldest_unseen_ms"] == kept[1]


def test_event_time_marks_come_from_the_events() -> None:
    live = LiveDashboard(SaleDashboard(LOOKUPS), event_time_marks=True)
    event = captured("o1", 100, t=1.5)
    live.publish([event])
    assert live.snapshot(seen=0)["live"]["oldest_unseen_ms"] == event.at.timestamp() * 1000


def test_concurrent_publishers_lose_nothing() -> None:
    live = LiveDashboard(SaleDashboard(LOOKUPS))

    def publish(worker: int) -> None:
        for i in range(200):
            order = f"w{worker}-{i}"
            live.publish([placed(order, [("duck", 1, 10)]), captured(order, 10)])
            if i % 50 == 0:
                orjson.loads(live.snapshot_json())

    threads = [threading.Thread(target=publish, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    snap = orjson.loads(live.snapshot_json())
    assert (snap["gmv_minor"], snap["orders"]["paid"], snap["events"]) == (8_000, 800, 1_600)


def test_json_is_cached_until_a_batch_arrives() -> None:
    live = LiveDashboard(SaleDashboard(LOOKUPS))
    first = live.snapshot_json()
    assert live.snapshot_json() is first
    live.publish([captured("o1", 100)])
    assert orjson.loads(live.snapshot_json())["gmv_minor"] == 100


def client_with(live: LiveDashboard | None = None) -> TestClient:
    app = FastAPI()
    app.include_router(router)
    if live is not None:
        app.state.dashboard = live
    return TestClient(app)


def test_page_assets_and_snapshot_are_served() -> None:
    live = LiveDashboard(SaleDashboard(LOOKUPS))
    live.publish([placed("o1", [("duck", 2, 19_800)]), captured("o1", 39_600)])
    client = client_with(live)
    page = client.get("/dashboard")
    assert page.status_code == 200
    assert "connect-src 'self'" in page.headers["content-security-policy"]
    assert '<script src="/dashboard/static/echarts.min.js">' in page.text
    assert "http://" not in page.text and "https://" not in page.text
    echarts = client.get("/dashboard/static/echarts.min.js")
    assert echarts.status_code == 200 and "Apache License" in echarts.text[:1200]
    assert client.get("/dashboard/static/dashboard.js").headers["content-type"].startswith("text/javascript")
    assert client.get("/dashboard/static/..%2F__init__.py").status_code == 404
    assert client.get("/dashboard/static/index.html").status_code == 404
    snap = client.get("/dashboard/snapshot").json()
    assert snap["gmv_minor"] == 39_600
    assert snap["top_brands"] == [{"name": "Quanjude", "heritage": True, "gmv_minor": 39_600}]


def test_an_app_without_a_board_gets_an_empty_one() -> None:
    snap = client_with().get("/dashboard/snapshot").json()
    assert (snap["gmv_minor"], snap["events"], snap["currency"]) == (0, 0, None)


def test_geo_lists_real_city_coordinates() -> None:
    geo = client_with(LiveDashboard(country="CN")).get("/dashboard/geo").json()
    assert geo["country"] == "CN"
    assert len(geo["cities"]) > 1_000
    shanghai = [c for c in geo["cities"] if abs(c[0] - 121.458) < 0.01 and abs(c[1] - 31.222) < 0.01]
    assert shanghai


def test_stream_interval_is_validated() -> None:
    assert client_with().get("/dashboard/stream?interval=0").status_code == 422


def test_stream_pushes_snapshots_then_ends_for_a_reconnect(monkeypatch: pytest.MonkeyPatch) -> None:
    from wujie.entrypoints.api import dashboard as api

    monkeypatch.setattr(api, "STREAM_LIFETIME_S", 0.4)
    live = LiveDashboard(SaleDashboard(LOOKUPS))
    live.publish([placed("o1", [("duck", 2, 19_800)]), captured("o1", 39_600)])
    response = client_with(live).get("/dashboard/stream?interval=0.05")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    assert response.text.startswith("retry: 250\n\n")
    frames = [orjson.loads(line[len("data: ") :]) for line in response.text.splitlines() if line.startswith("data: ")]
    assert len(frames) >= 3
    assert {f["gmv_minor"] for f in frames} == {39_600}
    assert frames[0]["live"]["oldest_unseen_ms"] is None  # the backlog carries no latency mark
