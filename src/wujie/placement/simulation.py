"""Replay real orders against a placement plan: how much is served locally, how many parcels split."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import pandas as pd

from wujie.placement.deployment import PlacementPlan
from wujie.placement.errors import InvalidPlacementInput
from wujie.placement.network import Network

ORDER_COLUMNS = ("order_id", "region", "sku", "units")


@dataclass(frozen=True)
class SimulationResult:
    """Outcome of :func:`simulate_orders`.

    Attributes
    ----------
    local_fulfilment
        Units shipped by a warehouse within the promise of the order's region / units demanded.
    fill_rate
        Units shipped from anywhere / units demanded.
    in_region_share
        Units shipped by a local warehouse / units shipped (what Amazon's "in-region" figure counts).
    split_shipment_rate
        Orders shipped from more than one warehouse / orders with anything shipped.
    mean_km
        Road km per unit shipped.
    """

    demand: float
    shipped: float
    local_fulfilment: float
    fill_rate: float
    in_region_share: float
    split_shipment_rate: float
    mean_km: float
    orders: int

    def as_dict(self) -> dict[str, float]:
        """Rounded figures for JSON."""
        return {k: round(float(v), 4) for k, v in self.__dict__.items()}


def simulate_orders(plan: PlacementPlan, network: Network, orders: pd.DataFrame) -> SimulationResult:
    """Serve ``orders`` (``order_id, region, sku, units`` in arrival order) from the plan's stock.

    Each line takes stock from the nearest warehouse that has the SKU, then the next nearest, and
    so on; demand no warehouse can serve is lost. Orders from regions outside the network count as
    demand that is never local.
    """
    missing = [c for c in ORDER_COLUMNS if c not in orders.columns]
    if missing:
        raise InvalidPlacementInput(f"orders lack column(s) {', '.join(missing)}")
    if (orders["units"] < 0).any():
        raise InvalidPlacementInput("order units must be non-negative")
    stock: dict[tuple[int, str], float] = defaultdict(float)
    w_index = {w.name: i for i, w in enumerate(network.warehouses)}
    for w, sku, units in plan.stock[["warehouse", "sku", "units"]].itertuples(index=False):
        stock[(w_index[w], str(sku))] += float(units)
    r_index = {r.name: i for i, r in enumerate(network.regions)}
    order_of = np.argsort(network.km, axis=0)
    demand = shipped = local = km = 0.0
    used: dict[object, set[int]] = defaultdict(set)
    for order_id, region, sku, units in orders[list(ORDER_COLUMNS)].itertuples(index=False):
        demand += units
        r = r_index.get(str(region))
        if r is None:
            continue
        need = float(units)
        for w in order_of[:, r]:
            if need <= 0:
                break
            take = min(need, stock[(int(w), str(sku))])
            if take <= 0:
                continue
            stock[(int(w), str(sku))] -= take
            need -= take
            shipped += take
            km += take * network.km[w, r]
            local += take if network.local[w, r] else 0.0
            used[order_id].add(int(w))
    split = sum(1 for ws in used.values() if len(ws) > 1)
    return SimulationResult(
        demand=demand,
        shipped=shipped,
        local_fulfilment=local / demand if demand else 0.0,
        fill_rate=shipped / demand if demand else 0.0,
        in_region_share=local / shipped if shipped else 0.0,
        split_shipment_rate=split / len(used) if used else 0.0,
        mean_km=km / shipped if shipped else 0.0,
        orders=int(orders["order_id"].nunique()),
    )
