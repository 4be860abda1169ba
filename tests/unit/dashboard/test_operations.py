"""Fulfilment SLA, stock-outs and hot search terms: exact counts and shares."""

from __future__ import annotations

from datetime import timedelta

from wujie.catalog.events import SearchPerformed
from wujie.dashboard.board import SaleDashboard
from wujie.inventory.events import StockDepleted, StockReceived
from wujie.orders.events import OrderAllocated, OrderDelivered, OrderShipped
from wujie.shared.ids import CustomerId, LocationId, OrderId, RegionId, SkuId

from .conftest import LOOKUPS, at


def delivered(order: str, hours: float) -> OrderDelivered:
    return OrderDelivered(OrderId(order), at(0), at(0) + timedelta(hours=hours))


def test_sla_shares_count_boundaries_as_within() -> None:
    board = SaleDashboard(LOOKUPS)
    board.apply(
        [
            OrderAllocated(OrderId("a"), (LocationId("dc_sh"),), True, at(1)),
            OrderAllocated(OrderId("b"), (LocationId("dc_sh"), LocationId("dc_bj")), False, at(1)),
            OrderAllocated(OrderId("c"), (LocationId("dc_bj"),), True, at(1)),
            OrderAllocated(OrderId("d"), (LocationId("dc_bj"),), True, at(1)),
            OrderShipped(OrderId("a"), at(2)),
            OrderShipped(OrderId("b"), at(2)),
            delivered("a", 10),
            delivered("b", 24),  # exactly 24 h: within both
            delivered("c", 30),
            delivered("d", 60),
        ]
    )
    assert board.snapshot()["fulfilment"] == {
        "allocated": 4,
        "local_share": 0.75,
        "shipped": 2,
        "delivered": 4,
        "within_24h": 2,
        "within_48h": 3,
        "sla_24h": 0.5,
        "sla_48h": 0.75,
        "mean_delivery_hours": 31.0,
    }


def test_no_delivery_yet_gives_no_share() -> None:
    f = SaleDashboard().snapshot()["fulfilment"]
    assert (f["sla_24h"], f["sla_48h"], f["local_share"], f["mean_delivery_hours"]) == (None, None, None, None)


def test_stockouts_and_replenishment() -> None:
    board = SaleDashboard(LOOKUPS)
    board.apply(
        [
            StockDepleted(SkuId("duck"), LocationId("dc_sh"), at(1)),
            StockDepleted(SkuId("phone"), LocationId("dc_bj"), at(2)),
            StockReceived(SkuId("duck"), LocationId("dc_sh"), 50, at(3)),
            StockDepleted(SkuId("duck"), LocationId("dc_bj"), at(4)),
        ]
    )
    stock = board.snapshot()["stock"]
    assert (stock["stockouts"], stock["out_now"]) == (3, 2)
    assert stock["latest"][0] == {"sku": "duck", "location": "dc_bj", "at": "2026-11-11T00:00:04+00:00"}
    assert [row["sku"] for row in stock["latest"]] == ["duck", "phone", "duck"]


def search(query: str, results: int = 5) -> SearchPerformed:
    return SearchPerformed(query, CustomerId("c"), RegionId("SH"), results, at(0))


def test_search_terms_are_normalised_and_ranked() -> None:
    board = SaleDashboard(LOOKUPS, top_k=3)
    board.apply(
        [
            search("月饼"),
            search(" 月饼 "),
            search("iPhone"),
            search("iphone"),
            search("IPHONE"),
            search("tea", results=0),
            search("   "),
        ]
    )
    snap = board.snapshot()
    assert snap["search_terms"] == [
        {"term": "iphone", "count": 3, "error": 0},
        {"term": "月饼", "count": 2, "error": 0},
        {"term": "tea", "count": 1, "error": 0},
    ]
    assert (snap["searches"], snap["zero_result_searches"]) == (6, 1)
