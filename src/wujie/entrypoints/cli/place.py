"""``wujie place``: plan forward deployment of stock from demand quantiles (HiGHS LP/MIP)."""

# ruff: noqa: B008 - typer declares options as argument defaults
from __future__ import annotations

import json
from pathlib import Path

import typer

from wujie.shared.errors import InvalidInput

app = typer.Typer(help="Forward deployment: pre-position stock in regional warehouses.", no_args_is_help=True)


@app.callback()
def _group() -> None:
    """Forward deployment: pre-position stock in regional warehouses."""


@app.command("plan")
def plan(
    *,
    quantiles: Path = typer.Option(..., "--quantiles", help="CSV: region, sku, quantile, demand."),
    warehouses: Path = typer.Option(..., "--warehouses", help="CSV: name, lat, lon, capacity[, holding_cost]."),
    regions: Path = typer.Option(..., "--regions", help="CSV: name, lat, lon, population."),
    out: Path = typer.Option(..., "--out", help="CSV of stock per warehouse x SKU."),
    promise_hours: float = typer.Option(24.0, "--promise-hours", help="Delivery promise that counts as local."),
    stock_quantile: float = typer.Option(0.9, "--stock-quantile", help="Total stock per SKU = sum of this quantile."),
    integer: bool = typer.Option(False, "--integer/--continuous", help="Whole units (MIP) or an LP."),
    baseline: str = typer.Option("", "--baseline", help="Also write 'population' split next to --out."),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON summary."),
) -> None:
    """Solve the deployment program and write the stock plan."""
    import pandas as pd

    from wujie.placement.baselines import population_split
    from wujie.placement.deployment import PlacementParams, plan_placement
    from wujie.placement.network import Region, Warehouse, build_network

    wh, rg = pd.read_csv(warehouses), pd.read_csv(regions)
    try:
        net = build_network(
            [
                Warehouse(
                    str(r.name), float(r.lat), float(r.lon), float(r.capacity), float(getattr(r, "holding_cost", 0.0))
                )
                for r in wh.itertuples()
            ],
            [Region(str(r.name), float(r.lat), float(r.lon), float(r.population)) for r in rg.itertuples()],
            promise_hours=promise_hours,
        )
    except AttributeError as exc:
        raise InvalidInput(f"warehouse or region file lacks a column: {exc}") from exc
    params = PlacementParams(stock_quantile=stock_quantile, integer_stock=integer)
    result = plan_placement(pd.read_csv(quantiles), net, params)
    out.parent.mkdir(parents=True, exist_ok=True)
    result.stock.to_csv(out, index=False)
    summary: dict[str, object] = {
        "method": result.method,
        "objective": result.objective,
        "seconds": result.seconds,
        "out": str(out),
    }
    summary["units_by_warehouse"] = {k: round(float(v), 3) for k, v in result.by_warehouse().items()}
    if baseline == "population":
        totals = result.stock.groupby("sku")["units"].sum()
        base_path = out.with_name(out.stem + ".population.csv")
        population_split(net, totals).stock.to_csv(base_path, index=False)
        summary["population_split"] = str(base_path)
    typer.echo(json.dumps(summary) if as_json else "\n".join(f"{k}: {v}" for k, v in summary.items()))
