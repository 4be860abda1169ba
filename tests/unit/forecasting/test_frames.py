"""The long-format contract: bad input gets a typed error, gaps and returns get documented handling."""

from __future__ import annotations

import pandas as pd
import pytest

from wujie.forecasting.errors import ForecastingErrorCode, InvalidFrame, InvalidParams
from wujie.forecasting.frames import FramePolicy, train_test_split, validate_frame


def frame(ids: list[str], days: list[str], ys: list[float]) -> pd.DataFrame:
    return pd.DataFrame({"unique_id": ids, "ds": pd.to_datetime(days), "y": ys})


def test_missing_column_is_named() -> None:
    with pytest.raises(InvalidFrame) as err:
        validate_frame(pd.DataFrame({"unique_id": ["a"], "ds": pd.to_datetime(["2024-01-01"])}), FramePolicy())
    assert err.value.code == ForecastingErrorCode.MISSING_COLUMNS
    assert "y" in err.value.message


def test_string_dates_are_refused() -> None:
    bad = pd.DataFrame({"unique_id": ["a"], "ds": ["2024-01-01"], "y": [1.0]})
    with pytest.raises(InvalidFrame) as err:
        validate_frame(bad, FramePolicy())
    assert err.value.code == ForecastingErrorCode.WRONG_DTYPE


def test_duplicate_rows_are_refused() -> None:
    with pytest.raises(InvalidFrame) as err:
        validate_frame(frame(["a", "a"], ["2024-01-01", "2024-01-01"], [1, 2]), FramePolicy())
    assert err.value.code == ForecastingErrorCode.DUPLICATE_ROWS
    assert err.value.context["duplicates"] == 1


def test_gaps_are_filled_with_zero_demand() -> None:
    out = validate_frame(frame(["a", "a"], ["2024-01-01", "2024-01-04"], [3, 5]), FramePolicy())
    assert out["y"].tolist() == [3.0, 0.0, 0.0, 5.0]
    assert out["ds"].dt.day.tolist() == [1, 2, 3, 4]


def test_gaps_refused_on_request() -> None:
    with pytest.raises(InvalidFrame) as err:
        validate_frame(frame(["a", "a"], ["2024-01-01", "2024-01-04"], [3, 5]), FramePolicy(gaps="error"))
    assert err.value.code == ForecastingErrorCode.GAPS
    assert err.value.context["gaps"] == 2


def test_negative_demand_refused_or_clipped() -> None:
    df = frame(["a", "a"], ["2024-01-01", "2024-01-02"], [3, -2])
    with pytest.raises(InvalidFrame) as err:
        validate_frame(df, FramePolicy())
    assert err.value.code == ForecastingErrorCode.NEGATIVE_DEMAND
    assert validate_frame(df, FramePolicy(negative="clip"))["y"].tolist() == [3.0, 0.0]


def test_off_grid_timestamps_are_refused() -> None:
    df = pd.DataFrame({"unique_id": ["a"], "ds": pd.to_datetime(["2024-01-01 10:30"]), "y": [1.0]})
    with pytest.raises(InvalidFrame):
        validate_frame(df, FramePolicy())


def test_unknown_frequency_is_invalid_params() -> None:
    with pytest.raises(InvalidParams):
        FramePolicy(freq="fortnightly")


def test_split_holds_out_common_calendar_tail() -> None:
    df = frame(["a"] * 5, [f"2024-01-0{d}" for d in range(1, 6)], [1, 2, 3, 4, 5])
    train, test = train_test_split(df, 2)
    assert train["y"].tolist() == [1, 2, 3]
    assert test["y"].tolist() == [4, 5]


def test_weekly_gaps_use_the_calendar_offset() -> None:
    out = validate_frame(frame(["a", "a"], ["2024-01-07", "2024-01-28"], [1, 4]), FramePolicy(freq="W-SUN"))
    assert out["ds"].dt.strftime("%m-%d").tolist() == ["01-07", "01-14", "01-21", "01-28"]
    assert out["y"].tolist() == [1.0, 0.0, 0.0, 4.0]
