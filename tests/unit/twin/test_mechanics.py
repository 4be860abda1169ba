"""Small mechanisms of the twin, against hand-computed answers."""

from __future__ import annotations

import numpy as np
import pytest

from wujie.fulfilment.sorting import sort_batch
from wujie.twin.assortment import shop_price
from wujie.twin.behaviour import SECONDS_PER_DAY, arrivals_per_second
from wujie.twin.delivery import LastMile, Round, sweep
from wujie.twin.logistics import Network
from wujie.twin.positioning import fallback_positioning
from wujie.twin.sale import plan_ticks
from wujie.twin.scenario import TwinConfig, build_scenario
from wujie.twin.shoppers import _merge_duplicates
from wujie.twin.sorting_stage import SortingStage, default_centres


def test_shop_prices_are_round_figures() -> None:
    assert shop_price(np.array([1234.0, 29.3, 3.4, 13456.0]), 2).tolist() == [119000, 2890, 339, 1290000]
    assert shop_price(np.array([13456.0]), 0).tolist() == [12900]


def test_ticks_cover_every_second_once_and_shrink_in_the_rush() -> None:
    arrivals = arrivals_per_second(np.random.default_rng(1), 200_000)
    ticks = plan_ticks(arrivals, 600, SECONDS_PER_DAY + 900, target=48)
    covered = [t for start, length in ticks for t in range(start, start + length)]
    assert covered == list(range(-600, SECONDS_PER_DAY + 900))
    assert all(start % length == 0 for start, length in ticks if start >= 0)  # ticks divide the minute
    first = dict(ticks)
    assert first[0] == 1 and first[4 * 3600] == 60  # one-second ticks at midnight, minutes at 4 am


def test_merge_duplicates_adds_quantities() -> None:
    basket = _merge_duplicates(
        np.array([7, 8]), np.array([3, 1]), np.array([5, 2, 5, 9]), np.array([1, 1, 2, 1]), n_skus=10
    )
    assert basket.nlines.tolist() == [2, 1]
    assert basket.sku.tolist() == [2, 5, 9]
    assert basket.qty.tolist() == [1, 3, 1]


@pytest.fixture(scope="module")
def network() -> Network:
    scenario = build_scenario(TwinConfig(orders=2_000, skus=100, customers=500))
    return Network(scenario, fallback_positioning(scenario).stock, allocator="fast")


def test_sorting_stage_feeds_the_library_in_clock_order_and_matches_one_call() -> None:
    kinds = ["dc", "forward"]
    centres = default_centres()
    stage = SortingStage(kinds, centres)
    rng = np.random.default_rng(3)
    ready = np.sort(rng.uniform(0, 4 * 3600.0, size=3_000))
    site = rng.integers(0, 2, size=3_000)
    for lo in range(0, 3_000, 500):  # parcels arrive in payment order, in chunks, as the sale runs
        stage.add(ready[lo : lo + 500], np.arange(lo, min(lo + 500, 3_000)))
    got = np.full(3_000, np.nan)
    for hour in range(1, 7):
        parcel, out = stage.run(hour * 3600.0, site)
        assert (ready[parcel] <= hour * 3600.0).all() and np.isnan(got[parcel]).all()
        got[parcel] = out
    for s, kind in enumerate(kinds):
        mine = site == s
        whole = sort_batch(ready[mine] / 60.0, centres.params(kind))
        assert got[mine].tolist() == pytest.approx((whole.wave_min * 60.0).tolist())
    assert stage.summary()["parcels"] == 3_000 and not stage.waiting


def test_sweep_cuts_clusters_by_bearing() -> None:
    angle = np.linspace(0, 2 * np.pi, 600, endpoint=False)
    lat, lon = 30 + 0.05 * np.sin(angle), 120 + 0.05 * np.cos(angle)
    clusters = sweep(30.0, 120.0, lat, lon, 250)
    assert [len(c) for c in clusters] == [200, 200, 200]
    assert sorted(np.concatenate(clusters).tolist()) == list(range(600))
    for c in clusters:  # each a wedge of a third of the circle: its widest gap leaves ~2/3 of it empty
        a = np.sort(angle[c])
        widest = max(np.diff(a).max(), a[0] + 2 * np.pi - a[-1])
        assert widest == pytest.approx(2 * np.pi * 401 / 600)
    assert [len(c) for c in sweep(30.0, 120.0, lat[:9], lon[:9], 250)] == [9]


def _round(n: int, klass: int) -> Round:
    rng = np.random.default_rng(n)
    lat, lon = 30 + rng.normal(0, 0.03, n), 120 + rng.normal(0, 0.03, n)
    kg = rng.uniform(0.2, 12.0, n)
    town = klass == 3
    return Round(
        "station", 7, 30.0, 120.0, 86_400 + 9 * 3600.0, klass, np.arange(n), lat, lon, kg, 6.0, (kg <= 10) & town
    )


@pytest.mark.parametrize("klass", [1, 3])
def test_last_mile_routes_a_sampled_cluster_with_pyvrp_and_estimates_the_rest(klass: int) -> None:
    r = _round(40, klass)
    routed = LastMile(seed=1, share=[1.0] * 5, iterations=100, van_parcels=120, town_population=300_000)
    arrive = routed.deliver(r)
    again = LastMile(seed=1, share=[1.0] * 5, iterations=100, van_parcels=120, town_population=300_000).deliver(r)
    assert arrive.tolist() == again.tolist()  # an iteration count, not a time limit: same seed, same plan
    assert (arrive > r.depart_s).all() and (arrive < r.depart_s + 600 * 60.0).all()
    t = routed.tally
    assert t.routed[klass] == 40 and t.estimated.sum() == 0 and t.km_routed[klass] > 0
    assert (t.drones_routed > 0) == (klass == 3)  # drones fly only from town stations
    estimated = LastMile(seed=1, share=[0.0] * 5, iterations=100, van_parcels=120, town_population=300_000)
    estimated.deliver(r)
    assert estimated.tally.estimated[klass] == 40 and estimated.tally.km_routed.sum() == 0
    assert estimated.tally.drones_estimated == int(r.rule_drone.sum()) == (int((r.kg <= 10).sum()) if klass == 3 else 0)
    summary = routed.summary("x")
    assert summary["parcels_routed"] == 40 and summary["van_km_routed"] == pytest.approx(t.km_routed[klass], abs=0.1)


def test_vans_leave_at_the_next_wave(network: Network) -> None:
    day, when = network._next_wave(np.array([0.0, 9 * 3600.0, 9 * 3600.0 + 1, 20 * 3600.0]))
    assert (when / 3600).tolist() == [9.0, 9.0, 14.0, 24 + 9.0]
    assert day.tolist() == [0, 0, 1, 3]
