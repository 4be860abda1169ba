"""The command center in headless Chromium during a sale: GMV counts up to the ledger's total.

Two sales: a small run of the digital twin (``wujie.twin``), and a scripted sale placed and paid
second by second through the real intake engine (orders, payments, its ledger), publishing its
committed facts to the in-process fan-out while the scripted feed adds what other areas would
publish (searches, allocations, deliveries). Drives Debian's chromium through Playwright (never a browser
download). The page must load with no console error and no request leaving 127.0.0.1; a
1920x1080 screenshot goes to docs/img/dashboard.png for the README.
"""

from __future__ import annotations

import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlparse

import pytest

from wujie.bench.dashboard import CHROMIUM, CHROMIUM_FLAGS
from wujie.dashboard.board import SaleDashboard
from wujie.dashboard.feed import ScriptedSale
from wujie.dashboard.live import LiveDashboard
from wujie.engine.book import SkuTerms
from wujie.engine.decisions import OrderRequest
from wujie.engine.engine import Engine
from wujie.shared.clock import ManualClock
from wujie.shared.ids import OrderId
from wujie.stream.fanout import InProcessFanout

pytestmark = pytest.mark.browser
SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "img" / "dashboard.png"
SALE_START = datetime(2026, 11, 10, 16, tzinfo=UTC)  # midnight of 11.11 in Shanghai


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
def sale() -> Iterator[tuple[str, InProcessFanout, ScriptedSale]]:
    """A server on 127.0.0.1 whose /dashboard follows an in-process fan-out."""
    require_chromium()
    import uvicorn
    from fastapi import FastAPI

    from wujie.entrypoints.api.dashboard import router

    script = ScriptedSale(seed=7)
    app = FastAPI()
    app.include_router(router)
    app.state.dashboard = LiveDashboard(SaleDashboard(script.lookups), sale_start=SALE_START, timezone="Asia/Shanghai")
    fanout = InProcessFanout()
    fanout.subscribe(app.state.dashboard)
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
    yield f"http://127.0.0.1:{port}", fanout, script
    server.should_exit = True
    thread.join(timeout=10)


def wait_until(page: object, expression: str, timeout: float = 30.0) -> None:
    """Poll ``expression`` in the page (the page's CSP forbids Playwright's eval-based waits)."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):  # type: ignore[attr-defined]
        assert time.monotonic() < deadline, f"timed out waiting for {expression}"
        time.sleep(0.05)


def shown_minor(page: object) -> int:
    text = page.inner_text("#gmv")  # type: ignore[attr-defined]
    digits = int(re.sub(r"\D", "", text))
    return -digits if "-" in text or "−" in text else digits


def sell_one_second(engine: Engine, fanout: InProcessFanout, script: ScriptedSale, orders: int) -> None:
    """Place ``orders`` baskets through the engine, pay those that pay, publish the rest of the story."""
    at = engine.clock.now()
    baskets = [script.basket() for _ in range(orders)]
    fanout.publish([event for basket in baskets for event in script.searches(basket, at)])
    requests = [
        OrderRequest(b.customer, tuple((line.sku, line.quantity) for line in b.lines), b.region) for b in baskets
    ]
    decisions = engine.place_orders(requests)
    accepted = [(d, b) for d, b in zip(decisions, baskets, strict=True) if d.accepted and d.order_id]
    paying = [(d, b) for d, b in accepted if b.pays]
    results = engine.pay_many(
        [d.order_id for d, _ in paying], [d.total for d, _ in paying], [f"key-{d.order_id}" for d, _ in paying]
    )
    assert all(r.code is None for r in results)
    engine.cancel([d.order_id for d, b in accepted if not b.pays], reason="payment_failed")
    fanout.publish([e for d, b in paying for e in script.fulfilment(OrderId(d.order_id), b, at)])


def test_gmv_counts_up_to_the_captured_total(sale: tuple[str, InProcessFanout, ScriptedSale], tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    base, fanout, script = sale
    clock = ManualClock(SALE_START)
    engine = Engine.open(tmp_path / "engine", clock=clock, sink=fanout, currency="CNY")
    engine.add_skus([SkuTerms(sku, 100_000, script.price(sku)) for sku in script.lookups.skus])
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
            sell_one_second(engine, fanout, script, 60)
            clock.advance(1)
            time.sleep(0.12)
            if second % 6 == 5:
                seen.append(shown_minor(page))
            if second == 11:  # a page opened mid-run starts from the state so far
                so_far = int(engine.state.ledger.col("amount").sum())
                late = browser.new_page(viewport={"width": 1366, "height": 768})
                late.on("pageerror", lambda e: problems.append(f"late page error: {e}"))
                late.goto(f"{base}/dashboard")
                wait_until(late, "window.__wujie && window.__wujie.snapshots >= 1")
                late_first = late.evaluate("document.getElementById('gmv').dataset.gmvMinor")
        captured = int(engine.state.ledger.col("amount").sum())  # the ledger's captured total
        wait_until(page, f"document.getElementById('gmv').dataset.gmvMinor === '{captured}'")
        wait_until(late, f"document.getElementById('gmv').dataset.gmvMinor === '{captured}'")
        page.wait_for_timeout(900)  # the count-up lasts 240 ms; charts and rankings redraw every 500 ms
        final = shown_minor(page)
        brands = page.locator("#top-brands li").count()
        heritage = page.locator("#top-brands .badge").count()
        terms = page.inner_text("#search-terms")
        placed = page.inner_text("#orders-placed")
        latencies = page.evaluate("window.__wujie.latencies")
        clock = (page.inner_text("#sale-phase"), page.inner_text("#sale-clock"), page.inner_text("#sale-date"))
        browser.close()
    counts = engine.counts()
    engine.close()

    assert seen == sorted(seen) and seen[-1] > 0 and len(set(seen)) >= 2, seen  # it rose during the sale
    assert final == captured > 0
    assert late_first == str(so_far) and 0 < so_far < captured
    assert engine.ledger_total() == 0  # the ledger balances
    assert placed == f"{counts['orders']:,}" == f"{24 * 60:,}"
    assert brands == 10 and heritage >= 1
    assert "同仁堂" in terms or "iphone" in terms
    assert latencies, "the page measured no event-to-screen latency"
    # the last event second is 16:00:23 UTC = 00:00:23 on 11.11 in Shanghai, 23 s after the sale opened
    assert clock == ("T+00:00:23", "00:00:23", "2026-11-11 Asia/Shanghai")
    assert problems == []
    outside = [u for u in requests if urlparse(u).hostname != "127.0.0.1" and not u.startswith("data:")]
    assert outside == []
    assert any(u.endswith("/dashboard/static/echarts.min.js") for u in requests)


def test_small_twin_run_gmv_counts_up_to_the_ledger_total(tmp_path: Path) -> None:
    """A small Singles' Day of the digital twin, watched in chromium from before midnight to the end."""
    require_chromium()
    import uvicorn
    from fastapi import FastAPI
    from playwright.sync_api import sync_playwright

    from wujie.entrypoints.api.dashboard import router
    from wujie.twin.dashboard_view import dashboard_lookups
    from wujie.twin.runner import run_twin
    from wujie.twin.scenario import TwinConfig, build_scenario

    config = TwinConfig(orders=3_000, skus=200, seed=7, libraries=False, allocator="fast")
    scenario = build_scenario(config)
    live = LiveDashboard(
        SaleDashboard(dashboard_lookups(scenario)),
        country=scenario.geography.country,
        sale_start=scenario.sale_start,
        timezone=scenario.geography.timezone,
    )
    app = FastAPI()
    app.include_router(router)
    app.state.dashboard = live
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=free_port(), log_level="warning", timeout_graceful_shutdown=1)
    )
    serving = threading.Thread(target=server.run, daemon=True)
    serving.start()
    while not server.started:
        time.sleep(0.05)
    base = f"http://127.0.0.1:{server.config.port}"
    reports: list[object] = []
    twin = threading.Thread(
        target=lambda: reports.append(run_twin(config, sinks=[live], workdir=tmp_path, scenario=scenario)), daemon=True
    )
    problems: list[str] = []
    requests: list[str] = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
            page = browser.new_page(viewport={"width": 1920, "height": 1080})
            page.on("console", lambda m: problems.append(f"console: {m.text}") if m.type == "error" else None)
            page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
            page.on("request", lambda r: requests.append(r.url))
            page.goto(f"{base}/dashboard")
            wait_until(page, "window.__wujie && window.__wujie.snapshots >= 1")
            assert shown_minor(page) == 0
            twin.start()
            seen = []
            while twin.is_alive():
                seen.append(int(page.evaluate("document.getElementById('gmv').dataset.gmvMinor")))
                time.sleep(0.2)
            twin.join()
            assert reports, "the twin run failed"
            # the ledger, read back from the engine's own journal on disk
            ledger = Engine.open(tmp_path / "engine", currency=scenario.currency)
            captured = int(ledger.state.ledger.col("amount").sum())
            balanced = ledger.ledger_total() == 0
            ledger.close(checkpoint=False)
            wait_until(page, f"document.getElementById('gmv').dataset.gmvMinor === '{captured}'")
            page.wait_for_timeout(900)
            final = shown_minor(page)
            badges = page.locator("#top-brands .badge").count()
            phase, date = page.inner_text("#sale-phase"), page.inner_text("#sale-date")
            page.screenshot(path=str(SCREENSHOT))
            browser.close()
    finally:
        server.should_exit = True
        serving.join(timeout=10)

    growth = [v for v in seen if v > 0]
    assert growth == sorted(growth) and len(set(growth)) >= 2, seen  # the figure grew while the sale ran
    assert final == captured == live.board.sales.gmv_minor > 0
    assert balanced
    assert reports[0].data["gmv"]["minor"] == captured  # type: ignore[attr-defined]
    assert badges >= 1  # heritage brands marked
    assert phase.startswith("T+") and date.endswith("Asia/Shanghai")
    assert problems == []
    assert [u for u in requests if urlparse(u).hostname != "127.0.0.1"] == []
