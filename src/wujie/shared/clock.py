"""An injectable clock, so the twin can run a day in seconds and tests control time."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Something that tells the time (timezone-aware, UTC)."""

    def now(self) -> datetime:
        """Return the current time."""
        ...


class SystemClock:
    """The wall clock."""

    def now(self) -> datetime:
        """Return the current UTC time."""
        return datetime.now(UTC)


class ManualClock:
    """A clock that moves only when told to: for tests and simulations."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 11, 11, tzinfo=UTC)
        if self._now.tzinfo is None:
            raise ValueError("ManualClock needs a timezone-aware start")

    def now(self) -> datetime:
        """Return the clock's current time."""
        return self._now

    def advance(self, delta: timedelta | float) -> datetime:
        """Move the clock forward by ``delta`` (a timedelta or seconds) and return the new time."""
        step = delta if isinstance(delta, timedelta) else timedelta(seconds=delta)
        if step < timedelta(0):
            raise ValueError("time only moves forward")
        self._now += step
        return self._now

    def set(self, moment: datetime) -> None:
        """Jump to ``moment`` (never backwards)."""
        if moment < self._now:
            raise ValueError("time only moves forward")
        self._now = moment


def monotonic_ms() -> float:
    """Return a monotonic timestamp in milliseconds, for latency measurement."""
    return time.perf_counter() * 1000.0


def to_utc_text(moment: datetime) -> str:
    """Return ``moment`` as fixed-width UTC ISO text, so text order is time order (for SQL columns)."""
    if moment.tzinfo is None:
        raise ValueError("a naive datetime has no place in Wujie: pass a timezone-aware one")
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def from_utc_text(text: str) -> datetime:
    """Parse text written by :func:`to_utc_text`."""
    return datetime.fromisoformat(text)
