"""Tiny named events for the dashboard's projection tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from wujie.dashboard.lookups import Lookups
from wujie.orders.events import LineFact, OrderPlaced
from wujie.payments.events import PaymentCaptured
from wujie.shared.ids import CustomerId, OrderId, PaymentId, RegionId, SkuId
from wujie.shared.money import Money

T0 = datetime(2026, 11, 11, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def placed(order: str, lines: list[tuple[str, int, int]], region: str | None = "SH", t: float = 0) -> OrderPlaced:
    facts = tuple(LineFact(SkuId(sku), qty, Money(price, "CNY")) for sku, qty, price in lines)
    total = Money(sum(qty * price for _, qty, price in lines), "CNY")
    return OrderPlaced(OrderId(order), CustomerId("c"), RegionId(region) if region else None, facts, total, at(t))


def captured(order: str, minor: int, t: float = 0, currency: str = "CNY") -> PaymentCaptured:
    return PaymentCaptured(PaymentId(f"pay_{order}"), OrderId(order), CustomerId("c"), Money(minor, currency), at(t))


LOOKUPS = Lookups.of(
    skus={
        "duck": ("Quanjude", True, "Roast duck"),
        "phone": ("Xiaomi", False, "Phone 15"),
        "case": ("Xiaomi", False),
        "dumpling": ("Wufangzhai", True),
    },
    regions={"SH": ("Shanghai", 31.22, 121.46), "BJ": ("Beijing", 39.91, 116.40)},
)
