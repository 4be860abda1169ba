"""Score a store report against the twin's ground truth (what the benchmark and the tests check)."""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from wujie.stores.analysis import StoreReport
from wujie.stores.movement import dwell_summary
from wujie.stores.simulation.truth import Truth, conversion


def score(report: StoreReport, truth: Truth) -> dict[str, Any]:
    """Compare every recoverable figure of ``report`` with ``truth``."""
    names = report.layout.zone_names
    measured = dwell_summary(report.dwell, names)
    true = dwell_summary(truth.dwell, names)
    dwell_error = {
        z: abs(measured[z]["p50_s"] - true[z]["p50_s"]) / true[z]["p50_s"] for z in names if true[z]["p50_s"] > 0
    }
    baskets = _basket_accuracy(report, truth)
    flagged = set(report.checkout.flagged["tag"].drop_nulls().to_list())
    unpaid = set(truth.unpaid_tags)
    flows_total = max(int(truth.flows.sum()), 1)
    return {
        "conversion_measured": round(report.conversion, 6),
        "conversion_true": round(conversion(truth), 6),
        "conversion_error_points": round(100 * abs(report.conversion - conversion(truth)), 4),
        "dwell_median_rel_error": {z: round(e, 4) for z, e in dwell_error.items()},
        "dwell_median_max_rel_error": round(max(dwell_error.values(), default=0.0), 4),
        "heatmap_correlation": round(_correlation(report.occupancy, truth.occupancy), 5),
        "basket_accuracy": baskets,
        "unpaid_tags_true": len(unpaid),
        "unpaid_tags_flagged": len(flagged),
        "unpaid_recall": round(len(flagged & unpaid) / len(unpaid), 5) if unpaid else 1.0,
        "unpaid_precision": round(len(flagged & unpaid) / len(flagged), 5) if flagged else 1.0,
        "unpaid_units": _unpaid_units(report, truth),
        "flows_agreement": round(1 - float(np.abs(report.flows - truth.flows).sum()) / (2 * flows_total), 4),
        "queue_correlation": round(_correlation(report.queue, truth.queue), 5),
        "queue_peak_measured": round(float(report.queue.max()), 3) if report.queue.size else 0.0,
        "queue_peak_true": round(float(truth.queue.max()), 3) if truth.queue.size else 0.0,
        "restock_alerts": _restock_match(report, truth),
    }


def _unpaid_units(report: StoreReport, truth: Truth) -> dict[str, int]:
    """Units that left unpaid, by product: truth vs flagged (with or without a tag read)."""
    flagged = report.checkout.flagged.filter(pl.col("reason").is_in(["no_account", "no_account_unread"]))
    measured = dict(flagged.group_by("product").len().iter_rows())
    expected = truth.unpaid_units
    found = sum(min(n, int(measured.get(p, 0))) for p, n in expected.items())
    return {"true": sum(expected.values()), "flagged": int(sum(measured.values())), "matched": found}


def _correlation(a: np.ndarray[Any, Any], b: np.ndarray[Any, Any]) -> float:
    if a.ndim == 1 and a.size != b.size:  # a series may reach one more day on one side: pad with zeros
        size = max(a.size, b.size)
        a, b = np.pad(a, (0, size - a.size)), np.pad(b, (0, size - b.size))
    if a.size == 0 or a.std() == 0 or b.std() == 0:
        return 1.0 if np.array_equal(a, b) else 0.0
    return float(np.corrcoef(a.ravel(), b.ravel())[0, 1])


def _basket_accuracy(report: StoreReport, truth: Truth) -> dict[str, Any]:
    """Share of paying shoppers whose charged basket is exactly what they carried out."""
    charged = report.checkout.lines.join(
        report.checkout.baskets.filter(pl.col("status") == "captured").select("basket", "track"), on="basket"
    )
    measured = _contents(charged.select("track", "product", "qty"))
    expected = _contents(truth.baskets.select("track", "product", "qty"))
    shoppers = set(measured) | set(expected)
    correct = sum(1 for s in shoppers if measured.get(s) == expected.get(s))
    return {
        "true_baskets": len(expected),
        "charged_baskets": len(measured),
        "correct": correct,
        "accuracy": round(correct / len(shoppers), 6) if shoppers else 1.0,
    }


def _contents(lines: pl.DataFrame) -> dict[int, frozenset[tuple[str, int]]]:
    grouped: dict[int, set[tuple[str, int]]] = {}
    for track, product, qty in lines.iter_rows():
        grouped.setdefault(int(track), set()).add((str(product), int(qty)))
    return {k: frozenset(v) for k, v in grouped.items()}


def _restock_match(report: StoreReport, truth: Truth) -> dict[str, Any]:
    measured = dict(report.restock.select("product", "alert_t").iter_rows())
    expected = truth.stock_alerts
    same = sum(1 for p, t in expected.items() if p in measured and abs(int(measured[p]) - t) <= 1)
    return {"true": len(expected), "raised": len(measured), "same_product_and_time": same}
