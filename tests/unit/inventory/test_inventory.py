"""Inventory: the stock rule, reservations with expiry, placement of holds, and the handlers on memory."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from wujie.bootstrap import MemoryUnitOfWork, bootstrap
from wujie.inventory.commands import (
    AddLocation,
    CommitReservation,
    ExpireReservations,
    ReceiveStock,
    ReleaseReservation,
    ReserveStock,
)
from wujie.inventory.errors import (
    InsufficientStock,
    InvalidLocation,
    InvalidQuantity,
    InventoryErrorCode,
    ReservationClosed,
    StockRuleBroken,
    UnknownEntity,
)
from wujie.inventory.events import (
    ReservationCommitted,
    ReservationReleased,
    StockDepleted,
    StockReceived,
    StockReserved,
)
from wujie.inventory.model import Location, LocationKind, ReservationState, StockItem, plan_reservation
from wujie.shared.clock import ManualClock
from wujie.shared.events import Event

T0 = datetime(2026, 11, 11, tzinfo=UTC)
LATER = T0 + timedelta(minutes=15)


def test_reserve_release_commit_keep_the_rule_and_record_events() -> None:
    item = StockItem("duck", "wh", on_hand=5)
    first = item.reserve("r1", "o1", 3, LATER, T0)
    second = item.reserve("r2", "o2", 2, LATER, T0)
    assert (item.reserved, item.available) == (5, 0)
    with pytest.raises(InsufficientStock) as caught:
        item.reserve("r3", "o3", 1, LATER, T0)
    assert caught.value.context["available"] == 0
    item.release(first, "cancelled", T0)
    item.commit(second, T0)
    assert (item.on_hand, item.reserved, item.sold, item.available) == (5, 0, 2, 3)
    assert first.state is ReservationState.RELEASED and second.state is ReservationState.COMMITTED
    assert [type(e) for e in item.events] == [
        StockReserved,
        StockReserved,
        StockDepleted,
        ReservationReleased,
        ReservationCommitted,
    ]


def test_a_closed_reservation_cannot_move_again() -> None:
    item = StockItem("duck", "wh", on_hand=5)
    reservation = item.reserve("r1", "o1", 2, LATER, T0)
    item.commit(reservation, T0)
    for action in (lambda: item.release(reservation, "x", T0), lambda: item.commit(reservation, T0)):
        with pytest.raises(ReservationClosed):
            action()
    assert (item.reserved, item.sold) == (0, 2)


def test_expiry_only_when_due() -> None:
    item = StockItem("duck", "wh", on_hand=5)
    reservation = item.reserve("r1", "o1", 2, LATER, T0)
    with pytest.raises(ReservationClosed, match="not yet due"):
        item.expire(reservation, LATER - timedelta(microseconds=1))
    item.expire(reservation, LATER)
    assert reservation.state is ReservationState.EXPIRED and item.reserved == 0


def test_a_reservation_of_another_item_is_refused() -> None:
    item, other = StockItem("duck", "wh", on_hand=5), StockItem("duck", "store", on_hand=5)
    reservation = other.reserve("r1", "o1", 2, LATER, T0)
    with pytest.raises(ReservationClosed):
        item.release(reservation, "x", T0)
    assert (item.reserved, other.reserved) == (0, 2)


@pytest.mark.parametrize("quantity", [0, -1, True, 1.5, "2"])
def test_quantities_must_be_positive_integers(quantity: object) -> None:
    item = StockItem("duck", "wh", on_hand=5)
    with pytest.raises(InvalidQuantity):
        item.reserve("r", "o", quantity, LATER, T0)  # type: ignore[arg-type]
    with pytest.raises(InvalidQuantity):
        item.receive(quantity, T0)  # type: ignore[arg-type]
    assert (item.on_hand, item.reserved) == (5, 0)


def test_plan_prefers_the_region_then_the_fullest_then_splits() -> None:
    items = [StockItem("s", "a", 4), StockItem("s", "b", 9), StockItem("s", "c", 3)]
    regions = {"a": "north", "b": "east", "c": "north"}
    assert [(i.location, q) for i, q in plan_reservation("s", items, 3, regions, "north")] == [("a", 3)]
    assert [(i.location, q) for i, q in plan_reservation("s", items, 5, regions, "north")] == [("b", 5)]
    assert [(i.location, q) for i, q in plan_reservation("s", items, 12, regions, "north")] == [
        ("a", 4),
        ("c", 3),
        ("b", 5),
    ]
    with pytest.raises(InsufficientStock) as caught:
        plan_reservation("s", items, 17, regions, None)
    assert caught.value.context["available"] == 16


def test_locations_validate_coordinates_and_kind() -> None:
    with pytest.raises(InvalidLocation):
        Location("x", "X", LocationKind.STORE, "r", 91.0, 0.0)
    with pytest.raises(InvalidLocation):
        Location("x", "X", "depot", "r", 0.0, 0.0)  # type: ignore[arg-type]


def _bus() -> tuple[object, MemoryUnitOfWork, ManualClock, list[Event]]:
    clock = ManualClock(T0)
    uow = MemoryUnitOfWork()
    events: list[Event] = []
    kinds = (StockReceived, StockReserved, StockDepleted, ReservationReleased, ReservationCommitted)
    bus = bootstrap(uow, clock, subscribers={kind: [events.append] for kind in kinds})
    bus.handle(AddLocation("wh", "Beijing DC", "warehouse", "north", 39.9, 116.4))
    bus.handle(AddLocation("st", "Wangfujing store", "store", "north", 39.91, 116.41))
    bus.handle(ReceiveStock("duck", "wh", 4))
    bus.handle(ReceiveStock("duck", "st", 1))
    return bus, uow, clock, events


def _counts(uow: MemoryUnitOfWork) -> dict[str, tuple[int, int, int]]:
    with uow:
        return {i.location: (i.on_hand, i.reserved, i.sold) for i in uow.stock.for_sku("duck")}


def test_handlers_reserve_release_commit_and_sweep() -> None:
    bus, uow, clock, events = _bus()
    ids = bus.handle(ReserveStock("o1", "duck", 2, LATER))  # type: ignore[attr-defined]
    assert ids == ["o1:duck:wh"]
    bus.handle(ReserveStock("o2", "duck", 3, LATER + timedelta(minutes=5)))  # type: ignore[attr-defined]
    assert _counts(uow) == {"st": (1, 1, 0), "wh": (4, 4, 0)}
    bus.handle(CommitReservation("o1:duck:wh"))  # type: ignore[attr-defined]
    clock.set(LATER + timedelta(minutes=5))
    assert bus.handle(ExpireReservations()) == 2  # type: ignore[attr-defined]
    assert _counts(uow) == {"st": (1, 0, 0), "wh": (4, 0, 2)}
    expired = [e for e in events if isinstance(e, ReservationReleased)]
    assert sorted((e.reservation_id, e.reason) for e in expired) == [
        ("o2:duck:st", "expired"),
        ("o2:duck:wh", "expired"),
    ]
    with pytest.raises(ReservationClosed):
        bus.handle(ReleaseReservation("o2:duck:wh"))  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("command", "code"),
    [
        (ReceiveStock("duck", "nowhere", 5), InventoryErrorCode.UNKNOWN_LOCATION),
        (ReceiveStock("duck", "wh", 0), InventoryErrorCode.INVALID_QUANTITY),
        (ReserveStock("o1", "duck", 6, LATER), InventoryErrorCode.INSUFFICIENT_STOCK),
        (ReserveStock("o1", "ghost", 1, LATER), InventoryErrorCode.INSUFFICIENT_STOCK),
        (ReserveStock("o1", "duck", -2, LATER), InventoryErrorCode.INVALID_QUANTITY),
        (ReleaseReservation("nope"), InventoryErrorCode.UNKNOWN_RESERVATION),
        (AddLocation("wh", "again", "warehouse", "north", 0.0, 0.0), InventoryErrorCode.DUPLICATE),
        (AddLocation("x", "X", "depot", "north", 0.0, 0.0), InventoryErrorCode.INVALID_LOCATION),
    ],
)
def test_bad_inventory_commands_raise_typed_errors_and_write_nothing(command: object, code: str) -> None:
    bus, uow, _, events = _bus()
    before = list(events)
    with pytest.raises(
        (InsufficientStock, InvalidQuantity, UnknownEntity, InvalidLocation, ReservationClosed)
    ) as caught:
        bus.handle(command)  # type: ignore[attr-defined]
    assert caught.value.code == code
    assert _counts(uow) == {"st": (1, 0, 0), "wh": (4, 0, 0)}
    with uow:
        assert uow.reservations.for_order("o1") == []
        assert [loc.id for loc in uow.locations.all()] == ["st", "wh"]
    assert events == before


def test_the_store_itself_refuses_counts_that_break_the_rule() -> None:
    _, uow, _, _ = _bus()
    with uow:
        item = uow.stock.get("duck", "wh")
        assert item is not None
        item.reserved = 5  # a bug above the repository: 5 reserved of 4 on hand
        with pytest.raises(StockRuleBroken):
            uow.stock.save(item)
    assert _counts(uow) == {"st": (1, 0, 0), "wh": (4, 0, 0)}
