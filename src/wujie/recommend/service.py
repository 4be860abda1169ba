"""Recommendations and search served together, as the API, the CLI and the twin use them.

This module stays light to import (the API imports it at start-up); the heavy work is inside
:func:`completejourney_personalisation`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from wujie.catalog.search_service import Publish, SearchService
    from wujie.recommend.recommender import Recommender
    from wujie.shared.clock import Clock


@dataclass(frozen=True, slots=True)
class Personalisation:
    """A fitted recommender and the search service over the same catalog."""

    recommender: Recommender
    search: SearchService


def completejourney_personalisation(
    publish: Publish, model: str = "item_knn", clock: Clock | None = None
) -> Personalisation:
    """Fit on Complete Journey's full log and index its catalog (25-77 s on the shared 2-core machine).

    Parameters
    ----------
    publish
        Receives each query's :class:`~wujie.catalog.events.SearchPerformed`.
    model
        The recommender model (``item_knn`` fits fastest; see docs/recommend.md for the others).
    clock
        Stamps search events.
    """
    from wujie.catalog.search import SearchIndex
    from wujie.catalog.search_service import SearchService
    from wujie.recommend.datasets import completejourney_catalog, load_completejourney
    from wujie.recommend.recommender import Recommender

    recommender = Recommender(model=model).fit(load_completejourney())
    fitted = recommender.fitted
    buyers = dict(zip(fitted.data.item_ids, fitted.popularity.counts.tolist(), strict=True))
    index = SearchIndex(completejourney_catalog(buyers))
    return Personalisation(recommender, SearchService(index, publish, clock))
