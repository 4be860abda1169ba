"""The forecast, replenish and place commands through the CLI runner (small files)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from wujie.entrypoints.cli.forecast import app as forecast_app
from wujie.entrypoints.cli.replenish import app as replenish_app

runner = CliRunner()


def test_evaluate_a_user_file_prints_the_documented_json(tmp_path: Path) -> None:
    days = pd.date_range("2024-01-01", periods=42)
    frame = pd.concat(
        [pd.DataFrame({"unique_id": uid, "ds": days, "y": [1, 2, 3, 4, 5, 6, 7] * 6}) for uid in ("a", "b")]
    )
    path = tmp_path / "sales.csv"
    frame.to_csv(path, index=False)
    args = ["evaluate", "--input", str(path), "--horizon", "7", "--models", "seasonal_naive", "--json"]
    result = runner.invoke(forecast_app, [*args, "--out", str(tmp_path / "eval.json")])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["n_series"] == 2 and summary["horizon"] == 7
    assert summary["models"]["seasonal_naive"]["bias"] == 0.0
    assert summary["models"]["seasonal_naive"]["coverage_80"] == 1.0
    assert (tmp_path / "eval.png").stat().st_size > 1000


def test_newsvendor_command() -> None:
    args = ["newsvendor", "--mean", "100", "--sd", "20", "--price", "10", "--cost", "6", "--salvage", "2"]
    result = runner.invoke(replenish_app, args)
    assert result.exit_code == 0
    assert json.loads(result.output)["quantity"] == 100.0


def test_fit_then_predict_writes_forecasts(tmp_path: Path) -> None:
    days = pd.date_range("2024-01-01", periods=21)
    pd.DataFrame({"unique_id": "a", "ds": days, "y": [1, 2, 3, 4, 5, 6, 7] * 3}).to_csv(tmp_path / "s.csv", index=False)
    model = tmp_path / "fc.pkl"
    fitted = runner.invoke(
        forecast_app,
        ["fit", "--input", str(tmp_path / "s.csv"), "--model-file", str(model), "--models", "seasonal_naive"],
    )
    assert fitted.exit_code == 0, fitted.output
    out = tmp_path / "fc.csv"
    predicted = runner.invoke(
        forecast_app, ["predict", "--model-file", str(model), "--horizon", "7", "--out", str(out)]
    )
    assert predicted.exit_code == 0, predicted.output
    assert pd.read_csv(out)["seasonal_naive"].tolist() == [1, 2, 3, 4, 5, 6, 7]


def test_evaluate_needs_exactly_one_source() -> None:
    result = runner.invoke(forecast_app, ["evaluate", "--horizon", "7"])
    assert result.exit_code != 0


def test_validation_scores_the_window_before_the_final_one(tmp_path: Path) -> None:
    days = pd.date_range("2024-01-01", periods=42)
    frame = pd.DataFrame({"unique_id": "a", "ds": days, "y": [1.0, 2, 3, 4, 5, 6, 7] * 5 + [50.0] * 7})
    path = tmp_path / "sales.csv"
    frame.to_csv(path, index=False)
    args = ["evaluate", "--input", str(path), "--horizon", "7", "--models", "seasonal_naive", "--json"]
    final = json.loads(runner.invoke(forecast_app, args).output)
    validation = json.loads(runner.invoke(forecast_app, [*args, "--validation"]).output)
    assert (final["window"], final["test_dates"]) == ("final", ["2024-02-05", "2024-02-11"])
    assert (validation["window"], validation["test_dates"]) == ("validation", ["2024-01-29", "2024-02-04"])
    assert validation["models"]["seasonal_naive"]["bias"] == 0.0  # the final week's jump is never seen
    assert final["models"]["seasonal_naive"]["bias"] < -0.8
