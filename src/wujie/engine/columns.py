"""Growable numpy columns: the engine's tables are columnar, appended in batches."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt


class Column:
    """A typed numpy array that grows by doubling; ``view()`` is the filled part."""

    __slots__ = ("_data", "size")

    def __init__(self, dtype: npt.DTypeLike, capacity: int = 1024) -> None:
        self._data: npt.NDArray[Any] = np.zeros(max(capacity, 16), dtype=dtype)
        self.size = 0

    @classmethod
    def from_array(cls, array: npt.NDArray[Any]) -> Column:
        """Return a column holding a copy of ``array``."""
        column = cls(array.dtype, len(array) * 2)
        column.extend(array)
        return column

    def extend(self, values: npt.NDArray[Any]) -> None:
        """Append ``values``."""
        end = self.size + len(values)
        if end > len(self._data):
            grown = np.zeros(max(end, 2 * len(self._data)), dtype=self._data.dtype)
            grown[: self.size] = self._data[: self.size]
            self._data = grown
        self._data[self.size : end] = values
        self.size = end

    def view(self) -> npt.NDArray[Any]:
        """Return the filled part (a view: writes go to the column)."""
        return self._data[: self.size]

    def __len__(self) -> int:
        return self.size
