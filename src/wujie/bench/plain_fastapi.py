"""The HTTP baseline: a plain FastAPI endpoint doing a guarded UPDATE on PostgreSQL per order.

This is how a typical open-source shop takes an order: parse with pydantic, one
``UPDATE stock SET qty = qty - :q WHERE sku = :s AND qty >= :q`` in its own transaction
(synchronous commit), answer 201 or 409. Served by uvicorn, one worker, like ours.
Configured by ``WUJIE_BENCH_PG_URL`` and ``WUJIE_BENCH_PG_SCHEMA``.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Response
from pydantic import BaseModel, Field


class Line(BaseModel):
    """One line."""

    sku: str
    qty: int = Field(ge=1)


class Order(BaseModel):
    """An order."""

    lines: list[Line] = Field(min_length=1, max_length=1)


def create_app() -> FastAPI:
    """Return the baseline app (a pool of async PostgreSQL connections)."""
    import psycopg

    url = os.environ["WUJIE_BENCH_PG_URL"]
    schema = os.environ["WUJIE_BENCH_PG_SCHEMA"]
    pool: asyncio.Queue[psycopg.AsyncConnection[tuple[object, ...]]] = asyncio.Queue()

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        for _slot in range(int(os.environ.get("WUJIE_BENCH_PG_POOL", "16"))):
            pool.put_nowait(await psycopg.AsyncConnection.connect(url, autocommit=True))
        yield
        while not pool.empty():
            await pool.get_nowait().close()

    app = FastAPI(lifespan=lifespan)

    @app.post("/v1/orders", status_code=201)
    async def place(order: Order, response: Response) -> dict[str, str]:
        """Guarded UPDATE, one transaction."""
        line = order.lines[0]
        conn = await pool.get()
        try:
            cursor = await conn.execute(
                f"UPDATE {schema}.stock SET qty = qty - %s WHERE sku = %s AND qty >= %s", (line.qty, line.sku, line.qty)
            )
        finally:
            pool.put_nowait(conn)
        if cursor.rowcount != 1:
            response.status_code = 409
            return {"code": "insufficient_stock"}
        return {"status": "reserved"}

    return app
