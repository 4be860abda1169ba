"""`wujie bench dashboard` runs end to end (throughput part) and prints one JSON object with ratios."""

from __future__ import annotations

import orjson
from typer.testing import CliRunner

from wujie.entrypoints.cli.bench import app


def test_bench_dashboard_prints_json_with_ratios() -> None:
    result = CliRunner().invoke(app, ["dashboard", "--events", "5000", "--no-latency", "--json"])
    assert result.exit_code == 0, result.output
    out = orjson.loads(result.stdout)
    assert out["benchmark"] == "dashboard"
    assert out["throughput"]["events"]["stream"] == 5_000
    assert out["throughput"]["gmv_matches_baseline"] is True
    assert out["latency"] == {"skipped": "--no-latency"}
    assert set(out["ratios"]) >= {"shown_vs_naive", "stream_vs_naive", "shown_vs_target", "shown_per_cpu_s_vs_target"}
    assert out["throughput"]["shown"]["ours_per_s"] > 0


def test_bench_dashboard_has_help() -> None:
    result = CliRunner().invoke(app, ["dashboard", "--help"])
    assert result.exit_code == 0
    assert "event -> browser latency" in result.stdout
