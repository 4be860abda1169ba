"""Engine time: integer microseconds since the Unix epoch (UTC)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US = timedelta(microseconds=1)


def to_us(moment: datetime) -> int:
    """Return ``moment`` as integer microseconds since the epoch."""
    return (moment - EPOCH) // _US


def from_us(micros: int) -> datetime:
    """Return the UTC datetime of ``micros`` microseconds since the epoch."""
    return EPOCH + timedelta(microseconds=micros)
