"""The store analytics read endpoints, on a small FastAPI app holding just this router."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from wujie.entrypoints.api import problems
from wujie.entrypoints.api.auth import Role, Tokens
from wujie.entrypoints.api.stores import router
from wujie.stores.analysis import analyze
from wujie.stores.default_layout import default_layout
from wujie.stores.report_io import write_report
from wujie.stores.simulation.params import TwinParams
from wujie.stores.simulation.run import run_twin
from wujie.stores.simulation.sensors import observe

SECRET = "store-api-test-secret"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    root = tmp_path_factory.mktemp("reports")
    layout = default_layout()
    report = analyze(observe(run_twin(layout, TwinParams(shoppers=60, seed=2))), layout)
    write_report(report, root / "day-1")
    (root / "not-a-report").mkdir()
    (root / "broken").mkdir()
    (root / "broken" / "report.json").write_text("{half a report")
    app = FastAPI()
    problems.install(app)
    app.include_router(router)
    app.state.tokens = Tokens(SECRET)
    app.state.store_reports = root
    return TestClient(app)


def _staff() -> dict[str, str]:
    return {"Authorization": f"Bearer {Tokens(SECRET).mint(Role.MERCHANT, 'store-ops')}"}


def test_the_default_layout_is_public(client: TestClient) -> None:
    answer = client.get("/v1/stores/layout")
    assert answer.status_code == 200
    body = answer.json()
    assert len(body["shelves"]) == 42 and len(body["planogram"]) == 126


def test_reports_need_a_staff_token(client: TestClient) -> None:
    assert client.get("/v1/stores/reports").status_code == 401
    customer = Tokens(SECRET).mint(Role.CUSTOMER, "c1")
    assert client.get("/v1/stores/reports", headers={"Authorization": f"Bearer {customer}"}).status_code == 403


def test_list_and_read_a_report(client: TestClient) -> None:
    listed = client.get("/v1/stores/reports", headers=_staff()).json()
    assert [r["name"] for r in listed] == ["broken", "day-1"]
    assert listed[0] == {"name": "broken", "error": "report.json cannot be read"}
    assert listed[1]["shoppers"] == 60
    report = client.get("/v1/stores/reports/day-1", headers=_staff()).json()
    assert report["store"] == "wujie-default"
    assert set(report["dwell"]) == set(default_layout().zone_names)
    heat = client.get("/v1/stores/reports/day-1/heatmap", headers=_staff()).json()
    assert len(heat["person_seconds"]) == heat["rows"] == 20


def test_tables_page_through_rows(client: TestClient) -> None:
    first = client.get("/v1/stores/reports/day-1/tables/funnel?limit=5", headers=_staff()).json()
    assert first["rows"] == 126 and len(first["items"]) == 5
    later = client.get("/v1/stores/reports/day-1/tables/funnel?offset=5&limit=5", headers=_staff()).json()
    assert later["items"][0]["product"] != first["items"][0]["product"]


def test_charts_are_png(client: TestClient) -> None:
    answer = client.get("/v1/stores/reports/day-1/charts/heatmap", headers=_staff())
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "image/png"
    assert answer.content[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    "path",
    [
        "/v1/stores/reports/day-2",
        "/v1/stores/reports/broken",
        "/v1/stores/reports/not-a-report",
        "/v1/stores/reports/..%2F..%2Fetc",
        "/v1/stores/reports/day-1/tables/secrets",
        "/v1/stores/reports/day-1/charts/report",
    ],
)
def test_unknown_reports_tables_and_charts_are_404_problems(client: TestClient, path: str) -> None:
    answer = client.get(path, headers=_staff())
    assert answer.status_code == 404
    assert answer.json()["code"] in {"not_found"}
