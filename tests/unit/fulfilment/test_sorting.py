"""Sorting centre: chutes, and the backlog simulation on workloads with known answers."""

from __future__ import annotations

import pytest

from wujie.fulfilment.errors import InvalidFulfilmentInput, InvalidParams
from wujie.fulfilment.sorting import (
    InboundParcel,
    SortingParams,
    assign_chutes,
    post_midnight_arrivals,
    simulate_backlog,
)


def test_assign_chutes_gives_spare_chutes_to_the_busiest_destinations() -> None:
    plan = assign_chutes({"BJ": 600, "SH": 300, "GZ": 100}, chutes=5)
    assert plan == {"BJ": (0, 1), "SH": (2, 3), "GZ": (4,)}  # loads 300, 300, 150, 150, 100
    assert assign_chutes({"BJ": 600, "SH": 100}, chutes=4) == {"BJ": (0, 1, 2), "SH": (3,)}


def test_assign_chutes_shares_chutes_largest_first_when_too_few() -> None:
    plan = assign_chutes({"A": 50, "B": 40, "C": 30, "D": 20, "E": 10}, chutes=2)
    assert plan == {"A": (0,), "B": (1,), "C": (1,), "D": (0,), "E": (0,)}


def test_midnight_backlog_on_two_machines_clears_in_exactly_one_hour() -> None:
    parcels = [InboundParcel(f"p{i}", "SH" if i % 2 else "BJ", 0.0) for i in range(8000)]
    result = simulate_backlog(parcels, SortingParams(machines=2, rate_per_hour=4000, chutes=4))
    assert result.last_sorted_min == pytest.approx(60.0)
    assert result.clear_min == pytest.approx(60.0 - 60.0 / 4000)  # the last waiting parcel is inducted
    assert [(h.arrived, h.sorted, h.queue_at_end) for h in result.hours] == [(8000, 8000, 0)]
    assert result.peak_queue == 8000 - 2
    assert result.hours[0].utilisation == pytest.approx(1.0)
    assert result.chute_loads == {0: 2000, 1: 2000, 2: 2000, 3: 2000}
    assert [(w.departs_min, w.parcels) for w in result.waves] == [(60.0, 8000)]


def test_throughput_is_capped_by_the_machines_and_the_queue_drains() -> None:
    # 10,000 at midnight, one 4,000/h machine: 4,000 an hour; at 01:00 parcel 4,001 is on the machine
    parcels = [InboundParcel(f"p{i}", "D", 0.0) for i in range(10_000)]
    result = simulate_backlog(parcels, SortingParams(machines=1, wave_minutes=30))
    assert [h.sorted for h in result.hours] == [4000, 4000, 2000]
    assert [h.queue_at_end for h in result.hours] == [5999, 1999, 0]
    assert result.last_sorted_min == pytest.approx(150.0)
    assert [w.parcels for w in result.waves] == [2000] * 5
    assert result.parcel_wave_min["p0"] == 30.0


def test_parcels_arriving_to_idle_machines_never_wait() -> None:
    parcels = [InboundParcel(f"p{i}", "D", float(i)) for i in range(100)]  # one a minute, 0.015 min each
    result = simulate_backlog(parcels, SortingParams(machines=1))
    assert result.clear_min == 0.0
    assert result.peak_queue == 0
    assert result.mean_wait_min == 0.0


def test_service_noise_is_seeded() -> None:
    parcels = post_midnight_arrivals(3000, 10, arrival_hours=2.0, seed=3)
    a = simulate_backlog(parcels, SortingParams(machines=1, service_cv=0.5, seed=7))
    b = simulate_backlog(parcels, SortingParams(machines=1, service_cv=0.5, seed=7))
    c = simulate_backlog(parcels, SortingParams(machines=1, service_cv=0.5, seed=8))
    assert a.summary() == b.summary()
    assert a.last_sorted_min != c.last_sorted_min


def test_post_midnight_workload_shape() -> None:
    parcels = post_midnight_arrivals(10_000, 20, arrival_hours=4.0, backlog_share=0.25, seed=1)
    assert len(parcels) == 10_000
    assert sum(p.arrival_min == 0.0 for p in parcels) == 2500
    assert max(p.arrival_min for p in parcels) <= 240.0
    first_hour = sum(0 < p.arrival_min < 60 for p in parcels)
    last_hour = sum(p.arrival_min >= 180 for p in parcels)
    assert first_hour > 3 * last_hour  # the rate decays after midnight
    assert parcels == post_midnight_arrivals(10_000, 20, arrival_hours=4.0, backlog_share=0.25, seed=1)


def test_bad_input() -> None:
    with pytest.raises(InvalidParams):
        SortingParams(machines=0)
    with pytest.raises(InvalidParams):
        SortingParams(rate_per_hour=-1)
    with pytest.raises(InvalidFulfilmentInput):
        InboundParcel("p", "D", -1.0)
    with pytest.raises(InvalidFulfilmentInput):
        simulate_backlog([])
    with pytest.raises(InvalidFulfilmentInput):
        simulate_backlog([InboundParcel("p", "D", 0.0), InboundParcel("p", "D", 1.0)])


def test_sorting_in_batches_continues_where_the_machines_left_off() -> None:
    from wujie.fulfilment.sorting import sort_batch

    parcels = post_midnight_arrivals(3_000, destinations=5, seed=4)
    params = SortingParams(machines=3, rate_per_hour=4000, wave_minutes=30)
    whole = simulate_backlog(parcels, params)
    arrivals = [p.arrival_min for p in parcels]  # already in arrival order
    free: tuple[float, ...] | None = None
    waves: list[float] = []
    for lo in range(0, 3_000, 700):
        batch = sort_batch(arrivals[lo : lo + 700], params, free)
        free = batch.machines_free_min
        waves += batch.wave_min.tolist()
    assert waves == [whole.parcel_wave_min[p.id] for p in parcels]
    assert max(free or ()) == pytest.approx(whole.last_sorted_min)
    one = sort_batch([0.0, 0.0, 0.0, 0.0], SortingParams(machines=2, rate_per_hour=60, wave_minutes=1))
    assert one.end_min.tolist() == [1.0, 1.0, 2.0, 2.0] and one.machines_free_min == (2.0, 2.0)
    with pytest.raises(InvalidFulfilmentInput):
        sort_batch([5.0, 1.0], params)
