"""Search ranking, taste, popularity, bad queries and the SearchPerformed event."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from wujie.catalog.events import SearchPerformed
from wujie.catalog.search import CatalogRecord, SearchIndex, SearchParams
from wujie.catalog.search_errors import SearchError, SearchErrorCode
from wujie.catalog.search_service import SearchService
from wujie.shared.clock import ManualClock
from wujie.shared.events import Event

RECORDS = [
    CatalogRecord("p1", "华为 Mate 60 Pro 手机", "华为", "手机", 100),
    CatalogRecord("p2", "小米 14 手机", "小米", "手机", 500),
    CatalogRecord("p3", "삼성 갤럭시 S24", "Samsung", "휴대폰", 50),
    CatalogRecord("p4", "Apple iPhone 15", "Apple", "Phones", 900),
    CatalogRecord("p5", "Apple iPhone 15 Case", "Spigen", "Phone Accessories", 20),
    CatalogRecord("p6", "稻香村 月饼 礼盒", "稻香村", "糕点", 300),
]


@pytest.fixture
def index() -> SearchIndex:
    return SearchIndex(RECORDS)


def ids(results: object) -> list[str]:
    return [h.id for h in results.hits]  # type: ignore[attr-defined]


def test_chinese_query_finds_the_brand_first(index: SearchIndex) -> None:
    results = index.search("华为手机", 5)
    assert ids(results) == ["p1", "p2"]
    assert results.matched == 2
    assert results.hits[0].relevance == 1.0


def test_korean_and_latin_queries(index: SearchIndex) -> None:
    assert ids(index.search("갤럭시")) == ["p3"]
    assert ids(index.search("IPHONE 15")) == ["p4", "p5"]
    assert ids(index.search("月饼")) == ["p6"]


def test_popularity_breaks_near_ties(index: SearchIndex) -> None:
    # both phones match 手机 once in the name and once in the category; xiaomi is 5x as popular
    assert ids(index.search("手机")) == ["p2", "p1"]


def test_taste_can_reorder(index: SearchIndex) -> None:
    def likes_cases(items: object) -> list[float]:
        return [1.0 if i == "p5" else 0.0 for i in items]  # type: ignore[attr-defined]

    strong = SearchIndex(RECORDS, SearchParams(taste_weight=1.0))
    assert ids(strong.search("iphone", taste=likes_cases)) == ["p5", "p4"]
    assert ids(index.search("iphone")) == ["p4", "p5"]


def test_no_match_is_an_empty_answer(index: SearchIndex) -> None:
    results = index.search("bicycle")
    assert results.hits == ()
    assert results.matched == 0
    assert results.query == "bicycle"


@pytest.mark.parametrize(
    ("query", "k", "code"),
    [
        ("", 10, SearchErrorCode.EMPTY_QUERY),
        ("   ", 10, SearchErrorCode.EMPTY_QUERY),
        ("?!", 10, SearchErrorCode.EMPTY_QUERY),
        ("x" * 201, 10, SearchErrorCode.QUERY_TOO_LONG),
        ("y" * 100_000, 10, SearchErrorCode.QUERY_TOO_LONG),
        ("phone", 0, SearchErrorCode.INVALID_LIMIT),
        ("phone", 101, SearchErrorCode.INVALID_LIMIT),
    ],
)
def test_bad_queries_are_refused(index: SearchIndex, query: str, k: int, code: SearchErrorCode) -> None:
    with pytest.raises(SearchError) as caught:
        index.search(query, k)
    assert caught.value.code == code


def test_records_are_validated() -> None:
    with pytest.raises(SearchError):
        CatalogRecord("", "nameless")
    with pytest.raises(SearchError):
        CatalogRecord("p", "x", popularity=-1)
    with pytest.raises(SearchError):
        SearchIndex([CatalogRecord("p", "a"), CatalogRecord("p", "b")])


def test_every_accepted_query_is_published_once() -> None:
    published: list[Event] = []
    clock = ManualClock(datetime(2026, 11, 11, 0, 0, 5, tzinfo=UTC))
    service = SearchService(SearchIndex(RECORDS), published.extend, clock)
    service.search("  华为 手机 ", customer_id="c1", region="SH")
    service.search("bicycle")
    with pytest.raises(SearchError):
        service.search("")
    assert published == [
        SearchPerformed(query="华为 手机", customer_id="c1", region="SH", results=2, at=clock.now()),  # type: ignore[arg-type]
        SearchPerformed(query="bicycle", customer_id=None, region=None, results=0, at=clock.now()),
    ]


def test_an_empty_catalog_answers_nothing() -> None:
    assert SearchIndex([]).search("phone").hits == ()
