"""``wujie replay``: real orders replayed through the engine and the live dashboard at a chosen speed-up."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

console = Console()


def command(
    dataset: Annotated[str, typer.Argument(help="Dataset to replay: uci-online-retail (vendored, CC BY 4.0).")],
    *,
    speed: Annotated[
        float, typer.Option(help="Speed-up: simulated seconds per wall-clock second (86400 = a day a second); 0 = max.")
    ] = 0.0,
    start: Annotated[str | None, typer.Option(help="First invoice date to replay (YYYY-MM-DD).")] = None,
    end: Annotated[str | None, typer.Option(help="Replay invoices before this date (YYYY-MM-DD).")] = None,
    serve: Annotated[bool, typer.Option("--serve/--no-serve", help="Serve the live dashboard while it runs.")] = True,
    host: Annotated[str, typer.Option(help="Dashboard address.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Dashboard port.")] = 8000,
    out: Annotated[Path | None, typer.Option(help="Write the replay's report JSON to this file.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Replay the real UCI Online Retail invoices (timestamps, countries, products, quantities)."""
    from wujie.twin.replay import dataset_path

    path = dataset_path(dataset)
    first, last = _date(start, "--start"), _date(end, "--end")
    sinks: list[Any] = []
    server = None
    if serve:
        from wujie.entrypoints.cli.demo import open_dashboard
        from wujie.twin.dashboard_view import replay_dashboard

        server = open_dashboard(lambda: replay_dashboard(path), sinks, host, port)
    try:
        report = _run(path, first, last, speed, sinks)
    finally:
        if server is not None:
            server.stop()
    data = report.data
    console.print(
        f"[bold]{data['dataset']}[/] {data['first']} .. {data['last']}: {data['invoices']:,} invoices, "
        f"{data['orders']:,} orders, {data['paid']:,} paid, {data['cancelled']:,} cancelled, GMV {data['gmv']} "
        f"(ledger {'balanced' if data['ledger_sums_to_zero'] else 'UNBALANCED'}), {data['wall_seconds']:.1f} s"
    )
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        console.print(f"report: {out}")
    if as_json:
        typer.echo(json.dumps(data, ensure_ascii=False))


def _date(value: str | None, name: str) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d")
    except ValueError as exc:
        raise typer.BadParameter(f"{value!r} is not a date YYYY-MM-DD", param_hint=name) from exc


def _run(path: Path, start: datetime | None, end: datetime | None, speed: float, sinks: list[Any]) -> Any:
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from wujie.twin.replay import replay_uci

    with Progress(
        TextColumn("replaying invoices"),
        BarColumn(),
        TextColumn("{task.percentage:>5.1f}%"),
        TimeElapsedColumn(),
        console=console,
    ) as bars:
        task = bars.add_task("replay", total=1)

        def progress(done: int, total: int) -> None:
            bars.update(task, completed=done, total=total)

        return replay_uci(path, start=start, end=end, speed=speed, sinks=sinks, progress=progress)
