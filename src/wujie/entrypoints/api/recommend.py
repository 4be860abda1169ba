"""Recommendations: the items a customer is likely to want next, and items like a given one.

The routes of this module and of :mod:`wujie.entrypoints.api.search` share
``app.state.personalisation`` (a :class:`~wujie.recommend.service.Personalisation`): the code that
builds the app may set it at start-up; without one, the first request starts fitting the default
(Complete Journey, item-kNN; up to a minute on the shared machine) in a worker thread, answering 503
with ``Retry-After`` until it is ready; its searches publish to the live dashboard.
"""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel

from wujie.entrypoints.api.dashboard import live_dashboard
from wujie.entrypoints.api.problems import Problem
from wujie.recommend.errors import RecommendError, RecommendErrorCode
from wujie.recommend.service import Personalisation

router = APIRouter(tags=["recommend"])

#: seconds a client waits before asking again while the default recommender is fitted
WARM_UP_RETRY_S = 15


async def personalisation(request: Request) -> Personalisation:
    """Return the app's personalisation; without one, build the default in the background.

    While the default builds, requests get ``503`` ``personalisation_warming_up`` with
    ``Retry-After`` instead of waiting a minute; a failed build is retried by the next request.
    """
    state = request.app.state
    found = getattr(state, "personalisation", None)
    if isinstance(found, Personalisation):
        return found
    task: asyncio.Task[Personalisation] | None = getattr(state, "personalisation_task", None)
    if task is not None and task.done():
        state.personalisation_task = None
        if task.exception() is None:
            state.personalisation = task.result()
            return task.result()
        task = None
    if task is None:
        from wujie.recommend.service import completejourney_personalisation

        board = live_dashboard(request)
        state.personalisation_task = asyncio.create_task(
            asyncio.to_thread(completejourney_personalisation, board.publish)
        )
    raise Problem(
        503,
        "personalisation_warming_up",
        "the default recommender (Complete Journey) is being fitted; try again shortly",
        {"Retry-After": str(WARM_UP_RETRY_S)},
    )


Served = Annotated[Personalisation, Depends(personalisation)]


class RecommendedItem(BaseModel):
    """One recommended item; ``source`` is model, popularity_region, popularity or similar."""

    item_id: str
    score: float
    source: str


class RecommendationsOut(BaseModel):
    """A customer's recommendations (cold start when ``known_user`` is false)."""

    user: str
    known_user: bool
    region: str | None
    items: list[RecommendedItem]


class SimilarOut(BaseModel):
    """Items similar to one item (empty for an unknown item)."""

    item: str
    items: list[RecommendedItem]


def _require(name: str, value: str) -> str:
    value = value.strip()
    if not value or len(value) > 200:
        raise RecommendError(RecommendErrorCode.MISSING_ID, f"{name} must be a non-empty id of at most 200 characters")
    return value


@router.get("/recommendations", response_model=RecommendationsOut, operation_id="recommendations")
def recommendations(
    served: Served,
    user: Annotated[str, Query(description="customer id")],
    k: Annotated[int, Query(description="how many items, 1..1000")] = 10,
    region: Annotated[str | None, Query(description="region for cold start (default: the user's usual one)")] = None,
    exclude_seen: bool = True,
) -> RecommendationsOut:
    """Recommend up to k items for a customer (regional popularity for an unknown one)."""
    user = _require("user", user)
    recommender = served.recommender
    [items] = recommender.recommend([user], k=k, exclude_seen=exclude_seen, region=region or None)
    return RecommendationsOut(
        user=user,
        known_user=recommender.knows_user(user),
        region=region or recommender.region_of(user),
        items=[RecommendedItem(item_id=r.item_id, score=r.score, source=r.source) for r in items],
    )


@router.get("/recommendations/similar", response_model=SimilarOut, operation_id="similar_items")
def similar(
    served: Served,
    item: Annotated[str, Query(description="item id")],
    k: Annotated[int, Query(description="how many items, 1..1000")] = 10,
) -> SimilarOut:
    """Items bought by the same customers as the given item."""
    item = _require("item", item)
    [items] = served.recommender.similar_items([item], k=k)
    return SimilarOut(
        item=item, items=[RecommendedItem(item_id=r.item_id, score=r.score, source=r.source) for r in items]
    )
