"""Save and load the twin's ground truth next to the events it produced (``<events>/truth/``)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import polars as pl

from wujie.stores.errors import EventsInvalid
from wujie.stores.layout import StoreLayout
from wujie.stores.simulation.truth import Truth

_ARRAYS = ("occupancy", "dwell", "flows", "queue")


def save_truth(truth: Truth, directory: Path, layout: StoreLayout) -> None:
    """Write ``truth`` into ``directory`` (arrays as .npz, tables as Parquet, the rest as JSON)."""
    directory.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(directory / "arrays.npz", **{name: getattr(truth, name) for name in _ARRAYS})
    truth.baskets.write_parquet(directory / "baskets.parquet")
    truth.pickers.write_parquet(directory / "pickers.parquet")
    document = {
        "summary": truth.summary(layout.zone_names),
        "unpaid_tags": list(truth.unpaid_tags),
        "unpaid_units": truth.unpaid_units,
        "stock_alerts_ms": truth.stock_alerts,
    }
    (directory / "truth.json").write_text(json.dumps(document, indent=1), encoding="utf-8")


def load_truth(directory: Path) -> Truth:
    """Read a truth written by :func:`save_truth`.

    Raises
    ------
    EventsInvalid
        When ``directory`` holds no complete truth.
    """
    try:
        arrays = np.load(directory / "arrays.npz")
        document = json.loads((directory / "truth.json").read_text(encoding="utf-8"))
        baskets = pl.read_parquet(directory / "baskets.parquet")
        pickers = pl.read_parquet(directory / "pickers.parquet")
    except (OSError, ValueError, KeyError) as exc:
        raise EventsInvalid(f"{directory} holds no complete ground truth ({exc})") from exc
    return Truth(
        occupancy=arrays["occupancy"],
        dwell=arrays["dwell"],
        flows=arrays["flows"],
        queue=arrays["queue"],
        baskets=baskets,
        unpaid_tags=tuple(document["unpaid_tags"]),
        unpaid_units={str(k): int(v) for k, v in document["unpaid_units"].items()},
        pickers=pickers,
        stock_alerts={str(k): int(v) for k, v in document["stock_alerts_ms"].items()},
    )
