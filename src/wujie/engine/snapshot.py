"""Snapshots: the whole engine state at a journal sequence number, written atomically."""

from __future__ import annotations

import os
from pathlib import Path

import msgspec

from wujie.engine.errors import CorruptJournal


def fsync_dir(path: Path) -> None:
    """Make a rename or a new file in ``path`` durable."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class Snapshot(msgspec.Struct):
    """Every column as raw int64 bytes, plus the interned names and the scalar totals."""

    seq: int
    skus: list[str]
    customers: list[str]
    regions: list[str]
    stock: dict[str, bytes]
    used_keys: bytes
    used_units: bytes
    orders: dict[str, bytes]
    lines: dict[str, bytes]
    expiry_cursor: int
    payments: dict[str, bytes]
    idem_keys: list[str]
    idem_values: bytes
    balances: bytes
    merchant: int
    platform: int


def write_snapshot(path: Path, snapshot: Snapshot) -> None:
    """Write ``snapshot`` to ``path`` atomically and durably (temp file, fsync, rename, fsync dir)."""
    temp = path.with_suffix(".tmp")
    with temp.open("wb") as handle:
        handle.write(msgspec.msgpack.encode(snapshot))
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temp, path)
    fsync_dir(path.parent)


def read_snapshot(path: Path) -> Snapshot | None:
    """Return the snapshot at ``path``, or ``None`` when there is none yet."""
    if not path.exists():
        return None
    try:
        return msgspec.msgpack.decode(path.read_bytes(), type=Snapshot)
    except msgspec.DecodeError as exc:
        raise CorruptJournal(str(path), f"unreadable snapshot: {exc}") from exc
