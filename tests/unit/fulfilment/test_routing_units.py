"""Routing building blocks without the solver: screening reasons, sweep clusters, fleet shares, sortie slots."""

from __future__ import annotations

import pytest

from wujie.fulfilment.errors import InvalidParams, UnassignedReason
from wujie.fulfilment.routing import (
    Depot,
    Parcel,
    VehicleKind,
    VehicleSpec,
    apportion,
    courier,
    drone,
    sweep_clusters,
    van,
)
from wujie.fulfilment.routing.feasibility import screen, unserved_reason
from wujie.fulfilment.routing.subproblem import slot_windows

DEPOT = Depot("d", 30.0, 120.0, opens_min=480, closes_min=1200)


def test_screen_explains_the_most_specific_failure() -> None:
    light, heavy = Parcel("l", 30.0, 120.0, 5.0), Parcel("h", 30.0, 120.0, 50.0)
    assert screen([drone()], DEPOT, light, 5.0, road_factor=1.3, max_km=150) is None
    assert screen([drone()], DEPOT, heavy, 5.0, road_factor=1.3, max_km=150)[0] is UnassignedReason.TOO_HEAVY
    assert screen([drone()], DEPOT, light, 10.5, road_factor=1.3, max_km=150)[0] is UnassignedReason.OUT_OF_RANGE
    assert screen([van()], DEPOT, light, 200.0, road_factor=1.3, max_km=150)[0] is UnassignedReason.OUT_OF_RANGE
    # a courier at 15 km/h cannot ride 2 x 1.3 x 70 km within 8 hours; a van at 30 km/h can
    assert unserved_reason(courier(), DEPOT, light, 70.0, 1.3) is UnassignedReason.OUT_OF_RANGE
    assert screen([courier(), van()], DEPOT, light, 70.0, road_factor=1.3, max_km=150) is None
    early = Parcel("e", 30.0, 120.0, 1.0, due_min=485)
    verdict = screen([van()], DEPOT, early, 5.0, road_factor=1.3, max_km=150)
    assert verdict is not None and verdict[0] is UnassignedReason.TIME_WINDOW_UNREACHABLE
    assert screen([], DEPOT, light, 1.0, road_factor=1.3, max_km=150)[0] is UnassignedReason.FLEET_EXHAUSTED


def test_apportion_keeps_the_total_and_follows_the_sizes() -> None:
    assert apportion(10, [50, 30, 20]) == [5, 3, 2]
    assert apportion(2, [10, 10, 10]) == [1, 1, 0]
    assert apportion(7, [1, 1, 1, 1]) == [2, 2, 2, 1]
    assert apportion(3, []) == []
    assert sum(apportion(13, [7, 11, 2, 9])) == 13


def test_sweep_clusters_are_balanced_wedges() -> None:
    # 4 parcels east of the depot, 4 north, 4 west: three wedges of four
    east = [Parcel(f"e{i}", 30.0 + 0.001 * i, 120.1, 1.0) for i in range(4)]
    north = [Parcel(f"n{i}", 30.1, 120.0 + 0.001 * i, 1.0) for i in range(4)]
    west = [Parcel(f"w{i}", 30.0 + 0.001 * i, 119.9, 1.0) for i in range(4)]
    clusters = sweep_clusters(DEPOT, east + north + west, max_size=4)
    assert sorted(sorted(p.id[0] for p in c) for c in clusters) == [["e"] * 4, ["n"] * 4, ["w"] * 4]
    assert sweep_clusters(DEPOT, [], 5) == []


def test_drone_sorties_fit_back_to_back_slots_in_the_shift() -> None:
    slots = slot_windows(drone(), DEPOT)
    assert slots[:2] == [(480.0, 525.0), (525.0, 570.0)]
    assert len(slots) == 10  # 480 minutes / 45-minute slots
    assert slots[-1][1] <= DEPOT.closes_min


def test_vehicle_presets_and_validation() -> None:
    assert drone().speed_kmh == pytest.approx(30.0)
    assert drone().capacity_kg == 10.0 and drone().trip_range_km == 20.0 and drone().trip_max_min == 40.0
    assert van(3).count_at("any") == 3
    spec = VehicleSpec(VehicleKind.VAN, 2, 500.0, 30.0, depot_counts={"big": 9})
    assert spec.count_at("big") == 9 and spec.count_at("small") == 2
    with pytest.raises(InvalidParams):
        VehicleSpec(VehicleKind.DRONE, 1, 10.0, 30.0, trip_range_km=20.0)  # range per sortie needs single drops
