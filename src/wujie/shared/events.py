"""Base classes for messages. Commands are imperative, events past tense; both frozen."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Message:
    """Anything the message bus carries."""


@dataclass(frozen=True, slots=True)
class Command(Message):
    """A request to change state, handled by exactly one handler (``ReserveStock``)."""


@dataclass(frozen=True, slots=True)
class Event(Message):
    """A fact that happened, handled by any number of handlers (``StockReserved``)."""
