"""``wujie store``: simulate an unmanned store's day of sensor events, and analyse one."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

app = typer.Typer(help="Unmanned-store analytics: a store twin and the analytics over its sensor events.")

_LAYOUT_HELP = "Store layout JSON (default: the built-in 30 m x 20 m store)."


def _layout(path: Path | None) -> Any:
    from wujie.stores.default_layout import default_layout
    from wujie.stores.layout_io import load_layout

    return default_layout() if path is None else load_layout(path)


@app.command("simulate")
def simulate(
    *,
    shoppers: Annotated[int, typer.Option("--shoppers", "-n", help="Shoppers over the day.")] = 1000,
    layout: Annotated[Path | None, typer.Option("--layout", help=_LAYOUT_HELP)] = None,
    out: Annotated[Path, typer.Option("--out", help="Directory for the event tables, layout.json and truth/.")],
    seed: Annotated[int, typer.Option("--seed", help="Seed of the run (same seed, same day).")] = 0,
    clean: Annotated[
        bool, typer.Option("--clean", help="Perfect sensors: no jitter, no missed or duplicate reads.")
    ] = False,
    jitter: Annotated[float, typer.Option(help="Camera position noise (standard deviation, metres).")] = 0.15,
    missed_read: Annotated[float, typer.Option(help="Probability that the exit reader misses a tag.")] = 0.01,
    duplicate_read: Annotated[float, typer.Option(help="Probability that the exit reader reads a tag twice.")] = 0.05,
    fmt: Annotated[str, typer.Option("--format", help="parquet, csv or json (one object per line).")] = "parquet",
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Run the store twin and write its sensor events (with noise) and its ground truth."""
    from wujie.stores.simulation.params import TwinParams
    from wujie.stores.simulation.sensors import with_noise

    params = with_noise(TwinParams(shoppers=shoppers, seed=seed), jitter, missed_read, duplicate_read)
    _print(_simulate_day(_layout(layout), params.clean() if clean else params, out, fmt), as_json)


def _simulate_day(plan: Any, params: Any, out: Path, fmt: str) -> dict[str, Any]:
    """Run the twin with a progress bar; write events, layout and truth; return the summary."""
    from rich.progress import Progress

    from wujie.stores.event_tables import save_events
    from wujie.stores.layout_io import save_layout
    from wujie.stores.simulation.run import run_twin
    from wujie.stores.simulation.sensors import observe
    from wujie.stores.simulation.truth import ground_truth
    from wujie.stores.simulation.truth_io import save_truth

    with Progress(transient=True) as bar:
        task = bar.add_task("shoppers", total=params.shoppers)
        run = run_twin(plan, params, progress=lambda n: bar.advance(task, n))
    events = observe(run)
    save_events(events, out, fmt)
    save_layout(plan, out / "layout.json")
    truth = ground_truth(run)
    save_truth(truth, out / "truth", plan)
    noise = {"jitter_m": params.jitter_m, "missed_read": params.missed_read, "duplicate_read": params.duplicate_read}
    return {
        "out": str(out),
        "shoppers": params.shoppers,
        "seed": params.seed,
        "noise": noise,
        "events": {k: events.table(k).height for k in ("gates", "tracks", "shelf", "rfid", "tags")},
        "truth": truth.summary(plan.zone_names) | {"dwell": "see truth/truth.json"},
    }


@app.command("analyze")
def analyze(
    events: Annotated[Path, typer.Argument(help="Directory of event tables (gates, tracks, shelf, rfid, tags).")],
    *,
    layout: Annotated[Path | None, typer.Option("--layout", help=_LAYOUT_HELP)] = None,
    out: Annotated[Path, typer.Option("--out", help="Directory for report.json, heatmap.json, CSVs and PNGs.")],
    heat_cell: Annotated[float, typer.Option(help="Heat-map cell size (metres).")] = 1.0,
    charts: Annotated[bool, typer.Option("--charts/--no-charts", help="Write the PNG charts.")] = True,
    ledger: Annotated[
        Path | None, typer.Option("--ledger", help="SQLite file of the payments ledger (default: in memory).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the whole report as JSON.")] = False,
) -> None:
    """Analyse a day of events: heat map, footfall, dwell, flows, conversion, queue, grab-and-go, suggestions."""
    from wujie.stores.analysis import analyze as run_analysis
    from wujie.stores.event_tables import load_events
    from wujie.stores.movement import MovementParams
    from wujie.stores.report_io import write_report

    plan = _layout(layout)
    charger = _payments(ledger)
    report = run_analysis(load_events(events), plan, MovementParams(heat_cell_m=heat_cell), charger)
    summary = write_report(report, out, charts=charts)
    if as_json:
        _print(summary, True)
        return
    _print(_headline(summary, out), False)


@app.command("score")
def score(
    events: Annotated[Path, typer.Argument(help="A directory written by `wujie store simulate` (with truth/).")],
    *,
    layout: Annotated[Path | None, typer.Option("--layout", help="Layout JSON (default: EVENTS/layout.json).")] = None,
) -> None:
    """Analyse a simulated day and compare every figure with the twin's ground truth (prints JSON)."""
    from wujie.stores.analysis import analyze as run_analysis
    from wujie.stores.event_tables import load_events
    from wujie.stores.simulation.accuracy import score as compare
    from wujie.stores.simulation.truth_io import load_truth

    plan = _layout(layout or events / "layout.json")
    report = run_analysis(load_events(events), plan)
    _print(compare(report, load_truth(events / "truth")), True)


@app.command("export-layout")
def export_layout(out: Annotated[Path, typer.Argument(help="Where to write the built-in layout as JSON.")]) -> None:
    """Write the built-in store layout as JSON, to start your own from."""
    from wujie.stores.default_layout import default_layout
    from wujie.stores.layout_io import save_layout

    save_layout(default_layout(), out)
    typer.echo(str(out))


def _payments(ledger: Path | None) -> Any:
    """Grab-and-go charges go through the payments handlers on the bus (SQLite file or memory)."""
    from wujie.bootstrap import MemoryUnitOfWork, SqliteUnitOfWork, bootstrap
    from wujie.shared.clock import ManualClock
    from wujie.stores.payments_ledger import BusCharger

    uow = MemoryUnitOfWork(fee_bp=0) if ledger is None else SqliteUnitOfWork(ledger, fee_bp=0)
    clock = ManualClock()
    bus = bootstrap(uow, clock)
    return BusCharger(bus.handle, uow.ledger.balances, clock)


def _headline(summary: dict[str, Any], out: Path) -> dict[str, Any]:
    return {
        "out": str(out),
        "events": summary["events"],
        "shoppers": sum(summary["footfall"]["entry_by_hour"]),
        "conversion": summary["conversion"],
        "dwell_median_s": {z: round(v["p50_s"], 1) for z, v in summary["dwell"].items()},
        "exit_queue_peak": summary["exit_queue"]["peak_mean_length"],
        "checkout": summary["checkout"],
        "ledger_balances_minor": summary["ledger_balances_minor"],
        "restock_alerts": summary["restock_alerts"],
        "display_moves": len(summary["display_moves"]),
        "timings_s": summary["timings_s"],
        "files": summary["files"],
    }


def _print(data: dict[str, Any], as_json: bool) -> None:
    import orjson

    typer.echo(orjson.dumps(data, option=0 if as_json else orjson.OPT_INDENT_2).decode())
