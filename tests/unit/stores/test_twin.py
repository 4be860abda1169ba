"""The store twin: deterministic runs, and analytics that recover its ground truth exactly on small days."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from wujie.stores.analysis import StoreReport, analyze
from wujie.stores.default_layout import default_layout
from wujie.stores.errors import ParamsInvalid
from wujie.stores.layout import StoreLayout
from wujie.stores.layout_io import layout_from_dict, layout_to_dict
from wujie.stores.simulation.accuracy import score
from wujie.stores.simulation.params import TwinParams
from wujie.stores.simulation.run import TwinRun, run_twin
from wujie.stores.simulation.sensors import observe, with_noise
from wujie.stores.simulation.truth import Truth, ground_truth

PARAMS = TwinParams(shoppers=400, seed=11, tailgaters=0.03)


def _scarce_layout() -> StoreLayout:
    """The default store with little stock, so shelves run low (and empty) during a small day."""
    document = layout_to_dict(default_layout())
    for row in document["planogram"]:
        row.update(stock=25, reorder_at=8)
    return layout_from_dict(json.loads(json.dumps(document)))


@pytest.fixture(scope="module")
def day() -> tuple[StoreLayout, TwinRun, Truth]:
    layout = _scarce_layout()
    run = run_twin(layout, PARAMS)
    return layout, run, ground_truth(run)


@pytest.fixture(scope="module")
def clean_report(day: tuple[StoreLayout, TwinRun, Truth]) -> StoreReport:
    layout, run, _ = day
    return analyze(observe(run, PARAMS.clean()), layout)


@pytest.fixture(scope="module")
def noisy_report(day: tuple[StoreLayout, TwinRun, Truth]) -> StoreReport:
    layout, run, _ = day
    return analyze(observe(run), layout)


def test_same_seed_same_day() -> None:
    layout = default_layout()
    params = TwinParams(shoppers=40, seed=3)
    first, second = observe(run_twin(layout, params)), observe(run_twin(layout, params))
    for kind in ("gates", "tracks", "shelf", "rfid", "tags"):
        assert first.table(kind).equals(second.table(kind)), kind
    other = observe(run_twin(layout, replace(params, seed=4)))
    assert not first.tracks.equals(other.tracks)


def test_the_day_is_realistic(day: tuple[StoreLayout, TwinRun, Truth]) -> None:
    _, run, truth = day
    visits = sorted(s.pass_s - s.entry_s for s in run.shoppers)
    assert 60 < visits[len(visits) // 2] < 600  # a few minutes in a convenience store
    picks = sum(1 for a in run.actions if a.pick)
    assert 3 < picks / PARAMS.shoppers < 10
    assert 0.05 < sum(1 for a in run.actions if not a.pick) / picks < 0.3
    assert len(truth.stock_alerts) > 0
    assert len(truth.unpaid_tags) > 0


def test_clean_data_recovers_the_truth_exactly(
    clean_report: StoreReport, day: tuple[StoreLayout, TwinRun, Truth]
) -> None:
    _, _, truth = day
    result = score(clean_report, truth)
    assert result["conversion_error_points"] == 0.0
    assert result["basket_accuracy"]["accuracy"] == 1.0
    assert result["basket_accuracy"]["correct"] == result["basket_accuracy"]["true_baskets"]
    assert result["unpaid_recall"] == 1.0
    assert result["unpaid_precision"] == 1.0
    assert result["restock_alerts"]["same_product_and_time"] == result["restock_alerts"]["true"] > 0
    assert result["restock_alerts"]["raised"] == result["restock_alerts"]["true"]
    assert result["heatmap_correlation"] >= 0.999
    assert result["dwell_median_max_rel_error"] <= 0.05
    assert result["queue_correlation"] >= 0.99
    assert result["flows_agreement"] >= 0.97
    assert clean_report.quality["rfid"]["duplicates"] == 0
    assert clean_report.checkout.summary()["flagged_tags"] == len(truth.unpaid_tags)


def test_noisy_sensors_still_meet_the_targets(
    noisy_report: StoreReport, day: tuple[StoreLayout, TwinRun, Truth]
) -> None:
    _, _, truth = day
    result = score(noisy_report, truth)
    assert result["conversion_error_points"] <= 2.0
    assert result["basket_accuracy"]["accuracy"] >= 0.99
    assert result["heatmap_correlation"] >= 0.95
    assert result["dwell_median_max_rel_error"] <= 0.05
    assert result["unpaid_precision"] == 1.0
    assert result["unpaid_units"]["matched"] == result["unpaid_units"]["true"]


def test_a_blind_exit_reader_loses_the_tags_but_not_the_baskets(day: tuple[StoreLayout, TwinRun, Truth]) -> None:
    layout, run, truth = day
    blind = analyze(observe(run, with_noise(PARAMS, 0.0, 1.0, 0.0)), layout)
    result = score(blind, truth)
    assert blind.quality["rfid"]["rows"] == 0
    assert result["basket_accuracy"]["accuracy"] == 1.0
    assert result["unpaid_tags_flagged"] == 0
    assert result["unpaid_units"]["matched"] == result["unpaid_units"]["true"]


@pytest.mark.parametrize(
    "change",
    [
        {"shoppers": 0},
        {"put_back_rate": 1.5},
        {"speed_range": (1.2, 0.8)},
        {"service_range_s": (0.5, 1.0)},
        {"track_hz": 100.0},
        {"jitter_m": -0.1},
    ],
)
def test_params_are_validated(change: dict[str, object]) -> None:
    with pytest.raises(ParamsInvalid):
        replace(PARAMS, **change)  # type: ignore[arg-type]
