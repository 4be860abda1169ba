"""Sale-day and calendar features computed from dates alone (so they are known for any future date).

The default calendar holds the retail peaks that move demand in our datasets: Singles' Day (11-11),
Black Friday and Cyber Monday, Christmas Eve to Boxing Day and New Year's Day.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, timedelta

import numpy as np
import pandas as pd

#: Days beyond which ``days_to_event`` and ``days_since_event`` are capped.
EVENT_HORIZON = 30


def black_friday(year: int) -> date:
    """The day after the fourth Thursday of November."""
    first = date(year, 11, 1)
    first_thursday = first + timedelta(days=(3 - first.weekday()) % 7)
    return first_thursday + timedelta(days=22)


def default_event_dates(years: Iterable[int]) -> tuple[date, ...]:
    """Retail sale days of ``years``: 11-11, Black Friday, Cyber Monday, 12-24..26, 01-01."""
    days: list[date] = []
    for year in years:
        bf = black_friday(year)
        days += [date(year, 1, 1), date(year, 11, 11), bf, bf + timedelta(days=3)]
        days += [date(year, 12, 24), date(year, 12, 25), date(year, 12, 26)]
    return tuple(sorted(set(days)))


def _as_days(dates: Iterable[date]) -> np.ndarray:
    return np.array(sorted({np.datetime64(d, "D") for d in dates}), dtype="datetime64[D]")


def event_feature_functions(dates: Iterable[date]) -> list[Callable[[pd.DatetimeIndex], np.ndarray]]:
    """Date features for mlforecast: ``is_event``, ``days_to_event`` and ``days_since_event``.

    Parameters
    ----------
    dates
        The event days (any year); a distance beyond :data:`EVENT_HORIZON` days is capped.

    Returns
    -------
    list of callables
        Each maps a ``DatetimeIndex`` to a float array and carries a ``__name__`` used as column name.
    """
    events = _as_days(dates)

    def _distances(ds: pd.DatetimeIndex) -> tuple[np.ndarray, np.ndarray]:
        days = np.asarray(ds.values, dtype="datetime64[D]")
        if len(events) == 0:
            far = np.full(len(days), EVENT_HORIZON, dtype="float64")
            return far, far
        nxt = np.searchsorted(events, days, side="left")
        prev = np.searchsorted(events, days, side="right") - 1
        to_next = np.where(
            nxt < len(events), (events[np.minimum(nxt, len(events) - 1)] - days).astype(int), EVENT_HORIZON
        )
        since = np.where(prev >= 0, (days - events[np.maximum(prev, 0)]).astype(int), EVENT_HORIZON)
        return np.minimum(to_next, EVENT_HORIZON).astype(float), np.minimum(since, EVENT_HORIZON).astype(float)

    def is_event(ds: pd.DatetimeIndex) -> np.ndarray:
        return np.asarray(_distances(ds)[0] == 0, dtype=float)

    def days_to_event(ds: pd.DatetimeIndex) -> np.ndarray:
        return _distances(ds)[0]

    def days_since_event(ds: pd.DatetimeIndex) -> np.ndarray:
        return _distances(ds)[1]

    return [is_event, days_to_event, days_since_event]
