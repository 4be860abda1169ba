"""Replay real orders against a placement plan: how much is served locally, how many parcels split.

Two families of "local" figures are reported, because the literature mixes them up:

- ``local_share_of_shipped``: what was shipped from a warehouse local to the customer's region,
  over what was shipped. This is what Amazon's "76% in-region" and JD's "60.5%" count, and what
  the twin's report calls local fulfilment (orders *shipped* from the customer's own region).
- ``local_share_of_demand``: what was shipped locally over what was demanded, so demand that found
  no stock anywhere counts against it. It can never exceed the fill rate.

Both are given at unit level (units) and order level (orders).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from wujie.placement.deployment import PlacementPlan
from wujie.placement.errors import InvalidPlacementInput
from wujie.placement.network import Network

ORDER_COLUMNS = ("order_id", "region", "sku", "units")


@dataclass(frozen=True)
class ServiceFigures:
    """Service measures at one level of counting (units or orders).

    Attributes
    ----------
    local_share_of_shipped
        Units: local units / units shipped. Orders: orders whose every shipped unit came from a
        local warehouse / orders with anything shipped.
    local_share_of_demand
        Units: local units / units demanded. Orders: orders filled completely from local
        warehouses / all orders.
    fill_rate
        Units: units shipped / units demanded. Orders: orders filled completely / all orders.
    split_shipment_rate
        Units: units of orders shipped from more than one warehouse / units shipped. Orders:
        orders shipped from more than one warehouse / orders with anything shipped.
    """

    local_share_of_shipped: float
    local_share_of_demand: float
    fill_rate: float
    split_shipment_rate: float


@dataclass(frozen=True)
class SimulationResult:
    """Outcome of :func:`simulate_orders`.

    Attributes
    ----------
    demand, shipped
        Units demanded and units shipped.
    orders, orders_shipped
        Orders in the replay, and orders with at least one unit shipped.
    units, orders_level
        :class:`ServiceFigures` counted in units and in orders.
    mean_km
        Road km per unit shipped.
    """

    demand: float
    shipped: float
    orders: int
    orders_shipped: int
    units: ServiceFigures
    orders_level: ServiceFigures
    mean_km: float

    def as_dict(self) -> dict[str, Any]:
        """Rounded figures for JSON: ``unit_level`` and ``order_level`` sub-objects."""

        def rounded(fig: ServiceFigures) -> dict[str, float]:
            return {k: round(float(v), 4) for k, v in asdict(fig).items()}

        return {
            "demand": round(self.demand, 1),
            "shipped": round(self.shipped, 1),
            "orders": self.orders,
            "orders_shipped": self.orders_shipped,
            "unit_level": rounded(self.units),
            "order_level": rounded(self.orders_level),
            "mean_km": round(self.mean_km, 1),
        }


@dataclass
class _OrderTally:
    demand: float = 0.0
    shipped: float = 0.0
    local: float = 0.0


def _check_orders(orders: pd.DataFrame) -> None:
    missing = [c for c in ORDER_COLUMNS if c not in orders.columns]
    if missing:
        raise InvalidPlacementInput(f"orders lack column(s) {', '.join(missing)}")
    if (orders["units"] < 0).any():
        raise InvalidPlacementInput("order units must be non-negative")


def _stock_of(plan: PlacementPlan, network: Network) -> dict[tuple[int, str], float]:
    stock: dict[tuple[int, str], float] = defaultdict(float)
    w_index = {w.name: i for i, w in enumerate(network.warehouses)}
    for w, sku, units in plan.stock[["warehouse", "sku", "units"]].itertuples(index=False):
        stock[(w_index[w], str(sku))] += float(units)
    return stock


def simulate_orders(plan: PlacementPlan, network: Network, orders: pd.DataFrame) -> SimulationResult:
    """Serve ``orders`` (``order_id, region, sku, units`` in arrival order) from the plan's stock.

    Each line takes stock from the nearest warehouse that has the SKU, then the next nearest, and
    so on; demand no warehouse can serve is lost. Orders from regions outside the network count as
    demand that is never served.
    """
    _check_orders(orders)
    stock = _stock_of(plan, network)
    r_index = {r.name: i for i, r in enumerate(network.regions)}
    order_of = np.argsort(network.km, axis=0)
    tally: dict[object, _OrderTally] = defaultdict(_OrderTally)
    used: dict[object, set[int]] = defaultdict(set)
    km = 0.0
    for order_id, region, sku, units in orders[list(ORDER_COLUMNS)].itertuples(index=False):
        t = tally[order_id]
        t.demand += float(units)
        r = r_index.get(str(region))
        if r is None:
            continue
        need = float(units)
        for w in order_of[:, r]:
            if need <= 1e-9:
                break
            key = (int(w), str(sku))
            take = min(need, stock[key])
            if take <= 0:
                continue
            stock[key] -= take
            need -= take
            t.shipped += take
            km += take * float(network.km[w, r])
            t.local += take if network.local[w, r] else 0.0
            used[order_id].add(int(w))
    return _summarise(tally, used, km)


def _summarise(tally: dict[object, _OrderTally], used: dict[object, set[int]], km: float) -> SimulationResult:
    demand = sum(t.demand for t in tally.values())
    shipped = sum(t.shipped for t in tally.values())
    local = sum(t.local for t in tally.values())
    split = {o for o, ws in used.items() if len(ws) > 1}
    split_units = sum(tally[o].shipped for o in split)
    eps = 1e-9
    n = len(tally)
    n_shipped = sum(1 for t in tally.values() if t.shipped > eps)
    complete = [t for t in tally.values() if t.shipped >= t.demand - eps]
    all_local = sum(1 for t in tally.values() if t.shipped > eps and t.local >= t.shipped - eps)
    complete_local = sum(1 for t in complete if t.local >= t.demand - eps)
    units = ServiceFigures(
        local_share_of_shipped=_ratio(local, shipped),
        local_share_of_demand=_ratio(local, demand),
        fill_rate=_ratio(shipped, demand),
        split_shipment_rate=_ratio(split_units, shipped),
    )
    by_order = ServiceFigures(
        local_share_of_shipped=_ratio(all_local, n_shipped),
        local_share_of_demand=_ratio(complete_local, n),
        fill_rate=_ratio(len(complete), n),
        split_shipment_rate=_ratio(len(split), n_shipped),
    )
    return SimulationResult(demand, shipped, n, n_shipped, units, by_order, _ratio(km, shipped))


def _ratio(num: float, den: float) -> float:
    return num / den if den > 0 else 0.0
