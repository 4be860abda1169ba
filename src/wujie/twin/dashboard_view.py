"""What the live dashboard needs to know about a twin scenario (brands, heritage flags, regions)."""

from __future__ import annotations

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
