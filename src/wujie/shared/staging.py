"""A transactional in-memory table for in-memory adapters: reads see a private copy, writes are staged.

Rows are copied on read, so a handler that fails half-way leaves nothing behind once its unit of
work rolls back: nothing it changed was ever in the committed map. The copy is one level deep
(:func:`private_copy`): the row and its lists, dicts and sets are new, their items are shared, so
items must be immutable (frozen dataclasses, strings, numbers, tuples), as in every core aggregate.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable, Hashable, Iterator
from typing import Generic, Protocol, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


def private_copy(row: V) -> V:
    """Return a copy of ``row`` whose mutable containers are new (frozen dataclasses are shared as is)."""
    params = getattr(row, "__dataclass_params__", None)
    if params is not None and params.frozen:
        return row
    clone = copy.copy(row)
    if dataclasses.is_dataclass(clone):
        for spec in dataclasses.fields(clone):
            value = getattr(clone, spec.name)
            if isinstance(value, list | dict | set):
                setattr(clone, spec.name, copy.copy(value))
    return clone


class Transactional(Protocol):
    """Something that commits and rolls back with a unit of work."""

    def commit(self) -> None:
        """Publish the staged changes."""
        ...

    def rollback(self) -> None:
        """Forget the staged changes."""
        ...


class StagedTable(Generic[K, V]):
    """A key -> object map with commit and rollback; :meth:`get` returns a copy callers may mutate."""

    def __init__(self) -> None:
        self._committed: dict[K, V] = {}
        self._staged: dict[K, V] = {}

    def get(self, key: K) -> V | None:
        """Return a private copy of the row at ``key`` (staged first), or ``None``."""
        row = self._staged.get(key, self._committed.get(key))
        return None if row is None else private_copy(row)

    def __contains__(self, key: K) -> bool:
        return key in self._staged or key in self._committed

    def put(self, key: K, row: V) -> None:
        """Stage ``row`` at ``key``; it becomes visible to others on :meth:`commit`."""
        self._staged[key] = row

    def keys(self) -> Iterator[K]:
        """Yield every key, committed or staged."""
        yield from self._committed.keys() - self._staged.keys()
        yield from self._staged

    def select(self, keep: Callable[[V], bool]) -> list[V]:
        """Return private copies of the rows ``keep`` accepts (staged rows shadow committed ones)."""
        staged = self._staged
        rows = [row for key, row in self._committed.items() if key not in staged and keep(row)]
        rows.extend(row for row in staged.values() if keep(row))
        return [private_copy(row) for row in rows]

    def commit(self) -> None:
        """Publish the staged rows."""
        self._committed.update(self._staged)
        self._staged.clear()

    def rollback(self) -> None:
        """Forget the staged rows."""
        self._staged.clear()

    def __len__(self) -> int:
        return len(self._committed.keys() | self._staged.keys())
