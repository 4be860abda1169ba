"""Search as a service: every accepted query is published as :class:`SearchPerformed`.

The dashboard's hot search terms are counted from these events, so they come from real queries.
A refused query (empty, too long) raises before anything is published.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from wujie.catalog.events import SearchPerformed
from wujie.catalog.search import SearchIndex, SearchResults, TasteFn
from wujie.shared.clock import Clock, SystemClock
from wujie.shared.events import Event
from wujie.shared.ids import CustomerId, RegionId

#: where events go: an ``EventSink.publish`` (a batch of events), e.g. the live dashboard's
Publish = Callable[[Sequence[Event]], None]


class SearchService:
    """Search the index and publish one :class:`SearchPerformed` per query.

    Parameters
    ----------
    index
        The catalog index.
    publish
        Receives ``[SearchPerformed(...)]`` after each accepted query.
    clock
        Stamps the events (the twin passes its simulated clock).
    """

    def __init__(self, index: SearchIndex, publish: Publish, clock: Clock | None = None) -> None:
        self.index = index
        self.publish = publish
        self.clock = clock or SystemClock()

    def search(
        self,
        query: str,
        k: int = 10,
        *,
        customer_id: str | None = None,
        region: str | None = None,
        taste: TasteFn | None = None,
    ) -> SearchResults:
        """Return the best ``k`` products and publish the query (normalised) with its match count."""
        results = self.index.search(query, k, taste)
        event = SearchPerformed(
            query=results.query,
            customer_id=CustomerId(customer_id) if customer_id else None,
            region=RegionId(region) if region else None,
            results=results.matched,
            at=self.clock.now(),
        )
        self.publish([event])
        return results
