"""``wujie demo`` and ``wujie replay`` through the CLI: files written, the live dashboard served, errors clean."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from typer.testing import CliRunner

from wujie.entrypoints.cli import main

runner = CliRunner()
SMALL = ["--orders", "3000", "--skus", "200", "--seed", "3"]


def _app():  # type: ignore[no-untyped-def]
    main._register()
    return main.app


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _snapshot(port: int) -> dict[str, object] | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/dashboard/snapshot", timeout=2) as answer:
            data: dict[str, object] = json.loads(answer.read())
            return data
    except OSError:
        return None


def test_demo_serves_the_dashboard_then_writes_report_and_charts(tmp_path: Path) -> None:
    port = _free_port()
    args = [sys.executable, "-m", "wujie", "demo", *SMALL, "--out", str(tmp_path), "--port", str(port)]
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    seen: list[int] = []
    try:
        while process.poll() is None:
            snap = _snapshot(port)
            if snap is not None:
                seen.append(int(snap["gmv_minor"]))  # type: ignore[call-overload]
            time.sleep(0.5)
    finally:
        process.wait(timeout=600)
    assert process.returncode == 0, process.stderr.read() if process.stderr else ""
    report = json.loads((tmp_path / "report.json").read_text())
    assert len(set(seen)) >= 2 and max(seen) > 0  # the page's GMV moved while the sale ran
    assert seen == sorted(seen)  # and only grew
    assert max(seen) <= report["gmv"]["minor"] == report["ledger"]["captured"]["minor"]
    assert report["oversold"] == 0
    for key in (
        "gmv",
        "orders",
        "customers",
        "peak_orders_per_s",
        "oversold",
        "payment_failures",
        "local_fulfilment_rate",
        "split_shipment_rate",
        "delivered_24h_share",
        "delivered_48h_share",
        "van_km",
        "drone_sorties",
        "stock_outs",
        "stock_left",
        "events_per_s_wall",
    ):
        assert key in report
    for chart in ("orders_per_minute", "gmv_by_region", "delivery_hours", "stock_left_by_site"):
        assert (tmp_path / f"{chart}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_replay_slice_prints_its_report() -> None:
    args = ["replay", "uci-online-retail", "--start", "2011-03-01", "--end", "2011-03-03", "--no-serve", "--json"]
    result = runner.invoke(_app(), args)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["gmv_minor"] == report["paid_orders_total_minor"] > 0
    assert report["first"].startswith("2011-03-01")


def test_bad_input_is_a_clean_error() -> None:
    for args, code in (
        (["demo", "--country", "XX", "--no-serve"], "twin_unknown_country"),
        (["demo", "--orders", "0", "--no-serve"], "twin_invalid_config"),
        (["replay", "nope", "--no-serve"], "twin_unknown_dataset"),
    ):
        done = subprocess.run([sys.executable, "-m", "wujie", *args], capture_output=True, text=True, check=False)
        assert done.returncode == 3, done.stderr
        assert code in done.stderr and "Traceback" not in done.stderr
