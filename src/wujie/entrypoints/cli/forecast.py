"""``wujie forecast``: evaluate, fit and predict demand forecasts on long-format files."""

# ruff: noqa: B008 - typer declares options as argument defaults
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from wujie.shared.errors import InvalidInput

app = typer.Typer(help="Demand forecasting: evaluate on held-out windows, fit, predict.", no_args_is_help=True)

MODELS_HELP = "Comma-separated models: seasonal_naive,autoets,theta,holt_winters,lightgbm,lightgbm_ensemble."


def _read_frame(path: Path) -> Any:
    import pandas as pd

    if not path.exists():
        raise FileNotFoundError(path)
    frame = pd.read_parquet(path) if path.suffix in {".parquet", ".pq"} else pd.read_csv(path)
    if "ds" in frame.columns:
        try:
            frame["ds"] = pd.to_datetime(frame["ds"])
        except (ValueError, TypeError) as exc:
            raise InvalidInput(f"column ds of {path} is not a date: {exc}") from exc
    return frame


def _params(models: str, freq: str, season: int, horizon: int, seed: int) -> Any:
    from wujie.forecasting.params import ForecasterParams

    names = tuple(m.strip() for m in models.split(",") if m.strip())
    return ForecasterParams(models=names, freq=freq, season_length=season, max_horizon=max(horizon, 1), seed=seed)


@app.command("evaluate")
def evaluate(
    *,
    input: Path | None = typer.Option(None, "--input", help="Long-format CSV/Parquet: unique_id, ds, y."),
    dataset: str | None = typer.Option(None, "--dataset", help="uci-online-retail or completejourney."),
    freq: str = typer.Option("D", "--freq", help="Pandas frequency of the series."),
    horizon: int = typer.Option(28, "--horizon", help="Held-out periods."),
    season: int = typer.Option(7, "--season", help="Season length in periods."),
    models: str = typer.Option(
        "seasonal_naive,autoets,theta,holt_winters,lightgbm,lightgbm_ensemble", "--models", help=MODELS_HELP
    ),
    top: int | None = typer.Option(None, "--top", help="Keep the top N series of a dataset by units."),
    plot: Path | None = typer.Option(None, "--plot", help="PNG of forecasts vs actuals (default: next to --out)."),
    out: Path | None = typer.Option(None, "--out", help="Write the JSON summary here too."),
    seed: int = typer.Option(0, "--seed", help="Random seed of LightGBM."),
    validation: bool = typer.Option(
        False, "--validation", help="Score the HORIZON periods before the final window (for choosing settings)."
    ),
    bottom_up: int | None = typer.Option(
        None,
        "--bottom-up",
        help="completejourney only: also score lightgbm_bottom_up, LightGBM trained on the top N store x "
        "category series (each category's other stores summed) and summed to the categories.",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Fit on all but the last HORIZON periods and score every model on them."""
    from wujie.forecasting.datasets import load_dataset
    from wujie.forecasting.evaluation import evaluate_holdout
    from wujie.forecasting.plots import plot_forecasts

    if (input is None) == (dataset is None):
        raise InvalidInput("give exactly one of --input FILE or --dataset NAME")
    params = _params(models, freq, season, horizon, seed)
    if bottom_up is not None and (dataset != "completejourney" or bottom_up < 1):
        raise InvalidInput("--bottom-up N (N >= 1) needs --dataset completejourney")
    if dataset is not None:
        data = load_dataset(dataset, top_n=top)
        bottom = None
        if bottom_up is not None:
            from wujie.forecasting.datasets import load_complete_journey_bottom

            bottom = load_complete_journey_bottom(bottom_up)
        result = evaluate_holdout(
            data.frame,
            horizon,
            params,
            dataset=data.name,
            revenue=data.revenue,
            features=data.features,
            skip_last=horizon if validation else 0,
            bottom=bottom,
        )
    else:
        assert input is not None
        skip = horizon if validation else 0
        result = evaluate_holdout(_read_frame(input), horizon, params, dataset=input.name, skip_last=skip)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(result.summary, indent=2))
    png = plot or (out.with_suffix(".png") if out else None)
    if png is not None:
        plot_forecasts(result.train, result.test, params.models, png)
        result.summary["plot"] = str(png)
    _render(result.summary, as_json)


def _render(summary: dict[str, Any], as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(summary))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{summary['dataset']}: {summary['n_series']} series, horizon {summary['horizon']}")
    metrics = list(next(iter(summary["models"].values())).keys())
    table.add_column("model")
    for name in metrics:
        table.add_column(name, justify="right")
    for model, values in summary["models"].items():
        table.add_row(model, *[f"{values[m]:.4f}" for m in metrics])
    Console().print(table)
    typer.echo(f"{summary['seconds']:.1f} s" + (f"; plot {summary['plot']}" if "plot" in summary else ""))


@app.command("fit")
def fit(
    *,
    input: Path = typer.Option(..., "--input", help="Long-format CSV/Parquet: unique_id, ds, y (+ features)."),
    model_file: Path = typer.Option(..., "--model-file", help="Where to save the fitted forecaster (pickle)."),
    freq: str = typer.Option("D", "--freq", help="Pandas frequency of the series."),
    season: int = typer.Option(7, "--season", help="Season length in periods."),
    horizon: int = typer.Option(28, "--max-horizon", help="Longest horizon predict will be asked for."),
    models: str = typer.Option("seasonal_naive,autoets,lightgbm", "--models", help=MODELS_HELP),
    seed: int = typer.Option(0, "--seed", help="Random seed of LightGBM."),
) -> None:
    """Fit the models on a whole file and save the forecaster."""
    import pickle

    from wujie.forecasting.estimator import Forecaster

    forecaster = Forecaster(_params(models, freq, season, horizon, seed)).fit(_read_frame(input))
    model_file.parent.mkdir(parents=True, exist_ok=True)
    model_file.write_bytes(pickle.dumps(forecaster))
    short = sum(len(v) for v in forecaster.fallback_ids_.values())
    typer.echo(f"fitted {', '.join(forecaster.params.models)} -> {model_file} ({short} fallback series x model)")


@app.command("predict")
def predict(
    *,
    model_file: Path = typer.Option(..., "--model-file", help="A forecaster saved by `wujie forecast fit`."),
    horizon: int = typer.Option(..., "--horizon", help="Periods to forecast."),
    out: Path = typer.Option(..., "--out", help="CSV of forecasts (unique_id, ds, model columns)."),
    level: list[int] = typer.Option([80, 90], "--level", help="Interval levels in percent (repeatable)."),
    future: Path | None = typer.Option(None, "--future", help="Future feature values (unique_id, ds, features)."),
) -> None:
    """Forecast HORIZON periods with a saved forecaster and write a CSV."""
    import pickle

    from wujie.forecasting.estimator import Forecaster

    forecaster = pickle.loads(model_file.read_bytes())  # a file this command wrote
    if not isinstance(forecaster, Forecaster):
        raise InvalidInput(f"{model_file} is not a saved forecaster")
    frame = forecaster.predict(horizon, level=level, X_df=_read_frame(future) if future else None)
    out.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(out, index=False)
    typer.echo(f"{len(frame)} rows -> {out}")
