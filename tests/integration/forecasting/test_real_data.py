"""A real-data slice: the 20 best-selling UCI Online Retail products, 14 days held out."""

from __future__ import annotations

import math

from tests.conftest import require_shared_data

from wujie.forecasting.datasets import load_uci_online_retail
from wujie.forecasting.evaluation import evaluate_holdout
from wujie.forecasting.params import ForecasterParams


def test_uci_slice_evaluates_every_model() -> None:
    root = require_shared_data("retail/uci-online-retail").parent
    data = load_uci_online_retail(root, top_n=20)
    params = ForecasterParams(models=("seasonal_naive", "autoets", "theta"), max_horizon=14)
    result = evaluate_holdout(data.frame, 14, params, dataset=data.name, revenue=data.revenue)
    summary = result.summary
    # one of the 20 products was first sold inside the held-out fortnight: no history to fit
    assert summary["n_series"] == 19
    assert summary["horizon"] == 14
    assert set(summary["models"]) == {"seasonal_naive", "autoets", "theta"}
    for metrics in summary["models"].values():
        assert set(metrics) == {"rmsse", "wrmsse", "mase", "bias", "pinball", "coverage_80"}
        assert all(math.isfinite(v) for v in metrics.values())
    assert len(result.test) == 19 * 14
    # on this retailer, smoothing beats repeating last week
    assert summary["models"]["autoets"]["rmsse"] < summary["models"]["seasonal_naive"]["rmsse"]


def test_batched_holt_winters_is_as_accurate_as_statsforecast_autoets_on_real_data() -> None:
    root = require_shared_data("retail/uci-online-retail").parent
    data = load_uci_online_retail(root, top_n=60)
    params = ForecasterParams(models=("autoets", "holt_winters"), max_horizon=28)
    summary = evaluate_holdout(data.frame, 28, params, dataset=data.name, revenue=data.revenue).summary
    ours, theirs = summary["models"]["holt_winters"], summary["models"]["autoets"]
    # the same ETS(A,N,A) model, fitted without optimising the starting states: within 5%
    assert ours["rmsse"] < 1.05 * theirs["rmsse"]
    assert ours["wrmsse"] < 1.05 * theirs["wrmsse"]
    assert abs(ours["coverage_80"] - theirs["coverage_80"]) < 0.05
