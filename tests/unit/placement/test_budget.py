"""Budget split across SKUs at a common quantile level, top-down reconciliation, slack placement."""

from __future__ import annotations

import pandas as pd
import pytest

from wujie.placement import PlacementParams, Region, Warehouse, build_network, plan_placement
from wujie.placement.budget import allocate_budget, reconcile_to_totals
from wujie.placement.errors import InvalidPlacementInput
from wujie.placement.segments import normal_quantiles


@pytest.fixture
def sku_quantiles() -> pd.DataFrame:
    return pd.DataFrame(
        {"sku": ["a", "a", "b", "b"], "quantile": [0.5, 0.9, 0.5, 0.9], "demand": [100.0, 120.0, 50.0, 90.0]}
    )


def test_budget_between_levels_gives_every_sku_the_same_quantile(sku_quantiles: pd.DataFrame) -> None:
    # a(t) = 100 + 50 (t - .5), b(t) = 50 + 100 (t - .5); a + b = 180 at t = 0.7
    alloc = allocate_budget(sku_quantiles, 180.0)
    assert alloc.level == pytest.approx(0.7)
    assert alloc.totals.to_dict() == pytest.approx({"a": 110.0, "b": 70.0})


def test_budget_below_lowest_level_interpolates_from_zero(sku_quantiles: pd.DataFrame) -> None:
    alloc = allocate_budget(sku_quantiles, 75.0)
    assert alloc.level == pytest.approx(0.25)
    assert alloc.totals.to_dict() == pytest.approx({"a": 50.0, "b": 25.0})


def test_budget_above_top_level_spreads_excess_by_top_quantile(sku_quantiles: pd.DataFrame) -> None:
    alloc = allocate_budget(sku_quantiles, 230.0)
    assert alloc.level == 0.9
    assert alloc.totals.to_dict() == pytest.approx({"a": 120 + 20 * 120 / 210, "b": 90 + 20 * 90 / 210})


def test_budget_refuses_bad_input(sku_quantiles: pd.DataFrame) -> None:
    with pytest.raises(InvalidPlacementInput):
        allocate_budget(sku_quantiles, -1.0)
    with pytest.raises(InvalidPlacementInput):
        allocate_budget(sku_quantiles.iloc[:3], 100.0)  # b lacks the 0.9 level


def test_reconcile_by_forecast_and_by_weight() -> None:
    regional = pd.DataFrame(
        {
            "region": ["N", "S", "N", "S"],
            "sku": ["a", "a", "b", "b"],
            "mean": [30.0, 10.0, 0.0, 0.0],
            "sd": [6.0, 2.0, 1.0, 1.0],
            "weight": [1.0, 3.0, 1.0, 1.0],
        }
    )
    totals = pd.Series({"a": 80.0, "b": 10.0})
    by_forecast = reconcile_to_totals(regional, totals)
    assert by_forecast["mean"].tolist() == pytest.approx([60.0, 20.0, 5.0, 5.0])
    assert by_forecast["sd"].tolist()[:2] == pytest.approx([12.0, 4.0])
    by_weight = reconcile_to_totals(regional, totals, proportions="weight")
    assert by_weight["mean"].tolist() == pytest.approx([20.0, 60.0, 5.0, 5.0])
    with pytest.raises(InvalidPlacementInput):
        reconcile_to_totals(regional, totals, proportions="magic")


def test_stock_beyond_all_demand_goes_where_demand_is() -> None:
    net = build_network(
        [Warehouse("north", 50.0, 0.0, 1000), Warehouse("south", 40.0, 0.0, 1000)],
        [Region("N", 50.0, 0.1, 100), Region("S", 40.0, 0.1, 300)],
    )
    mean = pd.DataFrame({"region": ["N", "S"], "sku": ["a", "a"], "mean": [10.0, 0.0], "sd": [3.0, 0.0]})
    q = normal_quantiles(mean, [0.1, 0.5, 0.9])
    plan = plan_placement(q, net, PlacementParams(), pd.Series({"a": 100.0}))
    assert plan.stock.set_index("warehouse")["units"].to_dict() == pytest.approx({"north": 100.0})
