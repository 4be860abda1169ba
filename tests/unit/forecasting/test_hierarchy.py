"""Hierarchical reconciliation: reconciled forecasts add up from categories to the total."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from wujie.forecasting.errors import InvalidFrame
from wujie.forecasting.hierarchy import aggregate_hierarchy, forecast_hierarchy
from wujie.forecasting.params import ForecasterParams
from wujie.forecasting.quantiles import horizon_total_quantiles


def shop() -> pd.DataFrame:
    days = pd.date_range("2024-01-01", periods=28)
    rows = []
    for dept, cat, base in (("food", "milk", 10), ("food", "bread", 5), ("home", "soap", 3)):
        rows.append(pd.DataFrame({"unique_id": cat, "ds": days, "y": base + np.tile([0, 1, 2, 3, 2, 1, 0], 4)}))
        rows[-1]["department"] = dept
    return pd.concat(rows, ignore_index=True)


def test_aggregate_builds_every_level() -> None:
    y_df, _, tags = aggregate_hierarchy(shop(), ["department", "unique_id"], "D")
    assert list(tags) == ["total", "total/department", "total/department/series"]
    total = y_df[y_df["unique_id"] == "total"]["y"].to_numpy()
    assert total[0] == 18 and total[3] == 27


def test_reconciled_forecasts_are_coherent() -> None:
    params = ForecasterParams(models=("autoets",), max_horizon=7)
    result = forecast_hierarchy(shop(), ["department", "unique_id"], params, h=7)
    fc = result.forecasts.set_index(["unique_id", "ds"])
    for col in ("autoets/bottom_up", "autoets/mint_wls"):
        bottom = fc.loc[["total/food/milk", "total/food/bread", "total/home/soap"], col].groupby(level="ds").sum()
        assert np.allclose(fc.loc["total", col].to_numpy(), bottom.to_numpy())


def test_hierarchy_columns_must_be_constant_per_series() -> None:
    bad = shop()
    bad.loc[0, "department"] = "home"
    with pytest.raises(InvalidFrame):
        aggregate_hierarchy(bad, ["department", "unique_id"], "D")


def test_horizon_total_quantiles_sum_means_and_variances() -> None:
    # two periods, mean 10 each, 80% band +-12.8155 -> sigma 10 each; total mean 20, sigma sqrt(200)
    fc = pd.DataFrame(
        {"unique_id": ["a", "a"], "m": [10.0, 10.0], "m-lo-80": [-2.8155, -2.8155], "m-hi-80": [22.8155, 22.8155]}
    )
    q = horizon_total_quantiles(fc, "m", [0.5, 0.9]).set_index("quantile")["demand"]
    assert q[0.5] == pytest.approx(20.0)
    assert q[0.9] == pytest.approx(20 + 1.28155 * np.sqrt(200), rel=1e-4)
