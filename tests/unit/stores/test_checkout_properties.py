"""Grab-and-go invariants on random days: no exit read is silently dropped, the ledger balances."""

from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from wujie.stores.checkout import charge_baskets, reconcile
from wujie.stores.default_layout import default_layout
from wujie.stores.event_tables import clean_events, events_from_tables
from wujie.stores.events import GatePassed, ShelfEventSeen, TagRead, TagRegistered, frame_of
from wujie.stores.payments_ledger import LedgerCharger

DAY = 1_794_355_200_000
PRODUCTS = ("cj1082185", "cj1127831", "cj995785")
LAYOUT = default_layout()

shopper = st.fixed_dictionaries(
    {
        "account": st.sampled_from(["", "acct"]),
        "gate": st.sampled_from(["exit-1", "exit-2", "side-door"]),
        "picks": st.lists(st.tuples(st.sampled_from(PRODUCTS), st.booleans()), max_size=5),
        "reads": st.lists(st.tuples(st.integers(0, 11), st.integers(0, 4000)), max_size=6),
    }
)


def _day(shoppers: list[dict[str, object]]):  # type: ignore[no-untyped-def]
    gates, shelf, rfid = [], [], []
    tags = [TagRegistered(f"tag-{n}", PRODUCTS[n % 3]) for n in range(10)]  # tag-10, tag-11: unknown
    for number, s in enumerate(shoppers, start=1):
        out = DAY + 100_000 * number
        account = f"{s['account']}{number}" if s["account"] else ""
        gates += [GatePassed(out - 50_000, number, account, "entry-1", "entry")]
        gates += [GatePassed(out, number, account, str(s["gate"]), "exit")]
        for k, (product, keep) in enumerate(s["picks"]):  # type: ignore[arg-type]
            shelf.append(ShelfEventSeen(out - 40_000 + 10 * k, number, "fresh-r1b1s", product, "pick"))
            if not keep:
                shelf.append(ShelfEventSeen(out - 30_000 + 10 * k, number, "fresh-r1b1s", product, "put_back"))
        for tag, delay in s["reads"]:  # type: ignore[attr-defined]
            reader = {"exit-1": "rfid-exit-1", "exit-2": "rfid-exit-2"}.get(str(s["gate"]), "rfid-exit-1")
            rfid.append(TagRead(out + delay, f"tag-{tag}", reader))
    events = events_from_tables(
        gates=frame_of("gates", gates),
        shelf=frame_of("shelf", shelf),
        rfid=frame_of("rfid", rfid),
        tags=frame_of("tags", tags),
    )
    return clean_events(events, LAYOUT)[0]


@settings(max_examples=60, deadline=None)
@given(st.lists(shopper, min_size=1, max_size=6))
def test_every_exit_read_is_charged_or_flagged(shoppers: list[dict[str, object]]) -> None:
    events = _day(shoppers)
    result = reconcile(events, LAYOUT)
    charged = charge_baskets(result, LedgerCharger(), "USD")
    # a tag read at an exit either is flagged with a reason, or is a unit someone paid for
    exit_reads = events.rfid.filter(pl.col("reader").is_in(["rfid-exit-1", "rfid-exit-2"]))
    flagged = set(charged.flagged["tag"].drop_nulls())
    assert flagged <= set(exit_reads["tag"])
    unflagged = exit_reads.filter(~pl.col("tag").is_in(list(flagged))).select("tag").unique()
    paid = charged.lines.join(charged.baskets.filter(pl.col("status") == "captured"), on="basket")
    paid_units = dict(paid.group_by("product").agg(pl.col("qty").sum()).iter_rows())
    unflagged_units = dict(unflagged.join(events.tags, on="tag").group_by("product").len().iter_rows())
    assert unflagged.join(events.tags, on="tag").height == unflagged.height  # unknown tags are always flagged
    for product, units in unflagged_units.items():
        assert units <= paid_units.get(product, 0), product
    reasons = {"not_picked", "no_passage", "no_account", "no_account_unread", "unknown_tag"}
    assert set(charged.flagged["reason"]) <= reasons


@settings(max_examples=60, deadline=None)
@given(st.lists(shopper, min_size=1, max_size=6))
def test_the_ledger_balances_and_charges_each_basket_once(shoppers: list[dict[str, object]]) -> None:
    result = reconcile(_day(shoppers), LAYOUT)
    ledger = LedgerCharger(fee_bp=250)
    first = charge_baskets(result, ledger, "USD")
    second = charge_baskets(result, ledger, "USD")
    assert sum(ledger.balances().values()) == 0
    captured = first.baskets.filter(pl.col("status") == "captured")
    assert len(ledger.journal) == captured.height
    assert -ledger.balances().get("customer:USD", 0) == int(captured["amount_minor"].sum())
    assert first.baskets.equals(second.baskets)
    assert (first.baskets["account"] == "").sum() == (first.baskets["status"] == "no_account").sum()
