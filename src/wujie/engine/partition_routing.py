"""Split a batch of orders over partitions, and fold the partitions' votes back into one answer.

An order whose lines all live in one partition goes there as it is. An order whose lines span
partitions becomes a transaction (a txid) with one *part* per partition, the part holding that
partition's lines. Each partition receives its orders and parts in arrival order, so a partition
decides them exactly as the single-process engine decides the same requests restricted to its SKUs.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from wujie.engine.book import BAD_LINES, BAD_QTY, OK, REASON_CODES, UNKNOWN_SKU, group_starts
from wujie.engine.decisions import OrderColumns
from wujie.engine.partition_records import CROSS_TAG, I64, TAG_BITS
from wujie.engine.state import MAX_LINES, MAX_QTY

I8 = npt.NDArray[np.int8]

#: a partition did not answer (its process died mid-round): the order is refused, retryable
UNAVAILABLE = len(REASON_CODES)
PARTITION_REASON_CODES: tuple[str | None, ...] = (*REASON_CODES, "partition_unavailable")


def partition_of(sku: str, partitions: int) -> int:
    """Return the partition that owns ``sku`` (a stable hash of its id)."""
    return zlib.crc32(sku.encode()) % partitions


def validate(batch: OrderColumns, skus: int) -> I8:
    """Return per order the reason the single-process engine gives before looking at stock (0: fine)."""
    n = len(batch.customer)
    nlines = batch.nlines if batch.nlines is not None else np.ones(n, dtype=np.int64)
    reasons = np.zeros(n, dtype=np.int8)
    if n == 0:
        return reasons
    if (nlines < 0).any() or (nlines > 127).any() or int(nlines.sum()) != len(batch.sku):
        reasons[:] = BAD_LINES
        return reasons
    starts = np.cumsum(nlines) - nlines
    ends = starts + nlines

    def per_order(bad_line: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
        running = np.concatenate(([0], np.cumsum(bad_line)))
        flagged: npt.NDArray[np.bool_] = running[ends] > running[starts]
        return flagged

    reasons[per_order((batch.qty < 1) | (batch.qty > MAX_QTY))] = BAD_QTY
    reasons[per_order((batch.sku < 0) | (batch.sku >= skus))] = UNKNOWN_SKU
    reasons[(nlines < 1) | (nlines > MAX_LINES)] = BAD_LINES
    return reasons


@dataclass(frozen=True, slots=True)
class PartBatch:
    """What one partition gets: per part its order (batch row), line count, txid (0: whole order), lead flag."""

    partition: int
    order: I64
    nlines: I64
    lines: I64
    txid: I64
    lead: I64


@dataclass(frozen=True, slots=True)
class Split:
    """A routed batch: early reasons, the txid of each order (0: single-partition), the per-partition batches."""

    reasons: I8
    txid: I64
    parts: list[PartBatch]
    first_txid: int
    last_txid: int


def split(batch: OrderColumns, sku_partition: I64, next_txid: int) -> Split:
    """Route ``batch`` (global SKU indices) given each SKU's partition; number new transactions from ``next_txid``."""
    n = len(batch.customer)
    reasons = validate(batch, len(sku_partition))
    nlines = batch.nlines if batch.nlines is not None else np.ones(n, dtype=np.int64)
    txid = np.zeros(n, dtype=np.int64)
    ok = np.flatnonzero(reasons == OK)
    if len(ok) == 0:
        return Split(reasons, txid, [], next_txid, next_txid - 1)
    counts = nlines[ok]
    first = np.cumsum(counts) - counts
    starts = np.cumsum(nlines) - nlines
    lines = np.repeat(starts[ok], counts) + (np.arange(int(counts.sum())) - np.repeat(first, counts))
    owner = np.repeat(ok, counts)
    where = sku_partition[batch.sku[lines]]
    low, high = np.minimum.reduceat(where, first), np.maximum.reduceat(where, first)
    cross = ok[low != high]
    txid[cross] = np.arange(next_txid, next_txid + len(cross), dtype=np.int64)
    lead_partition = np.full(n, -1, dtype=np.int64)
    lead_partition[ok] = low
    by_partition = np.argsort(where, kind="stable")  # partition-major; arrival order kept inside
    where, owner, lines = where[by_partition], owner[by_partition], lines[by_partition]
    bounds = np.searchsorted(where, np.arange(int(where.max()) + 2))
    parts: list[PartBatch] = []
    for p in range(len(bounds) - 1):
        lo, hi = int(bounds[p]), int(bounds[p + 1])
        if lo == hi:
            continue
        orders_here = owner[lo:hi]
        part_starts, _ = group_starts(orders_here)
        order = orders_here[part_starts]
        part_lines = np.diff(np.append(part_starts, hi - lo))
        lead = (lead_partition[order] == p).astype(np.int64)
        parts.append(PartBatch(p, order, part_lines, lines[lo:hi], txid[order], lead))
    return Split(reasons, txid, parts, next_txid, next_txid + len(cross) - 1)


@dataclass
class Tally:
    """Votes folded per order: accepted parts, the strongest refusal, total, and the parts to commit."""

    reasons: I8
    numbers: I64
    totals: I64
    yes: I64
    parts: I64
    refusal: I64
    answered: npt.NDArray[np.bool_]


def new_tally(early: I8) -> Tally:
    """Return an empty tally for a batch whose validation gave ``early``."""
    n = len(early)
    zeros = np.zeros(n, dtype=np.int64)
    refusal = np.full(n, 127, np.int64)
    return Tally(early.copy(), zeros.copy(), zeros.copy(), zeros.copy(), zeros.copy(), refusal, np.zeros(n, bool))


def fold(tally: Tally, part: PartBatch, reason: I8, number: I64, total: I64) -> None:
    """Fold one partition's votes: single-partition orders get their answer, parts are counted."""
    single = part.txid == 0
    rows = part.order[single]
    tally.reasons[rows] = reason[single]
    tally.answered[rows] = True
    accepted = single & (reason == OK)
    tally.numbers[part.order[accepted]] = (number[accepted] << TAG_BITS) | part.partition
    tally.totals[rows] = total[single]
    cross = ~single
    rows = part.order[cross]
    np.add.at(tally.parts, rows, 1)
    np.add.at(tally.yes, rows, (reason[cross] == OK).astype(np.int64))
    np.add.at(tally.totals, rows, total[cross])
    refused = cross & (reason != OK)
    np.minimum.at(tally.refusal, part.order[refused], reason[refused].astype(np.int64))


def decide(tally: Tally, routed: Split, expected_parts: I64) -> tuple[I64, I64]:
    """Commit each transaction whose every part voted yes; return (committed txids, aborted txids)."""
    lost = (routed.txid == 0) & (tally.reasons == OK) & ~tally.answered
    tally.reasons[lost] = UNAVAILABLE
    cross = np.flatnonzero(routed.txid > 0)
    commit = cross[tally.yes[cross] == expected_parts[cross]]
    abort = np.setdiff1d(cross, commit)
    tally.numbers[commit] = (routed.txid[commit] << TAG_BITS) | CROSS_TAG
    tally.reasons[abort] = np.where(tally.refusal[abort] < 127, tally.refusal[abort], UNAVAILABLE)
    tally.totals[abort] = 0
    return routed.txid[commit], routed.txid[abort]


def expected_parts(routed: Split, n: int) -> I64:
    """Return, per order, how many parts it was split into (0 for single-partition or refused orders)."""
    counts = np.zeros(n, dtype=np.int64)
    for part in routed.parts:
        np.add.at(counts, part.order[part.txid > 0], 1)
    return counts
