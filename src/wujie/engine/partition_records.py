"""What crosses the pipe between the coordinator and a partition process, and the 2PC log records.

Batches travel as numpy columns packed into raw little-endian bytes inside one msgpack message,
never as one Python object per order. Three families live here:

* requests (coordinator -> partition) and replies (partition -> coordinator);
* the partition's two-phase-commit records (``Prepared``, ``Resolved``), written into the
  partition's own engine journal (see :mod:`wujie.engine.partition_store`);
* the coordinator's decision log records (``Decision``, ``Intent``).
"""

from __future__ import annotations

import msgspec
import numpy as np
import numpy.typing as npt

I64 = npt.NDArray[np.int64]

#: order numbers of a partitioned engine: ``(local_or_txid << TAG_BITS) | tag``; tag = partition,
#: or ``CROSS_TAG`` for an order whose lines span partitions (then the high bits are its txid)
TAG_BITS = 6
CROSS_TAG = (1 << TAG_BITS) - 1
MAX_PARTITIONS = CROSS_TAG


def pack(values: npt.ArrayLike, dtype: type[np.generic] = np.int64) -> bytes:
    """Return ``values`` as raw bytes of ``dtype``."""
    return np.asarray(values, dtype=dtype).tobytes()


def unpack(blob: bytes, dtype: type[np.generic] = np.int64) -> I64:
    """Return raw bytes of ``dtype`` as an int64 array (a copy, writable)."""
    return np.frombuffer(blob, dtype=dtype).astype(np.int64)


# ---------------------------------------------------------------------------------- requests
class AddSkus(msgspec.Struct, tag="skus", array_like=True):
    """Add SKUs: ``(sku, on_hand, price, flash_price, flash_start_us, flash_end_us, limit)``."""

    terms: list[tuple[str, int, int, int, int, int, int]]


class Round(msgspec.Struct, tag="round", array_like=True):
    """One place round for one partition: its single-partition orders and its 2PC parts, in arrival order.

    Customer and region columns hold the coordinator's (global) indices; ``new_*`` teach the
    partition the names behind indices it has not seen. ``txid`` is 0 for a single-partition
    order, else the transaction the part belongs to (``lead`` marks one part per transaction);
    both are empty when the round holds no part.
    """

    now_us: int
    new_customers: list[str]
    customer_ids: bytes
    new_regions: list[str]
    region_ids: bytes
    customer: bytes
    region: bytes
    nlines: bytes
    sku: bytes
    qty: bytes
    txid: bytes
    lead: bytes


class Learn(msgspec.Struct, tag="learn", array_like=True):
    """Names behind new coordinator indices, sent when they are interned (no reply)."""

    customers: list[str]
    customer_ids: bytes
    regions: list[str]
    region_ids: bytes


class Resolve(msgspec.Struct, tag="resolve", array_like=True):
    """The coordinator's decision for prepared transactions (``now``: apply and sync at once)."""

    commit: bytes
    abort: bytes
    now: bool = False


class PayBatch(msgspec.Struct, tag="pay", array_like=True):
    """Captures by local order number."""

    now_us: int
    numbers: list[int]
    amounts: list[int]
    keys: list[str]


class CancelBatch(msgspec.Struct, tag="cancel", array_like=True):
    """Cancels by local order number."""

    now_us: int
    numbers: list[int]
    reason: str


class ExpireAt(msgspec.Struct, tag="expire", array_like=True):
    """Expire every reservation that ended by ``now_us``."""

    now_us: int


class ReceiveUnits(msgspec.Struct, tag="recv", array_like=True):
    """Units arrived for one local SKU."""

    sku: int
    qty: int
    now_us: int


class Query(msgspec.Struct, tag="query", array_like=True):
    """A read: ``stock``, ``counts``, ``orders`` (by local numbers) or ``customer`` (by name)."""

    kind: str
    numbers: list[int] = []
    customer: str = ""
    limit: int = 100


class Close(msgspec.Struct, tag="close", array_like=True):
    """Sync, optionally snapshot, close the engine and leave the process."""

    checkpoint: bool


Request = AddSkus | Round | Learn | Resolve | PayBatch | CancelBatch | ExpireAt | ReceiveUnits | Query | Close


# ---------------------------------------------------------------------------------- replies
class Hello(msgspec.Struct, tag="hello", array_like=True):
    """Sent once after recovery: in-doubt transactions (txid, local number), the highest txid, the SKUs."""

    in_doubt: bytes
    max_txid: int
    skus: list[str]


class Votes(msgspec.Struct, tag="votes", array_like=True):
    """Per order or part of a round, in message order: reason, local number (0 if refused), total."""

    reason: bytes
    number: bytes
    total: bytes


class Codes(msgspec.Struct, tag="codes", array_like=True):
    """Per request: a code index (``ledger.PAY_CODES``) and a local payment number (0 if none)."""

    codes: list[int]
    payments: list[int] = []


class StockColumns(msgspec.Struct, tag="stockcols", array_like=True):
    """The partition's SKUs and their on hand / reserved / sold columns."""

    skus: list[str]
    on_hand: bytes
    reserved: bytes
    sold: bytes


class Counts(msgspec.Struct, tag="counts", array_like=True):
    """Orders per state (index = ``OrderState``) counting each order once, payments, journal seq, ledger sum."""

    states: list[int]
    payments: int
    journal_seq: int
    ledger_total: int
    commits: int
    journal_bytes: int


#: ``(local number, customer, region, state, total, placed_us, expires_us, ((sku, qty, price), ...))``
OrderRow = tuple[int, str, str | None, int, int, int, int, list[tuple[str, int, int]]]


class OrderRows(msgspec.Struct, tag="rows", array_like=True):
    """Orders read back (unknown numbers are left out)."""

    rows: list[OrderRow]


class Done(msgspec.Struct, tag="done", array_like=True):
    """A write without per-request answers went through (``value``: e.g. how many expired)."""

    value: int = 0


class Failed(msgspec.Struct, tag="failed", array_like=True):
    """The request raised: the error's stable code and message."""

    code: str
    message: str


Reply = Hello | Votes | Codes | StockColumns | Counts | OrderRows | Done | Failed


# ---------------------------------------------------------------------------------- partition 2PC records
class Prepared(msgspec.Struct, tag="prepared", array_like=True):
    """Parts this partition reserved and voted yes for: txids, local order numbers, lead flags."""

    txids: bytes
    numbers: bytes
    leads: bytes


class Resolved(msgspec.Struct, tag="resolved", array_like=True):
    """Outcomes this partition applied (the abort's stock release is an engine Cancel record before it)."""

    commit: bytes
    abort: bytes


TwoPhaseRecord = Prepared | Resolved


class TwoPhaseSnapshot(msgspec.Struct):
    """The 2PC state at a journal sequence number (beside the engine snapshot)."""

    seq: int
    in_doubt_txids: bytes
    in_doubt_numbers: bytes
    in_doubt_leads: bytes
    hidden: bytes
    max_txid: int


# ---------------------------------------------------------------------------------- coordinator log
class Decision(msgspec.Struct, tag="decision", array_like=True):
    """One round's decisions: committed txids with their parts, aborted txids, the highest txid used."""

    commit: bytes
    part_txid: bytes
    part_partition: bytes
    part_number: bytes
    part_total: bytes
    abort: bytes
    max_txid: int


class Intent(msgspec.Struct, tag="intent", array_like=True):
    """Pay or cancel cross-partition orders: logged before any part is touched, re-driven on recovery."""

    kind: str
    now_us: int
    txids: list[int]
    keys: list[str]
    reason: str = ""


CoordinatorRecord = Decision | Intent

REQUESTS = msgspec.msgpack.Decoder(Request)
REPLIES = msgspec.msgpack.Decoder(Reply)
TWO_PHASE = msgspec.msgpack.Decoder(TwoPhaseRecord)
COORDINATOR = msgspec.msgpack.Decoder(CoordinatorRecord)
ENCODER = msgspec.msgpack.Encoder()
