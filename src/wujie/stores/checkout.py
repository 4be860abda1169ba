"""Grab-and-go checkout: exit-gate RFID reads + shelf picks -> one basket per exit, charged, tags flagged.

Each read at an exit gate's reader belongs to the last passage through that gate at most ``window_s``
before it. A basket holds, per product, the shopper's net picks (picks minus put-backs): the cameras
and shelf sensors are what a shopper is charged for, so a missed RFID read costs nothing. Tags the
gate read beyond the shopper's picks, tags read with no passage, tags of passages nobody was identified
for, and tags missing from the registry are flagged as leaving unpaid. Charging goes through the
narrow :class:`BasketCharger` port (see :mod:`wujie.stores.payments_ledger` for the ledger adapter).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import polars as pl

from wujie.shared.money import Money
from wujie.stores.errors import ParamsInvalid
from wujie.stores.event_tables import StoreEvents
from wujie.stores.layout import StoreLayout

#: why a tag is flagged as leaving unpaid
FLAG_REASONS = ("not_picked", "no_passage", "no_account", "no_account_unread", "unknown_tag", "payment_declined")


@dataclass(frozen=True, slots=True)
class ChargeRequest:
    """One basket to charge: the idempotency key is the basket id, so a retry never charges twice."""

    basket_id: str
    account: str
    amount: Money
    at_ms: int


@dataclass(frozen=True, slots=True)
class ChargeResult:
    """What the payment side answered."""

    captured: bool
    payment_id: str
    reason: str = ""


class BasketCharger(Protocol):
    """The port through which grab-and-go charges a basket."""

    def charge(self, request: ChargeRequest) -> ChargeResult:
        """Capture ``request.amount`` from ``request.account`` exactly once per basket id."""
        ...


@dataclass(frozen=True)
class CheckoutResult:
    """Baskets (one row per exit passage with items), their lines, and the tags flagged unpaid."""

    baskets: pl.DataFrame
    lines: pl.DataFrame
    flagged: pl.DataFrame
    open_picks: int

    def summary(self) -> dict[str, int]:
        """Counts for the report."""
        status = self.baskets["status"]
        flagged = self.flagged.group_by("reason").len().rows()
        return {
            "baskets": self.baskets.height,
            "captured": int((status == "captured").sum()),
            "declined": int((status == "declined").sum()),
            "not_charged_no_account": int((status == "no_account").sum()),
            "amount_captured_minor": int(self.baskets.filter(pl.col("status") == "captured")["amount_minor"].sum()),
            "flagged_tags": self.flagged.height,
            "open_picks": self.open_picks,
            **{f"flagged_{reason}": int(count) for reason, count in flagged},
        }


def reconcile(events: StoreEvents, layout: StoreLayout, window_s: float = 3.0) -> CheckoutResult:
    """Build baskets and unpaid-tag flags from cleaned events (nothing is charged here).

    Parameters
    ----------
    events
        Cleaned, sorted events (see :func:`wujie.stores.event_tables.clean_events`).
    layout
        Gives the exit gates, their readers and the prices.
    window_s
        How long after a passage its gate's reader still reads that shopper's tags.
    """
    if window_s <= 0:
        raise ParamsInvalid("window_s must be > 0")
    passages = _exit_passages(events, layout)
    reads = _attributed_reads(events, layout, passages, int(window_s * 1000))
    net = _net_picks(events)
    lines = _basket_lines(passages, net, layout)
    exited = passages.select("track").unique()
    open_picks = int(net.join(exited, on="track", how="anti")["qty"].sum())
    totals = lines.group_by("basket").agg(pl.col("amount_minor").sum(), pl.col("qty").sum().alias("items"))
    baskets = passages.join(totals, on="basket", how="inner").with_columns(
        pl.when(pl.col("account") == "").then(pl.lit("no_account")).otherwise(pl.lit("pending")).alias("status")
    )
    flagged = pl.concat([_flag_reads(reads, lines), _unread_no_account(baskets, lines, reads)]).sort("t")
    return CheckoutResult(baskets.sort("t"), lines.sort("basket", "product"), flagged, open_picks)


def tag_baskets(events: StoreEvents, layout: StoreLayout, window_s: float = 3.0) -> pl.DataFrame:
    """Baskets from the exit-gate tag reads alone (no picks): the RFID-only way, a baseline.

    Returns one row per (track, product) with the number of distinct tags read.
    """
    passages = _exit_passages(events, layout)
    reads = _attributed_reads(events, layout, passages, int(window_s * 1000))
    tracks = passages.select("basket", "track")
    return (
        reads.filter(pl.col("basket").is_not_null() & pl.col("product").is_not_null())
        .join(tracks, on="basket")
        .group_by("track", "product")
        .agg(pl.col("tag").n_unique().cast(pl.Int64).alias("qty"))
    )


def charge_baskets(result: CheckoutResult, charger: BasketCharger, currency: str) -> CheckoutResult:
    """Charge every pending basket through ``charger``; a declined basket's tags are flagged."""
    pending = result.baskets.filter(pl.col("status") == "pending")
    outcomes: dict[str, tuple[str, str]] = {}
    for basket, account, amount, t in pending.select("basket", "account", "amount_minor", "t").iter_rows():
        if amount <= 0:  # only free products: nothing to capture
            outcomes[basket] = ("free", "")
            continue
        answer = charger.charge(ChargeRequest(basket, account, Money(int(amount), currency), int(t)))
        outcomes[basket] = ("captured" if answer.captured else "declined", answer.payment_id)
    paid = pl.DataFrame(
        {
            "basket": list(outcomes),
            "status": [s for s, _ in outcomes.values()],
            "payment": [p for _, p in outcomes.values()],
        },
        schema={"basket": pl.String, "status": pl.String, "payment": pl.String},
    )
    baskets = (
        result.baskets.join(paid, on="basket", how="left", suffix="_paid")
        .with_columns(pl.coalesce("status_paid", "status").alias("status"))
        .drop("status_paid")
    )
    declined = result.lines.join(paid.filter(pl.col("status") == "declined").select("basket"), on="basket")
    extra = declined.select(
        pl.lit(None, pl.String).alias("tag"),
        "product",
        "t",
        pl.lit(None, pl.String).alias("reader"),
        pl.lit("payment_declined").alias("reason"),
    )
    return CheckoutResult(baskets, result.lines, pl.concat([result.flagged, extra]).sort("t"), result.open_picks)


def _exit_passages(events: StoreEvents, layout: StoreLayout) -> pl.DataFrame:
    readers = pl.DataFrame(
        {"gate": [g.gate_id for g in layout.gates_of("exit")], "reader": [g.reader for g in layout.gates_of("exit")]}
    )
    return (
        events.gates.filter(pl.col("direction") == "exit")
        .join(readers, on="gate", how="inner")
        .select(
            pl.format("bsk_{}_{}_{}", "gate", "t", "track").alias("basket"), "t", "track", "account", "gate", "reader"
        )
        .sort("t")
    )


def _attributed_reads(events: StoreEvents, layout: StoreLayout, passages: pl.DataFrame, window_ms: int) -> pl.DataFrame:
    exit_readers = [g.reader for g in layout.gates_of("exit")]
    reads = events.rfid.filter(pl.col("reader").is_in(exit_readers)).sort("t")
    joined = reads.join_asof(
        passages.select(pl.col("t").alias("t_pass"), "reader", "basket", "account"),
        left_on="t",
        right_on="t_pass",
        by="reader",
        strategy="backward",
        check_sortedness=False,  # both sides are sorted by t just above
    ).with_columns(
        pl.when(pl.col("t") - pl.col("t_pass") <= window_ms).then(pl.col("basket")).otherwise(None).alias("basket")
    )
    return joined.join(events.tags, on="tag", how="left").unique(["basket", "tag"], maintain_order=True)


def _net_picks(events: StoreEvents) -> pl.DataFrame:
    sign = pl.when(pl.col("action") == "pick").then(1).when(pl.col("action") == "put_back").then(-1).otherwise(0)
    return (
        events.shelf.group_by("track", "product")
        .agg(sign.sum().alias("qty"), pl.col("t").max().alias("t_last"))
        .filter(pl.col("qty") > 0)
    )


def _basket_lines(passages: pl.DataFrame, net: pl.DataFrame, layout: StoreLayout) -> pl.DataFrame:
    prices = pl.DataFrame(
        {"product": list(layout.products), "price": [p.price_minor for p in layout.products.values()]},
        schema={"product": pl.String, "price": pl.Int64},
    )
    first_exit = passages.sort("t").unique("track", keep="first", maintain_order=True)
    return (
        net.join(first_exit.select("track", "basket", "t"), on="track", how="inner")
        .filter(pl.col("t_last") <= pl.col("t"))
        .join(prices, on="product", how="inner")
        .select(
            "basket",
            "product",
            "t",
            pl.col("qty").cast(pl.Int64),
            (pl.col("qty") * pl.col("price")).alias("amount_minor"),
        )
    )


def _flag_reads(reads: pl.DataFrame, lines: pl.DataFrame) -> pl.DataFrame:
    unknown = reads.filter(pl.col("product").is_null())
    known = reads.filter(pl.col("product").is_not_null())
    no_passage = known.filter(pl.col("basket").is_null())
    no_account = known.filter(pl.col("basket").is_not_null() & (pl.col("account") == ""))
    ranked = (
        known.filter(pl.col("basket").is_not_null() & (pl.col("account") != ""))
        .with_columns(pl.col("t").rank("ordinal").over("basket", "product").alias("nth"))
        .join(lines.select("basket", "product", pl.col("qty").alias("picked")), on=["basket", "product"], how="left")
    )
    beyond = ranked.filter(pl.col("nth") > pl.col("picked").fill_null(0))
    parts = [(unknown, "unknown_tag"), (no_passage, "no_passage"), (no_account, "no_account"), (beyond, "not_picked")]
    return pl.concat([_flags(frame, reason) for frame, reason in parts]).sort("t")


def _unread_no_account(baskets: pl.DataFrame, lines: pl.DataFrame, reads: pl.DataFrame) -> pl.DataFrame:
    """Units picked by an unidentified shopper that the gate did not read: flagged without a tag id."""
    unknown = baskets.filter(pl.col("status") == "no_account").select("basket", "reader")
    read = reads.group_by("basket", "product").len("read")
    return (
        lines.join(unknown, on="basket")
        .join(read, on=["basket", "product"], how="left")
        .with_columns((pl.col("qty") - pl.col("read").fill_null(0)).alias("unread"))
        .filter(pl.col("unread") > 0)
        .with_columns(pl.int_ranges(0, pl.col("unread")).alias("unit"))
        .explode("unit")
        .select(
            pl.lit(None, pl.String).alias("tag"), "product", "t", "reader", pl.lit("no_account_unread").alias("reason")
        )
    )


def _flags(reads: pl.DataFrame, reason: str) -> pl.DataFrame:
    return reads.select(pl.col("tag"), pl.col("product"), pl.col("t"), pl.col("reader"), pl.lit(reason).alias("reason"))
