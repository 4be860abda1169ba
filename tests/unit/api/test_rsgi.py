"""The RSGI server in-process: lifespan, the collector's settings while it serves, and the hot route."""

from __future__ import annotations

import asyncio
import gc
from pathlib import Path

from wujie.config import Settings
from wujie.engine.access import Role, Tokens
from wujie.engine.book import SkuTerms
from wujie.entrypoints.api.app import create_app
from wujie.entrypoints.api.rsgi import GC_YOUNG_THRESHOLD, RsgiServer

SECRET = "rsgi-unit-secret"


class _Headers:
    def __init__(self, values: dict[str, str]) -> None:
        self.values = values

    def get(self, key: str, default: object = None) -> object:
        return self.values.get(key, default)

    def items(self) -> list[tuple[str, str]]:
        return list(self.values.items())


class _Scope:
    proto, http_version, method, path, query_string, scheme = "http", "1.1", "POST", "/v1/orders", "", "http"
    client, server = "127.0.0.1:5000", "127.0.0.1:8000"

    def __init__(self, headers: dict[str, str]) -> None:
        self.headers = _Headers(headers)


class _Protocol:
    def __init__(self, body: bytes) -> None:
        self.body = body
        self.answer: tuple[int, list[tuple[str, str]], bytes] | None = None

    async def __call__(self) -> bytes:
        return self.body

    def response_bytes(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
        self.answer = (status, headers, body)


def test_serves_a_tick_of_orders_and_restores_the_collector(tmp_path: Path) -> None:
    before = gc.get_threshold()
    server = RsgiServer(create_app(Settings(data_dir=tmp_path, secret_key=SECRET), hot_path=False))
    loop = asyncio.new_event_loop()
    try:
        server.__rsgi_init__(loop)
        assert gc.get_threshold()[0] == max(before[0], GC_YOUNG_THRESHOLD) and gc.get_freeze_count() > 0
        runtime = server.inner.state.runtime
        loop.run_until_complete(runtime.intake.call(lambda engine: engine.add_skus([SkuTerms("tea", 3, 500)])))
        auth = f"Bearer {Tokens(SECRET).mint(Role.CUSTOMER, 'ann')}"
        protocols = [_Protocol(b'{"lines":[{"sku":"tea","qty":1}]}') for _ in range(4)]

        async def one_tick() -> None:
            calls = [server.__rsgi__(_Scope({"authorization": auth}), p) for p in protocols]  # type: ignore[arg-type]
            await asyncio.gather(*calls)

        loop.run_until_complete(one_tick())
        assert runtime.intake.stats.batches == 2  # the SKUs, then all four orders in one writer batch
        answers = [p.answer for p in protocols]
        assert [a[0] for a in answers if a] == [201, 201, 201, 409]
        assert answers[0] is not None and answers[0][2] == (
            b'{"order_id":"ord_000000001","status":"reserved","total_minor":500,"currency":"CNY"}'
        )
    finally:
        server.__rsgi_del__(loop)
        loop.close()
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0
