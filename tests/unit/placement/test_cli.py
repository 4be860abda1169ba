"""``wujie place plan`` and ``wujie replenish`` through the CLI runner."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from wujie.entrypoints.cli.place import app as place_app
from wujie.entrypoints.cli.replenish import app as replenish_app

runner = CliRunner()


def test_place_plan_writes_stock_and_population_baseline(tmp_path: Path) -> None:
    pd.DataFrame({"name": ["north", "south"], "lat": [50.0, 40.0], "lon": [0.0, 0.0], "capacity": [500, 500]}).to_csv(
        tmp_path / "w.csv", index=False
    )
    pd.DataFrame({"name": ["N", "S"], "lat": [50.0, 40.0], "lon": [0.1, 0.1], "population": [1, 3]}).to_csv(
        tmp_path / "r.csv", index=False
    )
    pd.DataFrame(
        {"region": ["N", "N", "S", "S"], "sku": "a", "quantile": [0.5, 0.9] * 2, "demand": [40, 60, 10, 20]}
    ).to_csv(tmp_path / "q.csv", index=False)
    args = ["plan", "--quantiles", str(tmp_path / "q.csv"), "--warehouses", str(tmp_path / "w.csv")]
    args += ["--regions", str(tmp_path / "r.csv"), "--out", str(tmp_path / "plan.csv"), "--baseline", "population"]
    result = runner.invoke(place_app, [*args, "--integer", "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["method"] == "mip"
    assert summary["units_by_warehouse"] == {"north": 60.0, "south": 20.0}
    baseline = pd.read_csv(tmp_path / "plan.population.csv").set_index("warehouse")["units"]
    assert baseline.to_dict() == {"north": 20.0, "south": 60.0}


def test_replenish_orders(tmp_path: Path) -> None:
    pd.DataFrame(
        {"store": ["s"], "sku": ["a"], "mean": [10.0], "sd": [0.0], "on_hand": [3.0], "on_order": [0.0]}
    ).to_csv(tmp_path / "p.csv", index=False)
    args = ["orders", "--input", str(tmp_path / "p.csv"), "--out", str(tmp_path / "o.csv"), "--review-period", "2"]
    result = runner.invoke(replenish_app, args)
    assert result.exit_code == 0, result.output
    assert pd.read_csv(tmp_path / "o.csv")["order_qty"].tolist() == [17]
