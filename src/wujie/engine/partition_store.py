"""A partition's journal: the engine's records and its two-phase-commit records in ONE log.

A prepare reserves stock (an engine ``Place`` record) and records the transaction (a ``Prepared``
record); both are staged in the same journal and made durable by the same ``fdatasync``, so a
crash can never keep one without the other. 2PC records carry a one-byte prefix (``0xc1``, a byte
msgpack never uses) so that replay hands engine records to the engine and 2PC records to
:class:`TwoPhaseState`. At a checkpoint the 2PC state is written beside the engine snapshot
(first, atomically, with the sequence number it covers) before the journal segments are dropped.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import msgspec
import numpy as np

from wujie.engine.errors import CorruptJournal
from wujie.engine.journal import Journal
from wujie.engine.partition_records import (
    ENCODER,
    I64,
    MAX_PARTITIONS,
    TWO_PHASE,
    Prepared,
    Resolved,
    TwoPhaseSnapshot,
    pack,
    unpack,
)
from wujie.engine.snapshot import Snapshot, fsync_dir
from wujie.shared.errors import InvalidInput

PREFIX = b"\xc1"


class TwoPhaseState:
    """Transactions prepared here and not yet resolved, and the local orders readers must not count.

    ``hidden`` holds the local numbers of parts that are not an order of their own: in-doubt parts,
    aborted parts and the non-lead parts of committed transactions (the lead part stands for the order).
    """

    def __init__(self) -> None:
        self.in_doubt: dict[int, tuple[int, bool]] = {}
        self.hidden: set[int] = set()
        self.max_txid = 0

    def apply(self, record: Prepared | Resolved) -> None:
        """Apply one 2PC record (live and on replay alike)."""
        if isinstance(record, Prepared):
            txids, numbers, leads = unpack(record.txids), unpack(record.numbers), unpack(record.leads, np.int8)
            for txid, number, lead in zip(txids.tolist(), numbers.tolist(), leads.tolist(), strict=True):
                self.in_doubt[txid] = (number, bool(lead))
                self.hidden.add(number)
                self.max_txid = max(self.max_txid, txid)
            return
        for txid in unpack(record.commit).tolist():
            number, lead = self.in_doubt.pop(txid, (0, False))
            if lead:
                self.hidden.discard(number)
        for txid in unpack(record.abort).tolist():
            self.in_doubt.pop(txid, None)

    def numbers_of(self, txids: I64) -> I64:
        """Return the local order numbers of in-doubt ``txids`` (0 for unknown ones)."""
        return np.fromiter((self.in_doubt.get(t, (0, False))[0] for t in txids.tolist()), np.int64, len(txids))

    def in_doubt_pairs(self) -> bytes:
        """Return ``(txid, local number)`` pairs of every in-doubt transaction, flattened, as bytes."""
        flat = [v for txid, (number, _lead) in sorted(self.in_doubt.items()) for v in (txid, number)]
        return pack(flat)

    def to_snapshot(self, seq: int) -> TwoPhaseSnapshot:
        """Return the state as of journal sequence ``seq``."""
        items = sorted(self.in_doubt.items())
        return TwoPhaseSnapshot(
            seq=seq,
            in_doubt_txids=pack([t for t, _ in items]),
            in_doubt_numbers=pack([n for _, (n, _lead) in items]),
            in_doubt_leads=pack([lead for _, (_n, lead) in items], np.int8),
            hidden=pack(sorted(self.hidden)),
            max_txid=self.max_txid,
        )

    def restore(self, snap: TwoPhaseSnapshot) -> None:
        """Load ``snap`` into this (fresh) state."""
        txids, numbers = unpack(snap.in_doubt_txids), unpack(snap.in_doubt_numbers)
        leads = unpack(snap.in_doubt_leads, np.int8)
        self.in_doubt = {
            t: (n, bool(lead)) for t, n, lead in zip(txids.tolist(), numbers.tolist(), leads.tolist(), strict=True)
        }
        self.hidden = set(unpack(snap.hidden).tolist())
        self.max_txid = snap.max_txid


class TwoPhaseStore:
    """A :class:`~wujie.engine.ports.JournalStore` over a file :class:`Journal` that also holds 2PC records."""

    def __init__(self, directory: Path, *, sync: bool = True) -> None:
        self.inner = Journal(directory / "journal", sync=sync)
        self.sidecar = directory / "twophase.bin"
        self.state = TwoPhaseState()
        self._sidecar_seq = 0
        snap = self._read_sidecar()
        if snap is not None:
            self.state.restore(snap)
            self._sidecar_seq = snap.seq

    # ------------------------------------------------------------------ JournalStore
    @property
    def last_seq(self) -> int:
        """Return the sequence number of the last staged record."""
        return self.inner.last_seq

    @last_seq.setter
    def last_seq(self, value: int) -> None:
        self.inner.last_seq = value

    @property
    def bytes_written(self) -> int:
        """Return the bytes written since the last checkpoint."""
        return self.inner.bytes_written

    @bytes_written.setter
    def bytes_written(self, value: int) -> None:
        self.inner.bytes_written = value

    @property
    def commits(self) -> int:
        """Return how many syncs the journal made."""
        return self.inner.commits

    @commits.setter
    def commits(self, value: int) -> None:
        self.inner.commits = value

    def load_snapshot(self) -> Snapshot | None:
        """Return the engine snapshot, or ``None``."""
        return self.inner.load_snapshot()

    def replay(self, after_seq: int) -> Iterator[tuple[int, bytes]]:
        """Yield the engine records after ``after_seq``; apply the 2PC records the sidecar does not cover."""
        for seq, payload in self.inner.replay(after_seq):
            if payload[:1] == PREFIX:
                if seq > self._sidecar_seq:
                    self.state.apply(TWO_PHASE.decode(payload[1:]))
                continue
            yield seq, payload

    def open_for_append(self, state: object = None) -> None:
        """Open the last segment for appending."""
        self.inner.open_for_append(state)

    def append(self, payload: bytes) -> int:
        """Stage one engine record."""
        return self.inner.append(payload)

    def append_two_phase(self, record: Prepared | Resolved) -> int:
        """Stage one 2PC record (durable with the engine records staged with it) and apply it."""
        self.state.apply(record)
        return self.inner.append(PREFIX + ENCODER.encode(record))

    def commit(self) -> None:
        """Write and sync every staged record (one ``fdatasync``)."""
        self.inner.commit()

    def checkpoint(self, snapshot: Snapshot) -> None:
        """Write the 2PC state, then the engine snapshot, then drop the covered segments."""
        self.inner.commit()
        self._write_sidecar(self.state.to_snapshot(snapshot.seq))
        self._sidecar_seq = snapshot.seq
        self.inner.checkpoint(snapshot)

    def close(self) -> None:
        """Close the journal."""
        self.inner.close()

    # ------------------------------------------------------------------ sidecar
    def _write_sidecar(self, snap: TwoPhaseSnapshot) -> None:
        temp = self.sidecar.with_suffix(".tmp")
        with temp.open("wb") as handle:
            handle.write(msgspec.msgpack.encode(snap))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, self.sidecar)
        fsync_dir(self.sidecar.parent)

    def _read_sidecar(self) -> TwoPhaseSnapshot | None:
        if not self.sidecar.exists():
            return None
        try:
            return msgspec.msgpack.decode(self.sidecar.read_bytes(), type=TwoPhaseSnapshot)
        except msgspec.DecodeError as exc:
            raise CorruptJournal(str(self.sidecar), f"unreadable 2PC snapshot: {exc}") from exc


def check_partitions(path: Path, partitions: int) -> int:
    """Return the partition count of ``path`` (written on first open); refuse a different one."""
    if not 1 <= partitions <= MAX_PARTITIONS:
        raise InvalidInput(f"partitions must be 1..{MAX_PARTITIONS}", partitions=partitions)
    meta = path / "partitions.json"
    if meta.exists():
        stored = int(json.loads(meta.read_text())["partitions"])
        if stored != partitions:
            raise InvalidInput(f"{path} holds {stored} partitions, not {partitions}", partitions=partitions)
        return stored
    meta.write_text(json.dumps({"partitions": partitions}))
    return partitions
