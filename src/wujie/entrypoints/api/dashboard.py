"""The live command center: the page, its JSON snapshot, and the SSE push of snapshots.

The page's board is ``app.state.dashboard`` (a :class:`~wujie.dashboard.live.LiveDashboard`): the
code that builds the app (``wujie serve``, ``wujie demo``) creates it and subscribes it to the event
stream. An app without one gets an empty board, so the page always loads.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from importlib import resources
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, Response, StreamingResponse

from wujie.dashboard.live import LiveDashboard

router = APIRouter(prefix="/dashboard", tags=["dashboard"])

#: An SSE connection ends after this long and the browser reconnects (``retry: 250``), so a
#: server shutting down never waits on a page left open.
STREAM_LIFETIME_S = 30.0

_STATIC = resources.files("wujie.dashboard") / "static"
_MEDIA = {"echarts.min.js": "text/javascript", "dashboard.js": "text/javascript", "dashboard.css": "text/css"}
#: The page talks to its own origin only: no CDN, no tiles, no beacon.
_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)


def live_dashboard(request: Request) -> LiveDashboard:
    """Return the app's live board, creating an empty one on first use."""
    board = getattr(request.app.state, "dashboard", None)
    if not isinstance(board, LiveDashboard):
        board = LiveDashboard()
        request.app.state.dashboard = board
    return board


Live = Annotated[LiveDashboard, Depends(live_dashboard)]


@router.get("", response_class=HTMLResponse, include_in_schema=True)
def page() -> HTMLResponse:
    """The command center page."""
    html = (_STATIC / "index.html").read_text(encoding="utf-8")
    return HTMLResponse(html, headers={"Content-Security-Policy": _CSP, "Cache-Control": "no-cache"})


@router.get("/snapshot")
def snapshot(live: Live) -> Response:
    """The state so far, as the page draws it (money in integer minor units)."""
    return Response(live.snapshot_json(), media_type="application/json", headers={"Cache-Control": "no-store"})


@router.get("/geo")
def geo(live: Live) -> dict[str, object]:
    """The country's city coordinates ([lon, lat]) the map draws as its outline of dots."""
    return {"country": live.country, "cities": live.background()}


@router.get("/stream")
async def stream(
    request: Request, live: Live, interval: Annotated[float, Query(ge=0.05, le=5.0)] = 0.25
) -> StreamingResponse:
    """Server-sent events: one snapshot every ``interval`` seconds."""

    async def snapshots() -> AsyncIterator[bytes]:
        yield b"retry: 250\n\n"
        seen: int | None = None  # the first push carries no latency mark: it is the backlog
        ends = time.monotonic() + STREAM_LIFETIME_S
        while time.monotonic() < ends and not await request.is_disconnected():
            version = live.version
            yield b"data: " + live.snapshot_json(seen=seen) + b"\n\n"
            seen = version
            await asyncio.sleep(interval)

    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    return StreamingResponse(snapshots(), media_type="text/event-stream", headers=headers)


@router.get("/static/{name}", include_in_schema=False)
def static(name: str) -> FileResponse:
    """A vendored asset of the page (ECharts, script, style)."""
    media = _MEDIA.get(name)
    if media is None:
        raise HTTPException(status_code=404, detail="no such asset")
    with resources.as_file(_STATIC / name) as path:
        return FileResponse(path, media_type=media, headers={"Cache-Control": "public, max-age=3600"})
