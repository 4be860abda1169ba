"""Allocation: policies on hand-built stock where the right answer is known."""

from __future__ import annotations

import pytest

from wujie.fulfilment.allocation import (
    AllocationParams,
    LocationKind,
    Order,
    OrderLine,
    StockLocation,
    allocate_orders,
    compare_policies,
)
from wujie.fulfilment.errors import InvalidFulfilmentInput, InvalidParams, UnassignedReason

# Shanghai People's Square and around it; Hangzhou ~165 km away
CUSTOMER = (31.2304, 121.4737)
STORE = StockLocation("store-jingan", 31.2290, 121.4480, LocationKind.STORE, {"tea": 2})  # ~2.5 km
NEAR_WH = StockLocation("wh-minhang", 31.1130, 121.3820, LocationKind.WAREHOUSE, {"tea": 100, "cup": 100})  # ~15 km
FAR_WH = StockLocation("wh-hangzhou", 30.2741, 120.1551, LocationKind.WAREHOUSE, {"tea": 100, "cup": 100, "pot": 5})


def order(oid: str, *lines: tuple[str, int]) -> Order:
    return Order(oid, *CUSTOMER, tuple(OrderLine(sku, qty, 0.5) for sku, qty in lines))


def test_nearest_uses_the_store_within_its_radius_and_splits_the_rest() -> None:
    result = allocate_orders([STORE, NEAR_WH, FAR_WH], [order("o1", ("tea", 1), ("cup", 1))], "nearest")
    assert sorted((s.location_id, s.lines) for s in result.shipments) == [
        ("store-jingan", (("tea", 1),)),
        ("wh-minhang", (("cup", 1),)),
    ]
    summary = result.summary()
    assert summary["split_rate"] == 1.0
    assert summary["local_fulfilment_rate"] == 0.0


def test_fewest_splits_ships_the_order_in_one_parcel_from_the_nearest_complete_location() -> None:
    result = allocate_orders([STORE, NEAR_WH, FAR_WH], [order("o1", ("tea", 1), ("cup", 1))], "fewest_splits")
    assert [(s.location_id, s.lines) for s in result.shipments] == [("wh-minhang", (("tea", 1), ("cup", 1)))]
    assert result.summary()["split_rate"] == 0.0


def test_cost_optimal_splits_only_when_two_parcels_are_cheaper_than_one() -> None:
    # pot exists only in Hangzhou: one parcel from Hangzhou beats Hangzhou + Minhang
    orders = [order("o1", ("pot", 1), ("cup", 1))]
    result = allocate_orders([STORE, NEAR_WH, FAR_WH], orders, "cost_optimal")
    assert [s.location_id for s in result.shipments] == ["wh-hangzhou"]
    # with a free fixed cost and heavy lines, carrying the cup from nearby wins: split in two
    heavy = [Order("o2", *CUSTOMER, (OrderLine("pot", 1, 1.0), OrderLine("cup", 1, 50.0)))]
    params = AllocationParams(cost_per_shipment=0.0)
    split = allocate_orders([STORE, NEAR_WH, FAR_WH], heavy, "cost_optimal", params)
    assert sorted(s.location_id for s in split.shipments) == ["wh-hangzhou", "wh-minhang"]


def test_stores_only_serve_inside_their_radius() -> None:
    params = AllocationParams(store_radius_km=1.0)
    result = allocate_orders([STORE, NEAR_WH], [order("o1", ("tea", 1))], "nearest", params)
    assert [s.location_id for s in result.shipments] == ["wh-minhang"]
    local = allocate_orders([STORE, NEAR_WH], [order("o1", ("tea", 1))], "nearest")
    assert local.summary()["local_fulfilment_rate"] == 1.0


def test_stock_is_consumed_in_order_and_shortage_is_reported_not_dropped() -> None:
    orders = [order("o1", ("tea", 2)), order("o2", ("tea", 1)), order("o3", ("pot", 1))]
    result = allocate_orders([STORE], orders, "nearest")
    assert [s.order_id for s in result.shipments] == ["o1"]
    assert [(u.order_id, u.reason) for u in result.unallocated] == [
        ("o2", UnassignedReason.INSUFFICIENT_STOCK),
        ("o3", UnassignedReason.INSUFFICIENT_STOCK),
    ]
    assert "pot" in result.unallocated[1].detail
    assert result.summary()["allocated"] + result.summary()["unallocated"] == 3


def test_an_order_is_allocated_whole_or_leaves_stock_untouched() -> None:
    orders = [order("o1", ("tea", 1), ("pot", 1)), order("o2", ("tea", 2))]
    result = allocate_orders([STORE], orders, "fewest_splits")
    assert [s.order_id for s in result.shipments] == ["o2"]  # o1 failed on pot and did not take tea
    assert result.unallocated[0].order_id == "o1"


def test_no_location_in_range() -> None:
    params = AllocationParams(max_warehouse_km=10.0)
    result = allocate_orders([FAR_WH], [order("o1", ("tea", 1))], "nearest", params)
    assert result.unallocated[0].reason is UnassignedReason.NO_LOCATION_IN_RANGE


def test_compare_policies_starts_each_policy_from_the_same_stock() -> None:
    orders = [order(f"o{i}", ("tea", 1), ("cup", 1)) for i in range(3)]
    summaries = compare_policies([STORE, NEAR_WH, FAR_WH], orders)
    assert summaries["nearest"]["shipments"] == 5  # store tea for two orders, then Minhang only
    assert summaries["fewest_splits"]["shipments"] == 3
    assert summaries["cost_optimal"]["shipments"] == 3
    assert {s["allocated"] for s in summaries.values()} == {3}


def test_bad_input_is_refused() -> None:
    with pytest.raises(InvalidFulfilmentInput):
        Order("o", *CUSTOMER, ())
    with pytest.raises(InvalidFulfilmentInput):
        OrderLine("tea", 0)
    with pytest.raises(InvalidFulfilmentInput):
        StockLocation("x", 91.0, 0.0)
    with pytest.raises(InvalidParams):
        AllocationParams(max_candidates=0)
    with pytest.raises(InvalidParams):
        allocate_orders([STORE], [order("o1", ("tea", 1))], "cheapest")
    with pytest.raises(InvalidFulfilmentInput):
        allocate_orders([STORE], [order("o1", ("tea", 1)), order("o1", ("tea", 1))])
