"""Bottom-up LightGBM: children's forecasts summed to the parent, parent-level conformal intervals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from wujie.forecasting import Forecaster, ForecasterParams, LightGBMParams, NotFitted
from wujie.forecasting.bottom_up import NAME, BottomUpLightGBM
from wujie.forecasting.errors import InvalidFrame
from wujie.forecasting.evaluation import evaluate_holdout
from wujie.forecasting.global_model import conformal_quantile

SMALL = LightGBMParams(n_estimators=20, num_leaves=7, min_child_samples=5, lags=(7, 14), rolling_lags=(7,))
PARAMS = ForecasterParams(models=("lightgbm",), max_horizon=7, lightgbm=SMALL, seed=1)


def children(weeks: int = 16) -> pd.DataFrame:
    rng = np.random.default_rng(5)
    days = pd.date_range("2024-01-01", periods=7 * weeks, freq="D")
    rows = []
    for parent in ("p1", "p2"):
        for k in range(3):
            base = np.tile([1.0, 2, 3, 4, 5, 9, 12], weeks) * (k + 1)
            y = base + rng.poisson(1.0, len(days))
            rows.append(pd.DataFrame({"unique_id": f"{parent}/c{k}", "ds": days, "y": y, "parent": parent}))
    return pd.concat(rows, ignore_index=True)


def test_parent_forecast_is_the_sum_of_its_childrens_forecasts() -> None:
    bottom = children()
    out = BottomUpLightGBM(PARAMS, lightgbm=SMALL).fit(bottom).predict(7, level=[80])
    alone = Forecaster(PARAMS).fit(bottom.drop(columns=["parent"])).predict(7)
    expected = alone.assign(parent=alone["unique_id"].str[:2]).groupby(["parent", "ds"])["lightgbm"].sum()
    assert out["unique_id"].unique().tolist() == ["p1", "p2"]
    np.testing.assert_allclose(out.set_index(["unique_id", "ds"])[NAME].to_numpy(), expected.to_numpy())
    width = out[f"{NAME}-hi-80"] - out[NAME]
    assert (width > 0).all() and (out[f"{NAME}-lo-80"] <= out[NAME]).all()
    spread = width.groupby(out["unique_id"]).agg(lambda w: w.max() - w.min())
    assert (spread < 1e-9).all()  # the same half-width every step


def test_interval_is_the_conformal_quantile_of_the_summed_tail_errors() -> None:
    model = BottomUpLightGBM(PARAMS, lightgbm=SMALL).fit(children())
    assert model._forecaster is not None and model._forecaster.global_model is not None
    tail = model._forecaster.global_model.calibration_
    assert tail is not None and len(tail) == 6 * 7
    summed = tail.assign(parent=tail["unique_id"].str[:2]).groupby(["parent", "ds"])[["y", "lightgbm"]].sum()
    errors = (summed["y"] - summed["lightgbm"].clip(lower=0)).abs()
    out = model.predict(3, level=[80])
    p1 = out[out["unique_id"] == "p1"]
    expected = conformal_quantile(errors.loc["p1"].tolist(), 0.8)
    np.testing.assert_allclose((p1[f"{NAME}-hi-80"] - p1[NAME]).to_numpy(), expected)


def test_bad_bottom_frames_and_unfitted_model() -> None:
    bottom = children(4)
    with pytest.raises(InvalidFrame):
        BottomUpLightGBM(PARAMS).fit(bottom.drop(columns=["parent"]))
    mixed = bottom.copy()
    mixed.loc[mixed.index[0], "parent"] = "p2"
    with pytest.raises(InvalidFrame):
        BottomUpLightGBM(PARAMS).fit(mixed)
    with pytest.raises(NotFitted):
        BottomUpLightGBM(PARAMS).predict(3)


def test_evaluation_scores_the_bottom_up_model_on_the_parents() -> None:
    bottom = children()
    parents = bottom.groupby(["parent", "ds"], as_index=False)["y"].sum().rename(columns={"parent": "unique_id"})
    result = evaluate_holdout(parents, 7, PARAMS, bottom=bottom)
    assert set(result.summary["models"]) == {"lightgbm", NAME}
    assert result.test[NAME].notna().all() and len(result.test) == 2 * 7
