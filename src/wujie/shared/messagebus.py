"""A small message bus: each command goes to exactly one handler, each event to many.

Handlers receive only the message; their dependencies (units of work, clocks, other ports)
are bound in :mod:`wujie.bootstrap`. A command handler commits its own unit of work; the
events its aggregates recorded are collected *after* that commit and dispatched, so a side
effect never runs for a change that was rolled back. Event handlers may record further events.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from wujie.shared.errors import SharedErrorCode, WujieError
from wujie.shared.events import Command, Event, Message

log = logging.getLogger(__name__)

CommandHandler = Callable[[Any], Any]
EventHandler = Callable[[Any], None]


class EventSource(Protocol):
    """Where committed events come from (a unit of work, or several)."""

    def collect_new_events(self) -> Iterable[Event]:
        """Yield and forget the events recorded since the last call."""
        ...


@dataclass(frozen=True, slots=True)
class HandlerFailure:
    """An event handler that raised; the bus logs it and carries on (consumers retry)."""

    event: Event
    handler: str
    error: str


@dataclass
class MessageBus:
    """Dispatch commands and events; see the module docstring for the ordering rules."""

    sources: Sequence[EventSource]
    command_handlers: Mapping[type[Command], CommandHandler]
    event_handlers: Mapping[type[Event], Sequence[EventHandler]]
    failures: list[HandlerFailure] = field(default_factory=list)
    published: int = 0

    def handle(self, command: Command) -> Any:
        """Run the command's handler, then every event it (transitively) caused; return its result."""
        handler = self.command_handlers.get(type(command))
        if handler is None:
            raise WujieError(SharedErrorCode.NO_HANDLER, f"no handler for {type(command).__name__}")
        try:
            result = handler(command)
        finally:
            # Events recorded before a failure belong to a rolled-back change only if the
            # handler did not commit; units of work clear them on rollback.
            self._drain()
        return result

    def publish(self, *events: Event) -> None:
        """Dispatch events that did not come from a unit of work (e.g. from the engine)."""
        self._drain(deque(events))

    def _drain(self, queue: deque[Message] | None = None) -> None:
        pending: deque[Message] = queue if queue is not None else deque()
        pending.extend(self._collect())
        while pending:
            event = pending.popleft()
            if isinstance(event, Event):
                self._dispatch(event)
            pending.extend(self._collect())

    def _collect(self) -> list[Event]:
        return [event for source in self.sources for event in source.collect_new_events()]

    def _dispatch(self, event: Event) -> None:
        self.published += 1
        for handler in self.event_handlers.get(type(event), ()):
            try:
                handler(event)
            except Exception as exc:
                name = getattr(handler, "__name__", repr(handler))
                log.exception("event handler %s failed on %s", name, type(event).__name__)
                self.failures.append(HandlerFailure(event, name, repr(exc)))
