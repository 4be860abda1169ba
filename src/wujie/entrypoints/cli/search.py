"""``wujie search``: search a catalog from the command line (Complete Journey's, or your own CSV)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from wujie.shared.errors import InvalidInput

app = typer.Typer(help="Catalog search: CJK-aware, ranked by relevance, popularity and taste.", no_args_is_help=True)


def _records(catalog: Path | None) -> list[Any]:
    from wujie.catalog.search import CatalogRecord

    if catalog is None:
        from wujie.recommend.datasets import completejourney_catalog

        return completejourney_catalog()
    import csv

    if not catalog.exists():
        raise FileNotFoundError(catalog)
    with catalog.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    if rows and not {"id", "name"} <= set(rows[0]):
        raise InvalidInput(f"{catalog} needs columns id,name (and optionally brand,category,popularity)")
    try:
        return [
            CatalogRecord(
                id=row["id"],
                name=row["name"],
                brand=row.get("brand") or "",
                category=row.get("category") or "",
                popularity=float(row.get("popularity") or 0.0),
            )
            for row in rows
        ]
    except ValueError as exc:
        raise InvalidInput(f"{catalog}: popularity must be a number ({exc})") from exc


@app.command("query")
def query(
    text: Annotated[str, typer.Argument(help="What to look for, e.g. 'apple sauce' or '华为手机'.")],
    *,
    catalog: Annotated[
        Path | None,
        typer.Option("--catalog", help="CSV id,name[,brand,category,popularity]; default Complete Journey."),
    ] = None,
    k: Annotated[int, typer.Option("--k", help="How many products, 1..100.")] = 10,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Index the catalog and print the best products for TEXT."""
    from wujie.catalog.search import SearchIndex

    results = SearchIndex(_records(catalog)).search(text, k)
    if as_json:
        hits = [
            {"id": h.id, "name": h.name, "brand": h.brand, "category": h.category, "score": h.score}
            for h in results.hits
        ]
        typer.echo(json.dumps({"query": results.query, "matched": results.matched, "hits": hits}, ensure_ascii=False))
        return
    typer.echo(f"{results.matched} products match {results.query!r}")
    for n, hit in enumerate(results.hits, start=1):
        typer.echo(f"{n:>3}. {hit.name} [{hit.brand} / {hit.category}] id={hit.id} score={hit.score:.3f}")
