"""``wujie store`` through the CLI runner: simulate -> analyze -> score, bad input, layouts from files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from wujie.entrypoints.cli import main

runner = CliRunner()


def _app():  # type: ignore[no-untyped-def]
    main._register()
    return main.app


@pytest.fixture(scope="module")
def simulated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("store") / "day"
    args = ["store", "simulate", "--shoppers", "120", "--seed", "5", "--clean", "--format", "csv", "--out", str(out)]
    result = runner.invoke(_app(), [*args, "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["events"]["gates"] == 240
    return out


def test_simulate_writes_events_layout_and_truth(simulated: Path) -> None:
    for name in ("gates", "tracks", "shelf", "rfid", "tags"):
        assert (simulated / f"{name}.csv").stat().st_size > 0
    assert (simulated / "layout.json").exists()
    truth = json.loads((simulated / "truth" / "truth.json").read_text())
    assert truth["summary"]["baskets"] > 100


def test_analyze_writes_the_report_and_matches_the_truth(simulated: Path, tmp_path: Path) -> None:
    out = tmp_path / "report"
    args = ["store", "analyze", str(simulated), "--layout", str(simulated / "layout.json"), "--out", str(out), "--json"]
    result = runner.invoke(_app(), args)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    truth = json.loads((simulated / "truth" / "truth.json").read_text())["summary"]
    assert report["conversion"]["overall"] == pytest.approx(truth["conversion"], abs=1e-6)
    assert report["checkout"]["captured"] == truth["baskets"]
    assert sum(report["footfall"]["entry_by_hour"]) == 120
    for png in ("heatmap", "flows", "footfall", "dwell", "attention", "queue"):
        assert (out / f"{png}.png").stat().st_size > 5_000, png
    heat = json.loads((out / "heatmap.json").read_text())
    assert (heat["rows"], heat["cols"], heat["cell_m"]) == (20, 30, 1.0)
    assert pl.read_csv(out / "baskets.csv").height == report["checkout"]["baskets"]


def test_score_compares_with_the_truth(simulated: Path) -> None:
    result = runner.invoke(_app(), ["store", "score", str(simulated)])
    assert result.exit_code == 0, result.output
    scored = json.loads(result.stdout)
    assert scored["conversion_error_points"] == 0.0
    assert scored["basket_accuracy"]["accuracy"] == 1.0
    assert scored["heatmap_correlation"] > 0.999


def test_bad_events_are_counted_in_the_report(simulated: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    broken.mkdir()
    for name in ("gates", "shelf", "rfid", "tags"):
        (broken / f"{name}.csv").write_bytes((simulated / f"{name}.csv").read_bytes())
    tracks = pl.read_csv(simulated / "tracks.csv")
    wild = tracks.head(50).with_columns(pl.col("x") + 100.0, pl.col("t") + 1)  # off the floor
    pl.concat([tracks.reverse(), tracks.head(30), wild]).write_csv(broken / "tracks.csv")  # reversed + duplicates
    shelf = pl.read_csv(simulated / "shelf.csv")
    shelf.head(3).with_columns(pl.lit("mystery").alias("product")).vstack(shelf).write_csv(broken / "shelf.csv")
    out = tmp_path / "report"
    result = runner.invoke(_app(), ["store", "analyze", str(broken), "--out", str(out), "--json", "--no-charts"])
    assert result.exit_code == 0, result.output
    quality = json.loads(result.stdout)["data_quality"]
    assert quality["tracks"]["duplicates"] == 30
    assert quality["tracks"]["outside_floor"] == 50
    assert quality["tracks"]["conflicting"] == 0
    assert quality["tracks"]["out_of_order"] == tracks.height - tracks["track"].n_unique() + 30 + 50
    assert quality["shelf"]["unknown_product"] == 3


def test_overlapping_zones_in_a_layout_file_are_reported(tmp_path: Path, simulated: Path) -> None:
    path = tmp_path / "store.json"
    assert runner.invoke(_app(), ["store", "export-layout", str(path)]).exit_code == 0
    document = json.loads(path.read_text())
    document["zones"].append({"name": "promo", "kind": "area", "polygon": [[9, 0.5], [13, 0.5], [13, 2.5], [9, 2.5]]})
    path.write_text(json.dumps(document))
    args = ["store", "analyze", str(simulated), "--layout", str(path), "--out", str(tmp_path / "r"), "--json"]
    result = runner.invoke(_app(), [*args, "--no-charts"])
    assert result.exit_code == 0, result.output
    issues = json.loads(result.stdout)["data_quality"]["layout_issues"]
    assert [(i["kind"], i["area_m2"]) for i in issues] == [("overlapping_zones", 8.0)]


def test_unusable_input_is_a_clean_error_without_traceback(tmp_path: Path) -> None:
    layout = tmp_path / "bad.json"
    layout.write_text(json.dumps({"name": "x", "floor": [[0, 0], [1, 0], [1, 1]]}))
    for args in (
        ["store", "analyze", str(tmp_path / "nowhere"), "--out", str(tmp_path / "o")],
        ["store", "simulate", "--shoppers", "5", "--layout", str(layout), "--out", str(tmp_path / "o")],
        ["store", "simulate", "--shoppers", "0", "--out", str(tmp_path / "o")],
    ):
        done = subprocess.run([sys.executable, "-m", "wujie", *args], capture_output=True, text=True, check=False)
        assert done.returncode == 3, done.stderr
        assert "Traceback" not in done.stderr
        assert "store_" in done.stderr
