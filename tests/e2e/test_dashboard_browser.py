"""The command center in headless Chromium during a sale: GMV counts up to the ledger's total.

Drives Debian's chromium through Playwright (never a browser download). The page must load with
no console error and no request leaving 127.0.0.1; a 1920x1080 screenshot goes to
docs/img/dashboard.png for the README.
"""

from __future__ import annotations

import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlparse

import pytest

from wujie.dashboard.board import SaleDashboard
from wujie.dashboard.feed import ScriptedSale
from wujie.dashboard.live import LiveDashboard
from wujie.payments.events import PaymentCaptured
from wujie.stream.fanout import InProcessFanout, RecordingSink

pytestmark = pytest.mark.browser
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "img" / "dashboard.png"
SALE_START = datetime(2026, 11, 11, tzinfo=UTC)


def require_chromium() -> None:
    if CHROMIUM.exists():
        return
    message = f"{CHROMIUM} not found: install Debian's chromium (apt-get install -y chromium) to run the browser test"
    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        pytest.fail(message)
    pytest.skip(message)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def sale() -> Iterator[tuple[str, InProcessFanout, ScriptedSale, RecordingSink]]:
    """A server on 127.0.0.1 whose /dashboard follows an in-process fan-out."""
    require_chromium()
    import uvicorn
    from fastapi import FastAPI

    from wujie.entrypoints.api.dashboard import router

    script = ScriptedSale(seed=7)
    app = FastAPI()
    app.include_router(router)
    app.state.dashboard = LiveDashboard(SaleDashboard(script.lookups), sale_start=SALE_START)
    fanout, ledger_view = InProcessFanout(), RecordingSink()
    fanout.subscribe(app.state.dashboard)
    fanout.subscribe(ledger_view)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", timeout_graceful_shutdown=1)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{port}", fanout, script, ledger_view
    server.should_exit = True
    thread.join(timeout=10)


def wait_until(page: object, expression: str, timeout: float = 10.0) -> None:
    """Poll ``expression`` in the page (the page's CSP forbids Playwright's eval-based waits)."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):  # type: ignore[attr-defined]
        assert time.monotonic() < deadline, f"timed out waiting for {expression}"
        time.sleep(0.05)


def shown_minor(page: object) -> int:
    text = page.inner_text("#gmv")  # type: ignore[attr-defined]
    return int(re.sub(r"\D", "", text))


def test_gmv_counts_up_to_the_captured_total(sale: tuple[str, InProcessFanout, ScriptedSale, RecordingSink]) -> None:
    from playwright.sync_api import sync_playwright

    base, fanout, script, ledger_view = sale
    problems: list[str] = []
    requests: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1920, "height": 1080})
        page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
        page.on("request", lambda r: requests.append(r.url))
        page.goto(f"{base}/dashboard")
        wait_until(page, "window.__wujie && window.__wujie.snapshots >= 2")
        assert shown_minor(page) == 0

        seen = []
        for second in range(24):  # 24 event-seconds of sale, 60 orders each, ~6 pushes a second
            fanout.publish(script.batch(60, SALE_START + timedelta(seconds=second)))
            time.sleep(0.12)
            if second % 6 == 5:
                seen.append(shown_minor(page))
        captured = sum(e.amount.minor for e in ledger_view.events if isinstance(e, PaymentCaptured))
        wait_until(page, f"document.getElementById('gmv').dataset.gmvMinor === '{captured}'")
        page.wait_for_timeout(900)  # the counter's count-up animation lasts 600 ms
        final = shown_minor(page)
        brands = page.locator("#top-brands li").count()
        heritage = page.locator("#top-brands .badge").count()
        terms = page.inner_text("#search-terms")
        placed = page.inner_text("#orders-placed")
        latencies = page.evaluate("window.__wujie.latencies")
        page.screenshot(path=str(SCREENSHOT))
        browser.close()

    assert seen == sorted(seen) and seen[0] > 0 and len(set(seen)) == len(seen), seen
    assert captured == script.captured_minor > 0
    assert final == captured
    assert seen[-1] <= captured
    assert placed == f"{24 * 60:,}"
    assert brands == 10 and heritage >= 1
    assert "同仁堂" in terms or "iphone" in terms
    assert latencies, "the page measured no event-to-screen latency"
    assert problems == []
    outside = [u for u in requests if urlparse(u).hostname != "127.0.0.1" and not u.startswith("data:")]
    assert outside == []
    assert any(u.endswith("/dashboard/static/echarts.min.js") for u in requests)
