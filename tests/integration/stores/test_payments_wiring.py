"""Grab-and-go charges through the payments handlers on the bus, into a SQLite double-entry ledger."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from wujie.bootstrap import SqliteUnitOfWork, bootstrap
from wujie.shared.clock import ManualClock
from wujie.stores.analysis import analyze
from wujie.stores.default_layout import default_layout
from wujie.stores.payments_ledger import BusCharger
from wujie.stores.simulation.params import TwinParams
from wujie.stores.simulation.run import run_twin
from wujie.stores.simulation.sensors import observe
from wujie.stores.simulation.truth import ground_truth


def _charger(path: Path) -> tuple[BusCharger, SqliteUnitOfWork]:
    uow = SqliteUnitOfWork(path, fee_bp=150)
    clock = ManualClock()
    return BusCharger(bootstrap(uow, clock).handle, uow.ledger.balances, clock), uow


def test_baskets_are_captured_once_in_the_ledger_even_when_analysed_twice(tmp_path: Path) -> None:
    layout = default_layout()
    run = run_twin(layout, TwinParams(shoppers=80, seed=9, tailgaters=0.05))
    events = observe(run)
    truth = ground_truth(run)
    charger, uow = _charger(tmp_path / "ledger.db")
    first = analyze(events, layout, charger=charger)
    captured = first.checkout.baskets.filter(pl.col("status") == "captured")
    expected = sum(q * layout.products[p].price_minor for p, q in truth.baskets.select("product", "qty").iter_rows())
    assert captured.height == truth.baskets.select("track").n_unique()
    assert first.ledger["customer:USD"] == -expected
    assert sum(first.ledger.values()) == 0
    assert first.ledger["platform_fee:USD"] > 0
    uow.close()
    again, uow = _charger(tmp_path / "ledger.db")  # a second analysis of the same day, new process
    second = analyze(events, layout, charger=again)
    assert second.ledger == first.ledger  # replays: nobody is charged twice
    assert second.checkout.baskets["payment"].to_list() == first.checkout.baskets["payment"].to_list()
    with uow:
        assert len(uow.ledger.entries()) == captured.height
    uow.close()
