"""``wujie recommend evaluate|for`` on a user's own CSV, and clean errors on bad files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from wujie.entrypoints.cli import main

runner = CliRunner()


@pytest.fixture(scope="module", autouse=True)
def _groups() -> None:
    main._register()


def _write_log(path: Path) -> Path:
    """Two tribes of shoppers, each buying from its own ten items, over ten days."""
    rng = np.random.default_rng(5)
    lines = ["user,item,event,timestamp,region"]
    for user in range(40):
        tribe = user % 2
        for day, item in enumerate(rng.choice(10, size=6, replace=False) + 10 * tribe):
            event = "view" if day == 0 else "buy"
            lines.append(f"c{user},sku{item},{event},2026-11-{day + 1:02d} {user % 24:02d}:30:00,R{tribe}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_evaluate_own_csv_as_json(tmp_path: Path) -> None:
    log = _write_log(tmp_path / "log.csv")
    out = tmp_path / "eval" / "scores.json"
    result = runner.invoke(
        main.app,
        [
            "recommend",
            "evaluate",
            "--input",
            str(log),
            "--models",
            "popularity_global,item_knn",
            "--k",
            "5",
            "--test-fraction",
            "0.3",
            "--out",
            str(out),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert body["stage"] == "test"
    assert list(body["protocols"]) == ["new_items", "all_purchases"]
    new_items = body["protocols"]["new_items"]
    assert new_items["exclude_seen"] is True
    assert body["protocols"]["all_purchases"]["exclude_seen"] is False
    assert [m["model"] for m in new_items["models"]] == ["popularity_global", "item_knn"]
    assert {m["protocol"] for m in new_items["models"]} == {"new_items"}
    assert new_items["models"][1]["recall"] > new_items["models"][0]["recall"]
    assert json.loads(out.read_text()) == body
    assert out.with_suffix(".png").stat().st_size > 1000


def test_recommend_for_known_and_unknown_users(tmp_path: Path) -> None:
    log = _write_log(tmp_path / "log.csv")
    result = runner.invoke(
        main.app,
        [
            "recommend",
            "for",
            "c0",
            "stranger",
            "--input",
            str(log),
            "--model",
            "item_knn",
            "--k",
            "3",
            "--region",
            "R1",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert {r["source"] for r in body["stranger"]} == {"popularity_region"}
    assert all(int(r["item_id"].removeprefix("sku")) < 10 for r in body["c0"])  # c0's tribe buys sku0-9


def test_bad_file_is_a_clean_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("user,item,event,timestamp\nu,i,buy,yesterday-ish\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "wujie", "recommend", "evaluate", "--input", str(bad)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 3
    assert "recommend_malformed_timestamp" in done.stderr
    assert "Traceback" not in done.stderr


def test_unknown_model_and_missing_source_are_usage_errors(tmp_path: Path) -> None:
    log = _write_log(tmp_path / "log.csv")
    result = runner.invoke(main.app, ["recommend", "evaluate", "--input", str(log), "--models", "deep"])
    assert result.exit_code != 0
    assert "unknown models deep" in str(result.exception)
    result = runner.invoke(main.app, ["recommend", "evaluate"])
    assert "exactly one of --dataset" in str(result.exception)
