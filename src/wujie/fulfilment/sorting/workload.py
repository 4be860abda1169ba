"""A seeded post-midnight inbound workload for the sorting simulation (when no real stream is at hand)."""

from __future__ import annotations

import numpy as np

from wujie.fulfilment.errors import require
from wujie.fulfilment.sorting.model import InboundParcel


def post_midnight_arrivals(
    parcels: int,
    destinations: int = 60,
    *,
    arrival_hours: float = 6.0,
    backlog_share: float = 0.3,
    decay_hours: float = 1.5,
    seed: int = 0,
) -> list[InboundParcel]:
    """Generate the inbound parcels of a Singles' Day night.

    A ``backlog_share`` of the parcels is already waiting at midnight (orders paid in the first
    minutes); the rest arrive over ``arrival_hours`` at a rate that decays exponentially with time
    constant ``decay_hours``. Destinations follow a Zipf-like law (a few big cities, a long tail).

    Parameters
    ----------
    parcels
        How many parcels.
    destinations
        Outbound routes/destinations, named ``D000``...
    arrival_hours
        Window over which the non-backlog parcels arrive.
    backlog_share
        Share of parcels present at minute 0.
    decay_hours
        Time constant of the arrival rate's decay.
    seed
        Seed of the generator.

    Returns
    -------
    list of InboundParcel
        Sorted by arrival time.
    """
    require(parcels >= 1, "parcels must be >= 1")
    require(destinations >= 1, "destinations must be >= 1")
    require(arrival_hours > 0 and decay_hours > 0, "arrival_hours and decay_hours must be > 0")
    require(0 <= backlog_share <= 1, "backlog_share must be in 0..1")
    rng = np.random.default_rng(seed)
    at_midnight = round(parcels * backlog_share)
    # inverse-CDF sampling of an exponential truncated to the arrival window
    u = rng.random(parcels - at_midnight)
    span = 1.0 - np.exp(-arrival_hours / decay_hours)
    later = -decay_hours * np.log(1.0 - u * span) * 60.0
    times = np.sort(np.concatenate([np.zeros(at_midnight), later]))
    weights = 1.0 / np.arange(1, destinations + 1)
    dest = rng.choice(destinations, size=parcels, p=weights / weights.sum())
    return [InboundParcel(f"P{i:07d}", f"D{d:03d}", float(t)) for i, (t, d) in enumerate(zip(times, dest, strict=True))]
