"""Replenishment policies with closed forms: newsvendor and periodic-review base stock.

Demand per period is normal with mean ``mu`` and standard deviation ``sigma`` and independent
across periods. Notation follows Nahmias, *Production and Operations Analysis*, and Silver, Pyke &
Thomas, *Inventory and Production Management in Supply Chains*: ``G(z)`` is the standard normal
loss function ``E[(Z - z)^+] = phi(z) - z (1 - Phi(z))``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd
from scipy.stats import norm

from wujie.placement.errors import InvalidPlacementInput


def normal_loss(z: float) -> float:
    """Standard normal loss function ``G(z) = E[(Z - z)^+]``."""
    return float(norm.pdf(z) - z * (1.0 - norm.cdf(z)))


@dataclass(frozen=True)
class NewsvendorResult:
    """Optimal single-period order and its expected outcome (units and money)."""

    quantity: float
    critical_ratio: float
    expected_sales: float
    expected_leftover: float
    expected_shortage: float
    expected_profit: float


def newsvendor(mu: float, sigma: float, price: float, cost: float, salvage: float = 0.0) -> NewsvendorResult:
    """Single-period order for normal demand: ``Q* = mu + sigma * Phi^-1(Cu / (Cu + Co))``.

    Parameters
    ----------
    mu, sigma
        Demand mean and standard deviation of the selling period (``sigma > 0``).
    price, cost, salvage
        Unit selling price, purchase cost and salvage value (perishables: the waste value),
        with ``salvage < cost < price``.
    """
    if sigma <= 0 or mu < 0:
        raise InvalidPlacementInput("newsvendor needs mu >= 0 and sigma > 0")
    if not salvage < cost < price:
        raise InvalidPlacementInput("newsvendor needs salvage < cost < price")
    under, over = price - cost, cost - salvage
    ratio = under / (under + over)
    z = float(norm.ppf(ratio))
    quantity = mu + z * sigma
    shortage = sigma * normal_loss(z)
    sales = mu - shortage
    leftover = quantity - sales
    profit = price * sales + salvage * leftover - cost * quantity
    return NewsvendorResult(quantity, ratio, sales, leftover, shortage, profit)


@dataclass(frozen=True)
class BaseStockParams:
    """A periodic-review, order-up-to policy ``(R, S)``.

    Parameters
    ----------
    service_level
        Target in (0, 1): the cycle service level (probability of no stock-out in a cycle) when
        ``service="cycle"``, the fill rate (share of demand served from stock) when ``"fill_rate"``.
    review_period
        Periods between orders ``R`` (>= 1).
    lead_time
        Periods from order to arrival ``L`` (>= 0).
    shelf_life
        Periods a unit can be sold after arrival (perishables); ``None`` for non-perishable.
    service
        ``"cycle"`` or ``"fill_rate"``.
    """

    service_level: float = 0.95
    review_period: int = 1
    lead_time: int = 0
    shelf_life: int | None = None
    service: str = "cycle"

    def __post_init__(self) -> None:
        if not 0 < self.service_level < 1:
            raise InvalidPlacementInput("service_level must be in (0, 1)")
        if self.review_period < 1 or self.lead_time < 0:
            raise InvalidPlacementInput("review_period >= 1 and lead_time >= 0 are required")
        if self.shelf_life is not None and self.shelf_life < 1:
            raise InvalidPlacementInput("shelf_life must be >= 1 period")
        if self.service not in ("cycle", "fill_rate"):
            raise InvalidPlacementInput("service must be 'cycle' or 'fill_rate'")


@dataclass(frozen=True)
class BaseStockResult:
    """Order-up-to level, safety factor and the expected outcome per review cycle."""

    order_up_to: float
    safety_factor: float
    safety_stock: float
    expected_shortage: float
    expected_waste: float


def safety_factor(params: BaseStockParams, mu: float, sigma_protection: float) -> float:
    """``z`` meeting the target: ``Phi^-1(alpha)`` or the root of ``sigma G(z) = (1 - beta) mu R``."""
    if params.service == "cycle":
        return float(norm.ppf(params.service_level))
    target = (1 - params.service_level) * mu * params.review_period / sigma_protection
    lo, hi = -6.0, 8.0
    for _ in range(100):  # G is decreasing: bisection
        mid = (lo + hi) / 2
        if normal_loss(mid) > target:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def base_stock(mu: float, sigma: float, params: BaseStockParams) -> BaseStockResult:
    """Order-up-to level ``S = mu (R + L) + z sigma sqrt(R + L)`` over the protection interval.

    With a shelf life ``m``, stock that arrives can only sell for ``min(m, R)`` periods (FIFO), so
    ``S`` is capped at the lead-time demand plus the newsvendor quantity of that selling window at
    the same service level, and the expected waste per cycle is ``E[(Q - D_window)^+]``
    with ``Q`` the on-arrival stock.
    """
    if mu < 0 or sigma < 0:
        raise InvalidPlacementInput("mu and sigma must be >= 0")
    periods = params.review_period + params.lead_time
    sd = sigma * math.sqrt(periods)
    z = safety_factor(params, mu, sd) if sd > 0 else 0.0
    level = mu * periods + z * sd
    waste = 0.0
    if params.shelf_life is not None and sd > 0:
        window = min(params.shelf_life, params.review_period)
        sd_window = sigma * math.sqrt(window)
        arrival_stock = min(level - mu * params.lead_time, mu * window + z * sd_window)
        level = mu * params.lead_time + arrival_stock
        zw = (arrival_stock - mu * window) / sd_window
        waste = sd_window * normal_loss(-zw)  # E[(Q - D)^+] = sigma G(-z)
    shortage = sd * normal_loss((level - mu * periods) / sd) if sd > 0 else 0.0
    return BaseStockResult(level, z, level - mu * periods, shortage, waste)


def order_quantity(order_up_to: float, on_hand: float, on_order: float, backorders: float = 0.0) -> float:
    """Units to order now: ``max(0, S - inventory position)``."""
    return max(0.0, order_up_to - (on_hand + on_order - backorders))


ORDER_INPUT = ("store", "sku", "mean", "sd", "on_hand", "on_order")


def replenishment_orders(positions: pd.DataFrame, params: BaseStockParams) -> pd.DataFrame:
    """Order quantities per store x SKU under one base-stock policy.

    Parameters
    ----------
    positions
        ``store, sku, mean, sd, on_hand, on_order`` (per-period demand mean and sd).
    params
        The policy (service level, review period, lead time, shelf life).

    Returns
    -------
    pandas.DataFrame
        The input plus ``order_up_to, safety_stock, order_qty, expected_waste`` (``order_qty`` in
        whole units, rounded up).
    """
    missing = [c for c in ORDER_INPUT if c not in positions.columns]
    if missing:
        raise InvalidPlacementInput(f"positions lack column(s) {', '.join(missing)}")
    numeric = positions[["mean", "sd", "on_hand", "on_order"]]
    if numeric.isna().any().any() or (numeric[["mean", "sd", "on_order"]] < 0).any().any():
        raise InvalidPlacementInput("mean, sd and on_order must be non-negative numbers")
    results = [base_stock(float(m), float(s), params) for m, s in zip(positions["mean"], positions["sd"], strict=True)]
    out = positions.copy()
    out["order_up_to"] = [r.order_up_to for r in results]
    out["safety_stock"] = [r.safety_stock for r in results]
    out["expected_waste"] = [r.expected_waste for r in results]
    raw = [
        order_quantity(r.order_up_to, h, o) for r, h, o in zip(results, out["on_hand"], out["on_order"], strict=True)
    ]
    out["order_qty"] = [math.ceil(q - 1e-9) for q in raw]
    return out
