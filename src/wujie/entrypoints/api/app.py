"""The HTTP API: ``create_app(settings)`` builds the FastAPI app around a live engine.

The engine opens in the app's lifespan (the embedded file journal under ``settings.data_dir``, or
PostgreSQL when ``settings.database_url`` is ``postgresql://...``) and its writer thread serves
every route. ``POST /v1/orders`` is answered by a lean ASGI hot path with identical semantics.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from fastapi import FastAPI

from wujie import __version__
from wujie.config import Settings
from wujie.engine.admission import Admission
from wujie.engine.engine import Engine
from wujie.engine.intake import Intake
from wujie.engine.ports import EventSink, IntakeEngine
from wujie.entrypoints.api import problems, routers
from wujie.entrypoints.api.auth import Tokens
from wujie.entrypoints.api.hotpath import BodyLimit, HotPath
from wujie.entrypoints.api.rsgi import RsgiServer
from wujie.entrypoints.api.runtime import Runtime
from wujie.shared.errors import InvalidInput

#: the largest request body (a batch of 100,000 orders as columns is ~4 MB)
MAX_BODY_BYTES = 16 * 1024 * 1024


def open_engine(settings: Settings, sink: EventSink | None = None) -> IntakeEngine:
    """Open the engine the settings describe (file journal, PostgreSQL as system of record, or partitions).

    With ``settings.partitions`` P > 0 the SKUs are spread over P partition processes
    (:class:`~wujie.engine.partitioned.PartitionedEngine`, files under ``data_dir/pengine``); it
    publishes no events and has no PostgreSQL store, so a sink or a database URL is refused.
    """
    if settings.partitions:
        return _open_partitioned(settings, sink)
    common: dict[str, Any] = {
        "sink": sink,
        "currency": settings.currency,
        "reservation_ttl_s": settings.reservation_ttl_s,
        "platform_fee_bp": settings.platform_fee_bp,
    }
    if settings.database_url.startswith(("postgresql://", "postgres://")):
        from wujie.engine.pgstore import open_on_postgres

        return open_on_postgres(settings.database_url, settings.data_dir / "engine-pg", **common)
    return Engine.open(settings.data_dir / "engine", **common)


def _open_partitioned(settings: Settings, sink: EventSink | None) -> IntakeEngine:
    """Open the partitioned engine, refusing what it does not support (events, PostgreSQL)."""
    from wujie.engine.partitioned import PartitionedEngine

    if sink is not None:
        raise InvalidInput("the partitioned engine publishes no events: run without the dashboard (--no-dashboard)")
    if settings.database_url:
        raise InvalidInput("the partitioned engine keeps its journals in files: --database-url needs --partitions 0")
    return PartitionedEngine.open(
        settings.data_dir / "pengine",
        partitions=settings.partitions,
        currency=settings.currency,
        reservation_ttl_s=settings.reservation_ttl_s,
        platform_fee_bp=settings.platform_fee_bp,
    )


def _engine_lifespan(
    config: Settings, sink: EventSink | None, admission: Admission | None
) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """Return the lifespan that opens the engine and its writer, and closes them (with a snapshot)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # The event loop and the engine's writer hand the GIL back and forth on every batch: with a
        # 0.5 ms switch interval (default 5 ms) an in-process ASGI harness served 35-50% more
        # requests/s on the hot route (under the shared machine's load the server showed no clear change).
        sys.setswitchinterval(0.0005)
        engine = await asyncio.to_thread(open_engine, config, sink)
        intake = Intake(engine)
        intake.start()
        app.state.runtime = Runtime(config, engine, intake, admission or Admission(), Tokens(config.secret_key))
        try:
            yield
        finally:
            await asyncio.to_thread(intake.stop)

    return lifespan


def create_app(
    settings: Settings | None = None,
    *,
    sink: EventSink | None = None,
    admission: Admission | None = None,
    hot_path: bool = True,
) -> FastAPI:
    """Return the API app; the engine opens when the app starts and closes when it stops."""
    config = settings or Settings()

    lifespan = _engine_lifespan(config, sink, admission)
    app = FastAPI(
        title="Wujie",
        version=__version__,
        summary="Orders at the 11.11 peak: intake engine, payments, stock.",
        lifespan=lifespan,
    )
    app.state.tokens = Tokens(config.secret_key)
    problems.install(app)
    routers.include_all(app)

    @app.get("/healthz", tags=["health"], operation_id="health")
    async def health() -> dict[str, str]:
        """Liveness: the process answers."""
        return {"status": "ok"}

    app.add_middleware(BodyLimit, limit=MAX_BODY_BYTES)
    if hot_path:
        app.add_middleware(HotPath)
    return app


def _server_app() -> FastAPI:
    """Return the FastAPI app ``wujie serve`` wraps (without the ASGI hot path: the wrapper adds it).

    With ``settings.dashboard`` (the default) the engine's committed events feed a live board
    served at ``/dashboard``; without it the engine builds no events at all.
    """
    settings = Settings()
    if settings.partitions and settings.dashboard:
        raise InvalidInput(
            "the partitioned engine publishes no events: set WUJIE_DASHBOARD=false with WUJIE_PARTITIONS"
        )
    if not settings.dashboard:
        return create_app(settings, hot_path=False)
    from wujie.dashboard.live import LiveDashboard
    from wujie.stream.fanout import InProcessFanout

    board = LiveDashboard()
    fanout = InProcessFanout()
    fanout.subscribe(board)
    inner = create_app(settings, sink=fanout, hot_path=False)
    inner.state.dashboard = board
    return inner


def create_server_app() -> HotPath:
    """Return the ASGI app ``wujie serve --interface asgi`` (and uvicorn) runs: the hot route outermost."""
    inner = _server_app()
    return HotPath(inner, owner=inner)


def create_rsgi_app() -> RsgiServer:
    """Return the RSGI app ``wujie serve`` runs on granian by default (hot route without ASGI)."""
    return RsgiServer(_server_app())
