"""The twin's report: the figures of the day, as ``report.json`` and a terminal summary.

Every figure except those under ``wall_clock`` (and the two keys named ``..._wall``) is a pure
function of the configuration and its seed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from wujie.shared.money import Money
from wujie.twin.intake import Intake
from wujie.twin.logistics import Network
from wujie.twin.positioning import Positioning
from wujie.twin.sale import COUNTDOWN_S
from wujie.twin.scenario import Scenario
from wujie.twin.tally import DELIVERY_BIN_S, Tally

#: keys whose values depend on the machine's speed, not on the seed
WALL_KEYS = ("events_per_s_wall", "wall_clock")


@dataclass(frozen=True)
class TwinReport:
    """The report of one run: ``data`` is what ``report.json`` holds."""

    data: dict[str, Any]

    def comparable(self) -> dict[str, Any]:
        """Return the report without wall-clock figures (equal for equal seeds)."""
        out = {k: v for k, v in self.data.items() if k not in WALL_KEYS}
        out["peak_orders_per_s"] = {"simulated": self.data["peak_orders_per_s"]["simulated"]}
        return out

    def write(self, path: Path) -> Path:
        """Write the report as indented JSON to ``path``; return it."""
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        return path

    @property
    def gmv_minor(self) -> int:
        """GMV (captured payments) in minor units."""
        return int(self.data["gmv"]["minor"])


def _money(minor: int, currency: str) -> dict[str, Any]:
    return {"minor": int(minor), "currency": currency, "amount": str(Money(int(minor), currency).to_decimal())}


def _share(part: int, whole: int) -> float:
    return round(part / whole, 6) if whole else 0.0


def build_report(
    scenario: Scenario,
    *,
    positioning: Positioning,
    intake: Intake,
    network: Network,
    tally: Tally,
    seconds: dict[str, float],
) -> TwinReport:
    """Assemble the report from the run's parts; ``seconds`` holds wall-clock phase durations."""
    data = _headline(scenario, intake, network, tally, seconds)
    data.update(_details(scenario, intake, network, tally))
    data["methods"] = {
        "intake": "wujie.engine (single-writer stock book, group-commit journal, ledger)",
        "forecast": positioning.forecast_method,
        "placement": positioning.placement_method,
        "allocation": network.allocation_method,
        "sorting": "wujie.fulfilment.sorting.sort_batch per site (FIFO machines, outbound waves), "
        "fed on the simulated clock",
        "van_km": "PyVRP-routed km of the sampled delivery clusters plus, for the others, the twin's "
        "Beardwood-Halton-Hammersley tour model calibrated per city class by the routed ones (see routing)",
    }
    data["routing"] = network.routing_summary()
    geo = scenario.geography
    data["scenario"] = {
        "cities": len(geo.cities),
        "regions": len(geo.regions),
        "sites": {k: sum(s.kind == k for s in geo.sites) for k in ("dc", "forward", "store")},
        "skus": len(scenario.assortment),
        "customers": len(scenario.population),
        "flash_deals": len(scenario.assortment.flash),
        "fx_assumed": scenario.assortment.fx_assumed,
        "supply_units": int(positioning.supply.sum()),
    }
    data["wall_clock"] = {k: round(v, 3) for k, v in seconds.items()}
    return TwinReport(data)


def _headline(
    scenario: Scenario, intake: Intake, network: Network, tally: Tally, seconds: dict[str, float]
) -> dict[str, Any]:
    """The figures the issue asks for, in its order."""
    cur, geo = scenario.currency, scenario.geography
    left = network.stock.sum(axis=1)
    return {
        "country": geo.country,
        "currency": cur,
        "seed": scenario.config.seed,
        "gmv": _money(intake.captured_total(), cur),
        "orders": tally.placed,
        "customers": int(tally.buyers.sum()),
        "peak_orders_per_s": {
            "simulated": int(tally.placed_per_second.max()),
            "wall_clock": tally.peak_wall_orders_per_s(),
        },
        "oversold": intake.oversold() + int(np.maximum(-network.stock, 0).sum()),
        "payment_failures": tally.payment_failures,
        "local_fulfilment_rate": _share(tally.local, tally.allocated),
        "split_shipment_rate": _share(tally.split, tally.allocated),
        "delivered_24h_share": _share(tally.within_24h, tally.allocated),
        "delivered_48h_share": _share(tally.within_48h, tally.allocated),
        "van_km": round(network.van_km(), 1),
        "drone_sorties": network.drone_sorties,
        "stock_outs": intake.sold_out(),
        "stock_left": {
            "units": int(left.sum()),
            "by_site": {s.id: int(n) for s, n in zip(geo.sites, left.tolist(), strict=True)},
        },
        "events_per_s_wall": round(tally.events / max(seconds.get("sale", 0.0), 1e-9), 1),
    }


def _details(scenario: Scenario, intake: Intake, network: Network, tally: Tally) -> dict[str, Any]:
    """Outcomes, the ledger check, and the series the charts draw."""
    cur = scenario.currency
    per_minute = tally.placed_per_second.reshape(-1, 60).sum(axis=1)
    regions = scenario.geography.regions
    return {
        "order_outcomes": {
            "attempted": tally.attempted,
            "placed": tally.placed,
            "paid": tally.paid,
            "allocated": tally.allocated,
            "delivered": tally.delivered,
            "cancelled": tally.cancelled,
            "payment_failures": tally.payment_failures,
            "expired": tally.expired,
            "refused_out_of_stock": tally.refused_out_of_stock,
            "refused_purchase_limit": tally.refused_limit,
        },
        "ledger": {
            "captured": _money(intake.captured_total(), cur),
            "paid_orders_total": _money(tally.gmv_paid, cur),
            "sums_to_zero": intake.engine.ledger_total() == 0,
        },
        "gmv_by_region": {r.id: int(v) for r, v in zip(regions, tally.gmv_by_region.tolist(), strict=True)},
        "orders_per_minute": {"first_minute": -COUNTDOWN_S // 60, "counts": per_minute.tolist()},
        "delivery_hours_histogram": {"bin_hours": DELIVERY_BIN_S / 3600, "counts": tally.delivery_hist.tolist()},
        "searches": tally.searches,
        "cart_adds": tally.cart_adds,
        "courier_trips": network.courier_trips,
        "allocation_retries": network.gathered,
        "events": tally.events,
    }
