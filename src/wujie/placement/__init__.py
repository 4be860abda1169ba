"""Forward deployment of stock before a sale, its baselines and simulation, and replenishment."""

from wujie.placement.deployment import PlacementParams, PlacementPlan, plan_placement
from wujie.placement.errors import PlacementError, PlacementErrorCode, PlacementInfeasible
from wujie.placement.network import Network, Region, Warehouse, build_network

__all__ = [
    "Network",
    "PlacementError",
    "PlacementErrorCode",
    "PlacementInfeasible",
    "PlacementParams",
    "PlacementPlan",
    "Region",
    "Warehouse",
    "build_network",
    "plan_placement",
]
