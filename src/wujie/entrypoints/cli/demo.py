"""``wujie demo``: a whole Singles' Day on real geography through the real engine, with the live dashboard."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

console = Console()


def command(
    *,
    orders: Annotated[int, typer.Option(help="Orders customers try to place during the sale day.")] = 200_000,
    country: Annotated[
        str, typer.Option(help="ISO country code: CN (Singles' Day), KR (Korea Sale Festa), ...")
    ] = "CN",
    seed: Annotated[int, typer.Option(help="Seed of every draw: same seed, same report (wall-clock aside).")] = 11,
    speed: Annotated[
        float, typer.Option(help="Simulated seconds per wall-clock second; 0 = as fast as possible.")
    ] = 0.0,
    skus: Annotated[int, typer.Option(help="Catalog size.")] = 2_000,
    out: Annotated[Path, typer.Option(help="Folder for report.json and the PNG charts.")] = Path("out/demo"),
    serve: Annotated[bool, typer.Option("--serve/--no-serve", help="Serve the live dashboard while it runs.")] = True,
    host: Annotated[str, typer.Option(help="Dashboard address.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Dashboard port.")] = 8000,
    allocator: Annotated[
        str, typer.Option(help="auto (library up to 1M orders, then fast), library (wujie.fulfilment) or fast.")
    ] = "auto",
    routing_parcels: Annotated[
        int,
        typer.Option(
            help="About how many parcels PyVRP routes (a seeded sample of delivery clusters); 0 = estimate all."
        ),
    ] = 12_000,
    as_json: Annotated[bool, typer.Option("--json", help="Print report.json to stdout at the end.")] = False,
) -> None:
    """Run the Singles' Day digital twin and write its report and charts."""
    from wujie.twin.errors import TwinError, TwinErrorCode
    from wujie.twin.scenario import TwinConfig, build_scenario

    if allocator not in {"auto", "library", "fast"}:
        raise TwinError(TwinErrorCode.INVALID_CONFIG, "--allocator must be auto, library or fast")
    chosen = allocator if allocator != "auto" else ("library" if orders <= 1_000_000 else "fast")
    config = TwinConfig(
        country=country,
        orders=orders,
        seed=seed,
        skus=skus,
        speed=speed,
        allocator=chosen,
        routing_parcels=routing_parcels,
    )
    started = time.perf_counter()
    with console.status(f"building {country.upper()}: cities, catalog, customers, a year of history"):
        scenario = build_scenario(config)
    built = time.perf_counter() - started
    geo = scenario.geography
    console.print(
        f"[bold red]11.11[/] {geo.country_name}: {len(geo.cities):,} cities in {len(geo.regions)} regions, "
        f"{len(geo.sites)} sites, {len(scenario.assortment):,} SKUs, {len(scenario.population):,} customers"
    )
    sinks: list[Any] = []
    server = None
    if serve:
        from wujie.twin.dashboard_view import live_dashboard

        server = open_dashboard(lambda: live_dashboard(scenario), sinks, host, port)
    try:
        report = _run(config, scenario, sinks)
    finally:
        if server is not None:
            server.stop()
    report.data["wall_clock"]["scenario"] = round(built, 3)
    report.data["wall_clock"]["total"] = round(time.perf_counter() - started, 3)
    _finish(report.data, scenario, out, as_json)


def _run(config: Any, scenario: Any, sinks: list[Any]) -> Any:
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from wujie.twin.runner import run_twin

    labels = {"forecast": "forecast demand", "placement": "pre-position stock", "sale": "the sale (simulated day)"}
    with Progress(
        TextColumn("{task.description:<28}"),
        BarColumn(),
        TextColumn("{task.percentage:>5.1f}%"),
        TimeElapsedColumn(),
        console=console,
    ) as bars:
        tasks: dict[str, Any] = {}

        def progress(phase: str, done: int, total: int) -> None:
            if phase not in tasks:
                tasks[phase] = bars.add_task(labels.get(phase, phase), total=total)
            bars.update(tasks[phase], completed=done, total=total)

        return run_twin(config, sinks=sinks, progress=progress, scenario=scenario)


def port_free(host: str, port: int) -> bool:
    """Return whether ``host:port`` can be listened on."""
    import socket

    with socket.socket() as probe:
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


class _Server:
    """uvicorn in a daemon thread, serving the API app with the twin's live board."""

    def __init__(self, server: Any, thread: threading.Thread, tmp: Any) -> None:
        self.server, self.thread, self.tmp = server, thread, tmp

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.tmp.cleanup()


def open_dashboard(make_live: Callable[[], Any], sinks: list[Any], host: str, port: int) -> _Server | None:
    """Serve a live board made by ``make_live`` (added to ``sinks``) when ``host:port`` is free."""
    if not port_free(host, port):
        console.print(f"[yellow]port {port} is in use: no live dashboard this time (try --port)[/]")
        return None
    live = make_live()
    sinks.append(live)
    server = serve_dashboard(live, host, port)
    console.print(f"live dashboard: [link]http://{host}:{port}/dashboard[/link]")
    return server


def serve_dashboard(live: Any, host: str, port: int) -> _Server:
    """Serve the API app with ``live`` as its dashboard, on uvicorn in a daemon thread."""
    import tempfile

    import uvicorn

    from wujie.config import Settings
    from wujie.entrypoints.api.app import create_app

    tmp = tempfile.TemporaryDirectory(prefix="wujie-demo-api-")
    app = create_app(Settings(data_dir=Path(tmp.name)))
    app.state.dashboard = live
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, name="wujie-demo-dashboard", daemon=True)
    thread.start()
    return _Server(server, thread, tmp)


def _finish(data: dict[str, Any], scenario: Any, out: Path, as_json: bool) -> None:
    from rich.table import Table

    from wujie.shared.money import Money
    from wujie.twin.charts import write_charts
    from wujie.twin.report import TwinReport

    path = TwinReport(data).write(out / "report.json")
    names = {r.id: r.name for r in scenario.geography.regions}
    charts = write_charts(data, out, names)
    table = Table(title=f"Singles' Day twin — {data['country']}, seed {data['seed']}", show_header=False)
    gmv = Money(data["gmv"]["minor"], data["currency"])
    rows = [
        ("GMV (captured)", f"{gmv}"),
        ("orders placed / paid", f"{data['orders']:,} / {data['order_outcomes']['paid']:,}"),
        ("customers who ordered", f"{data['customers']:,}"),
        (
            "peak orders/s (simulated / wall)",
            f"{data['peak_orders_per_s']['simulated']:,} / {data['peak_orders_per_s']['wall_clock']:,}",
        ),
        ("oversold units", f"{data['oversold']}"),
        ("payment failures", f"{data['payment_failures']:,}"),
        (
            "local fulfilment / split shipments",
            f"{data['local_fulfilment_rate']:.1%} / {data['split_shipment_rate']:.1%}",
        ),
        ("delivered within 24 h / 48 h", f"{data['delivered_24h_share']:.1%} / {data['delivered_48h_share']:.1%}"),
        ("van km / drone sorties", f"{data['van_km']:,.0f} / {data['drone_sorties']:,}"),
        (
            "parcels routed by PyVRP / estimated",
            f"{data['routing']['parcels_routed']:,} / {data['routing']['parcels_estimated']:,}",
        ),
        ("SKUs sold out / units left", f"{data['stock_outs']:,} / {data['stock_left']['units']:,}"),
        ("events/s (wall clock)", f"{data['events_per_s_wall']:,.0f}"),
        ("wall-clock seconds", f"{data['wall_clock']['total']:.1f}"),
    ]
    for key, value in rows:
        table.add_row(key, value)
    console.print(table)
    console.print(f"report: {path}")
    for chart in charts:
        console.print(f"chart:  {chart}")
    if as_json:
        typer.echo(json.dumps(data, ensure_ascii=False))
