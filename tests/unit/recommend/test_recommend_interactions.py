"""Cleaning and the weighted matrix: exact values on hand-made logs."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from wujie.recommend.errors import EmptyInteractions, InvalidInteractions, InvalidParams, RecommendErrorCode
from wujie.recommend.interactions import EventWeights, InteractionMatrix, clean_interactions


def _log(rows: list[tuple[object, ...]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["user", "item", "event", "timestamp"])


def test_duplicates_are_dropped_and_counted() -> None:
    frame = _log(
        [
            ("u", "i", "buy", "2024-01-01 10:00"),
            ("u", "i", "buy", "2024-01-01 10:00"),
            ("u", "i", "view", "2024-01-01 10:00"),
        ]
    )
    clean, report = clean_interactions(frame)
    assert len(clean) == 2
    assert (report.rows_in, report.rows_out, report.duplicates, report.bad_rows) == (3, 2, 1, 0)


def test_malformed_timestamp_names_the_row_when_strict() -> None:
    frame = _log([("u", "i", "buy", "2024-01-01"), ("u", "j", "buy", "not a time")])
    with pytest.raises(InvalidInteractions) as caught:
        clean_interactions(frame)
    assert caught.value.code == RecommendErrorCode.MALFORMED_TIMESTAMP
    assert caught.value.context["row"] == 1


def test_bad_rows_are_dropped_when_not_strict() -> None:
    frame = _log(
        [
            ("u", "i", "buy", "2024-01-01"),
            ("u", "j", "buy", "31/02/2024x"),
            ("", "k", "buy", "2024-01-02"),
            ("u", "k", "like", "2024-01-02"),
        ]
    )
    clean, report = clean_interactions(frame, strict=False)
    assert clean["item"].tolist() == ["i"]
    assert report.bad_rows == 3


@pytest.mark.parametrize(
    ("row", "code"),
    [
        (("u", "i", "like", "2024-01-01"), RecommendErrorCode.UNKNOWN_EVENT),
        (("", "i", "buy", "2024-01-01"), RecommendErrorCode.MISSING_ID),
        (("u", None, "buy", "2024-01-01"), RecommendErrorCode.MISSING_ID),
    ],
)
def test_bad_rows_raise_with_their_code(row: tuple[object, ...], code: RecommendErrorCode) -> None:
    with pytest.raises(InvalidInteractions) as caught:
        clean_interactions(_log([row]))
    assert caught.value.code == code


def test_missing_columns_are_named() -> None:
    with pytest.raises(InvalidInteractions) as caught:
        clean_interactions(pd.DataFrame({"user": ["u"], "item": ["i"]}))
    assert caught.value.code == RecommendErrorCode.MISSING_COLUMNS
    assert caught.value.context["missing"] == "event,timestamp"


def test_events_are_case_insensitive_and_ids_from_floats_keep_integer_spelling() -> None:
    frame = _log([(17850.0, 85123, " BUY ", "2011-12-01 08:26:00")])
    clean, _ = clean_interactions(frame)
    assert clean.loc[0, "user"] == "17850"
    assert clean.loc[0, "item"] == "85123"
    assert clean.loc[0, "event"] == "buy"
    assert str(clean.loc[0, "timestamp"].tz) == "UTC"


def test_matrix_sums_event_weights_then_log_scales() -> None:
    frame = _log([("u", "i", "view", "2024-01-01"), ("u", "i", "cart", "2024-01-02"), ("v", "i", "buy", "2024-01-03")])
    clean, _ = clean_interactions(frame)
    data = InteractionMatrix.from_frame(clean, EventWeights(view=1, cart=3, buy=5))
    assert data.user_ids == ("u", "v")
    assert data.item_ids == ("i",)
    dense = data.matrix.toarray()
    assert dense[0, 0] == pytest.approx(math.log1p(4.0))
    assert dense[1, 0] == pytest.approx(math.log1p(5.0))


def test_half_life_halves_old_weight() -> None:
    frame = _log([("u", "i", "buy", "2024-01-01"), ("v", "i", "buy", "2024-01-11")])
    clean, _ = clean_interactions(frame)
    data = InteractionMatrix.from_frame(clean, EventWeights(buy=4.0), half_life_days=10.0)
    assert np.allclose(data.matrix.toarray().ravel(), [math.log1p(2.0), math.log1p(4.0)])


def test_empty_log_is_refused() -> None:
    clean, _ = clean_interactions(_log([]))
    with pytest.raises(EmptyInteractions):
        InteractionMatrix.from_frame(clean, EventWeights())


def test_event_weights_must_be_positive() -> None:
    with pytest.raises(InvalidParams):
        EventWeights(view=0.0)
