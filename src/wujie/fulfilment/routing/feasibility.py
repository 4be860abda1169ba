"""Can a vehicle spec serve a parcel from a depot at all? The screen applied before the solver runs."""

from __future__ import annotations

from wujie.fulfilment.errors import UnassignedReason
from wujie.fulfilment.routing.model import Depot, Parcel, VehicleSpec


def trip_km(spec: VehicleSpec, straight_km: float, road_factor: float) -> float:
    """Return the one-way distance ``spec`` travels to cover ``straight_km`` of straight line.

    Parameters
    ----------
    spec
        The vehicle; drones fly straight, road vehicles pay the road factor.
    straight_km
        Great-circle distance.
    road_factor
        Road over straight-line distance.
    """
    return straight_km if spec.straight_line else straight_km * road_factor


def unserved_reason(
    spec: VehicleSpec, depot: Depot, parcel: Parcel, straight_km: float, road_factor: float
) -> UnassignedReason | None:
    """Return why ``spec`` cannot deliver ``parcel`` from ``depot`` on an out-and-back trip, or ``None``.

    The checks run from the most basic to the most specific: weight, then range and shift,
    then the parcel's time window.

    Parameters
    ----------
    spec, depot, parcel
        The vehicle class, where it starts and what it must deliver.
    straight_km
        Great-circle distance from the depot to the parcel.
    road_factor
        Road over straight-line distance.

    Returns
    -------
    UnassignedReason or None
        ``None`` when an out-and-back trip is feasible.
    """
    if parcel.weight_kg > spec.capacity_kg:
        return UnassignedReason.TOO_HEAVY
    one_way_km = trip_km(spec, straight_km, road_factor)
    one_way_min = one_way_km / spec.speed_kmh * 60.0
    round_trip_min = 2 * one_way_min + parcel.service_min
    if spec.trip_range_km is not None and 2 * one_way_km > spec.trip_range_km:
        return UnassignedReason.OUT_OF_RANGE
    if spec.trip_max_min is not None and 2 * one_way_min > spec.trip_max_min:
        return UnassignedReason.OUT_OF_RANGE
    if round_trip_min > spec.shift_min or depot.opens_min + round_trip_min > depot.closes_min:
        return UnassignedReason.OUT_OF_RANGE
    arrival = max(depot.opens_min + one_way_min, parcel.ready_min)
    if arrival > parcel.due_min or arrival + parcel.service_min + one_way_min > depot.closes_min:
        return UnassignedReason.TIME_WINDOW_UNREACHABLE
    return None


_SEVERITY = (
    UnassignedReason.TOO_HEAVY,
    UnassignedReason.OUT_OF_RANGE,
    UnassignedReason.TIME_WINDOW_UNREACHABLE,
)


def screen(
    specs: list[VehicleSpec], depot: Depot, parcel: Parcel, straight_km: float, *, road_factor: float, max_km: float
) -> tuple[UnassignedReason, str] | None:
    """Return the reason no spec at ``depot`` can serve ``parcel`` (with a detail), or ``None``.

    Parameters
    ----------
    specs
        The vehicle specs present at the depot (count > 0).
    depot, parcel
        Where from and what.
    straight_km
        Great-circle distance from the depot to the parcel.
    road_factor
        Road over straight-line distance.
    max_km
        Parcels farther than this from their depot are out of range whatever the fleet.
    """
    if straight_km > max_km:
        return UnassignedReason.OUT_OF_RANGE, f"{straight_km:.1f} km from depot {depot.id} (limit {max_km:g} km)"
    if not specs:
        return UnassignedReason.FLEET_EXHAUSTED, f"no vehicle at depot {depot.id}"
    reasons = [unserved_reason(s, depot, parcel, straight_km, road_factor) for s in specs]
    if any(r is None for r in reasons):
        return None
    # the reason of the vehicle that got furthest through the checks explains best
    worst = max((r for r in reasons if r is not None), key=_SEVERITY.index)
    details = {
        UnassignedReason.TOO_HEAVY: f"{parcel.weight_kg:g} kg exceeds every vehicle's capacity",
        UnassignedReason.OUT_OF_RANGE: f"{straight_km:.1f} km from depot {depot.id}: beyond every vehicle's reach",
        UnassignedReason.TIME_WINDOW_UNREACHABLE: (
            f"window [{parcel.ready_min:g}, {parcel.due_min:g}] min cannot be reached from depot {depot.id}"
        ),
    }
    return worst, details[worst]
