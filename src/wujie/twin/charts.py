"""PNG charts of a twin run (matplotlib, Agg backend), written next to ``report.json``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from wujie.shared.money import exponent

#: minutes around midnight shown by the orders-per-minute chart
WINDOW_MIN = (-10, 60)


def write_charts(report: dict[str, Any], out: Path, region_names: dict[str, str] | None = None) -> list[Path]:
    """Write the four charts of ``report`` into ``out``; return their paths."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, draw in (
        ("orders_per_minute.png", _orders_per_minute),
        ("gmv_by_region.png", lambda ax, r: _gmv_by_region(ax, r, region_names or {})),
        ("delivery_hours.png", _delivery_hours),
        ("stock_left_by_site.png", _stock_left),
    ):
        fig, ax = plt.subplots(figsize=(10, 5.5), dpi=110)
        draw(ax, report)
        fig.tight_layout()
        path = out / name
        fig.savefig(path)
        plt.close(fig)
        paths.append(path)
    return paths


def _orders_per_minute(ax: Any, report: dict[str, Any]) -> None:
    series = report["orders_per_minute"]
    first = int(series["first_minute"])
    counts = series["counts"]
    minutes = list(range(WINDOW_MIN[0], WINDOW_MIN[1]))
    values = [counts[m - first] if 0 <= m - first < len(counts) else 0 for m in minutes]
    ax.bar(minutes, values, width=0.9, color="#e4393c")
    ax.axvline(-0.5, color="#333", linestyle="--", linewidth=1)
    ax.set_title(f"Orders per minute around midnight ({report['country']}, 11.11)")
    ax.set_xlabel("minutes after midnight (local time)")
    ax.set_ylabel("orders placed")


def _gmv_by_region(ax: Any, report: dict[str, Any], names: dict[str, str]) -> None:
    cur = report["currency"]
    scale = 10 ** exponent(cur)
    rows = sorted(report["gmv_by_region"].items(), key=lambda kv: -kv[1])[:15][::-1]
    ax.barh([names.get(r, r) for r, _ in rows], [v / scale for _, v in rows], color="#f5a623")
    ax.set_title("GMV by region (captured payments, top 15)")
    ax.set_xlabel(f"GMV ({cur})")


def _delivery_hours(ax: Any, report: dict[str, Any]) -> None:
    hist = report["delivery_hours_histogram"]
    width = float(hist["bin_hours"])
    counts = hist["counts"]
    ax.bar([i * width for i in range(len(counts))], counts, width=width, align="edge", color="#4a90d9")
    for hours, label in ((24, "24 h"), (48, "48 h")):
        ax.axvline(hours, color="#d0021b", linestyle="--", linewidth=1)
        ax.text(hours + 0.5, max(counts, default=0) * 0.9, label, color="#d0021b")
    ax.set_xlim(0, 72)
    ax.set_title(
        f"Delivery time from order (within 24 h: {report['delivered_24h_share']:.1%}, "
        f"48 h: {report['delivered_48h_share']:.1%})"
    )
    ax.set_xlabel("hours from order to delivery")
    ax.set_ylabel("orders")


def _stock_left(ax: Any, report: dict[str, Any]) -> None:
    by_site = report["stock_left"]["by_site"]
    colours = {"dc": "#7b61ff", "fw": "#50e3c2", "store": "#f5a623"}
    ids = list(by_site)
    ax.bar(range(len(ids)), [by_site[i] for i in ids], color=[colours[i.split("-")[0]] for i in ids])
    ax.set_xticks(range(len(ids)), ids, rotation=90, fontsize=7)
    ax.set_title("Stock left by site after the sale (DCs, forward warehouses, stores)")
    ax.set_ylabel("units")
