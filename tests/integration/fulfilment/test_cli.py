"""The route and sort commands through the CLI runner: JSON out, PNG written, clean errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import require_shared_data
from typer.testing import CliRunner

from wujie.entrypoints.cli import main

runner = CliRunner()


def _app():  # type: ignore[no-untyped-def]
    main._register()
    return main.app


def test_route_solve_prints_json_and_writes_a_plot(tmp_path: Path) -> None:
    path = require_shared_data("routing/solomon/C101.vrp")
    result = runner.invoke(_app(), ["route", "solve", str(path), "--seconds", "0.5", "--json", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    assert record["name"] == "C101" and record["rounding"] == "dimacs" and record["best_known"] == 827.3
    assert record["feasible"] and record["gap_pct"] >= 0
    assert sum(len(r) for r in record["routes"]) == 100
    assert (tmp_path / "C101.png").stat().st_size > 10_000
    assert json.loads((tmp_path / "C101.json").read_text())["cost"] == record["cost"]


def test_route_bench_reports_gap_per_instance(tmp_path: Path) -> None:
    require_shared_data("routing/cvrplib-x")
    args = ["route", "bench", "--set", "x", "--max-n", "101", "--seconds", "0.3", "--json", "--out", str(tmp_path)]
    result = runner.invoke(_app(), args)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["instances"] == 1 and summary["results"][0]["name"] == "X-n101-k25"
    assert summary["results"][0]["best_known"] == 27591
    assert summary["mean_gap_pct"] == summary["results"][0]["gap_pct"] >= 0
    assert (tmp_path / "route-x.png").exists() and (tmp_path / "route-x.json").exists()


def test_route_solve_on_a_malformed_file_is_a_clean_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.vrp"
    bad.write_text("NAME : bad\nnonsense\n")
    done = subprocess.run(
        [sys.executable, "-m", "wujie", "route", "solve", str(bad), "--seconds", "0.1"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 3
    assert "fulfilment_invalid_instance" in done.stderr
    assert "Traceback" not in done.stderr


def test_sort_simulate_backlog(tmp_path: Path) -> None:
    args = ["sort", "simulate", "--parcels", "12000", "--machines", "1", "--backlog-share", "1.0", "--json"]
    result = runner.invoke(_app(), [*args, "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    # 12,000 parcels waiting at midnight, one 4,000/h machine: three full hours
    assert [h["sorted"] for h in summary["hours"]] == [4000, 4000, 4000]
    assert summary["last_sorted_min"] == 180.0
    assert (tmp_path / "sort-backlog.png").stat().st_size > 10_000


def test_help_lists_the_commands() -> None:
    for group, command in [("route", "solve"), ("route", "bench"), ("sort", "simulate")]:
        result = runner.invoke(_app(), [group, command, "--help"])
        assert result.exit_code == 0
        assert "--json" in result.output


def test_bench_fulfilment_plans_a_small_day(tmp_path: Path) -> None:
    args = ["bench", "fulfilment", "--parcels", "400", "--budget", "4", "--workers", "1", "--json"]
    result = runner.invoke(_app(), [*args, "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["parcels"] == 400 and summary["depots"] == 8
    assert summary["on_time"] + summary["late"] + summary["unassigned"] == 400
    assert sum(summary["unassigned_by_reason"].values()) == summary["unassigned"]
    assert summary["routed_share"] > 0.9
    assert 0 < summary["plan_to_direct_km_ratio"] < 1  # routing beats one trip per parcel
    assert (tmp_path / "route-day.png").exists()
