"""The JSON snapshot the page draws: totals, rates, series, rankings, regions, SLA, stock-outs."""

from __future__ import annotations

import heapq
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from wujie.dashboard.sales import UNKNOWN_REGION, SalesProjection
from wujie.shared.money import exponent

if TYPE_CHECKING:
    from wujie.dashboard.board import SaleDashboard

#: Longest event-time span drawn second by second; longer runs are drawn per minute.
SECOND_SERIES_SPAN = 300


def _top(values: Mapping[str, int], k: int) -> list[tuple[str, int]]:
    return heapq.nsmallest(k, values.items(), key=lambda kv: (-kv[1], kv[0]))


def rankings(board: SaleDashboard) -> dict[str, list[dict[str, Any]]]:
    """Return the top brands and products by GMV, heritage brands flagged."""
    brands: dict[str, int] = {}
    heritage: dict[str, bool] = {}
    products: dict[str, int] = {}
    product_brand: dict[str, str] = {}
    for sku, minor in board.sales.gmv_by_sku.items():
        info = board.lookups.sku(sku)
        brands[info.brand] = brands.get(info.brand, 0) + minor
        heritage[info.brand] = info.heritage
        product = info.product or sku
        products[product] = products.get(product, 0) + minor
        product_brand[product] = info.brand
    k = board.top_k
    return {
        "top_brands": [{"name": b, "heritage": heritage[b], "gmv_minor": v} for b, v in _top(brands, k)],
        "top_products": [
            {"name": p, "brand": product_brand[p], "heritage": heritage[product_brand[p]], "gmv_minor": v}
            for p, v in _top(products, k)
        ],
    }


def series(sales: SalesProjection) -> dict[str, Any]:
    """Return orders, payments and GMV per second (short runs) or per minute (long runs), gaps as 0."""
    if sales.first_second is None:
        return {"resolution_s": 1, "t": [], "orders": [], "payments": [], "gmv_minor": []}
    last = sales.last_second
    if last - sales.first_second < SECOND_SERIES_SPAN:
        step, start = 1, max(sales.first_second, last - SECOND_SERIES_SPAN + 1)
        sources = (sales.placed_per_second, sales.paid_per_second, sales.gmv_per_second)
    else:
        step, start = 60, sales.first_second - sales.first_second % 60
        sources = (sales.placed_per_minute, sales.paid_per_minute, sales.gmv_per_minute)
    buckets = range(start, last + 1, step)
    out: dict[str, Any] = {"resolution_s": step, "t": list(buckets)}
    for name, per in zip(("orders", "payments", "gmv_minor"), sources, strict=True):
        out[name] = [per.get(bucket, 0) for bucket in buckets]
    return out


def rates(sales: SalesProjection) -> dict[str, int]:
    """Return orders and payments in the last complete event second, and their peaks."""
    last_complete = sales.last_second - 1
    return {
        "orders_per_s": sales.placed_per_second.get(last_complete, 0),
        "payments_per_s": sales.paid_per_second.get(last_complete, 0),
        "peak_orders_per_s": sales.peak_placed_per_second,
        "peak_payments_per_s": sales.peak_paid_per_second,
    }


def regions(board: SaleDashboard) -> list[dict[str, Any]]:
    """Return GMV and paid orders per region with the region's name and coordinates."""
    out = []
    for region, minor in sorted(board.sales.gmv_by_region.items(), key=lambda kv: (-kv[1], kv[0])):
        info = board.lookups.regions.get(region)
        name = info.name if info else ("unknown" if region == UNKNOWN_REGION else region)
        out.append(
            {
                "id": region,
                "name": name,
                "lat": info.lat if info else None,
                "lon": info.lon if info else None,
                "gmv_minor": minor,
                "orders": board.sales.paid_by_region[region],
            }
        )
    return out


def _iso(second: int | None) -> str | None:
    return None if second is None else datetime.fromtimestamp(second, UTC).isoformat()


def build_snapshot(board: SaleDashboard) -> dict[str, Any]:
    """Return the board's state as plain JSON-ready data; money in integer minor units."""
    sales, stock, search = board.sales, board.stock, board.search
    currency = sales.currency
    return {
        "events": board.events,
        "rejected": board.rejected,
        "currency": currency,
        "exponent": exponent(currency) if currency else 2,
        "gmv_minor": sales.gmv_minor,
        "refunded_minor": sales.refunded_minor,
        "orders": {
            "placed": sales.placed,
            "paid": sales.paid,
            "cancelled": sales.cancelled,
            "payment_failed": sales.payment_failed,
            "open": sales.open_orders,
        },
        "rates": rates(sales),
        "series": series(sales),
        **rankings(board),
        "search_terms": [{"term": h.item, "count": h.count, "error": h.error} for h in search.terms.top(board.top_k)],
        "searches": search.terms.total,
        "zero_result_searches": search.zero_results,
        "regions": regions(board),
        "fulfilment": board.fulfilment.snapshot(),
        "stock": {
            "stockouts": stock.stockouts,
            "out_now": len(stock.out_now),
            "latest": [{"sku": s, "location": loc, "at": at} for s, loc, at in stock.latest],
        },
        "clock": {"first": _iso(sales.first_second), "last": _iso(sales.last_second if sales.first_second else None)},
    }
