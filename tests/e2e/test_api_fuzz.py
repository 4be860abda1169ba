"""Property-based fuzzing of the whole OpenAPI surface (schemathesis): no input makes the server fail."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings

from wujie.config import Settings
from wujie.entrypoints.api.app import create_app
from wujie.entrypoints.api.auth import Role, Tokens

SECRET = "fuzz-secret"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    path: Path = tmp_path_factory.mktemp("fuzz")
    app = create_app(Settings(data_dir=path, secret_key=SECRET))
    with TestClient(app, raise_server_exceptions=False) as client:
        ops = {"Authorization": f"Bearer {Tokens(SECRET).mint(Role.OPERATOR, 'ops')}"}
        skus = [{"sku": f"s{i}", "on_hand": 50, "price_minor": 100 + i} for i in range(5)]
        assert client.post("/v1/admin/skus", json=skus, headers=ops).status_code == 201
        yield client


def engine_operations(client: TestClient) -> list[object]:
    schema = schemathesis.openapi.from_asgi("/openapi.json", client.app)
    engine_paths = ("/v1/orders", "/v1/payments", "/v1/catalog", "/v1/inventory", "/v1/admin", "/healthz")
    return [result.ok() for result in schema.get_all_operations() if result.ok().path.startswith(engine_paths)]


@pytest.mark.parametrize("role", [Role.CUSTOMER, Role.OPERATOR])
def test_no_input_causes_a_server_error(served: TestClient, role: Role) -> None:
    token = Tokens(SECRET).mint(role, "fuzzer")
    operations = engine_operations(served)
    assert len(operations) >= 12
    failures: list[str] = []
    calls: list[int] = []
    for operation in operations:
        strategy = operation.as_strategy()  # type: ignore[attr-defined]

        @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        @given(case=strategy)
        def check(case: object) -> None:
            response = case.call(headers={"Authorization": f"Bearer {token}"})  # type: ignore[attr-defined]
            calls.append(response.status_code)
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path} -> {response.status_code}: {response.text[:200]}")  # type: ignore[attr-defined]
            elif response.status_code >= 400:
                assert "code" in response.json(), response.text

        check()
    assert failures == []
    assert len(calls) >= 10 * len(operations)  # the fuzzer really exercised every operation
    assert any(code < 300 for code in calls) and any(400 <= code < 500 for code in calls)
