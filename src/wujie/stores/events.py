"""Store sensor events: one frozen dataclass per kind, and the column schema of each kind's table.

Analytics run over columnar tables (one polars frame per kind, see :mod:`wujie.stores.event_tables`);
the dataclasses describe one event each and build small tables for tests and the API.
Time ``t`` is an integer count of milliseconds since the Unix epoch (UTC).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Final

import polars as pl

from wujie.shared.events import Event

ENTRY: Final = "entry"
EXIT: Final = "exit"
PICK: Final = "pick"
PUT_BACK: Final = "put_back"


@dataclass(frozen=True, slots=True)
class GatePassed(Event):
    """A shopper passed a gate; ``account`` is who the gate identified ('' when nobody was identified)."""

    t: int
    track: int
    account: str
    gate: str
    direction: str


@dataclass(frozen=True, slots=True)
class TrackPointSeen(Event):
    """A ceiling camera saw track ``track`` at (x, y) metres."""

    t: int
    track: int
    x: float
    y: float


@dataclass(frozen=True, slots=True)
class ShelfEventSeen(Event):
    """A shelf sensor saw ``track`` pick up (``pick``) or put back (``put_back``) one unit of ``product``."""

    t: int
    track: int
    shelf: str
    product: str
    action: str


@dataclass(frozen=True, slots=True)
class TagRead(Event):
    """An RFID reader read tag ``tag``."""

    t: int
    tag: str
    reader: str


@dataclass(frozen=True, slots=True)
class TagRegistered(Event):
    """Tag ``tag`` is sewn onto one unit of ``product`` (the store's tag registry)."""

    tag: str
    product: str


SCHEMAS: Final[Mapping[str, Mapping[str, pl.DataType]]] = {
    "gates": {
        "t": pl.Int64(),
        "track": pl.Int32(),
        "account": pl.String(),
        "gate": pl.String(),
        "direction": pl.String(),
    },
    "tracks": {"t": pl.Int64(), "track": pl.Int32(), "x": pl.Float32(), "y": pl.Float32()},
    "shelf": {
        "t": pl.Int64(),
        "track": pl.Int32(),
        "shelf": pl.String(),
        "product": pl.String(),
        "action": pl.String(),
    },
    "rfid": {"t": pl.Int64(), "tag": pl.String(), "reader": pl.String()},
    "tags": {"tag": pl.String(), "product": pl.String()},
}
KINDS: Final = tuple(SCHEMAS)
_CLASSES: Final[Mapping[str, type[Event]]] = {
    "gates": GatePassed,
    "tracks": TrackPointSeen,
    "shelf": ShelfEventSeen,
    "rfid": TagRead,
    "tags": TagRegistered,
}


def empty_frame(kind: str) -> pl.DataFrame:
    """Return an empty table of ``kind`` with its schema."""
    return pl.DataFrame(schema=dict(SCHEMAS[kind]))


def frame_of(kind: str, events: Iterable[Event]) -> pl.DataFrame:
    """Return the table of ``kind`` holding ``events`` (all of that kind's class)."""
    expected = _CLASSES[kind]
    rows = []
    for event in events:
        if not isinstance(event, expected):
            raise TypeError(f"{kind} holds {expected.__name__}, not {type(event).__name__}")
        rows.append(asdict(event))
    if not rows:
        return empty_frame(kind)
    return pl.DataFrame(rows, schema=dict(SCHEMAS[kind]))
