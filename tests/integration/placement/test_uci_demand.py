"""The placement bench's demand on the real UCI Online Retail file: net of cancelled lines."""

from __future__ import annotations

from tests.conftest import require_shared_data

from wujie.bench.placement import load_lines


def test_real_demand_drops_cancelled_lines_and_non_products() -> None:
    require_shared_data("retail/uci-online-retail/online_retail_2010-12_2011-12.csv.gz")
    lines, removed = load_lines()
    assert removed == 2835
    # invoice 581483 (80,995 units of 23843) was cancelled by C581484 minutes later: not demand
    assert not ((lines["order_id"] == "581483") & (lines["sku"] == "23843")).any()
    # the 74,215-unit order 541431 of 23166, cancelled the same day, is gone as well
    assert not ((lines["order_id"] == "541431") & (lines["sku"] == "23166")).any()
    assert lines["sku"].str.match(r"^\d{5}").all()
    assert (lines["units"] > 0).all()
    assert lines["InvoiceDate"].is_monotonic_increasing
