"""Sales projections: GMV equals captured payments, attributed to SKUs, brands and regions exactly."""

from __future__ import annotations

import pytest

from wujie.dashboard.board import SaleDashboard
from wujie.dashboard.errors import DashboardErrorCode
from wujie.dashboard.sales import SalesProjection
from wujie.orders.events import OrderCancelled, OrderExpired, OrderPaid
from wujie.payments.events import PaymentFailed, PaymentRefunded
from wujie.shared.ids import OrderId, PaymentId
from wujie.shared.money import Money

from .conftest import LOOKUPS, at, captured, placed


def sale() -> list[object]:
    return [
        placed("o1", [("duck", 2, 19_800), ("case", 1, 4_900)], "SH", t=0.2),
        placed("o2", [("phone", 1, 299_900)], "BJ", t=0.7),
        placed("o3", [("dumpling", 3, 6_900)], "SH", t=1.1),
        placed("o4", [("duck", 1, 19_800)], None, t=1.5),
        captured("o1", 44_500, t=1.6),
        OrderPaid(OrderId("o1"), Money(44_500, "CNY"), at(1.6)),  # not counted twice
        captured("o2", 299_900, t=2.0),
        PaymentFailed(PaymentId("pay_o3"), OrderId("o3"), "declined", at(2.1)),
        OrderCancelled(OrderId("o3"), "payment_failed", at(2.1)),
        captured("o4", 19_800, t=2.4),
        captured("o-before-start", 1_000, t=2.5),  # its OrderPlaced predates the projection
    ]


def test_gmv_counts_and_open_orders() -> None:
    board = SaleDashboard(LOOKUPS)
    board.apply(sale())  # type: ignore[arg-type]
    s = board.sales
    assert s.gmv_minor == 44_500 + 299_900 + 19_800 + 1_000
    assert (s.placed, s.paid, s.cancelled, s.payment_failed, s.open_orders) == (4, 4, 1, 1, 0)
    assert board.events == 11
    assert s.currency == "CNY"


def test_per_second_series_use_event_time() -> None:
    board = SaleDashboard(LOOKUPS)
    board.apply(sale())  # type: ignore[arg-type]
    second = int(at(0).timestamp())
    assert board.sales.placed_per_second == {second: 2, second + 1: 2}
    assert board.sales.paid_per_second == {second + 1: 1, second + 2: 3}
    assert board.sales.gmv_per_second == {second + 1: 44_500, second + 2: 299_900 + 19_800 + 1_000}
    snap = board.snapshot()
    assert snap["series"] == {
        "resolution_s": 1,
        "t": [second, second + 1, second + 2],
        "orders": [2, 2, 0],
        "payments": [0, 1, 3],
        "gmv_minor": [0, 44_500, 320_700],
    }
    assert snap["rates"] == {"orders_per_s": 2, "payments_per_s": 1, "peak_orders_per_s": 2, "peak_payments_per_s": 3}
    assert snap["clock"] == {"first": "2026-11-11T00:00:00+00:00", "last": "2026-11-11T00:00:02+00:00"}


def test_rankings_attribute_line_values_and_flag_heritage_brands() -> None:
    board = SaleDashboard(LOOKUPS, top_k=2)
    board.apply(sale())  # type: ignore[arg-type]
    assert board.sales.gmv_by_sku == {"duck": 2 * 19_800 + 19_800, "case": 4_900, "phone": 299_900}
    snap = board.snapshot()
    assert snap["top_brands"] == [
        {"name": "Xiaomi", "heritage": False, "gmv_minor": 304_800},
        {"name": "Quanjude", "heritage": True, "gmv_minor": 59_400},
    ]
    assert snap["top_products"] == [
        {"name": "Phone 15", "brand": "Xiaomi", "heritage": False, "gmv_minor": 299_900},
        {"name": "Roast duck", "brand": "Quanjude", "heritage": True, "gmv_minor": 59_400},
    ]


def test_regions_carry_names_and_coordinates() -> None:
    board = SaleDashboard(LOOKUPS)
    board.apply(sale())  # type: ignore[arg-type]
    assert board.snapshot()["regions"] == [
        {"id": "BJ", "name": "Beijing", "lat": 39.91, "lon": 116.40, "gmv_minor": 299_900, "orders": 1},
        {"id": "SH", "name": "Shanghai", "lat": 31.22, "lon": 121.46, "gmv_minor": 44_500, "orders": 1},
        {"id": "?", "name": "unknown", "lat": None, "lon": None, "gmv_minor": 19_800 + 1_000, "orders": 2},
    ]


def test_refunds_are_reported_beside_gmv_and_expiry_counts_as_cancelled() -> None:
    board = SaleDashboard(LOOKUPS)
    board.apply(
        [
            placed("o1", [("duck", 1, 19_800)]),
            placed("o2", [("duck", 1, 19_800)]),
            captured("o1", 19_800),
            PaymentRefunded(PaymentId("pay_o1"), OrderId("o1"), Money(19_800, "CNY"), at(5)),
            OrderExpired(OrderId("o2"), at(6)),
        ]
    )
    assert (board.sales.gmv_minor, board.sales.refunded_minor) == (19_800, 19_800)
    assert (board.sales.cancelled, board.sales.open_orders) == (1, 0)


def test_a_second_currency_is_rejected_without_stopping_the_batch() -> None:
    board = SaleDashboard(LOOKUPS)
    board.apply([captured("o1", 100), captured("o2", 5_000, currency="KRW"), captured("o3", 200)])
    assert board.sales.gmv_minor == 300
    assert board.rejected == 1
    assert board.last_error is not None and str(DashboardErrorCode.CURRENCY_MISMATCH) in board.last_error


def test_fixed_currency_refuses_the_first_foreign_payment() -> None:
    sales = SalesProjection(currency="KRW")
    with pytest.raises(Exception) as info:
        sales.on_captured(captured("o1", 100))
    assert getattr(info.value, "code", None) is DashboardErrorCode.CURRENCY_MISMATCH


def test_long_runs_are_drawn_per_minute() -> None:
    board = SaleDashboard(LOOKUPS)
    board.apply([placed(f"o{i}", [("duck", 1, 100)], t=i * 50.0) for i in range(10)])  # 0..450 s
    series = board.snapshot()["series"]
    start = int(at(0).timestamp())
    assert series["resolution_s"] == 60
    assert series["t"] == [start + 60 * m for m in range(8)]
    # seconds 0, 50 | 100 | 150 | 200 | 250 | 300, 350 | 400 | 450, one bucket per minute:
    assert series["orders"] == [2, 1, 1, 1, 1, 2, 1, 1]
    assert sum(series["orders"]) == 10


def test_lookups_from_catalog_columns() -> None:
    from wujie.dashboard.errors import DashboardError
    from wujie.dashboard.lookups import Lookups, RegionInfo, SkuInfo

    lookups = Lookups.from_columns(
        ["s1", "s2"], ["Quanjude", "Xiaomi"], [True, False], ["Duck", "Phone"], [("SH", "Shanghai", 31.2, 121.5)]
    )
    assert lookups.sku("s1") == SkuInfo("Quanjude", True, "Duck")
    assert lookups.sku("nope") == SkuInfo("(unknown brand)", False)
    assert lookups.regions["SH"] == RegionInfo("Shanghai", 31.2, 121.5)
    with pytest.raises(DashboardError):
        Lookups.from_columns(["s1"], ["a", "b"], [True])
