"""Session-aware re-ranking: what the customer did in this visit moves similar items up."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import sparse

from wujie.recommend.interactions import EVENTS, EventWeights

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float32]

#: an event this many steps before the latest one counts half as much
HALF_LIFE_EVENTS = 5.0


@dataclass(frozen=True, slots=True)
class SessionEvent:
    """One thing the customer did in the current visit (oldest first in a sequence)."""

    item_id: str
    event: str = "view"

    def __post_init__(self) -> None:
        if self.event not in EVENTS:
            from wujie.recommend.errors import InvalidInteractions, RecommendErrorCode

            raise InvalidInteractions(
                RecommendErrorCode.UNKNOWN_EVENT, f"unknown event {self.event!r}; use {', '.join(EVENTS)}"
            )


def session_affinity(
    similarity: sparse.csr_matrix,
    session: Sequence[tuple[int, str]],
    candidates: IntArray,
    weights: EventWeights,
) -> FloatArray:
    """Return each candidate's affinity to the visit so far.

    Parameters
    ----------
    similarity
        Item x item similarity (CSR); an item is taken as fully similar to itself.
    session
        ``(item index, event)`` pairs, oldest first; only known items.
    candidates
        Item indices to score.
    weights
        Event weights: a cart says more than a view.

    Returns
    -------
    numpy.ndarray
        ``sum over events of weight * recency decay * similarity(event item, candidate)``.
    """
    affinity = np.zeros(candidates.size, dtype=np.float32)
    if not session or candidates.size == 0:
        return affinity
    latest = len(session) - 1
    for position, (item, event) in enumerate(session):
        decay = 0.5 ** ((latest - position) / HALF_LIFE_EVENTS)
        row = similarity.getrow(item).toarray().ravel()[candidates]
        row = np.where(candidates == item, 1.0, row)
        affinity += np.float32(weights.of(event) * decay) * row.astype(np.float32)
    return affinity


def blend(base: FloatArray, affinity: FloatArray, session_weight: float) -> FloatArray:
    """Mix min-max normalised base scores with max-normalised session affinity."""
    return (1.0 - session_weight) * _minmax(base) + session_weight * _unit(affinity)


def _minmax(values: FloatArray) -> FloatArray:
    if values.size == 0:
        return values
    low, high = float(values.min()), float(values.max())
    if high - low <= 0:
        return np.zeros_like(values)
    return ((values - low) / (high - low)).astype(np.float32)


def _unit(values: FloatArray) -> FloatArray:
    top = float(values.max()) if values.size else 0.0
    return (values / top).astype(np.float32) if top > 0 else np.zeros_like(values)
