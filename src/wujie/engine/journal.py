"""The group-commit journal: append a batch of records, then one ``fdatasync`` for all of them.

A record is ``length:u32 crc32:u32 seq:u64`` followed by ``length`` payload bytes. Segments are files
named after their first sequence number; a checkpoint (snapshot) starts a new segment and deletes the
old ones. On open, the tail of the last segment is read back: a torn or corrupt final record (a crash
mid-write, never acknowledged because acknowledgement follows the sync) is cut off.
"""

from __future__ import annotations

import os
import struct
import threading
import zlib
from collections.abc import Iterator
from pathlib import Path

from wujie.engine.errors import CorruptJournal
from wujie.engine.snapshot import Snapshot, fsync_dir, read_snapshot, write_snapshot

_HEADER = struct.Struct("<IIQ")
_SUFFIX = ".wal"


def _segment_name(first_seq: int) -> str:
    return f"{first_seq:020d}{_SUFFIX}"


class Journal:
    """An append-only, checksummed, segmented log with explicit group commit.

    Parameters
    ----------
    directory
        Where the segments live (created if missing).
    sync
        ``True`` (always, in production) syncs each commit with ``os.fdatasync``.
    """

    def __init__(self, directory: Path, *, sync: bool = True) -> None:
        self.directory = directory
        self.sync = sync
        self.pipelined = True  # :meth:`write` and :meth:`sync_written` may run on two threads
        self._sync_lock = threading.Lock()
        directory.mkdir(parents=True, exist_ok=True)
        self.last_seq = 0
        self._fd = -1
        self._pending: list[bytes] = []
        self.bytes_written = 0
        self.commits = 0

    def segments(self) -> list[Path]:
        """Return the segment files in sequence order."""
        return sorted(self.directory.glob(f"*{_SUFFIX}"))

    def replay(self, after_seq: int) -> Iterator[tuple[int, bytes]]:
        """Yield ``(seq, payload)`` of every intact record with ``seq > after_seq``; cut a torn tail."""
        segments = self.segments()
        for position, segment in enumerate(segments):
            last = position == len(segments) - 1
            for seq, payload in self._read_segment(segment, last=last):
                self.last_seq = max(self.last_seq, seq)
                if seq > after_seq:
                    yield seq, payload
        self.last_seq = max(self.last_seq, after_seq)

    def _read_segment(self, segment: Path, *, last: bool) -> Iterator[tuple[int, bytes]]:
        data = segment.read_bytes()
        offset = 0
        while offset < len(data):
            end = offset + _HEADER.size
            if end > len(data):
                break
            length, crc, seq = _HEADER.unpack_from(data, offset)
            payload = data[end : end + length]
            if len(payload) < length or zlib.crc32(payload) != crc:
                break
            yield seq, payload
            offset = end + length
        if offset < len(data):
            if not last:
                raise CorruptJournal(str(segment), f"damaged record at byte {offset} before the last segment")
            with segment.open("r+b") as handle:  # a torn tail was never acknowledged: drop it
                handle.truncate(offset)
                os.fsync(handle.fileno())

    def open_for_append(self, state: object = None) -> None:
        """Open the last segment (or a new one) for appending (``state`` is for projecting stores)."""
        segments = self.segments()
        path = segments[-1] if segments else self.directory / _segment_name(self.last_seq + 1)
        self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        if not segments:
            fsync_dir(self.directory)

    def append(self, payload: bytes) -> int:
        """Stage one record; return its sequence number. Nothing is durable before :meth:`commit`."""
        self.last_seq += 1
        self._pending.append(_HEADER.pack(len(payload), zlib.crc32(payload), self.last_seq))
        self._pending.append(payload)
        return self.last_seq

    def commit(self) -> None:
        """Write every staged record with one ``write`` and make it durable with one sync."""
        if self._pending:
            self.write()
            self.sync_written()

    def write(self) -> None:
        """Write the staged records to the file (not yet durable: see :meth:`sync_written`)."""
        if not self._pending:
            return
        blob = b"".join(self._pending)
        self._pending.clear()
        view = memoryview(blob)
        while view:
            written = os.write(self._fd, view)
            view = view[written:]
        self.bytes_written += len(blob)

    def sync_written(self) -> None:
        """Make everything written so far durable (one ``fdatasync``); safe beside :meth:`write`."""
        with self._sync_lock:
            if self.sync:
                os.fdatasync(self._fd)
            self.commits += 1

    def rotate(self, snapshot_seq: int) -> None:
        """Start a new segment after a snapshot at ``snapshot_seq`` and delete the covered ones."""
        old = self.segments()
        with self._sync_lock:
            if self._fd >= 0:
                os.fdatasync(self._fd)
                os.close(self._fd)
        path = self.directory / _segment_name(snapshot_seq + 1)
        self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        fsync_dir(self.directory)
        for segment in old:
            if segment != path:
                segment.unlink()
        fsync_dir(self.directory)

    @property
    def snapshot_path(self) -> Path:
        """Return where the snapshot lives (beside the segments)."""
        return self.directory.parent / "snapshot.bin"

    def load_snapshot(self) -> Snapshot | None:
        """Return the latest snapshot, or ``None``."""
        return read_snapshot(self.snapshot_path)

    def checkpoint(self, snapshot: Snapshot) -> None:
        """Store ``snapshot`` durably, then drop the segments it covers."""
        self.commit()
        write_snapshot(self.snapshot_path, snapshot)
        self.rotate(snapshot.seq)
        self.bytes_written = 0

    def close(self) -> None:
        """Close the open segment (staged, uncommitted records are dropped)."""
        self._pending.clear()
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1
