"""Journal records: one per batch, compact msgpack with numpy columns as raw little-endian bytes.

A record holds the *request* of a batch and the time it was decided at; decisions are a pure
function of the state and the record, so replaying the journal rebuilds exactly the same state.
"""

from __future__ import annotations

import msgspec


class AddSkus(msgspec.Struct, tag="skus", array_like=True):
    """New SKUs: ``(sku, on_hand, price, flash_price, flash_start_us, flash_end_us, limit)``."""

    terms: list[tuple[str, int, int, int, int, int, int]]


class Receive(msgspec.Struct, tag="recv", array_like=True):
    """Units arrived for one SKU."""

    sku: int
    qty: int
    now_us: int


class Place(msgspec.Struct, tag="place", array_like=True):
    """A batch of orders: int32 customer/sku/qty columns, int8 line counts ('' = all single-line)."""

    now_us: int
    ttl_us: int
    new_customers: list[str]
    new_regions: list[str]
    customer: bytes
    region: bytes
    nlines: bytes
    sku: bytes
    qty: bytes


class Pay(msgspec.Struct, tag="pay", array_like=True):
    """A batch of captures as lists (the first journal format; still replayed, no longer written)."""

    now_us: int
    fee_bp: int
    numbers: list[int]
    amounts: list[int]
    keys: list[str]


class PayColumns(msgspec.Struct, tag="payc", array_like=True):
    """A batch of captures as columns: int64 order numbers and amounts, and the idempotency keys.

    ``keys`` is the keys' UTF-8 bytes joined by one NUL byte; ``key_ends`` the int32 offset where
    each key ends (key ``i`` starts one byte after key ``i - 1`` ends), so any key is exact.
    """

    now_us: int
    fee_bp: int
    numbers: bytes
    amounts: bytes
    keys: bytes
    key_ends: bytes


class Cancel(msgspec.Struct, tag="cancel", array_like=True):
    """Cancel reserved orders."""

    now_us: int
    numbers: list[int]
    reason: str


class Expire(msgspec.Struct, tag="expire", array_like=True):
    """Release every reservation that ended at or before ``now_us``."""

    now_us: int


Record = AddSkus | Receive | Place | Pay | PayColumns | Cancel | Expire

ENCODER = msgspec.msgpack.Encoder()
DECODER = msgspec.msgpack.Decoder(Record)
