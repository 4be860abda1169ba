"""Store analytics reads: the default layout, and reports written by ``wujie store analyze``.

Reports live in ``app.state.store_reports`` (a directory) when the app builder sets it, else in
``<data_dir>/stores``; each report is a sub-directory. Reports are merchant data: staff tokens only.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import FileResponse

from wujie.entrypoints.api.auth import Staff
from wujie.stores.errors import ReportNotFound

router = APIRouter(prefix="/v1/stores", tags=["stores"])

_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
TABLES = ("funnel", "shelves", "restock_alerts", "baskets", "basket_lines", "flagged_tags")
CHARTS = ("heatmap", "flows", "footfall", "dwell", "attention", "queue")


def reports_root(request: Request) -> Path:
    """Return the directory holding the store reports."""
    configured = getattr(request.app.state, "store_reports", None)
    if configured is not None:
        return Path(configured)
    runtime = getattr(request.app.state, "runtime", None)
    if runtime is not None:
        return Path(runtime.settings.data_dir) / "stores"
    from wujie.config import Settings

    return Settings().data_dir / "stores"


Root = Annotated[Path, Depends(reports_root)]


def _report_dir(root: Path, name: str) -> Path:
    folder = root / name
    if not _NAME.match(name) or not (folder / "report.json").is_file():
        raise ReportNotFound(name)
    return folder


def _read_json(path: Path, what: str) -> dict[str, Any]:
    try:
        document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ReportNotFound(f"{what} (unreadable: {type(exc).__name__})") from exc
    return document


@router.get("/layout", operation_id="store_default_layout")
async def default_layout_document() -> dict[str, Any]:
    """The built-in store layout (floor, zones, shelves, aisle graph, gates, planogram)."""
    from wujie.stores.default_layout import default_layout
    from wujie.stores.layout_io import layout_to_dict

    return layout_to_dict(default_layout())


@router.get("/reports", operation_id="list_store_reports")
async def list_reports(root: Root, _: Staff) -> list[dict[str, Any]]:
    """List the store reports: name, store, events analysed and shoppers."""
    found: list[dict[str, Any]] = []
    for folder in sorted(root.glob("*/report.json")) if root.is_dir() else []:
        try:
            summary = json.loads(folder.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            found.append({"name": folder.parent.name, "error": "report.json cannot be read"})
            continue
        found.append(
            {
                "name": folder.parent.name,
                "store": summary.get("store"),
                "events": summary.get("events"),
                "shoppers": sum(summary.get("footfall", {}).get("entry_by_hour", [])),
            }
        )
    return found


@router.get("/reports/{name}", operation_id="get_store_report")
async def get_report(name: str, root: Root, _: Staff) -> dict[str, Any]:
    """Read one report's summary (footfall, dwell, flows, conversion, queue, checkout, suggestions)."""
    return _read_json(_report_dir(root, name) / "report.json", name)


@router.get("/reports/{name}/heatmap", operation_id="get_store_heatmap")
async def get_heatmap(name: str, root: Root, _: Staff) -> dict[str, Any]:
    """Read a report's occupancy heat map: grid geometry and person-seconds per cell."""
    return _read_json(_report_dir(root, name) / "heatmap.json", f"{name}/heatmap")


@router.get("/reports/{name}/tables/{table}", operation_id="get_store_table")
async def get_table(
    name: str,
    table: str,
    root: Root,
    _: Staff,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 100,
) -> dict[str, Any]:
    """Read rows of a report table (funnel, shelves, restock_alerts, baskets, basket_lines, flagged_tags)."""
    path = _report_dir(root, name) / f"{table}.csv"
    if table not in TABLES or not path.is_file():
        raise ReportNotFound(f"{name}/tables/{table}")
    import polars as pl

    frame = pl.read_csv(path, infer_schema_length=10_000)
    return {"rows": frame.height, "offset": offset, "items": frame.slice(offset, limit).to_dicts()}


@router.get("/reports/{name}/charts/{chart}", response_class=FileResponse, operation_id="get_store_chart")
async def get_chart(name: str, chart: str, root: Root, _: Staff) -> FileResponse:
    """Download a report chart as PNG (heatmap, flows, footfall, dwell, attention, queue)."""
    path = _report_dir(root, name) / f"{chart}.png"
    if chart not in CHARTS or not path.is_file():
        raise ReportNotFound(f"{name}/charts/{chart}")
    return FileResponse(path, media_type="image/png")
