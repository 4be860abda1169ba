"""Invariants as properties: allocation never oversells and accounts for every order; the sorting
simulation conserves parcels; fleet shares keep their total."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from wujie.fulfilment.allocation import LocationKind, Order, OrderLine, StockLocation, allocate_orders
from wujie.fulfilment.routing import apportion
from wujie.fulfilment.sorting import InboundParcel, SortingParams, simulate_backlog

SKUS = ["a", "b", "c", "d"]

stock = st.dictionaries(st.sampled_from(SKUS), st.integers(0, 5), max_size=4)
location = st.builds(
    StockLocation,
    id=st.uuids().map(str),
    lat=st.floats(30.0, 30.2),
    lon=st.floats(120.0, 120.2),
    kind=st.sampled_from(list(LocationKind)),
    stock=stock,
)
line = st.builds(OrderLine, sku=st.sampled_from(SKUS), qty=st.integers(1, 3), unit_weight_kg=st.floats(0.1, 5.0))
order = st.builds(
    Order,
    id=st.uuids().map(str),
    lat=st.floats(30.0, 30.2),
    lon=st.floats(120.0, 120.2),
    lines=st.lists(line, min_size=1, max_size=3, unique_by=lambda x: x.sku).map(tuple),
)


@settings(max_examples=60, deadline=None)
@given(
    locations=st.lists(location, min_size=1, max_size=5, unique_by=lambda x: x.id),
    orders=st.lists(order, max_size=12, unique_by=lambda x: x.id),
    policy=st.sampled_from(["nearest", "fewest_splits", "cost_optimal"]),
)
def test_allocation_never_oversells_and_accounts_for_every_order(
    locations: list[StockLocation], orders: list[Order], policy: str
) -> None:
    result = allocate_orders(locations, orders, policy)
    shipped: dict[tuple[str, str], int] = {}
    for shipment in result.shipments:
        for sku, qty in shipment.lines:
            shipped[(shipment.location_id, sku)] = shipped.get((shipment.location_id, sku), 0) + qty
    held = {(loc.id, sku): units for loc in locations for sku, units in loc.stock.items()}
    assert all(qty <= held.get(key, 0) for key, qty in shipped.items())
    allocated = {s.order_id for s in result.shipments}
    assert allocated.isdisjoint(u.order_id for u in result.unallocated)
    assert allocated | {u.order_id for u in result.unallocated} == {o.id for o in orders}
    for o in orders:  # whole orders only: every line of an allocated order ships exactly once
        if o.id in allocated:
            lines = sorted(x for s in result.shipments if s.order_id == o.id for x in s.lines)
            assert lines == sorted((ln.sku, ln.qty) for ln in o.lines)


@settings(max_examples=40, deadline=None)
@given(
    arrivals=st.lists(st.floats(0.0, 300.0), min_size=1, max_size=300),
    machines=st.integers(1, 4),
    rate=st.floats(100.0, 5000.0),
)
def test_sorting_conserves_parcels_and_queues_are_never_negative(
    arrivals: list[float], machines: int, rate: float
) -> None:
    parcels = [InboundParcel(f"p{i}", f"D{i % 7}", t) for i, t in enumerate(arrivals)]
    result = simulate_backlog(parcels, SortingParams(machines=machines, rate_per_hour=rate, chutes=5))
    assert sum(h.arrived for h in result.hours) == len(parcels)
    assert sum(h.sorted for h in result.hours) == len(parcels)
    assert all(h.queue_at_end >= 0 and 0 <= h.utilisation <= 1 + 1e-9 for h in result.hours)
    assert sum(w.parcels for w in result.waves) == len(parcels)
    assert sum(result.chute_loads.values()) == len(parcels)
    assert result.clear_min <= result.last_sorted_min
    assert result.last_sorted_min >= max(arrivals) + 60 / rate - 1e-6


@given(total=st.integers(0, 500), sizes=st.lists(st.integers(0, 1000), max_size=30))
def test_apportion_keeps_the_total(total: int, sizes: list[int]) -> None:
    shares = apportion(total, sizes)
    assert len(shares) == len(sizes)
    assert sum(shares) == (total if sum(sizes) > 0 else 0)
    assert all(s >= 0 for s in shares)
