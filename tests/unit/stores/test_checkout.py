"""Grab-and-go: exit reads + picks -> baskets charged once through the ledger; unpaid tags flagged."""

from __future__ import annotations

import polars as pl
import pytest

from wujie.payments.errors import IdempotencyConflict
from wujie.shared.money import Money
from wujie.stores.checkout import ChargeRequest, charge_baskets, reconcile
from wujie.stores.default_layout import default_layout
from wujie.stores.errors import ParamsInvalid
from wujie.stores.event_tables import clean_events, events_from_tables
from wujie.stores.events import GatePassed, ShelfEventSeen, TagRead, TagRegistered, frame_of
from wujie.stores.payments_ledger import LedgerCharger

DAY = 1_794_355_200_000
BANANA, STRAWBERRY, PEPPER = "cj1082185", "cj1127831", "cj995785"  # 94, 250 and 69 cents
S = 1000


def _scenario():  # type: ignore[no-untyped-def]
    gates = [
        GatePassed(DAY + 10 * S, 1, "acct_1", "entry-1", "entry"),
        GatePassed(DAY + 12 * S, 2, "", "entry-1", "entry"),  # tailgater, nobody identified
        GatePassed(DAY + 14 * S, 3, "acct_3", "entry-1", "entry"),
        GatePassed(DAY + 100 * S, 1, "acct_1", "exit-1", "exit"),
        GatePassed(DAY + 104 * S, 2, "", "exit-1", "exit"),
        GatePassed(DAY + 110 * S, 3, "acct_3", "exit-2", "exit"),
    ]
    shelf = [
        ShelfEventSeen(DAY + 20 * S, 1, "fresh-r1b1s", BANANA, "pick"),
        ShelfEventSeen(DAY + 21 * S, 1, "fresh-r1b1s", BANANA, "pick"),
        ShelfEventSeen(DAY + 25 * S, 1, "fresh-r1b1s", BANANA, "put_back"),
        ShelfEventSeen(DAY + 40 * S, 1, "fresh-r1b1s", STRAWBERRY, "pick"),
        ShelfEventSeen(DAY + 45 * S, 2, "fresh-r1b1s", PEPPER, "pick"),
        ShelfEventSeen(DAY + 46 * S, 2, "fresh-r1b1s", PEPPER, "pick"),
        ShelfEventSeen(DAY + 50 * S, 3, "fresh-r1b1s", PEPPER, "pick"),
        ShelfEventSeen(DAY + 51 * S, 3, "fresh-r1b1s", STRAWBERRY, "pick"),
        ShelfEventSeen(DAY + 52 * S, 3, "fresh-r1b1s", STRAWBERRY, "put_back"),
        ShelfEventSeen(DAY + 60 * S, 4, "fresh-r1b1s", BANANA, "pick"),  # track 4 never leaves
    ]
    rfid = [
        TagRead(DAY + 100 * S + 300, "b-1", "rfid-exit-1"),
        TagRead(DAY + 100 * S + 400, "b-1", "rfid-exit-1"),  # duplicate read
        TagRead(DAY + 100 * S + 500, "b-2", "rfid-exit-1"),  # a second banana: not picked (was put back?)
        # shopper 1's strawberry is missed by the reader: the pick still puts it in the basket
        TagRead(DAY + 104 * S + 200, "p-1", "rfid-exit-1"),  # tailgater: one pepper read, one not
        TagRead(DAY + 110 * S + 900, "p-2", "rfid-exit-2"),
        TagRead(DAY + 200 * S, "s-9", "rfid-exit-2"),  # nobody passed within the window
        TagRead(DAY + 110 * S + 950, "zz-404", "rfid-exit-2"),  # not in the registry
    ]
    tags = [TagRegistered(t, p) for t, p in [("b-1", BANANA), ("b-2", BANANA), ("p-1", PEPPER), ("p-2", PEPPER)]]
    tags += [TagRegistered("s-9", STRAWBERRY), TagRegistered("s-1", STRAWBERRY)]
    events = events_from_tables(
        gates=frame_of("gates", gates),
        shelf=frame_of("shelf", shelf),
        rfid=frame_of("rfid", rfid),
        tags=frame_of("tags", tags),
    )
    return clean_events(events, default_layout())[0]


def test_baskets_are_net_picks_per_exit_passage() -> None:
    result = reconcile(_scenario(), default_layout())
    lines = {(b, p): q for b, p, q in result.lines.select("basket", "product", "qty").iter_rows()}
    assert lines == {
        (f"bsk_exit-1_{DAY + 100 * S}_1", BANANA): 1,
        (f"bsk_exit-1_{DAY + 100 * S}_1", STRAWBERRY): 1,
        (f"bsk_exit-1_{DAY + 104 * S}_2", PEPPER): 2,
        (f"bsk_exit-2_{DAY + 110 * S}_3", PEPPER): 1,
    }
    baskets = result.baskets.select("track", "status", "amount_minor", "items").rows()
    assert baskets == [(1, "pending", 94 + 250, 2), (2, "no_account", 2 * 69, 2), (3, "pending", 69, 1)]
    assert result.open_picks == 1  # track 4's banana has not left the store


def test_unpaid_tags_are_flagged_with_a_reason() -> None:
    flagged = reconcile(_scenario(), default_layout()).flagged
    assert flagged.select("tag", "product", "reason").rows() == [
        ("b-2", BANANA, "not_picked"),
        (None, PEPPER, "no_account_unread"),  # stamped with the passage time, before the read
        ("p-1", PEPPER, "no_account"),
        ("zz-404", None, "unknown_tag"),
        ("s-9", STRAWBERRY, "no_passage"),
    ]


def test_charging_captures_each_basket_once_in_a_balanced_ledger() -> None:
    layout = default_layout()
    result = reconcile(_scenario(), layout)
    ledger = LedgerCharger(fee_bp=200)
    charged = charge_baskets(result, ledger, layout.currency)
    assert charged.baskets.select("track", "status").rows() == [(1, "captured"), (2, "no_account"), (3, "captured")]
    assert ledger.total("USD") == Money(344 + 69, "USD")
    assert sum(ledger.balances().values()) == 0
    assert ledger.balances()["customer:USD"] == -(344 + 69)
    again = charge_baskets(result, ledger, layout.currency)  # a retry replays, never charges twice
    assert again.baskets["payment"].to_list() == charged.baskets["payment"].to_list()
    assert len(ledger.journal) == 2
    summary = charged.summary()
    assert summary["captured"] == 2
    assert summary["amount_captured_minor"] == 413
    assert summary["flagged_no_account"] == 1
    assert summary["flagged_no_account_unread"] == 1


def test_a_replayed_basket_id_with_another_amount_is_refused() -> None:
    ledger = LedgerCharger()
    ledger.charge(ChargeRequest("bsk_1", "acct_1", Money(100, "USD"), DAY))
    with pytest.raises(IdempotencyConflict):
        ledger.charge(ChargeRequest("bsk_1", "acct_1", Money(101, "USD"), DAY))


def test_a_declined_payment_flags_the_basket_units() -> None:
    layout = default_layout()
    charged = charge_baskets(reconcile(_scenario(), layout), LedgerCharger(declined=frozenset({"acct_3"})), "USD")
    assert charged.baskets.filter(pl.col("track") == 3)["status"].to_list() == ["declined"]
    declined = charged.flagged.filter(pl.col("reason") == "payment_declined")
    assert declined.select("product").to_series().to_list() == [PEPPER]


def test_window_must_be_positive() -> None:
    with pytest.raises(ParamsInvalid):
        reconcile(_scenario(), default_layout(), window_s=0)
