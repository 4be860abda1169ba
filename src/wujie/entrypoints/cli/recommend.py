"""``wujie recommend``: evaluate recommenders on real logs, and recommend from a log."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from wujie.shared.errors import InvalidInput

app = typer.Typer(help="Recommendations: evaluate models on a time split, recommend for users.", no_args_is_help=True)

ALL_MODELS = "popularity_global,popularity_region,buy_again,item_knn,cooccurrence,als,als_repeat,bpr"
MODELS_HELP = f"Comma-separated models: {ALL_MODELS}."


def _log(dataset: str | None, input: Path | None) -> Any:
    from wujie.recommend.datasets import load_csv, load_dataset

    if (input is None) == (dataset is None):
        raise InvalidInput("give exactly one of --dataset NAME or --input FILE.csv")
    return load_dataset(dataset) if dataset is not None else load_csv(input)  # type: ignore[arg-type]


def _models(names: str, seed: int) -> dict[str, Any]:
    from wujie.recommend.params import default_models

    known = default_models(seed)
    chosen = [n.strip() for n in names.split(",") if n.strip()]
    unknown = [n for n in chosen if n not in known]
    if unknown or not chosen:
        raise InvalidInput(f"unknown models {', '.join(unknown) or '(none given)'}; {MODELS_HELP}")
    return {n: known[n] for n in chosen}


@app.command("evaluate")
def evaluate(
    *,
    dataset: Annotated[str | None, typer.Option("--dataset", help="completejourney or uci-online-retail.")] = None,
    input: Annotated[
        Path | None, typer.Option("--input", help="Your own CSV: user,item,event,timestamp[,region].")
    ] = None,
    models: Annotated[str, typer.Option("--models", help=MODELS_HELP)] = ALL_MODELS,
    k: Annotated[int, typer.Option("--k", help="Cut-off of Recall, NDCG and MRR.")] = 20,
    test_fraction: Annotated[float, typer.Option("--test-fraction", help="Latest share of events held out.")] = 0.2,
    max_users: Annotated[
        int | None, typer.Option("--max-users", help="Evaluate a seeded sample of test users.")
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write the JSON here and a bar chart PNG next to it.")
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed of ALS/BPR and of the user samples.")] = 42,
    protocol: Annotated[
        str,
        typer.Option(
            "--protocol",
            help="new_items (held-out items new to the user, seen excluded), all_purchases (repeats count), or both.",
        ),
    ] = "both",
    stage: Annotated[
        str, typer.Option("--stage", help="test, or validation (a second cut before the test cut, for tuning).")
    ] = "test",
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Fit every model once on the log before a time cut; score it on what users did after it."""
    from rich.progress import Progress

    from wujie.recommend.evaluation import PROTOCOLS, EvaluationParams
    from wujie.recommend.evaluation import evaluate as run

    protocols = tuple(PROTOCOLS) if protocol == "both" else (protocol.replace("-", "_"),)
    chosen = _models(models, seed)
    params = EvaluationParams(
        k=k, test_fraction=test_fraction, max_users=max_users, seed=seed, protocols=protocols, stage=stage
    )
    log = _log(dataset, input)
    with Progress(transient=True, disable=as_json) as progress:
        task = progress.add_task("fitting", total=len(chosen))
        scores = run(log, chosen, params, progress=lambda name: progress.update(task, advance=1, description=name))
    result = {"source": dataset or str(input), "k": k, "test_fraction": test_fraction, "stage": stage}
    result["protocols"] = _by_protocol(scores, protocols)
    if out is not None:
        _write(result, out)
    if as_json:
        typer.echo(json.dumps(result))
        return
    _table(result)


def _by_protocol(scores: list[Any], protocols: tuple[str, ...]) -> dict[str, Any]:
    from wujie.recommend.evaluation import PROTOCOLS

    return {
        name: {
            "description": PROTOCOLS[name],
            "exclude_seen": name == "new_items",
            "models": [s.as_dict() for s in scores if s.protocol == name],
        }
        for name in protocols
    }


def _write(result: dict[str, Any], out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2), encoding="utf-8")
    protocols = result["protocols"]
    figure, axes = plt.subplots(1, len(protocols), figsize=(7 * len(protocols), 3.5), squeeze=False)
    for axis, (name, block) in zip(axes[0], protocols.items(), strict=True):
        rows = block["models"]
        axis.bar([r["model"] for r in rows], [r["recall"] for r in rows], color="#c0392b")
        axis.set_ylabel(f"Recall@{result['k']}")
        axis.set_title(f"{result['source']} ({name}): Recall@{result['k']}")
        axis.tick_params(axis="x", rotation=20)
    figure.tight_layout()
    figure.savefig(out.with_suffix(".png"), dpi=110)
    plt.close(figure)


def _table(result: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    k = result["k"]
    for block in result["protocols"].values():
        table = Table(title=f"{result['source']} — {result['stage']} time split, K={k}, {block['description']}")
        for column in ("model", f"Recall@{k}", f"NDCG@{k}", f"MRR@{k}", "coverage", "p50 ms", "p99 ms", "fit s"):
            table.add_column(column, justify="left" if column == "model" else "right")
        table.add_column("users", justify="right")
        for r in block["models"]:
            values = (r["recall"], r["ndcg"], r["mrr"], r["coverage"], r["p50_ms"], r["p99_ms"], r["fit_s"], r["users"])
            table.add_row(r["model"], *(str(v) for v in values))
        Console().print(table)


@app.command("for")
def recommend_for(
    users: Annotated[list[str], typer.Argument(help="User ids (unknown ones get regional popularity).")],
    *,
    dataset: Annotated[str | None, typer.Option("--dataset", help="completejourney or uci-online-retail.")] = None,
    input: Annotated[
        Path | None, typer.Option("--input", help="Your own CSV: user,item,event,timestamp[,region].")
    ] = None,
    model: Annotated[str, typer.Option("--model", help=MODELS_HELP)] = "als",
    k: Annotated[int, typer.Option("--k", help="Items per user.")] = 10,
    region: Annotated[str | None, typer.Option("--region", help="Region for cold-start users.")] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed of ALS/BPR.")] = 42,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Fit one model on the whole log and print each user's top K."""
    from wujie.recommend.recommender import Recommender

    [params] = _models(model, seed).values()
    recommender = Recommender(params).fit(_log(dataset, input))
    lists = recommender.recommend(users, k=k, region=region)
    result = {
        user: [{"item_id": r.item_id, "score": round(r.score, 6), "source": r.source} for r in recs]
        for user, recs in zip(users, lists, strict=True)
    }
    if as_json:
        typer.echo(json.dumps(result))
        return
    for user, recs in result.items():
        items = ", ".join(f"{r['item_id']} ({r['source']})" for r in recs)
        typer.echo(f"{user}: {items}")
