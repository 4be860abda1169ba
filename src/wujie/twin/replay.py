"""Replay the real UCI Online Retail invoices through the engine, at their real times, at a chosen speed.

Each invoice becomes an order of its customer (``uci-<CustomerID>``, or a guest per invoice) from
its country (the region), placed and paid at the invoice's timestamp on a manual clock. A SKU is a
``StockCode`` at one unit price (``85123A@255`` is 2.55 GBP), so the engine's prices are the
invoice's prices and GMV is exactly ``sum(Quantity x UnitPrice)``. Each SKU is stocked with the
units the replay needs, so no real sale is refused. A cancellation invoice ("C...") becomes an
order of the same lines that its customer cancels at once (``OrderCancelled``). Lines the shop
recorded with a non-positive quantity or price outside cancellations (stock adjustments, debts)
are skipped and counted. An invoice above the engine's 50 lines, or a line above 10,000 units, is
placed as several orders (counted in ``orders`` and ``split_invoices``).
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from wujie.engine.book import SkuTerms
from wujie.engine.decisions import OrderColumns, order_id
from wujie.engine.engine import Engine
from wujie.engine.state import MAX_LINES, MAX_QTY
from wujie.shared.clock import ManualClock
from wujie.stream.fanout import EventSink, InProcessFanout
from wujie.twin.errors import TwinError, TwinErrorCode

DATASETS = {"uci-online-retail": "uci-online-retail.csv.gz"}
CURRENCY = "GBP"
Progress = Callable[[int, int], None]


def dataset_path(name: str) -> Path:
    """Return the vendored file of dataset ``name``."""
    if name not in DATASETS:
        raise TwinError(TwinErrorCode.UNKNOWN_DATASET, f"unknown dataset {name!r}; use one of {sorted(DATASETS)}")
    path = Path(str(resources.files("wujie.twin") / "data" / DATASETS[name]))
    if not path.exists():
        raise TwinError(TwinErrorCode.DATA_MISSING, f"{path} is missing from this installation")
    return path


def load_lines(path: Path, start: datetime | None = None, end: datetime | None = None) -> Any:
    """Read the invoice lines (optionally ``start <= InvoiceDate < end``) with prices in pence."""
    import pandas as pd  # type: ignore[import-untyped]

    df = pd.read_csv(path, dtype={"InvoiceNo": str, "StockCode": str, "Description": str, "Country": str})
    df["InvoiceDate"] = pd.to_datetime(df["InvoiceDate"], format="%Y-%m-%d %H:%M:%S")
    if start is not None:
        df = df[df["InvoiceDate"] >= pd.Timestamp(start.replace(tzinfo=None))]
    if end is not None:
        df = df[df["InvoiceDate"] < pd.Timestamp(end.replace(tzinfo=None))]
    df = df.assign(
        pence=(df["UnitPrice"] * 100).round().astype("int64"),
        cancel=df["InvoiceNo"].str.startswith("C"),
        customer=np.where(
            df["CustomerID"].isna(), "guest-" + df["InvoiceNo"], "uci-" + df["CustomerID"].astype("Int64").astype(str)
        ),
        Country=df["Country"].fillna("Unspecified"),
    )
    return df.reset_index(drop=True)


@dataclass(frozen=True)
class ReplayReport:
    """What the replay did; ``gmv_minor`` equals the ledger's captured total."""

    data: dict[str, Any]


def _orders_of(df: Any) -> Any:
    """Keep the replayable lines, merge repeated SKUs per invoice, and number the orders."""
    sold = ~df["cancel"] & (df["Quantity"] > 0) & (df["pence"] > 0)
    undone = df["cancel"] & (df["Quantity"] < 0) & (df["pence"] > 0)
    keep = df[sold | undone].copy()
    keep["qty"] = keep["Quantity"].abs().astype("int64")
    keep["sku"] = keep["StockCode"] + "@" + keep["pence"].astype(str)
    keys = ["InvoiceDate", "InvoiceNo", "sku"]
    lines = (
        keep.groupby(keys, sort=True)
        .agg(
            qty=("qty", "sum"),
            pence=("pence", "first"),
            customer=("customer", "first"),
            country=("Country", "first"),
            cancel=("cancel", "first"),
            name=("Description", "first"),
        )
        .reset_index()
    )
    return lines, int(len(df) - len(keep))


def _chunk(lines: Any) -> Any:
    """Give each line an order key: invoice, then a chunk number so no order breaks the engine's limits."""
    big = lines["qty"] > MAX_QTY
    if big.any():
        reps = -(-lines["qty"] // MAX_QTY)
        lines = lines.loc[lines.index.repeat(reps)].copy()
        piece = lines.groupby(level=0).cumcount()
        total = lines["qty"]
        lines["qty"] = np.minimum(MAX_QTY, total - piece * MAX_QTY)
        lines["piece"] = piece
    else:
        lines = lines.assign(piece=0)
    rank = lines.groupby(["InvoiceNo", "piece"]).cumcount()
    lines["order_key"] = lines["InvoiceNo"] + "/" + lines["piece"].astype(str) + "/" + (rank // MAX_LINES).astype(str)
    return lines.sort_values(["InvoiceDate", "InvoiceNo", "order_key"], kind="stable").reset_index(drop=True)


def replay_uci(
    path: Path,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    speed: float = 0.0,
    sinks: Sequence[EventSink] = (),
    progress: Progress | None = None,
    workdir: Path | None = None,
) -> ReplayReport:
    """Replay the invoices of ``path`` (optionally a ``[start, end)`` slice) through the engine.

    Parameters
    ----------
    path
        The UCI CSV (gzip) as vendored (:func:`dataset_path`).
    start, end
        Optional slice of invoice dates (naive UK local time, as in the file, or aware).
    speed
        Simulated seconds per wall-clock second; 0 replays as fast as possible.
    sinks
        Event sinks (e.g. the live dashboard) fed with the engine's committed events.
    progress
        Called as ``progress(done_minutes, total_minutes)``.
    workdir
        Where the engine keeps its journal; a temporary directory when ``None``.
    """
    started = time.perf_counter()
    df = load_lines(path, start, end)
    lines, skipped = _orders_of(df)
    if lines.empty:
        raise TwinError(TwinErrorCode.INVALID_CONFIG, "no invoice lines in the chosen slice")
    lines = _chunk(lines)
    fanout = InProcessFanout()
    for sink in sinks:
        fanout.subscribe(sink)
    first = lines["InvoiceDate"].iloc[0].to_pydatetime().replace(tzinfo=UTC)
    clock = ManualClock(first)
    with ExitStack() as stack:
        directory = workdir or Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="wujie-replay-")))
        engine = Engine.open(directory / "engine", clock=clock, sink=fanout if sinks else None, currency=CURRENCY)
        stack.callback(engine.close)
        _stock(engine, lines)
        tally = _play(engine, clock, lines, speed, progress)
        captured = int(engine.state.ledger.col("amount").sum())
        ledger_zero = engine.ledger_total() == 0
    seconds = time.perf_counter() - started
    return ReplayReport(
        _summary(
            df,
            lines=lines,
            tally=tally,
            captured=captured,
            ledger_zero=ledger_zero,
            skipped=skipped,
            seconds=seconds,
            failures=fanout.failures,
        )
    )


def _stock(engine: Engine, lines: Any) -> None:
    """List every SKU at its price with the units the replay will sell or hold."""
    need = lines.groupby("sku").agg(qty=("qty", "sum"), pence=("pence", "first"))
    engine.add_skus([SkuTerms(str(s), int(q), int(p)) for s, q, p in need.itertuples()])


def _play(engine: Engine, clock: ManualClock, lines: Any, speed: float, progress: Progress | None) -> dict[str, Any]:
    """Place, pay and cancel minute by minute at the invoices' timestamps."""
    sku_index = engine.sku_ids(lines["sku"].tolist())
    customer_index = engine.customer_ids(lines["customer"].tolist())
    region_index = engine.region_ids(lines["country"].tolist())
    minute = lines["InvoiceDate"].to_numpy()
    bounds = np.flatnonzero(np.r_[True, minute[1:] != minute[:-1], True])
    tally: dict[str, Any] = {"orders": 0, "paid": 0, "cancelled": 0, "gmv_paid": 0, "by_country": {}, "peak": 0}
    wall0 = time.perf_counter()
    sim0 = minute[0]
    for i in range(len(bounds) - 1):
        lo, hi = int(bounds[i]), int(bounds[i + 1])
        clock.set(lines["InvoiceDate"].iloc[lo].to_pydatetime().replace(tzinfo=UTC))
        with engine.group():
            _minute(
                engine,
                lines.iloc[lo:hi],
                sku=sku_index[lo:hi],
                customer=customer_index[lo:hi],
                region=region_index[lo:hi],
                tally=tally,
            )
        if speed > 0:
            ahead = float((minute[lo] - sim0) / np.timedelta64(1, "s")) / speed - (time.perf_counter() - wall0)
            if ahead > 0:
                time.sleep(ahead)
        if progress is not None and (i % 200 == 0 or i == len(bounds) - 2):
            progress(i + 1, len(bounds) - 1)
    return tally


def _minute(engine: Engine, part: Any, *, sku: Any, customer: Any, region: Any, tally: dict[str, Any]) -> None:
    """One timestamp: every order placed in one batch, then paid (or cancelled, for "C" invoices)."""
    keys = part["order_key"].to_numpy()
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    nlines = np.diff(np.r_[starts, len(keys)])
    result = engine.place_columns(
        OrderColumns(customer[starts], sku, part["qty"].to_numpy(dtype=np.int64), nlines, region[starts])
    )
    if (result.reason != 0).any():
        raise TwinError(
            TwinErrorCode.INVARIANT_BROKEN,
            "the engine refused a replayed invoice",
            codes=str(set(result.reason.tolist())),
        )
    cancel = part["cancel"].to_numpy()[starts]
    numbers, totals = result.number, result.total
    tally["orders"] += len(starts)
    tally["peak"] = max(tally["peak"], len(starts))
    ids = [order_id(int(n)) for n in numbers[~cancel]]
    if ids:
        paid = engine.pay_many(ids, totals[~cancel].tolist(), [f"uci-{i}" for i in ids])
        tally["paid"] += sum(p.code is None for p in paid)
        tally["gmv_paid"] += int(totals[~cancel].sum())
        for country, total in zip(
            part["country"].to_numpy()[starts][~cancel].tolist(), totals[~cancel].tolist(), strict=True
        ):
            tally["by_country"][country] = tally["by_country"].get(country, 0) + int(total)
    if cancel.any():
        codes = engine.cancel([order_id(int(n)) for n in numbers[cancel]], "uci_cancellation_invoice")
        tally["cancelled"] += sum(c is None for c in codes)


def _summary(
    df: Any,
    *,
    lines: Any,
    tally: dict[str, Any],
    captured: int,
    ledger_zero: bool,
    skipped: int,
    seconds: float,
    failures: list[Any],
) -> dict[str, Any]:
    invoices = df["InvoiceNo"].nunique()
    split = int(lines.groupby("InvoiceNo")["order_key"].nunique().gt(1).sum())
    return {
        "dataset": "uci-online-retail",
        "currency": CURRENCY,
        "first": str(df["InvoiceDate"].min()),
        "last": str(df["InvoiceDate"].max()),
        "invoice_lines": len(df),
        "invoices": int(invoices),
        "cancellation_invoices": int(df.loc[df["cancel"], "InvoiceNo"].nunique()),
        "skipped_lines": skipped,
        "orders": tally["orders"],
        "split_invoices": split,
        "paid": tally["paid"],
        "cancelled": tally["cancelled"],
        "gmv_minor": captured,
        "gmv": f"{captured / 100:.2f} {CURRENCY}",
        "paid_orders_total_minor": tally["gmv_paid"],
        "ledger_sums_to_zero": ledger_zero,
        "peak_orders_per_minute": tally["peak"],
        "gmv_by_country_minor": dict(sorted(tally["by_country"].items(), key=lambda kv: -kv[1])),
        "sink_failures": len(failures),
        "wall_seconds": round(seconds, 3),
        "invoice_lines_per_s_wall": round(len(df) / max(seconds, 1e-9), 1),
    }
