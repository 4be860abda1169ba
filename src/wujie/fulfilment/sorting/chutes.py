"""Assign outbound destinations (routes) to chutes, balancing the parcels each chute receives."""

from __future__ import annotations

import heapq
from collections.abc import Mapping

from wujie.fulfilment.errors import require


def assign_chutes(volumes: Mapping[str, int], chutes: int) -> dict[str, tuple[int, ...]]:
    """Give every destination one or more chutes so chute loads are as even as a greedy rule allows.

    With fewer destinations than chutes the busiest destinations get extra chutes (their parcels
    alternate between them); with more, destinations share chutes, largest first onto the least
    loaded chute (longest-processing-time rule).

    Parameters
    ----------
    volumes
        Parcels expected per destination.
    chutes
        Chutes available, numbered ``0..chutes-1``.

    Returns
    -------
    dict
        Destination -> the chutes that receive it.
    """
    require(chutes >= 1, "chutes must be >= 1", chutes=chutes)
    order = sorted(volumes, key=lambda d: (-volumes[d], d))
    if len(order) <= chutes:
        share = dict.fromkeys(order, 1)
        for _ in range(chutes - len(order)):
            if not order:
                break
            busiest = max(order, key=lambda d: (volumes[d] / share[d], d))
            share[busiest] += 1
        result, nxt = {}, 0
        for d in order:
            result[d] = tuple(range(nxt, nxt + share[d]))
            nxt += share[d]
        return result
    heap = [(0, c) for c in range(chutes)]
    result = {}
    for d in order:
        load, chute = heapq.heappop(heap)
        result[d] = (chute,)
        heapq.heappush(heap, (load + volumes[d], chute))
    return result
