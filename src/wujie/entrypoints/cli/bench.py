"""``wujie bench <name>``: capacity and accuracy benchmarks; each prints one JSON object with ratios."""

from __future__ import annotations

import typer

app = typer.Typer(help="Capacity and accuracy benchmarks; each prints JSON with ratios.", no_args_is_help=True)


def _dashboard_app(live: object) -> object:
    """Return a bare app serving only /dashboard around ``live`` (for the latency benchmark)."""
    from fastapi import FastAPI

    from wujie.entrypoints.api.dashboard import router

    web = FastAPI()
    web.include_router(router)
    web.state.dashboard = live
    return web


@app.command("dashboard")
def dashboard(
    *,
    events: int = typer.Option(1_000_000, help="Events folded into the projections per timing run."),
    rate: int = typer.Option(120_000, help="Events/s published while the browser measures latency."),
    seconds: float = typer.Option(10.0, help="Seconds of latency measurement under load."),
    seed: int = typer.Option(11, help="Seed of the scripted sale."),
    latency: bool = typer.Option(True, "--latency/--no-latency", help="Also measure event -> browser latency."),
    as_json: bool = typer.Option(False, "--json", help="Print only the JSON object."),
) -> None:
    """Projection events/s on one core, and event -> browser latency p99 under load."""
    import orjson

    from wujie.bench.dashboard import run

    result = run(events=events, seed=seed, rate=rate, seconds=seconds, make_app=_dashboard_app if latency else None)
    text = orjson.dumps(result, option=orjson.OPT_INDENT_2 if not as_json else 0).decode()
    typer.echo(text)


def _emit(result: dict[str, object], as_json: bool) -> None:
    import orjson

    typer.echo(orjson.dumps(result, option=0 if as_json else orjson.OPT_INDENT_2).decode())


@app.command("engine")
def engine(  # noqa: PLR0917 - Typer options
    quick: bool = typer.Option(False, "--quick", help="200k attempts per workload and 2 s per baseline."),
    seed: int = typer.Option(7, help="Seed of the workloads."),
    baseline_seconds: float = typer.Option(-1.0, help="Seconds per baseline (default 5, or 2 with --quick)."),
    open_rate: float = typer.Option(300_000, help="Arrival rate (orders/s) of the open-model latency run."),
    partitions: int = typer.Option(0, help="Also run the partitioned engine with this many partition processes."),
    partitions_only: bool = typer.Option(False, "--partitions-only", help="Run only the partitioned section."),
    as_json: bool = typer.Option(False, "--json", help="Print the JSON object on one line."),
) -> None:
    """Durable purchase decisions/s: hot SKU and catalog-wide Zipf, vs SQLite, PostgreSQL, Redis."""
    from wujie.bench.engine import run

    seconds = None if baseline_seconds < 0 else baseline_seconds
    result = run(
        quick=quick,
        seed=seed,
        baseline_seconds=seconds,
        open_rate=open_rate,
        partitions=partitions,
        partitions_only=partitions_only,
    )
    _emit(result, as_json)


@app.command("fulfilment")
def fulfilment(
    *,
    parcels: int = typer.Option(100_000, help="Parcels in the simulated delivery day."),
    budget: float = typer.Option(240.0, help="Solver budget (s) the planner fits all sub-problems into."),
    workers: int = typer.Option(2, help="Processes solving sub-problems."),
    seed: int = typer.Option(0, help="Seed of the workload and the solver."),
    out: str = typer.Option("", help="Folder for route-day.json and route-day.png (one city's routes)."),
    as_json: bool = typer.Option(False, "--json", help="Print the JSON object on one line."),
) -> None:
    """Plan a twin's day (100k parcels, 8 city warehouses, vans/couriers/drones): time vs 5 min, km vs direct."""
    import json

    from wujie.entrypoints.cli.route import run_day

    result = run_day(parcels=parcels, budget=budget, workers=workers, seed=seed, out=out)
    typer.echo(json.dumps(result, indent=None if as_json else 1))


@app.command("placement")
def placement(
    *,
    skus: int = typer.Option(200, help="Best-selling UCI products to place."),
    horizon: int = typer.Option(28, help="Held-out days replayed against the plans."),
    seed: int = typer.Option(0, help="Seed of the LightGBM forecast."),
    window: str = typer.Option("final", help="final (last days held out) or validation (the window before)."),
    quick: bool = typer.Option(False, "--quick", help="Only the 50 best-selling products (a smoke run, same method)."),
    out: str = typer.Option("", help="Also write the JSON object to this file, and the stock-curve PNG beside it."),
    as_json: bool = typer.Option(False, "--json", help="Print the JSON object on one line."),
) -> None:
    """LP placement vs population and history splits, replaying held-out UCI invoices (JSON)."""
    import json
    from pathlib import Path

    from wujie.bench.placement import WINDOWS, plot_stock_curve, run_placement_bench

    if window not in WINDOWS:
        raise typer.BadParameter(f"window must be one of {', '.join(WINDOWS)}", param_hint="--window")
    result = run_placement_bench(top_skus=skus, horizon=horizon, seed=seed, window=window, quick=quick)
    text = json.dumps(result, indent=None if as_json else 1)
    if out:
        Path(out).write_text(text + "\n")
        plot_stock_curve(result, str(Path(out).with_suffix(".png")))
    typer.echo(text)


@app.command("forecasting")
def forecasting(
    series: int = typer.Option(10_000, help="Store x category series of Complete Journey for the global model."),
    stat_series: int = typer.Option(1_000, help="Series for the statistical-path speed run."),
    seed: int = typer.Option(0, help="Seed of LightGBM."),
) -> None:
    """Speed: statistical path series/s and the global LightGBM on many real series (JSON)."""
    import json

    from wujie.bench.forecasting import run_forecasting_bench

    typer.echo(json.dumps(run_forecasting_bench(series=series, stat_series=stat_series, seed=seed)))


@app.command("core")
def core(
    units: int = typer.Option(1_000, help="Units of the one SKU in stock."),
    attempts: int = typer.Option(5_000, help="Purchase attempts in all."),
    threads: int = typer.Option(64, help="Writer threads (split over the processes in the process run)."),
    processes: int = typer.Option(8, help="Processes in the process run."),
) -> None:
    """No-oversell on SQLite: many writers vs one writer buying one SKU; sold, oversold, ratios (JSON)."""
    import json
    import tempfile
    from pathlib import Path

    from wujie.bench.core import run

    with tempfile.TemporaryDirectory(prefix="wujie-bench-core-") as workdir:
        result = run(Path(workdir), units=units, attempts=attempts, threads=threads, processes=processes)
    typer.echo(json.dumps(result))


@app.command("stores")
def stores(
    shoppers: int = typer.Option(10_000, help="Shoppers in the simulated day."),
    seed: int = typer.Option(7, help="Seed of the store twin."),
    heat_cell: float = typer.Option(1.0, help="Heat-map cell size (metres) for the correlation."),
    as_json: bool = typer.Option(False, "--json", help="Print the JSON object on one line."),
) -> None:
    """Store analytics vs the twin's ground truth (clean and noisy sensors), events/s, a 10k-shopper day."""
    from wujie.bench.stores import run

    _emit(run(shoppers=shoppers, seed=seed, heat_cell_m=heat_cell), as_json)


@app.command("recommend")
def recommend(
    quick: bool = typer.Option(False, "--quick", help="500 test users per dataset, 10k users and 300 queries."),
    seed: int = typer.Option(42, help="Seed of the models, samples, synthetic log and queries."),
    parts: str = typer.Option("accuracy,latency,search", help="Comma-separated parts to run."),
    as_json: bool = typer.Option(False, "--json", help="Print the JSON object on one line."),
) -> None:
    """Recall@20 of every recommender on two real logs, recommend and search p50/p99 at catalog scale."""
    from rich.console import Console

    from wujie.bench.recommend import PARTS, run
    from wujie.shared.errors import InvalidInput

    chosen = tuple(p.strip() for p in parts.split(",") if p.strip())
    if not chosen or set(chosen) - set(PARTS):
        raise InvalidInput(f"--parts takes a comma-separated subset of {','.join(PARTS)}")
    console = Console(stderr=True)
    _emit(run(quick=quick, seed=seed, parts=chosen, progress=console.log), as_json)


@app.command("http")
def http(
    quick: bool = typer.Option(False, "--quick", help="3 s per phase and smaller batches."),
    seconds: float = typer.Option(-1.0, help="Seconds per load phase (default 8, or 3 with --quick)."),
    rate: float = typer.Option(15_000, help="Arrival rate (requests/s) of the open-model phase."),
    as_json: bool = typer.Option(False, "--json", help="Print the JSON object on one line."),
) -> None:
    """Single-order requests/s and p99, batch-API orders/s, vs a plain FastAPI guarded UPDATE."""
    from wujie.bench.http import run

    _emit(run(quick=quick, seconds=None if seconds < 0 else seconds, rate=rate), as_json)


@app.command("payments")
def payments(
    quick: bool = typer.Option(False, "--quick", help="200k orders and 2 s per baseline."),
    seed: int = typer.Option(7, help="Seed of the retry pattern."),
    baseline_seconds: float = typer.Option(-1.0, help="Seconds per baseline (default 5, or 2 with --quick)."),
    as_json: bool = typer.Option(False, "--json", help="Print the JSON object on one line."),
) -> None:
    """Durable idempotent captures/s with retries, vs PostgreSQL, SQLite and Redis Lua captures."""
    from wujie.bench.payments import run

    _emit(run(quick=quick, seed=seed, baseline_seconds=None if baseline_seconds < 0 else baseline_seconds), as_json)


@app.command("twin")
def twin(
    *,
    orders: int = typer.Option(1_000_000, help="Orders of the simulated sale day (the issue's target: 10,000,000)."),
    seed: int = typer.Option(11, help="Seed of the twin."),
    baseline_orders: int = typer.Option(0, help="Orders for the engine-alone baseline (0: as many as the twin)."),
    as_json: bool = typer.Option(False, "--json", help="Print only the JSON object."),
) -> None:
    """The whole digital twin end to end vs the intake engine alone, wall seconds and memory peak."""
    import orjson

    from wujie.bench.twin import run

    result = run(orders, seed, baseline_orders or None)
    typer.echo(orjson.dumps(result, option=orjson.OPT_INDENT_2 if not as_json else 0).decode())


@app.command("allocation")
def allocation(
    *,
    orders: int = typer.Option(100_000, help="Paid orders allocated by each policy."),
    seed: int = typer.Option(0, help="Seed of the workload."),
    as_json: bool = typer.Option(False, "--json", help="Print the JSON object on one line."),
) -> None:
    """Allocation policies on one national network: split rate, cost and speed vs the nearest-first baseline."""
    import json

    from wujie.bench.fulfilment import run_allocation_bench

    typer.echo(json.dumps(run_allocation_bench(orders, seed), indent=None if as_json else 1))
