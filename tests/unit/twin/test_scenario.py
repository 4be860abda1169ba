"""The twin's scenario: real geography, catalog, customers and history, deterministic per seed."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from wujie.shared.money import exponent
from wujie.twin.behaviour import sale_second_profile
from wujie.twin.errors import TwinError, TwinErrorCode
from wujie.twin.geography import haversine_km, load_geography
from wujie.twin.scenario import TwinConfig, build_scenario


def test_china_has_real_cities_regions_and_sites() -> None:
    geo = load_geography("cn")
    assert geo.country == "CN" and geo.currency == "CNY" and geo.timezone == "Asia/Shanghai"
    assert geo.cities[0].name == "Shanghai"
    assert geo.cities[0].population > 20_000_000
    assert len(geo.regions) == len({c.region for c in geo.cities}) >= 30
    dcs = [s for s in geo.sites if s.kind == "dc"]
    assert len(dcs) == len(geo.regions)
    stores = [s for s in geo.sites if s.kind == "store"]
    assert [s.city for s in stores[:2]] == ["Shanghai", "Beijing"]


def test_korea_uses_won_without_decimals_and_korean_names() -> None:
    scenario = build_scenario(TwinConfig(country="KR", orders=2_000, skus=200))
    assert scenario.currency == "KRW" and exponent("KRW") == 0
    assert scenario.geography.cities[0].name == "Seoul"
    assert "스마트폰" in scenario.assortment.names[0]
    assert scenario.sale_start.isoformat() == "2026-11-10T15:00:00+00:00"  # midnight in Seoul
    assert all(p % 10 == 0 for p in scenario.assortment.price_minor.tolist())  # 2,990 won, 12,900 won


def test_unknown_country_is_a_typed_error() -> None:
    with pytest.raises(TwinError) as info:
        load_geography("XX")
    assert info.value.code is TwinErrorCode.UNKNOWN_COUNTRY


def test_bad_config_is_refused() -> None:
    with pytest.raises(TwinError) as info:
        TwinConfig(orders=0, speed=-1)
    assert info.value.code is TwinErrorCode.INVALID_CONFIG
    assert "orders" in info.value.message and "speed" in info.value.message


def test_haversine_beijing_shanghai() -> None:
    assert round(float(haversine_km(39.9075, 116.39723, 31.22222, 121.45806))) == 1068


def test_same_seed_same_scenario_other_seed_differs() -> None:
    a = build_scenario(TwinConfig(orders=5_000, skus=300, seed=3))
    b = build_scenario(TwinConfig(orders=5_000, skus=300, seed=3))
    c = build_scenario(TwinConfig(orders=5_000, skus=300, seed=4))
    assert np.array_equal(a.assortment.price_minor, b.assortment.price_minor)
    assert np.array_equal(a.population.city, b.population.city)
    assert np.array_equal(a.history.units, b.history.units)
    assert not np.array_equal(a.population.city, c.population.city)


def test_customers_follow_city_population() -> None:
    scenario = build_scenario(TwinConfig(orders=400_000, skus=100))
    geo, pop = scenario.geography, scenario.population
    counts = np.bincount(pop.region, minlength=len(geo.regions)) / len(pop)
    expected = np.array([r.population for r in geo.regions], dtype=float)
    expected /= expected.sum()
    assert np.abs(counts - expected).max() < 0.005


def test_heritage_brands_and_flash_deals_exist() -> None:
    a = build_scenario(TwinConfig(orders=2_000, skus=500)).assortment
    heritage = [b for b in a.brands if b.heritage]
    assert any(b.local_name == "同仁堂" and b.founded == 1669 for b in heritage)
    assert all(d.price_minor < a.price_minor[d.sku] and d.limit in (1, 2) for d in a.flash)
    assert a.price_minor.dtype == np.int64 and (a.price_minor > 0).all()


def test_history_shows_last_years_sale_day_and_weekly_rhythm() -> None:
    scenario = build_scenario(TwinConfig(orders=100_000, skus=200))
    history = scenario.history
    daily = history.units.sum(axis=(1, 2))
    days = history.dates()
    assert days[-1] == date(2026, 11, 10)
    sale = days.index(date(2025, 11, 11))
    assert daily[sale] > 8 * daily[sale - 3]
    frame = history.frame([r.id for r in scenario.geography.regions], [c.key for c in scenario.assortment.categories])
    assert list(frame.columns) == ["unique_id", "ds", "y", "sale_day"]
    assert frame["y"].sum() == daily.sum()
    assert frame.loc[frame["ds"] == "2025-11-11", "sale_day"].eq(1.0).all()


def test_midnight_rush_dominates_the_first_hour() -> None:
    profile = sale_second_profile()
    first_hour = profile[:3600].sum()
    assert profile.sum() == pytest.approx(1.0)
    assert profile[:600].sum() / first_hour > 0.5  # most of the first hour in its first ten minutes
    assert 0.2 < first_hour < 0.4
