"""PNG plots of forecasts with their intervals against the actual values (matplotlib, Agg)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from wujie.forecasting.frames import DS, ID, Y


def plot_forecasts(
    train: pd.DataFrame,
    test: pd.DataFrame,
    models: Sequence[str],
    path: Path,
    *,
    ids: Sequence[str] | None = None,
    history: int = 56,
    level: int = 80,
) -> Path:
    """Draw, per series, the last ``history`` periods, the actuals and each model with its band.

    Parameters
    ----------
    train, test
        History and held-out rows; ``test`` carries ``<model>`` and ``<model>-lo/hi-<level>``.
    models
        Forecast columns to draw.
    path
        Output PNG.
    ids
        Series to draw (default: the four with the most held-out units).
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    chosen = list(ids) if ids else list(test.groupby(ID)[Y].sum().nlargest(4).index)
    fig, axes = plt.subplots(len(chosen), 1, figsize=(10, 2.6 * len(chosen)), squeeze=False)
    for ax, uid in zip(axes[:, 0], chosen, strict=True):
        past = train[train[ID] == uid].tail(history)
        future = test[test[ID] == uid]
        ax.plot(past[DS], past[Y], color="black", linewidth=1, label="history")
        ax.plot(future[DS], future[Y], color="black", linestyle="--", linewidth=1, label="actual")
        for model in models:
            (line,) = ax.plot(future[DS], future[model], linewidth=1.3, label=model)
            lo, hi = f"{model}-lo-{level}", f"{model}-hi-{level}"
            if lo in future.columns:
                ax.fill_between(future[DS], future[lo], future[hi], color=line.get_color(), alpha=0.15)
        ax.set_title(str(uid), fontsize=9)
        ax.tick_params(labelsize=7)
    axes[0, 0].legend(fontsize=7, ncol=len(models) + 2, loc="upper left")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path
