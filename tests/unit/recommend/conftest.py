"""A tiny purchase log whose every recommendation can be worked out by hand."""

from __future__ import annotations

import pandas as pd
import pytest

ROWS = [
    # user, item, event, timestamp, region
    ("u1", "A", "buy", "2024-01-01T10:00:00Z", "SH"),
    ("u1", "B", "buy", "2024-01-02T10:00:00Z", "SH"),
    ("u2", "A", "buy", "2024-01-03T10:00:00Z", "SH"),
    ("u2", "B", "buy", "2024-01-04T10:00:00Z", "SH"),
    ("u2", "C", "buy", "2024-01-05T10:00:00Z", "SH"),
    ("u3", "C", "buy", "2024-01-06T10:00:00Z", "BJ"),
    ("u3", "D", "view", "2024-01-07T10:00:00Z", "BJ"),
    ("u4", "D", "buy", "2024-01-08T10:00:00Z", "BJ"),
    ("u4", "C", "buy", "2024-01-09T10:00:00Z", "BJ"),
    ("u4", "E", "cart", "2024-01-10T10:00:00Z", "BJ"),
]


@pytest.fixture
def small_log() -> pd.DataFrame:
    """Four users in two regions, five items; popularity (distinct users): C 3, A 2, B 2, D 2, E 1."""
    return pd.DataFrame(ROWS, columns=["user", "item", "event", "timestamp", "region"])
