"""Small mechanisms of the twin, against hand-computed answers."""

from __future__ import annotations

import numpy as np
import pytest

from wujie.twin.assortment import shop_price
from wujie.twin.behaviour import SECONDS_PER_DAY, arrivals_per_second
from wujie.twin.logistics import Network
from wujie.twin.positioning import fallback_positioning
from wujie.twin.sale import plan_ticks
from wujie.twin.scenario import TwinConfig, build_scenario
from wujie.twin.shoppers import _merge_duplicates


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


def test_sorting_queue_is_first_in_first_out_per_site(network: Network) -> None:
    site = np.array([0, 0, 1, 0, 1])
    ready = np.array([0.0, 0.0, 10.0, 100.0, 10.0])
    out = network._sort(site, ready)
    s0, s1 = network.service_s[0], network.service_s[1]
    expected = [s0, 2 * s0, 10 + s1, max(100.0, 2 * s0) + s0, 10 + 2 * s1]
    assert out.tolist() == pytest.approx(expected)
    again = network._sort(np.array([0]), np.array([0.0]))  # the queue remembers when it is free
    assert again.tolist() == pytest.approx([expected[3] + s0])


def test_vans_leave_at_the_next_wave(network: Network) -> None:
    day, when = network._next_wave(np.array([0.0, 9 * 3600.0, 9 * 3600.0 + 1, 20 * 3600.0]))
    assert (when / 3600).tolist() == [9.0, 9.0, 14.0, 24 + 9.0]
    assert day.tolist() == [0, 0, 1, 3]
