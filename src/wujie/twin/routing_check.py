"""A check of the van-km estimate: route a real delivery wave with the fulfilment library (PyVRP).

The parcels of the largest city's first van wave (up to 150) are routed from the city's delivery
station with :func:`wujie.fulfilment.routing.plan_routes`, vans only, and the solved kilometres are
set beside the twin's Beardwood-Halton-Hammersley estimate for the same round. PyVRP's search is
time-limited, so the figures depend on the machine: they sit with the wall-clock figures.
"""

from __future__ import annotations

from typing import Any

from wujie.twin.logistics import Network
from wujie.twin.scenario import Scenario


def route_sample(scenario: Scenario, network: Network, seconds: float = 2.0) -> dict[str, Any] | None:
    """Route the sampled wave; return PyVRP's summary and the estimate, or ``None`` without a sample."""
    from wujie.fulfilment.routing import Depot, Parcel, RoutingParams, plan_routes, van

    if len(network.sample) < 2:
        return None
    city = scenario.geography.cities[0]
    depot = Depot("station", city.lat, city.lon)
    parcels = [
        Parcel(f"p{i}", lat, lon, max(kg, 0.01), depot_id="station") for i, (lat, lon, kg) in enumerate(network.sample)
    ]
    vans = -(-len(parcels) // network.params.van_parcels) + 1
    params = RoutingParams(
        fleet=(van(count=vans),), seconds_per_problem=seconds, max_distance_km=200.0, seed=scenario.config.seed
    )
    plan = plan_routes([depot], parcels, params)
    estimate = network.round_km(0, len(parcels))
    solved = plan.summary()
    return {
        "city": city.name,
        "parcels": len(parcels),
        "pyvrp": solved,
        "estimate_km": round(estimate, 1),
        "pyvrp_over_estimate": round(float(solved["distance_km"]) / estimate, 3) if estimate else None,
    }
