"""Catalog search: every query is published as SearchPerformed (the dashboard's hot terms)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from wujie.entrypoints.api.recommend import Served

router = APIRouter(tags=["search"])


class SearchHitOut(BaseModel):
    """One product found; ``relevance`` is text match alone, ``score`` adds popularity and taste."""

    id: str
    name: str
    brand: str
    category: str
    score: float
    relevance: float


class SearchOut(BaseModel):
    """The normalised query, how many products matched, and the best of them."""

    query: str
    matched: int
    hits: list[SearchHitOut]


@router.get("/search", response_model=SearchOut, operation_id="search")
def search(
    served: Served,
    q: Annotated[str, Query(description="what to look for (Chinese, Korean, Japanese or Latin text)")],
    k: Annotated[int, Query(description="how many products, 1..100")] = 10,
    user: Annotated[str | None, Query(description="customer id: rank by their taste too")] = None,
    region: Annotated[str | None, Query(description="the customer's region (recorded with the query)")] = None,
) -> SearchOut:
    """Search product names, brands and categories, ranked by relevance, popularity and taste."""
    taste = served.recommender.taste(user) if user else None
    results = served.search.search(q, k, customer_id=user, region=region, taste=taste)
    hits = [SearchHitOut(**{f: getattr(h, f) for f in SearchHitOut.model_fields}) for h in results.hits]
    return SearchOut(query=results.query, matched=results.matched, hits=hits)
