"""Routing on real coordinates through PyVRP: fleet rules, SLA outcomes and every parcel accounted for."""

from __future__ import annotations

from dataclasses import replace

import pytest

from wujie.fulfilment.errors import InvalidFulfilmentInput, InvalidParams, UnassignedReason, UnknownLocation
from wujie.fulfilment.geography import haversine_km
from wujie.fulfilment.routing import (
    Depot,
    Parcel,
    RoutingParams,
    SlaOutcome,
    VehicleKind,
    VehicleSpec,
    courier,
    drone,
    plan_routes,
    van,
)

HANGZHOU = Depot("hz", 30.2741, 120.1551, opens_min=480, closes_min=1200)
SHANGHAI = Depot("sh", 31.2304, 121.4737, opens_min=480, closes_min=1200)
FAST = 0.3


def around(depot: Depot, n: int, prefix: str, step: float = 0.01, weight: float = 1.0) -> list[Parcel]:
    return [
        Parcel(f"{prefix}{i}", depot.lat + step * ((i % 5) - 2), depot.lon + step * ((i // 5) - 1), weight)
        for i in range(n)
    ]


def test_every_parcel_is_routed_or_reported_with_its_reason() -> None:
    parcels = [
        *around(HANGZHOU, 12, "p"),
        Parcel("piano", 30.28, 120.16, 900.0),
        Parcel("beijing", 39.9042, 116.4074, 1.0),
        Parcel("too-early", 30.30, 120.20, 1.0, ready_min=0, due_min=400),
    ]
    plan = plan_routes([HANGZHOU], parcels, RoutingParams(fleet=(van(2),), seconds_per_problem=FAST))
    reasons = {u.parcel_id: u.reason for u in plan.unassigned}
    assert reasons == {
        "piano": UnassignedReason.TOO_HEAVY,
        "beijing": UnassignedReason.OUT_OF_RANGE,
        "too-early": UnassignedReason.TIME_WINDOW_UNREACHABLE,
    }
    outcomes = plan.outcomes()
    assert set(outcomes) == {p.id for p in parcels}
    assert sum(o is SlaOutcome.ON_TIME for o in outcomes.values()) == 12
    assert plan.summary()["unassigned"] == 3


def test_drones_fly_one_parcel_per_sortie_within_range_and_payload() -> None:
    near = [Parcel(f"d{i}", HANGZHOU.lat + 0.02 * (i + 1), HANGZHOU.lon, 2.0) for i in range(3)]
    far = Parcel("far", HANGZHOU.lat + 0.12, HANGZHOU.lon, 2.0)  # ~13 km: beyond a 20 km round trip
    heavy = Parcel("heavy", HANGZHOU.lat + 0.01, HANGZHOU.lon, 12.0)
    plan = plan_routes([HANGZHOU], [*near, far, heavy], RoutingParams(fleet=(drone(1),), seconds_per_problem=FAST))
    assert {u.parcel_id: u.reason for u in plan.unassigned} == {
        "far": UnassignedReason.OUT_OF_RANGE,
        "heavy": UnassignedReason.TOO_HEAVY,
    }
    (route,) = plan.routes
    assert route.vehicle == "drone"
    assert route.trips == 3
    assert sorted(s.trip for s in route.stops) == [0, 1, 2]
    # sorties leave at the start of 45-minute slots (40 min flight + 5 min swap) and fly straight at 30 km/h
    for stop in route.stops:
        parcel = next(p for p in near if p.id == stop.parcel_id)
        flight = haversine_km(HANGZHOU.lat, HANGZHOU.lon, parcel.lat, parcel.lon) / 30 * 60
        assert (stop.arrival_min - 480) % 45 == pytest.approx(flight, abs=0.02)
    assert route.distance_km == pytest.approx(
        sum(2 * haversine_km(HANGZHOU.lat, HANGZHOU.lon, p.lat, p.lon) for p in near), abs=0.01
    )


def test_a_small_fleet_runs_out_and_says_so() -> None:
    parcels = [Parcel(f"p{i}", 30.28 + 0.005 * i, 120.16, 4.0) for i in range(3)]
    fleet = (VehicleSpec(VehicleKind.VAN, count=1, capacity_kg=10.0, speed_kmh=30.0),)
    plan = plan_routes([HANGZHOU], parcels, RoutingParams(fleet=fleet, seconds_per_problem=FAST))
    assert [u.reason for u in plan.unassigned] == [UnassignedReason.FLEET_EXHAUSTED]
    assert sum(len(r.stops) for r in plan.routes) == 2
    assert all(r.load_kg <= 10.0 for r in plan.routes)


def test_couriers_reload_and_respect_capacity_per_trip() -> None:
    parcels = around(HANGZHOU, 10, "c", weight=15.0)  # 40 kg a trip: at most two parcels per trip
    plan = plan_routes([HANGZHOU], parcels, RoutingParams(fleet=(courier(1),), seconds_per_problem=FAST))
    (route,) = plan.routes
    assert len(route.stops) == 10
    per_trip: dict[int, int] = {}
    for stop in route.stops:
        per_trip[stop.trip] = per_trip.get(stop.trip, 0) + 1
    assert max(per_trip.values()) <= 2
    assert route.trips >= 5


def test_time_windows_hold_and_a_missed_promise_is_late() -> None:
    parcels = [
        Parcel("morning", 30.30, 120.17, 1.0, ready_min=480, due_min=540),
        Parcel("evening", 30.25, 120.13, 1.0, ready_min=1000, due_min=1100),
        Parcel("promised-early", 30.29, 120.20, 1.0, sla_due_min=485),
    ]
    plan = plan_routes([HANGZHOU], parcels, RoutingParams(fleet=(van(1),), seconds_per_problem=FAST))
    stops = {s.parcel_id: s for r in plan.routes for s in r.stops}
    assert 480 <= stops["morning"].arrival_min <= 540
    assert 1000 <= stops["evening"].arrival_min <= 1100
    assert stops["promised-early"].sla is SlaOutcome.LATE
    assert stops["morning"].sla is SlaOutcome.ON_TIME


def test_multi_depot_jointly_serves_each_city_from_its_own_depot() -> None:
    parcels = around(HANGZHOU, 6, "h") + around(SHANGHAI, 6, "s")
    params = RoutingParams(fleet=(van(1),), seconds_per_problem=FAST)
    plan = plan_routes([HANGZHOU, SHANGHAI], parcels, params)
    assert plan.subproblems == 1
    assert {r.depot_id: {s.parcel_id[0] for s in r.stops} for r in plan.routes} == {"hz": {"h"}, "sh": {"s"}}


def test_large_days_are_split_by_depot_and_cluster() -> None:
    parcels = [*around(HANGZHOU, 25, "h", step=0.004), *around(SHANGHAI, 10, "s", step=0.004)]
    params = RoutingParams(fleet=(van(3),), seconds_per_problem=0.1, max_parcels_per_problem=10)
    plan = plan_routes([HANGZHOU, SHANGHAI], parcels, params)
    assert plan.subproblems == 3 + 1
    assert plan.summary()["on_time"] == 35
    assert len({r.depot_id for r in plan.routes}) == 2


def test_pinned_parcels_leave_from_their_depot() -> None:
    xiaoshan = Depot("xs", 30.1620, 120.2640, opens_min=480, closes_min=1200)  # ~16 km from Hangzhou's depot
    parcels = [
        Parcel("pinned", HANGZHOU.lat + 0.005, HANGZHOU.lon, 1.0, depot_id="xs"),
        Parcel("free", HANGZHOU.lat - 0.005, HANGZHOU.lon, 1.0),
    ]
    plan = plan_routes([HANGZHOU, xiaoshan], parcels, RoutingParams(fleet=(van(1),), seconds_per_problem=FAST))
    assert {r.depot_id: [s.parcel_id for s in r.stops] for r in plan.routes} == {"xs": ["pinned"], "hz": ["free"]}
    with pytest.raises(UnknownLocation):
        plan_routes([HANGZHOU], [Parcel("q", 30.0, 120.0, 1.0, depot_id="bj")])


def test_bad_input_is_refused() -> None:
    with pytest.raises(InvalidFulfilmentInput):
        Parcel("p", 30.0, 120.0, 1.0, ready_min=600, due_min=500)
    with pytest.raises(InvalidFulfilmentInput):
        Parcel("p", 30.0, 120.0, 0.0)
    with pytest.raises(InvalidFulfilmentInput):
        Parcel("p", float("nan"), 120.0, 1.0)
    with pytest.raises(InvalidParams):
        RoutingParams(fleet=())
    with pytest.raises(InvalidParams):
        VehicleSpec(VehicleKind.VAN, count=1, capacity_kg=-1.0, speed_kmh=30.0)
    with pytest.raises(InvalidFulfilmentInput):
        plan_routes([], [])
    with pytest.raises(InvalidFulfilmentInput):
        plan_routes([HANGZHOU], [Parcel("p", 30.0, 120.0, 1.0), Parcel("p", 30.1, 120.0, 1.0)])


def test_parallel_workers_and_a_budget_plan_every_cluster() -> None:
    parcels = around(HANGZHOU, 24, "h", step=0.004)
    params = RoutingParams(fleet=(van(4),), max_parcels_per_problem=6, workers=2, time_budget_s=4.0)
    plan = plan_routes([HANGZHOU], parcels, params)
    assert plan.subproblems == 4
    assert plan.summary()["on_time"] == 24
    assert sorted(s.parcel_id for r in plan.routes for s in r.stops) == sorted(p.id for p in parcels)


def test_joint_depots_let_a_parcel_use_the_only_depot_whose_drone_reaches_it() -> None:
    xiaoshan = Depot("xs", 30.1620, 120.2640, opens_min=480, closes_min=1200)
    near_xs = Parcel("near-xs", 30.1700, 120.2700, 1.0)  # ~1 km from Xiaoshan, ~16 km from Hangzhou's depot
    fleet = (replace(drone(1), depot_counts={"hz": 1, "xs": 0}),)
    plan = plan_routes([HANGZHOU, xiaoshan], [near_xs], RoutingParams(fleet=fleet, seconds_per_problem=FAST))
    # Xiaoshan is nearer but has no drone; Hangzhou's drone cannot make a 32 km round trip: reported
    assert [(u.parcel_id, u.reason) for u in plan.unassigned] == [("near-xs", UnassignedReason.OUT_OF_RANGE)]
    reachable = Parcel("between", 30.2300, 120.2000, 1.0)  # ~6.5 km from Hangzhou, ~7 km from Xiaoshan
    plan = plan_routes([HANGZHOU, xiaoshan], [reachable], RoutingParams(fleet=fleet, seconds_per_problem=FAST))
    assert [(r.depot_id, r.vehicle, [s.parcel_id for s in r.stops]) for r in plan.routes] == [
        ("hz", "drone", ["between"])
    ]


def test_an_iteration_limit_makes_the_plan_independent_of_the_clock() -> None:
    parcels = around(HANGZHOU, 40, "p", step=0.02)
    params = RoutingParams(fleet=(van(2), drone(1)), iterations_per_problem=150, seconds_per_problem=0.01, seed=3)
    first, again = plan_routes([HANGZHOU], parcels, params), plan_routes([HANGZHOU], parcels, params)
    assert first.routes == again.routes and first.unassigned == again.unassigned == ()
    # a 10 ms time limit would stop far earlier; 150 iterations run whatever the time limit says
    assert sum(len(r.stops) for r in first.routes) == 40
    with pytest.raises(InvalidParams):
        RoutingParams(iterations_per_problem=0)
