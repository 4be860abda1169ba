"""Choose how to forecast and pre-position: the team's libraries where present, else the fallback."""

from __future__ import annotations

from collections.abc import Callable

from wujie.twin.positioning import Positioning, fallback_positioning
from wujie.twin.scenario import Scenario


def plan_positioning(scenario: Scenario, progress: Callable[[str, int, int], None] | None = None) -> Positioning:
    """Forecast the sale day and place stock before midnight."""
    if progress is not None:
        progress("forecast", 0, 1)
    positioning = fallback_positioning(scenario)
    if progress is not None:
        progress("forecast", 1, 1)
    return positioning
