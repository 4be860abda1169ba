"""The placement bench's demand is net of cancelled lines."""

from __future__ import annotations

import pandas as pd

from wujie.bench.placement import net_of_cancellations


def test_a_cancellation_removes_the_latest_matching_earlier_sale() -> None:
    raw = pd.DataFrame(
        {
            "InvoiceNo": ["1", "2", "C3", "4", "C5", "C6"],
            "StockCode": ["x", "x", "x", "x", "y", "x"],
            "Quantity": [5, 5, -5, 7, -1, -9],
            "CustomerID": [1.0, 1.0, 1.0, 1.0, 1.0, 1.0],
            "InvoiceDate": pd.to_datetime(
                ["2011-01-01", "2011-01-02", "2011-01-03", "2011-01-04", "2011-01-05", "2011-01-06"]
            ),
        },
        index=[10, 11, 12, 13, 14, 15],
    )
    kept, removed = net_of_cancellations(raw)
    # C3 cancels invoice 2 (latest earlier x/5); C5 (y) and C6 (x/9) match nothing
    assert removed == 1
    assert kept.index.tolist() == [10, 13]


def test_windows_and_target_verdicts() -> None:
    from wujie.bench.placement import _target, _window

    lines = pd.DataFrame({"ds": pd.date_range("2011-01-01", "2011-03-31", freq="D")})
    assert _window(lines, "final", 28) == (pd.Timestamp("2011-03-03"), pd.Timestamp("2011-03-31"))
    assert _window(lines, "validation", 28) == (pd.Timestamp("2011-02-03"), pd.Timestamp("2011-03-03"))

    def plan(shipped: float, demand: float) -> dict[str, dict[str, float]]:
        level = {"local_share_of_shipped": shipped, "local_share_of_demand": demand}
        return {"unit_level": level, "order_level": level}

    verdict = _target({"lp": plan(0.95, 0.7), "population_split": plan(0.7, 0.5)})
    assert verdict["judged_on"] == "unit_level.local_share_of_shipped"
    assert verdict["unit_level.local_share_of_shipped"]["points_vs_population"] == 25.0
    assert verdict["unit_level.local_share_of_shipped"]["met"] is True
    assert verdict["unit_level.local_share_of_demand"]["met"] is False  # 70% < 90%, though +20 points
