"""Pool regions that the network cannot tell apart, so the plan sees pooled (less noisy) demand.

Orders are served from the nearest warehouse holding the SKU, then the next. Two regions with the
same nearest warehouse and the same set of local warehouses draw on the same stock in the same
order, so stocking for each region's own quantile (a sum of quantiles) over-stocks the small
regions and under-stocks the big one. Pooling them into one demand node, with the mean summed and
the standard deviation ``sqrt(sum sd^2)`` (regions independent), gives the LP the quantiles of
the demand that each stock really faces.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from wujie.placement.errors import InvalidPlacementInput
from wujie.placement.network import Network, Region


@dataclass(frozen=True)
class PooledDemand:
    """Demand per pooled node and the network over those nodes.

    Attributes
    ----------
    demand
        ``region, sku, mean, sd`` with ``region`` the pooled node's name.
    network
        Same warehouses; one region per node, with the members' mean km and hours and their
        common local-delivery mask.
    members
        Node name -> the member region names.
    """

    demand: pd.DataFrame
    network: Network
    members: dict[str, tuple[str, ...]]


def _groups(network: Network) -> dict[tuple[int, tuple[bool, ...]], list[int]]:
    groups: dict[tuple[int, tuple[bool, ...]], list[int]] = {}
    nearest = network.nearest
    for r in range(len(network.regions)):
        key = (int(nearest[r]), tuple(bool(v) for v in network.local[:, r]))
        groups.setdefault(key, []).append(r)
    return groups


def pool_regions(regional: pd.DataFrame, network: Network) -> PooledDemand:
    """Pool ``region, sku, mean, sd`` over regions with the same nearest and local warehouses.

    Raises
    ------
    InvalidPlacementInput
        Missing columns, unknown regions or negative mean/sd.
    """
    missing = [c for c in ("region", "sku", "mean", "sd") if c not in regional.columns]
    if missing:
        raise InvalidPlacementInput(f"regional demand lacks column(s) {', '.join(missing)}")
    if (regional[["mean", "sd"]] < 0).any().any():
        raise InvalidPlacementInput("mean and sd must be non-negative")
    index = {r.name: i for i, r in enumerate(network.regions)}
    unknown = sorted(set(regional["region"].astype(str)) - set(index))
    if unknown:
        raise InvalidPlacementInput(f"unknown region(s) {', '.join(unknown[:5])}", unknown=len(unknown))
    node_of: dict[str, str] = {}
    regions, km, hours, local, members = [], [], [], [], {}
    for n, (key, rows) in enumerate(sorted(_groups(network).items())):
        name = f"{network.warehouses[key[0]].name} pool {n}"
        first = network.regions[rows[0]]
        pop = sum(network.regions[r].population for r in rows)
        regions.append(Region(name, first.lat, first.lon, pop))
        km.append(network.km[:, rows].mean(axis=1))
        hours.append(network.hours[:, rows].mean(axis=1))
        local.append(network.local[:, rows[0]])
        members[name] = tuple(network.regions[r].name for r in rows)
        node_of.update({network.regions[r].name: name for r in rows})
    pooled = regional.assign(region=regional["region"].astype(str).map(node_of), var=regional["sd"] ** 2)
    agg = pooled.groupby(["region", "sku"], as_index=False)[["mean", "var"]].sum()
    demand = agg.assign(sd=np.sqrt(agg["var"]))[["region", "sku", "mean", "sd"]]
    net = Network(
        network.warehouses, tuple(regions), np.column_stack(km), np.column_stack(hours), np.column_stack(local)
    )
    return PooledDemand(demand, net, members)
