"""Write a store report to a directory: report.json, heatmap.json, CSV tables and PNG charts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from wujie.stores.analysis import StoreReport
from wujie.stores.charts import write_charts


def heatmap_document(report: StoreReport) -> dict[str, Any]:
    """Return the heat map as JSON data: grid geometry and person-seconds per cell (row 0 = min y)."""
    x0, y0, _, _ = report.layout.floor.bounds
    return {
        "cell_m": report.params.heat_cell_m,
        "origin": [x0, y0],
        "rows": int(report.occupancy.shape[0]),
        "cols": int(report.occupancy.shape[1]),
        "person_seconds": [[round(float(v), 2) for v in row] for row in report.occupancy],
    }


def write_report(report: StoreReport, out: Path, charts: bool = True) -> dict[str, Any]:
    """Write ``report`` into ``out`` and return the summary (with the list of files written)."""
    out.mkdir(parents=True, exist_ok=True)
    summary = report.summary()
    tables = {
        "funnel.csv": report.funnel,
        "shelves.csv": report.shelves,
        "restock_alerts.csv": report.restock,
        "baskets.csv": report.checkout.baskets,
        "basket_lines.csv": report.checkout.lines,
        "flagged_tags.csv": report.checkout.flagged,
    }
    for name, frame in tables.items():
        frame.write_csv(out / name)
    (out / "heatmap.json").write_text(json.dumps(heatmap_document(report)), encoding="utf-8")
    files = [*tables, "heatmap.json"]
    if charts:
        files += [p.name for p in write_charts(report, out)]
    summary["files"] = sorted([*files, "report.json"])
    (out / "report.json").write_text(json.dumps(summary, indent=1), encoding="utf-8")
    return summary
