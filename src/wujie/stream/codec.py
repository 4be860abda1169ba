"""Compact binary serialisation of the core events (MessagePack arrays, no field names).

Each event becomes ``[code, field1, field2, ...]`` in declaration order: datetimes as integer
microseconds since the Unix epoch (UTC), money as ``[minor, currency]``, order lines as
``[sku, quantity, minor, currency]``. The codes in :data:`EVENT_CODES` are part of the wire
format: append new events, never renumber.
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec

from wujie.catalog import events as catalog
from wujie.inventory import events as inventory
from wujie.orders import events as orders
from wujie.payments import events as payments
from wujie.shared.events import Event
from wujie.shared.money import Money
from wujie.stream.errors import StreamError, StreamErrorCode

#: Wire codes of the event types (stable: append only).
EVENT_CODES: dict[type[Event], int] = {
    catalog.ProductListed: 1,
    catalog.SearchPerformed: 2,
    inventory.StockReceived: 10,
    inventory.StockReserved: 11,
    inventory.ReservationReleased: 12,
    inventory.ReservationCommitted: 13,
    inventory.StockDepleted: 14,
    orders.OrderPlaced: 20,
    orders.OrderReserved: 21,
    orders.OrderPaid: 22,
    orders.OrderAllocated: 23,
    orders.OrderShipped: 24,
    orders.OrderDelivered: 25,
    orders.OrderCancelled: 26,
    orders.OrderExpired: 27,
    orders.OrderRefunded: 28,
    payments.PaymentCaptured: 30,
    payments.PaymentFailed: 31,
    payments.PaymentRefunded: 32,
}

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICRO = timedelta(microseconds=1)

Encoder = Callable[[Any], Any]
Decoder = Callable[[Any], Any]


def _enc_datetime(value: datetime) -> int:
    if value.tzinfo is None:
        raise StreamError(StreamErrorCode.NAIVE_DATETIME, "event times must be timezone-aware", value=str(value))
    return (value - _EPOCH) // _MICRO


def _dec_datetime(value: int) -> datetime:
    return _EPOCH + timedelta(microseconds=value)


def _enc_money(value: Money) -> list[Any]:
    return [value.minor, value.currency]


def _dec_money(value: list[Any]) -> Money:
    return Money(value[0], value[1])


def _enc_lines(value: tuple[orders.LineFact, ...]) -> list[list[Any]]:
    return [[line.sku, line.quantity, line.unit_price.minor, line.unit_price.currency] for line in value]


def _dec_lines(value: list[list[Any]]) -> tuple[orders.LineFact, ...]:
    return tuple(orders.LineFact(sku, quantity, Money(minor, currency)) for sku, quantity, minor, currency in value)


def _enc_strings(value: tuple[str, ...]) -> list[str]:
    return list(value)


def _dec_strings(value: list[str]) -> tuple[str, ...]:
    return tuple(value)


def _same(value: Any) -> Any:
    return value


def _field_codec(hint: Any) -> tuple[Encoder, Decoder]:
    if hint is datetime:
        return _enc_datetime, _dec_datetime
    if hint is Money:
        return _enc_money, _dec_money
    if typing.get_origin(hint) is tuple:
        item = typing.get_args(hint)[0]
        if item is orders.LineFact:
            return _enc_lines, _dec_lines
        return _enc_strings, _dec_strings
    return _same, _same


class _TypeCodec:
    """Encoder and decoder of one event type, built once from its dataclass fields."""

    def __init__(self, cls: type[Event], code: int) -> None:
        hints = typing.get_type_hints(cls)
        self.cls = cls
        self.code = code
        self.fields = tuple(f.name for f in dataclasses.fields(cls))
        self.codecs = tuple(_field_codec(hints[name]) for name in self.fields)

    def encode(self, event: Event) -> list[Any]:
        out: list[Any] = [self.code]
        for name, (enc, _) in zip(self.fields, self.codecs, strict=True):
            out.append(enc(getattr(event, name)))
        return out

    def decode(self, row: list[Any]) -> Event:
        if len(row) != len(self.fields) + 1:
            raise StreamError(StreamErrorCode.MALFORMED_PAYLOAD, f"{self.cls.__name__} needs {len(self.fields)} fields")
        args = [dec(value) for (_, dec), value in zip(self.codecs, row[1:], strict=True)]
        return self.cls(*args)


class EventCodec:
    """Encode batches of core events to compact bytes and back.

    Examples
    --------
    >>> codec = EventCodec()
    >>> codec.decode_batch(codec.encode_batch([]))
    []
    """

    def __init__(self) -> None:
        self._by_type = {cls: _TypeCodec(cls, code) for cls, code in EVENT_CODES.items()}
        self._by_code = {codec.code: codec for codec in self._by_type.values()}
        self._encoder = msgspec.msgpack.Encoder()
        self._decoder = msgspec.msgpack.Decoder(list[list[Any]])

    def encode_batch(self, events: Sequence[Event]) -> bytes:
        """Return the MessagePack bytes of ``events``; raise :class:`StreamError` on an unknown type."""
        rows = []
        for event in events:
            codec = self._by_type.get(type(event))
            if codec is None:
                raise StreamError(StreamErrorCode.UNKNOWN_EVENT, f"no wire code for {type(event).__name__}")
            rows.append(codec.encode(event))
        return self._encoder.encode(rows)

    def decode_batch(self, payload: bytes) -> list[Event]:
        """Return the events encoded in ``payload``; raise :class:`StreamError` when it is malformed."""
        try:
            rows = self._decoder.decode(payload)
        except msgspec.DecodeError as exc:
            raise StreamError(StreamErrorCode.MALFORMED_PAYLOAD, f"not an event batch: {exc}") from exc
        events = []
        for row in rows:
            codec = self._by_code.get(row[0]) if row else None
            if codec is None:
                raise StreamError(StreamErrorCode.UNKNOWN_EVENT, "unknown wire code", wire_code=repr(row[:1]))
            try:
                events.append(codec.decode(row))
            except (TypeError, ValueError, IndexError, OverflowError) as exc:
                raise StreamError(StreamErrorCode.MALFORMED_PAYLOAD, f"bad {codec.cls.__name__}: {exc}") from exc
        return events
