"""``wujie route``: solve VRPLIB instances with PyVRP and benchmark against best-known costs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(
    help="Vehicle routing on PyVRP: solve VRPLIB instances, benchmark X and Solomon.", no_args_is_help=True
)


@app.command("solve")
def solve(
    file: Annotated[Path, typer.Argument(help="A VRPLIB .vrp instance (CVRP or VRPTW).")],
    *,
    seconds: Annotated[float, typer.Option("--seconds", help="Solver time limit.")] = 5.0,
    seed: Annotated[int, typer.Option("--seed", help="Solver seed.")] = 0,
    rounding: Annotated[str, typer.Option("--rounding", help="auto | round | trunc | dimacs | exact.")] = "auto",
    as_json: Annotated[bool, typer.Option("--json", help="Print the solution as JSON.")] = False,
    out: Annotated[
        Path | None, typer.Option("--out", help="Folder for <name>.json and <name>.png (route plot).")
    ] = None,
) -> None:
    """Solve one VRPLIB instance and report cost, gap to the .sol next to it, routes."""
    from wujie.fulfilment.plots import plot_instance_solution
    from wujie.fulfilment.routing.instances import best_known, read_instance, solve_instance

    instance = read_instance(file, rounding)
    solution = solve_instance(instance, seconds, seed)
    bks = best_known(file)
    record = {**solution.as_dict(), "rounding": instance.rounding, "best_known": bks}
    record["gap_pct"] = round(100 * (solution.cost / bks - 1), 4) if bks and solution.feasible else None
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        (out / f"{instance.name}.json").write_text(json.dumps(record, indent=1))
        record["png"] = str(plot_instance_solution(instance, solution, out / f"{instance.name}.png"))
    if as_json:
        typer.echo(json.dumps(record))
        return
    typer.echo(
        f"{instance.name}: cost {solution.cost:g} ({'feasible' if solution.feasible else 'INFEASIBLE'}), "
        f"{len(solution.routes)} routes, {solution.iterations} iterations in {solution.seconds:.1f} s"
    )
    if bks is not None:
        typer.echo(f"best-known {bks:g}, gap {record['gap_pct']}%")


@app.command("bench")
def bench(
    *,
    set_name: Annotated[str, typer.Option("--set", help="x (CVRPLIB X) or solomon (VRPTW).")] = "x",
    max_n: Annotated[int, typer.Option("--max-n", help="Largest instance dimension (nodes incl. depot).")] = 300,
    seconds: Annotated[float, typer.Option("--seconds", help="Solver time per instance.")] = 10.0,
    seed: Annotated[int, typer.Option("--seed", help="Solver seed.")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print the whole result as one JSON object.")] = False,
    out: Annotated[Path | None, typer.Option("--out", help="Folder for route-<set>.json and route-<set>.png.")] = None,
) -> None:
    """Solve every instance of a set and report the gap to best-known (each set's rounding convention)."""
    from rich.console import Console
    from rich.progress import Progress

    from wujie.bench.fulfilment import instance_paths, run_route_bench
    from wujie.fulfilment.plots import plot_gaps

    total = len(instance_paths(set_name, max_n))
    console = Console(stderr=True)
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task(f"route bench {set_name}", total=total)
        summary = run_route_bench(set_name, max_n, seconds, seed=seed, on_instance=lambda _: progress.advance(task))
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        (out / f"route-{set_name}.json").write_text(json.dumps(summary, indent=1))
        summary["png"] = str(plot_gaps(summary, out / f"route-{set_name}.png"))
    if as_json:
        typer.echo(json.dumps(summary))
        return
    for row in summary["results"]:
        typer.echo(f"{row['name']:>14}  cost {row['cost']:>10g}  bks {row['best_known']:>10g}  gap {row['gap_pct']}%")
    typer.echo(
        f"{summary['instances']} instances, mean gap {summary['mean_gap_pct']}% "
        f"(target <= {summary['target_mean_gap_pct']}%), max {summary['max_gap_pct']}%"
    )


def run_day(*, parcels: int, budget: float, workers: int, seed: int, out: str) -> dict[str, object]:
    """Run the twin-day routing benchmark with a progress bar; write JSON and a PNG when ``out`` is set."""
    from rich.console import Console
    from rich.progress import Progress

    from wujie.bench.fulfilment import run_day_bench
    from wujie.fulfilment.plots import plot_route_plan

    with Progress(console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task("planning the day", total=None)

        def tick(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        summary, plan, depots = run_day_bench(parcels, budget_s=budget, workers=workers, seed=seed, on_progress=tick)
    if out:
        folder = Path(out)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "route-day.json").write_text(json.dumps(summary, indent=1))
        summary["png"] = str(plot_route_plan(plan, depots, folder / "route-day.png", depot_ids={"hangzhou"}))
    return summary
