"""``wujie bench <name>``: capacity and accuracy benchmarks; each prints one JSON object with ratios."""

from __future__ import annotations

import typer

app = typer.Typer(help="Capacity and accuracy benchmarks; each prints JSON with ratios.", no_args_is_help=True)


@app.command("dashboard")
def dashboard(
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

    result = run(events=events, seed=seed, rate=rate, seconds=seconds, latency=latency)
    text = orjson.dumps(result, option=orjson.OPT_INDENT_2 if not as_json else 0).decode()
    typer.echo(text)
