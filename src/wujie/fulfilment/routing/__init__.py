"""Routing: an adapter over PyVRP for vans, e-bike couriers and drones, and VRPLIB instances."""

from wujie.fulfilment.routing.model import (
    Depot,
    Parcel,
    RoutePlan,
    RoutingParams,
    RoutingPlan,
    SlaOutcome,
    Stop,
    Unassigned,
    VehicleKind,
    VehicleSpec,
    courier,
    drone,
    van,
)
from wujie.fulfilment.routing.planner import apportion, plan_routes, sweep_clusters

__all__ = [
    "Depot",
    "Parcel",
    "RoutePlan",
    "RoutingParams",
    "RoutingPlan",
    "SlaOutcome",
    "Stop",
    "Unassigned",
    "VehicleKind",
    "VehicleSpec",
    "apportion",
    "courier",
    "drone",
    "plan_routes",
    "sweep_clusters",
    "van",
]
