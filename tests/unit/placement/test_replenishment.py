"""Replenishment policies against closed-form textbook values."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from scipy.stats import norm

from wujie.placement.errors import InvalidPlacementInput
from wujie.placement.replenishment import (
    BaseStockParams,
    base_stock,
    newsvendor,
    normal_loss,
    order_quantity,
    replenishment_orders,
)


def test_normal_loss_at_zero_is_phi_zero() -> None:
    assert normal_loss(0.0) == pytest.approx(1 / math.sqrt(2 * math.pi))


def test_newsvendor_symmetric_costs_orders_the_mean() -> None:
    # price 10, cost 6, salvage 2: Cu = Co = 4, critical ratio 0.5 -> Q* = mu; shortage = sigma * phi(0)
    r = newsvendor(100, 20, price=10, cost=6, salvage=2)
    assert r.critical_ratio == 0.5
    assert r.quantity == pytest.approx(100)
    assert r.expected_shortage == pytest.approx(20 * 0.398942, rel=1e-5)
    assert r.expected_profit == pytest.approx(10 * r.expected_sales + 2 * r.expected_leftover - 6 * 100)


def test_newsvendor_critical_fractile() -> None:
    # Cu = 1.5, Co = 0.5 -> ratio 0.75, z = 0.6745
    r = newsvendor(500, 100, price=2.5, cost=1.0, salvage=0.5)
    assert r.critical_ratio == 0.75
    assert r.quantity == pytest.approx(500 + 100 * norm.ppf(0.75))
    with pytest.raises(InvalidPlacementInput):
        newsvendor(500, 100, price=1.0, cost=2.0)


def test_base_stock_cycle_service() -> None:
    # S = mu (R + L) + z sigma sqrt(R + L) with R = 7, L = 2, z(0.95) = 1.6449
    r = base_stock(10, 3, BaseStockParams(service_level=0.95, review_period=7, lead_time=2))
    assert r.order_up_to == pytest.approx(90 + 1.644854 * 3 * 3, rel=1e-6)
    assert r.safety_stock == pytest.approx(1.644854 * 9, rel=1e-6)


def test_base_stock_fill_rate_meets_the_loss_equation() -> None:
    p = BaseStockParams(service_level=0.98, review_period=7, lead_time=2, service="fill_rate")
    r = base_stock(10, 3, p)
    assert 9 * normal_loss(r.safety_factor) == pytest.approx((1 - 0.98) * 10 * 7, rel=1e-6)
    assert r.expected_shortage == pytest.approx(0.02 * 70, rel=1e-6)


def test_perishable_stock_is_capped_by_shelf_life() -> None:
    fresh = base_stock(10, 3, BaseStockParams(service_level=0.95, review_period=7, shelf_life=2))
    # can sell for 2 days only: S = 20 + z * 3 * sqrt(2); waste = sigma_w G(-z)
    assert fresh.order_up_to == pytest.approx(20 + 1.644854 * 3 * math.sqrt(2), rel=1e-6)
    assert fresh.expected_waste == pytest.approx(3 * math.sqrt(2) * normal_loss(-1.644854), rel=1e-5)


def test_order_quantities_per_store_and_sku() -> None:
    positions = pd.DataFrame(
        {
            "store": ["s1", "s1"],
            "sku": ["a", "b"],
            "mean": [10, 0],
            "sd": [3, 0],
            "on_hand": [50, 4],
            "on_order": [0, 0],
        }
    )
    out = replenishment_orders(positions, BaseStockParams(service_level=0.95, review_period=7, lead_time=2))
    assert out["order_qty"].tolist() == [math.ceil(90 + 1.644854 * 9 - 50), 0]
    assert order_quantity(100, on_hand=30, on_order=20, backorders=5) == 55
    with pytest.raises(InvalidPlacementInput):
        replenishment_orders(positions.drop(columns="sd"), BaseStockParams())
