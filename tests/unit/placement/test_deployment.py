"""The forward-deployment LP/MIP, its baselines and the order replay, on a two-city network."""

from __future__ import annotations

import pandas as pd
import pytest

from wujie.placement import PlacementInfeasible, PlacementParams, Region, Warehouse, build_network, plan_placement
from wujie.placement.baselines import history_split, population_split
from wujie.placement.errors import InvalidPlacementInput
from wujie.placement.segments import normal_quantiles
from wujie.placement.simulation import simulate_orders


@pytest.fixture
def network():  # type: ignore[no-untyped-def]
    warehouses = [Warehouse("north", 50.0, 0.0, 1000), Warehouse("south", 40.0, 0.0, 1000)]
    regions = [Region("N", 50.0, 0.1, 100), Region("S", 40.0, 0.1, 300)]
    return build_network(warehouses, regions, promise_hours=24)


@pytest.fixture
def quantiles() -> pd.DataFrame:
    mean = pd.DataFrame({"region": ["N", "S", "N", "S"], "sku": ["a", "a", "b", "b"], "mean": [80, 20, 10, 50]})
    return normal_quantiles(mean.assign(sd=[10, 5, 3, 8]), [0.1, 0.25, 0.5, 0.75, 0.9])


def test_network_marks_local_pairs(network) -> None:  # type: ignore[no-untyped-def]
    assert network.local.tolist() == [[True, False], [False, True]]
    assert network.nearest.tolist() == [0, 1]


def test_lp_places_stock_where_demand_is(network, quantiles) -> None:  # type: ignore[no-untyped-def]
    plan = plan_placement(quantiles, network)
    units = plan.stock.set_index(["warehouse", "sku"])["units"]
    totals = quantiles[quantiles["quantile"] == 0.9].groupby("sku")["demand"].sum()
    assert units.groupby(level="sku").sum().to_dict() == pytest.approx(totals.to_dict())
    assert units[("north", "a")] > 75 and units[("south", "b")] > 55
    assert plan.expected is not None
    assert (plan.expected["expected_local"] <= plan.expected["expected_sales"] + 1e-9).all()


def test_mip_gives_whole_units(network, quantiles) -> None:  # type: ignore[no-untyped-def]
    plan = plan_placement(quantiles, network, PlacementParams(integer_stock=True))
    assert plan.method == "mip"
    assert (plan.stock["units"] == plan.stock["units"].round()).all()


def test_capacity_below_demand_is_infeasible(quantiles) -> None:  # type: ignore[no-untyped-def]
    tiny = build_network([Warehouse("w", 50.0, 0.0, 10)], [Region("N", 50, 0, 1), Region("S", 40, 0, 1)])
    with pytest.raises(PlacementInfeasible) as err:
        plan_placement(quantiles, tiny)
    assert err.value.context["capacity"] == 10


def test_bad_quantile_tables_are_refused(network, quantiles) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidPlacementInput):
        plan_placement(quantiles.assign(region="Atlantis"), network)
    with pytest.raises(InvalidPlacementInput):
        plan_placement(quantiles.assign(demand=-1.0), network)


def test_baselines(network) -> None:  # type: ignore[no-untyped-def]
    totals = pd.Series({"a": 100.0})
    pop = population_split(network, totals).stock.set_index("warehouse")["units"]
    assert pop.to_dict() == {"north": 25.0, "south": 75.0}
    hist = history_split(network, totals, pd.DataFrame({"region": ["N", "S"], "sku": ["a", "a"], "units": [9, 1]}))
    assert hist.stock.set_index("warehouse")["units"].to_dict() == pytest.approx({"north": 90.0, "south": 10.0})


def test_replay_counts_local_units_and_split_orders(network) -> None:  # type: ignore[no-untyped-def]
    plan = population_split(network, pd.Series({"a": 100.0}))  # north 25, south 75
    orders = pd.DataFrame(
        {"order_id": [1, 2, 3], "region": ["N", "N", "S"], "sku": ["a", "a", "a"], "units": [20, 10, 80]}
    )
    result = simulate_orders(plan, network, orders)
    # order 1: 20 local from north; order 2: 5 north + 5 south (split); order 3: 70 south, 10 lost
    assert result.demand == 110
    assert result.shipped == 100
    units, orders_ = result.units, result.orders_level
    assert units.local_share_of_demand == pytest.approx(95 / 110)
    assert units.local_share_of_shipped == pytest.approx(95 / 100)
    assert units.fill_rate == pytest.approx(100 / 110)
    assert units.split_shipment_rate == pytest.approx(10 / 100)
    # orders: 1 and 3 shipped only locally, only 1 filled completely and locally, 1 and 2 filled
    assert orders_.local_share_of_shipped == pytest.approx(2 / 3)
    assert orders_.local_share_of_demand == pytest.approx(1 / 3)
    assert orders_.fill_rate == pytest.approx(2 / 3)
    assert orders_.split_shipment_rate == pytest.approx(1 / 3)
    assert result.as_dict()["order_level"]["fill_rate"] == 0.6667


def test_replay_never_serves_unknown_regions(network) -> None:  # type: ignore[no-untyped-def]
    plan = population_split(network, pd.Series({"a": 100.0}))
    orders = pd.DataFrame({"order_id": [1, 2], "region": ["Atlantis", "N"], "sku": ["a", "a"], "units": [5, 5]})
    result = simulate_orders(plan, network, orders)
    assert (result.demand, result.shipped, result.orders, result.orders_shipped) == (10, 5, 2, 1)
    assert result.units.local_share_of_demand == pytest.approx(0.5)
    assert result.orders_level.local_share_of_shipped == 1.0


def test_lp_objective_is_the_expected_sales_curve() -> None:
    # segments: [0, 10] sells with p = 1 - (0 + .5)/2 = .75, [10, 20] with p = 1 - (.5 + .9)/2 = .3
    q = pd.DataFrame({"region": ["N", "N"], "sku": ["a", "a"], "quantile": [0.5, 0.9], "demand": [10.0, 20.0]})
    params = PlacementParams(cost_per_unit_km=0.0, late_penalty=0.5)
    near = build_network([Warehouse("w", 50.0, 0.0, 100)], [Region("N", 50.0, 0.1, 1)])
    far = build_network([Warehouse("w", 50.0, 0.0, 100)], [Region("N", 20.0, 0.1, 1)])
    local = plan_placement(q, near, params, pd.Series({"a": 15.0}))
    remote = plan_placement(q, far, params, pd.Series({"a": 15.0}))
    assert local.objective == pytest.approx(10 * 0.75 + 5 * 0.3)
    assert remote.objective == pytest.approx((10 * 0.75 + 5 * 0.3) * 0.5)
    assert local.expected is not None and remote.expected is not None
    assert local.expected["expected_local"].tolist() == pytest.approx([9.0])
    assert remote.expected[["expected_local", "expected_sales"]].to_numpy().ravel().tolist() == pytest.approx(
        [0.0, 9.0]
    )
