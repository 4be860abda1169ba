"""``wujie sort``: simulate a sorting centre working off the post-midnight backlog."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(
    help="Sorting centre: chutes by destination, machines, waves; backlog simulation.", no_args_is_help=True
)


@app.command("simulate")
def simulate(
    *,
    parcels: Annotated[int, typer.Option("--parcels", help="Inbound parcels after midnight.")] = 200_000,
    machines: Annotated[int, typer.Option("--machines", help="Sorting machines.")] = 8,
    rate: Annotated[float, typer.Option("--rate", help="Parcels per hour per machine.")] = 4000.0,
    chutes: Annotated[int, typer.Option("--chutes", help="Outbound chutes.")] = 48,
    destinations: Annotated[int, typer.Option("--destinations", help="Outbound routes/destinations.")] = 60,
    arrival_hours: Annotated[
        float, typer.Option("--arrival-hours", help="Hours over which parcels keep arriving.")
    ] = 6.0,
    backlog_share: Annotated[
        float, typer.Option("--backlog-share", help="Share of parcels waiting at midnight.")
    ] = 0.3,
    wave_minutes: Annotated[float, typer.Option("--wave-minutes", help="Minutes between outbound waves.")] = 60.0,
    service_cv: Annotated[float, typer.Option("--service-cv", help="Variability of one parcel's sorting time.")] = 0.0,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the workload and the service noise.")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as one JSON object.")] = False,
    out: Annotated[
        Path | None, typer.Option("--out", help="Folder for sort-backlog.json and sort-backlog.png.")
    ] = None,
) -> None:
    """Simulate the backlog: per-hour throughput, queue length, and when it clears."""
    from wujie.fulfilment.plots import plot_backlog
    from wujie.fulfilment.sorting import SortingParams, post_midnight_arrivals, simulate_backlog

    params = SortingParams(machines, rate, chutes, wave_minutes, service_cv, seed)
    inbound = post_midnight_arrivals(
        parcels, destinations, arrival_hours=arrival_hours, backlog_share=backlog_share, seed=seed
    )
    result = simulate_backlog(inbound, params)
    summary = {
        "params": {
            "machines": machines,
            "rate_per_hour": rate,
            "chutes": chutes,
            "wave_minutes": wave_minutes,
            "destinations": destinations,
            "arrival_hours": arrival_hours,
            "backlog_share": backlog_share,
            "service_cv": service_cv,
            "seed": seed,
        },
        **result.summary(),
    }
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        (out / "sort-backlog.json").write_text(json.dumps(summary, indent=1))
        summary["png"] = str(plot_backlog(result, out / "sort-backlog.png"))
    if as_json:
        typer.echo(json.dumps(summary))
        return
    typer.echo(f"{'hour':>4} {'arrived':>9} {'sorted':>9} {'queue':>9} {'util':>6}")
    for h in result.hours:
        typer.echo(f"{h.hour:>4} {h.arrived:>9} {h.sorted:>9} {h.queue_at_end:>9} {h.utilisation:>6.1%}")
    typer.echo(
        f"{result.parcels} parcels at {params.capacity_per_hour:g}/h: backlog clears at {result.clear_min / 60:.2f} h "
        f"after midnight; peak queue {result.peak_queue}, mean wait {result.mean_wait_min:.1f} min"
    )
