"""Merchandising analytics: interest -> purchase funnel, shelf attention vs sales, restock, display moves."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt
import polars as pl
import shapely

from wujie.stores.layout import StoreLayout
from wujie.stores.movement import Points


@dataclass(frozen=True)
class AttentionIndex:
    """A raster of which shelf access point (if any within ``radius_m``) each floor cell is nearest to."""

    nodes: tuple[str, ...]
    origin: tuple[float, float]
    cell: float
    raster: npt.NDArray[np.int16]  # node ordinal or -1, padded by one -1 cell on each side

    def seconds(self, points: Points) -> dict[str, float]:
        """Person-seconds spent near each access point."""
        rows, cols = self.raster.shape
        col = np.clip((points.x - self.origin[0]) / self.cell + 1.0, 0, cols - 1).astype(np.int32)
        row = np.clip((points.y - self.origin[1]) / self.cell + 1.0, 0, rows - 1).astype(np.int32)
        label = self.raster[row, col]
        keep = label >= 0
        spent = np.bincount(label[keep], weights=points.seconds[keep], minlength=len(self.nodes))
        return {node: float(spent[i]) for i, node in enumerate(self.nodes)}


@lru_cache(maxsize=16)
def attention_index(layout: StoreLayout, radius_m: float = 1.2, cell: float = 0.1) -> AttentionIndex:
    """Rasterise the discs of ``radius_m`` around every shelf access point (nearest wins; cached)."""
    nodes = tuple(sorted({s.access for s in layout.shelves.values()}))
    x0, y0, x1, y1 = layout.floor.bounds
    cols = int(np.ceil((x1 - x0) / cell)) + 2
    rows = int(np.ceil((y1 - y0) / cell)) + 2
    gx, gy = np.meshgrid(x0 + (np.arange(cols) - 0.5) * cell, y0 + (np.arange(rows) - 0.5) * cell)
    best = np.full(gx.shape, np.inf)
    raster = np.full(gx.shape, -1, dtype=np.int16)
    for index, node in enumerate(nodes):
        nx, ny = layout.nodes[node]
        distance = np.hypot(gx - nx, gy - ny)
        closer = (distance <= radius_m) & (distance < best)
        raster[closer] = index
        best[closer] = distance[closer]
    on_floor = shapely.intersects_xy(layout.floor, gx, gy)
    raster[~on_floor] = -1
    return AttentionIndex(nodes, (x0, y0), cell, raster)


def product_funnel(shelf: pl.DataFrame, bought: pl.DataFrame, layout: StoreLayout) -> pl.DataFrame:
    """Per product: picks, put-backs, shoppers who picked it, shoppers who bought it, and the conversion.

    ``bought`` has one row per (track, product) with the units paid for.
    """
    catalog = _catalog(layout)
    picked = shelf.group_by("product").agg(
        (pl.col("action") == "pick").sum().alias("picks"),
        (pl.col("action") == "put_back").sum().alias("put_backs"),
        pl.col("track").filter(pl.col("action") == "pick").n_unique().alias("pickers"),
    )
    buyers = bought.group_by("product").agg(
        pl.col("track").n_unique().alias("buyers"), pl.col("qty").sum().alias("units")
    )
    return (
        catalog.join(picked, on="product", how="left")
        .join(buyers, on="product", how="left")
        .fill_null(0)
        .with_columns(
            pl.when(pl.col("pickers") > 0)
            .then(pl.col("buyers") / pl.col("pickers"))
            .otherwise(None)
            .alias("conversion"),
            (pl.col("units") * pl.col("price_minor")).alias("revenue_minor"),
        )
        .sort("product")
    )


def overall_conversion(funnel: pl.DataFrame) -> float:
    """Shoppers-and-products that were bought over those that were picked up (0 when nothing was picked)."""
    pickers = int(funnel["pickers"].sum())
    return float(funnel["buyers"].sum()) / pickers if pickers else 0.0


def shelf_attention(funnel: pl.DataFrame, attention: dict[str, float], layout: StoreLayout) -> pl.DataFrame:
    """Per shelf: seconds of attention at its access point, picks, units sold and revenue."""
    shelves = pl.DataFrame(
        {
            "shelf": list(layout.shelves),
            "zone": [s.zone for s in layout.shelves.values()],
            "attention_s": [attention.get(s.access, 0.0) for s in layout.shelves.values()],
        }
    )
    sales = funnel.group_by("shelf").agg(pl.col("picks").sum(), pl.col("units").sum(), pl.col("revenue_minor").sum())
    return shelves.join(sales, on="shelf", how="left").fill_null(0).sort("shelf")


def restock_alerts(shelf: pl.DataFrame, layout: StoreLayout) -> pl.DataFrame:
    """Products whose shelf stock fell to their reorder point: when, and what is left at the end of the day."""
    catalog = _catalog(layout).select("product", "shelf", "stock", "reorder_at")
    delta = pl.when(pl.col("action") == "pick").then(-1).when(pl.col("action") == "put_back").then(1).otherwise(0)
    moves = (
        shelf.join(catalog, on="product", how="inner")
        .sort("t")
        .with_columns((pl.col("stock") + delta.cum_sum().over("product")).alias("left"))
    )
    first_low = (
        moves.filter(pl.col("left") <= pl.col("reorder_at")).group_by("product").agg(pl.col("t").min().alias("alert_t"))
    )
    end = moves.group_by("product").agg(pl.col("left").last().alias("left_at_close"))
    return (
        first_low.join(end, on="product")
        .join(catalog, on="product")
        .sort("alert_t")
        .select("product", "shelf", "alert_t", "left_at_close", "reorder_at", "stock")
    )


def display_moves(funnel: pl.DataFrame, shelves: pl.DataFrame, top: int = 10) -> list[dict[str, object]]:
    """Suggest display changes: much-handled products that rarely sell, and good sellers in quiet spots."""
    handled = funnel.filter(pl.col("pickers") > 0)
    if handled.height == 0:
        return []
    busy = handled["pickers"].quantile(0.75) or 0.0
    weak = handled["conversion"].quantile(0.25) or 0.0
    review = handled.filter((pl.col("pickers") >= busy) & (pl.col("conversion") <= weak)).sort("conversion").head(top)
    suggestions: list[dict[str, object]] = [
        {
            "product": row["product"],
            "shelf": row["shelf"],
            "action": "review price or display: high interest, low conversion",
            "pickers": row["pickers"],
            "conversion": round(float(row["conversion"]), 4),
        }
        for row in review.iter_rows(named=True)
    ]
    quiet = shelves["attention_s"].quantile(0.25) or 0.0
    hot = shelves.sort("attention_s", descending=True)["shelf"].head(1).to_list()
    strong = handled["conversion"].quantile(0.75) or 0.0
    movers = handled.join(shelves.select("shelf", "attention_s"), on="shelf").filter(
        (pl.col("attention_s") <= quiet) & (pl.col("conversion") >= strong)
    )
    suggestions += [
        {
            "product": row["product"],
            "shelf": row["shelf"],
            "action": f"move towards the busiest shelf {hot[0] if hot else '?'}: converts well in a quiet spot",
            "pickers": row["pickers"],
            "conversion": round(float(row["conversion"]), 4),
        }
        for row in movers.sort("conversion", descending=True).head(top).iter_rows(named=True)
    ]
    return suggestions


def _catalog(layout: StoreLayout) -> pl.DataFrame:
    products = list(layout.products.values())
    return pl.DataFrame(
        {
            "product": [p.product_id for p in products],
            "name": [p.name for p in products],
            "shelf": [p.shelf_id for p in products],
            "price_minor": [p.price_minor for p in products],
            "stock": [p.stock for p in products],
            "reorder_at": [p.reorder_at for p in products],
        },
        schema={
            "product": pl.String,
            "name": pl.String,
            "shelf": pl.String,
            "price_minor": pl.Int64,
            "stock": pl.Int64,
            "reorder_at": pl.Int64,
        },
    )
