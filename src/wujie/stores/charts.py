"""PNG charts of a store report (matplotlib, Agg backend)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from wujie.stores.analysis import StoreReport
from wujie.stores.layout import StoreLayout


def write_charts(report: StoreReport, out: Path) -> list[Path]:
    """Write every chart of ``report`` into ``out`` and return their paths."""
    import matplotlib

    matplotlib.use("Agg")
    writers = (
        ("heatmap.png", _heatmap),
        ("flows.png", _flows),
        ("footfall.png", _footfall),
        ("dwell.png", _dwell),
        ("attention.png", _attention),
        ("queue.png", _queue),
    )
    paths = []
    for name, draw in writers:
        path = out / name
        draw(report, path)
        paths.append(path)
    return paths


def _outline(ax: object, layout: StoreLayout, shelves: bool = True) -> None:
    from matplotlib.axes import Axes

    assert isinstance(ax, Axes)
    ax.plot(*layout.floor.exterior.xy, color="black", linewidth=1.5)
    for zone in layout.zones:
        ax.plot(*zone.polygon.exterior.xy, color="white", linewidth=0.8, linestyle="--")
        centre = zone.polygon.representative_point()
        ax.text(centre.x, centre.y, zone.name, color="white", fontsize=7, ha="center")
    if shelves:
        for shelf in layout.shelves.values():
            ax.fill(*shelf.polygon.exterior.xy, color="#888888", alpha=0.6, linewidth=0)
    ax.set_aspect("equal")


def _heatmap(report: StoreReport, path: Path) -> None:
    import matplotlib.pyplot as plt

    x0, y0, x1, y1 = report.layout.floor.bounds
    fig, ax = plt.subplots(figsize=(10, 7))
    image = ax.imshow(
        report.occupancy / 3600.0, origin="lower", extent=(x0, x1, y0, y1), cmap="inferno", interpolation="bilinear"
    )
    _outline(ax, report.layout)
    fig.colorbar(image, ax=ax, label="person-hours per cell")
    ax.set_title(f"Occupancy heat map ({report.params.heat_cell_m:g} m cells), {report.layout.name}")
    fig.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(fig)


def _flows(report: StoreReport, path: Path) -> None:
    import matplotlib.pyplot as plt

    layout, flows = report.layout, report.flows
    fig, (plan, grid) = plt.subplots(1, 2, figsize=(16, 6))
    plan.set_facecolor("#223344")
    _outline(plan, layout)
    centres = [z.polygon.representative_point() for z in layout.zones]
    peak = max(int(flows.max()), 1)
    for a, b in zip(*np.nonzero(flows), strict=True):
        share = flows[a, b] / peak
        if share < 0.05:
            continue
        start, end = centres[a], centres[b]
        plan.annotate(
            "",
            xy=(end.x, end.y),
            xytext=(start.x, start.y),
            arrowprops={
                "arrowstyle": "->",
                "color": "#ffcc33",
                "lw": 0.5 + 6 * share,
                "alpha": 0.8,
                "connectionstyle": "arc3,rad=0.15",
            },
        )
    plan.set_title("Zone-to-zone flows (arrow width = moves)")
    image = grid.imshow(flows, cmap="viridis")
    names = layout.zone_names
    grid.set_xticks(range(len(names)), names, rotation=45, ha="right")
    grid.set_yticks(range(len(names)), names)
    grid.set_xlabel("to")
    grid.set_ylabel("from")
    fig.colorbar(image, ax=grid, label="moves")
    fig.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(fig)


def _footfall(report: StoreReport, path: Path) -> None:
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(9, 4))
    hours = np.arange(24)
    ax.bar(hours - 0.2, report.footfall["entry_by_hour"], width=0.4, label="entries")
    ax.bar(hours + 0.2, report.footfall["exit_by_hour"], width=0.4, label="exits")
    ax.set_xlabel("hour of day (UTC)")
    ax.set_ylabel("shoppers")
    ax.set_title("Footfall by hour")
    ax.legend()
    fig.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(fig)


def _dwell(report: StoreReport, path: Path) -> None:
    import matplotlib.pyplot as plt

    names = report.layout.zone_names
    series = [report.dwell[:, i][report.dwell[:, i] > 0] / 60.0 for i in range(len(names))]
    fig, ax = plt.subplots(figsize=(9, 4))
    ax.boxplot([s if s.size else np.zeros(1) for s in series], tick_labels=list(names), showfliers=False)
    ax.set_ylabel("minutes per visitor")
    ax.set_title("Dwell time per zone")
    fig.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(fig)


def _attention(report: StoreReport, path: Path) -> None:
    import matplotlib.pyplot as plt

    shelves = report.shelves
    fig, ax = plt.subplots(figsize=(7, 5))
    ax.scatter(shelves["attention_s"].to_numpy() / 60.0, shelves["units"].to_numpy(), s=18)
    for shelf, attention, units in shelves.select("shelf", "attention_s", "units").iter_rows():
        ax.annotate(shelf, (attention / 60.0, units), fontsize=5, alpha=0.7)
    ax.set_xlabel("attention at the shelf (person-minutes)")
    ax.set_ylabel("units sold")
    ax.set_title("Shelf attention vs sales")
    fig.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(fig)


def _queue(report: StoreReport, path: Path) -> None:
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(10, 3.5))
    hours = np.arange(report.queue.size) * report.params.queue_bucket_s / 3600.0
    ax.plot(hours, report.queue, linewidth=0.8)
    ax.set_xlabel("hour of day (UTC)")
    ax.set_ylabel("mean shoppers in the exit queue")
    ax.set_title(f"Exit queue length ({report.params.queue_bucket_s} s buckets)")
    fig.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(fig)
