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
