"""``wujie replenish``: newsvendor and base-stock order quantities (closed forms, normal demand)."""

# ruff: noqa: B008 - typer declares options as argument defaults
from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import typer

app = typer.Typer(help="Replenishment: newsvendor and periodic-review base-stock orders.", no_args_is_help=True)


@app.command("newsvendor")
def newsvendor_command(
    *,
    mean: float = typer.Option(..., "--mean", help="Mean demand of the selling period."),
    sd: float = typer.Option(..., "--sd", help="Standard deviation of that demand."),
    price: float = typer.Option(..., "--price", help="Unit selling price."),
    cost: float = typer.Option(..., "--cost", help="Unit cost."),
    salvage: float = typer.Option(0.0, "--salvage", help="Value of a leftover unit (waste: 0)."),
) -> None:
    """Optimal single-period order quantity and its expected outcome (JSON)."""
    from wujie.placement.replenishment import newsvendor

    result = newsvendor(mean, sd, price=price, cost=cost, salvage=salvage)
    typer.echo(json.dumps({k: round(v, 4) for k, v in asdict(result).items()}))


@app.command("base-stock")
def base_stock_command(
    *,
    mean: float = typer.Option(..., "--mean", help="Mean demand per period."),
    sd: float = typer.Option(..., "--sd", help="Standard deviation per period."),
    service_level: float = typer.Option(0.95, "--service-level", help="Target in (0, 1)."),
    service: str = typer.Option("cycle", "--service", help="cycle or fill_rate."),
    review_period: int = typer.Option(1, "--review-period", help="Periods between orders."),
    lead_time: int = typer.Option(0, "--lead-time", help="Periods from order to arrival."),
    shelf_life: int | None = typer.Option(None, "--shelf-life", help="Periods a unit stays sellable."),
) -> None:
    """Order-up-to level, safety stock, expected shortage and waste per cycle (JSON)."""
    from wujie.placement.replenishment import BaseStockParams, base_stock

    params = BaseStockParams(service_level, review_period, lead_time, shelf_life, service)
    typer.echo(json.dumps({k: round(v, 4) for k, v in asdict(base_stock(mean, sd, params)).items()}))


@app.command("orders")
def orders_command(
    *,
    input: Path = typer.Option(..., "--input", help="CSV: store, sku, mean, sd, on_hand, on_order."),
    out: Path = typer.Option(..., "--out", help="CSV with order_up_to, safety_stock, order_qty, expected_waste."),
    service_level: float = typer.Option(0.95, "--service-level", help="Target in (0, 1)."),
    review_period: int = typer.Option(1, "--review-period", help="Periods between orders."),
    lead_time: int = typer.Option(0, "--lead-time", help="Periods from order to arrival."),
    shelf_life: int | None = typer.Option(None, "--shelf-life", help="Periods a unit stays sellable."),
) -> None:
    """Order quantities per store x SKU under one base-stock policy."""
    import pandas as pd

    from wujie.placement.replenishment import BaseStockParams, replenishment_orders

    params = BaseStockParams(service_level, review_period, lead_time, shelf_life)
    result = replenishment_orders(pd.read_csv(input), params)
    out.parent.mkdir(parents=True, exist_ok=True)
    result.to_csv(out, index=False)
    typer.echo(f"{len(result)} positions, {int(result['order_qty'].sum())} units to order -> {out}")
