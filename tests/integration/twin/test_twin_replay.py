"""The replay of real UCI invoices: its GMV equals the sum computed independently from the CSV."""

from __future__ import annotations

import csv
import gzip
import hashlib
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from tests.conftest import require_shared_data

from wujie.orders.events import OrderCancelled
from wujie.payments.events import PaymentCaptured
from wujie.stream.fanout import RecordingSink
from wujie.twin.errors import TwinError, TwinErrorCode
from wujie.twin.replay import dataset_path, replay_uci

START, END = datetime(2010, 12, 1), datetime(2010, 12, 4)


def _independent(path: Path) -> tuple[int, int, set[str]]:
    """GMV in pence of sold lines (not "C", quantity > 0, price > 0), the lines in the slice, the C invoices."""
    gmv, lines, cancels = 0, 0, set()
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            when = datetime.strptime(row["InvoiceDate"], "%Y-%m-%d %H:%M:%S")
            if not START <= when < END:
                continue
            lines += 1
            pence = int((Decimal(row["UnitPrice"]) * 100).to_integral_value())
            quantity = int(row["Quantity"])
            if row["InvoiceNo"].startswith("C"):
                if quantity < 0 and pence > 0:
                    cancels.add(row["InvoiceNo"])
            elif quantity > 0 and pence > 0:
                gmv += quantity * pence
    return gmv, lines, cancels


def test_vendored_copy_is_the_shared_data() -> None:
    shared = require_shared_data("retail/uci-online-retail/online_retail_2010-12_2011-12.csv.gz")
    vendored = dataset_path("uci-online-retail")
    assert hashlib.sha256(vendored.read_bytes()).digest() == hashlib.sha256(shared.read_bytes()).digest()
    assert (vendored.parent / "UCI-ONLINE-RETAIL-ATTRIBUTION.txt").read_text().count("CC BY 4.0") == 1


def test_replayed_gmv_equals_the_csv_sum() -> None:
    shared = require_shared_data("retail/uci-online-retail/online_retail_2010-12_2011-12.csv.gz")
    gmv, lines, cancels = _independent(shared)
    sink = RecordingSink()
    report = replay_uci(dataset_path("uci-online-retail"), start=START, end=END, sinks=[sink]).data
    assert report["invoice_lines"] == lines
    assert report["gmv_minor"] == report["paid_orders_total_minor"] == gmv
    assert report["ledger_sums_to_zero"] is True
    assert report["cancelled"] == report["cancellation_invoices"] == len(cancels) > 0
    assert sum(e.amount.minor for e in sink.events if isinstance(e, PaymentCaptured)) == gmv
    assert {e.reason for e in sink.events if isinstance(e, OrderCancelled)} == {"uci_cancellation_invoice"}
    assert report["first"] == "2010-12-01 08:26:00"


def test_unknown_dataset_and_empty_slice_are_typed_errors() -> None:
    with pytest.raises(TwinError) as info:
        dataset_path("nope")
    assert info.value.code is TwinErrorCode.UNKNOWN_DATASET
    with pytest.raises(TwinError) as info:
        replay_uci(dataset_path("uci-online-retail"), start=datetime(2012, 1, 1))
    assert info.value.code is TwinErrorCode.INVALID_CONFIG
