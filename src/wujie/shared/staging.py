"""A transactional in-memory table for in-memory adapters: reads see a private copy, writes are staged.

Rows are copied on read, so a handler that fails half-way leaves nothing behind once its unit of
work rolls back: nothing it changed was ever in the committed map.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Hashable, Iterator
from typing import Generic, Protocol, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


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
        return None if row is None else copy.deepcopy(row)

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
        merged = {**self._committed, **self._staged}
        return [copy.deepcopy(row) for row in merged.values() if keep(row)]

    def commit(self) -> None:
        """Publish the staged rows."""
        self._committed.update(self._staged)
        self._staged.clear()

    def rollback(self) -> None:
        """Forget the staged rows."""
        self._staged.clear()

    def __len__(self) -> int:
        return len(self._committed.keys() | self._staged.keys())
