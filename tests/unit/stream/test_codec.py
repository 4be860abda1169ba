"""The compact event codec: every core event survives the round trip exactly."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import orjson
import pytest

from wujie.catalog.events import ProductListed, SearchPerformed
from wujie.inventory.events import (
    ReservationCommitted,
    ReservationReleased,
    StockDepleted,
    StockReceived,
    StockReserved,
)
from wujie.orders.events import (
    LineFact,
    OrderAllocated,
    OrderCancelled,
    OrderDelivered,
    OrderExpired,
    OrderPaid,
    OrderPlaced,
    OrderRefunded,
    OrderReserved,
    OrderShipped,
)
from wujie.payments.events import PaymentCaptured, PaymentFailed, PaymentRefunded
from wujie.shared.events import Event
from wujie.shared.ids import (
    CustomerId,
    LocationId,
    OrderId,
    PaymentId,
    ProductId,
    RegionId,
    ReservationId,
    SkuId,
)
from wujie.shared.money import Money
from wujie.stream.codec import EVENT_CODES, EventCodec
from wujie.stream.errors import StreamError, StreamErrorCode

AT = datetime(2026, 11, 11, 0, 0, 1, 123456, tzinfo=UTC)
ORD, S, L = OrderId("ord_1"), SkuId("sku_1"), LocationId("wh_sh")


def one_of_each() -> list[Event]:
    line = LineFact(S, 2, Money(1999, "CNY"))
    return [
        ProductListed(ProductId("p1"), (S, SkuId("sku_2")), AT),
        SearchPerformed("月饼 礼盒", CustomerId("c1"), RegionId("SH"), 12, AT),
        SearchPerformed("tea", None, None, 0, AT),
        StockReceived(S, L, 100, AT),
        StockReserved(ReservationId("r1"), ORD, S, L, 2, AT + timedelta(minutes=15), AT),
        ReservationReleased(ReservationId("r1"), ORD, S, L, 2, "expired", AT),
        ReservationCommitted(ReservationId("r1"), ORD, S, L, 2, AT),
        StockDepleted(S, L, AT),
        OrderPlaced(ORD, CustomerId("c1"), RegionId("SH"), (line, line), Money(3998, "CNY"), AT),
        OrderPlaced(ORD, CustomerId("c1"), None, (), Money(0, "KRW"), AT),
        OrderReserved(ORD, AT),
        OrderPaid(ORD, Money(3998, "CNY"), AT),
        OrderAllocated(ORD, (L, LocationId("wh_bj")), False, AT),
        OrderShipped(ORD, AT),
        OrderDelivered(ORD, AT - timedelta(hours=30), AT),
        OrderCancelled(ORD, "payment_failed", AT),
        OrderExpired(ORD, AT),
        OrderRefunded(ORD, Money(3998, "CNY"), AT),
        PaymentCaptured(PaymentId("pay_1"), ORD, CustomerId("c1"), Money(3998, "CNY"), AT),
        PaymentFailed(PaymentId("pay_2"), ORD, "declined", AT),
        PaymentRefunded(PaymentId("pay_1"), ORD, Money(3998, "CNY"), AT),
    ]


def test_every_registered_event_round_trips_exactly() -> None:
    events = one_of_each()
    assert {type(e) for e in events} == set(EVENT_CODES)
    codec = EventCodec()
    decoded = codec.decode_batch(codec.encode_batch(events))
    assert decoded == events
    assert [type(e) for e in decoded] == [type(e) for e in events]
    assert isinstance(decoded[8].lines, tuple)  # type: ignore[attr-defined]
    assert decoded[0].at.tzinfo is not None  # type: ignore[attr-defined]


def test_wire_format_is_compact_and_positional() -> None:
    codec = EventCodec()
    event = PaymentCaptured(PaymentId("pay_1"), ORD, CustomerId("c1"), Money(3998, "CNY"), AT)
    payload = codec.encode_batch([event])
    as_json = orjson.dumps(
        {
            "type": "PaymentCaptured",
            "payment_id": "pay_1",
            "order_id": "ord_1",
            "customer_id": "c1",
            "amount": {"minor": 3998, "currency": "CNY"},
            "at": AT.isoformat(),
        }
    )
    assert len(payload) == 35
    assert len(payload) < len(as_json) / 4
    import msgspec

    assert msgspec.msgpack.decode(payload) == [[30, "pay_1", "ord_1", "c1", [3998, "CNY"], 1794355201123456]]


def test_unknown_event_type_is_refused() -> None:
    from dataclasses import dataclass

    @dataclass(frozen=True)
    class Strange(Event):
        x: int

    with pytest.raises(StreamError) as info:
        EventCodec().encode_batch([Strange(1)])
    assert info.value.code is StreamErrorCode.UNKNOWN_EVENT


def test_naive_datetime_is_refused() -> None:
    with pytest.raises(StreamError) as info:
        EventCodec().encode_batch([OrderShipped(ORD, datetime(2026, 11, 11))])
    assert info.value.code is StreamErrorCode.NAIVE_DATETIME


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        (b"\xc1", StreamErrorCode.MALFORMED_PAYLOAD),
        (b"\x91\x91\x63", StreamErrorCode.UNKNOWN_EVENT),  # [[99]]
        (b"\x91\x92\x18\xa1x", StreamErrorCode.MALFORMED_PAYLOAD),  # [[24, "x"]]: OrderShipped lacks `at`
    ],
)
def test_malformed_payloads_raise_typed_errors(payload: bytes, code: StreamErrorCode) -> None:
    with pytest.raises(StreamError) as info:
        EventCodec().decode_batch(payload)
    assert info.value.code is code
