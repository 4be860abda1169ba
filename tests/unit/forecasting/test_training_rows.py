"""Speed work that must not change results: the trimmed feature build and the positional gap fill."""

from __future__ import annotations

import numpy as np
import pandas as pd

from wujie.forecasting import ForecasterParams, LightGBMParams
from wujie.forecasting.frames import FramePolicy, _full_grid, validate_frame
from wujie.forecasting.global_model import GlobalModel


def noisy(n_series: int, days: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frames = []
    for i in range(n_series):
        start = pd.Timestamp("2024-01-01") + pd.Timedelta(days=int(rng.integers(0, 30)))
        ds = pd.date_range(start, periods=days - int(rng.integers(0, 60)), freq="D")
        frames.append(pd.DataFrame({"unique_id": f"s{i}", "ds": ds, "y": rng.poisson(3.0, len(ds)).astype(float)}))
    return pd.concat(frames, ignore_index=True)


def test_training_matrix_from_the_trimmed_history_equals_the_full_build() -> None:
    df = noisy(5, 220, seed=1)
    params = ForecasterParams(models=("lightgbm",), max_horizon=7, lightgbm=LightGBMParams(train_periods=40))
    model = GlobalModel(params)
    model.pipeline([2024])
    x, y = model.training_matrix(df)
    reference = GlobalModel(params).pipeline([2024]).preprocess(df, static_features=[])
    reference = reference[reference.groupby("unique_id").cumcount(ascending=False) < 40]
    assert model.history_needed() == 56  # lag 56; rolling mean of 28 at lag 28 reads 55 back
    assert len(x) == 5 * 40
    pd.testing.assert_frame_equal(
        x.reset_index(drop=True), reference.drop(columns=["unique_id", "ds", "y"]).reset_index(drop=True)
    )
    np.testing.assert_array_equal(y, reference["y"].to_numpy())


def test_positional_gap_fill_equals_the_join_on_id_and_date() -> None:
    df = noisy(4, 90, seed=2)
    df["price"] = np.arange(len(df), dtype=float)
    holes = df.sample(frac=0.3, random_state=0).index
    df = df.drop(index=holes[~holes.isin(df.groupby("unique_id").head(1).index)])  # keep each first day
    out = validate_frame(df.sample(frac=1.0, random_state=1), FramePolicy())
    spans = df.groupby("unique_id")["ds"].agg(["min", "max", "size"])
    expected = _full_grid(spans, "D").merge(df, on=["unique_id", "ds"], how="left")
    expected["y"] = expected["y"].fillna(0.0)
    expected["price"] = expected.groupby("unique_id")["price"].ffill()
    assert out["y"].eq(0).sum() > 0
    pd.testing.assert_frame_equal(out.reset_index(drop=True), expected.reset_index(drop=True))
