"""The twin's catalog: brands (some heritage), categories, SKUs with prices, weights and flash deals.

Everything is drawn from a seeded generator and held in numpy arrays indexed by SKU position, so
the sale can sample millions of order lines quickly. Prices are integer minor units of the
country's currency (fen, won, cents), rounded to shop-like figures (1,190.00; 12,900).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from wujie.shared.ids import BrandId, SkuId
from wujie.shared.money import exponent
from wujie.twin.brands import CATEGORIES, GENERIC_HERITAGE, HERITAGE, SYLLABLES, USD_RATES, CategorySpec

_ZH = {"CN", "TW", "HK", "MO", "SG"}
_KO = {"KR"}


@dataclass(frozen=True, slots=True)
class BrandSpec:
    """A brand in the twin's catalog."""

    id: BrandId
    name: str
    local_name: str
    heritage: bool
    founded: int
    category: int


@dataclass(frozen=True, slots=True)
class FlashDeal:
    """A flash-sale window on one SKU: minutes after midnight, deal price, per-customer limit."""

    sku: int
    start_min: int
    end_min: int
    price_minor: int
    limit: int


@dataclass(frozen=True)
class Assortment:
    """The catalog as arrays: position ``i`` describes SKU ``sku_ids[i]``."""

    currency: str
    fx_assumed: bool
    language: str
    categories: tuple[CategorySpec, ...]
    brands: tuple[BrandSpec, ...]
    sku_ids: tuple[SkuId, ...]
    names: tuple[str, ...]
    category: Any  # int array
    brand: Any  # int array
    price_minor: Any  # int64 array
    weight_g: Any  # int array
    popularity: Any  # float array, sums to 1 within each category
    flash: tuple[FlashDeal, ...]

    def __len__(self) -> int:
        return len(self.sku_ids)

    def category_name(self, index: int) -> str:
        """Return the category's name in the country's language."""
        spec = self.categories[index]
        return {"zh": spec.zh, "ko": spec.ko}.get(self.language, spec.en)


def language_of(country: str) -> str:
    """Return ``"zh"``, ``"ko"`` or ``"en"``: the language of names and search queries."""
    return "zh" if country in _ZH else "ko" if country in _KO else "en"


def build_assortment(country: str, currency: str, n_skus: int, seed: int, modern_per_category: int = 5) -> Assortment:
    """Draw a catalog of ``n_skus`` SKUs for ``country`` priced in ``currency``.

    Parameters
    ----------
    country, currency
        ISO codes; the country picks the heritage brands and the language of names.
    n_skus
        Number of SKUs (at least one per category).
    seed
        Seed of every draw.
    modern_per_category
        Invented modern brands per category, next to the heritage brands of that category.
    """
    rng = np.random.default_rng([seed, 1])
    language = language_of(country)
    brands = _brands(country, language, modern_per_category, rng)
    shares = np.array([c.share for c in CATEGORIES])
    category = np.sort(rng.choice(len(CATEGORIES), size=n_skus, p=shares / shares.sum()))
    category[: len(CATEGORIES)] = np.arange(len(CATEGORIES))  # every category has at least one SKU
    category.sort()
    brand = _pick_brands(category, brands, rng)
    rate = USD_RATES.get(currency)
    usd = _log_uniform(rng, category, [c.usd for c in CATEGORIES])
    price = shop_price(usd * (rate or 1.0), exponent(currency))
    weight = np.maximum(1, np.round(_log_uniform(rng, category, [c.kg for c in CATEGORIES]) * 1000)).astype(np.int64)
    popularity = _popularity(category, brand, brands, rng)
    sku_ids = tuple(SkuId(f"sku-{i + 1:06d}") for i in range(n_skus))
    names = tuple(_name(i, category[i], brands[brand[i]], language) for i in range(n_skus))
    return Assortment(
        currency=currency,
        fx_assumed=rate is None,
        language=language,
        categories=CATEGORIES,
        brands=brands,
        sku_ids=sku_ids,
        names=names,
        category=category,
        brand=brand,
        price_minor=price,
        weight_g=weight,
        popularity=popularity,
        flash=_flash_deals(popularity, price, rng),
    )


def _brands(country: str, language: str, modern: int, rng: np.random.Generator) -> tuple[BrandSpec, ...]:
    keys = [c.key for c in CATEGORIES]
    out: list[BrandSpec] = []
    for h in HERITAGE.get(country, GENERIC_HERITAGE):
        local = h.local_name if language != "en" else h.name
        out.append(
            BrandSpec(BrandId(f"brand-{len(out) + 1:03d}"), h.name, local, True, h.founded, keys.index(h.category))
        )
    for cat in range(len(CATEGORIES)):
        for _ in range(modern):
            parts = rng.choice(len(SYLLABLES), size=2, replace=False)
            name = "".join(SYLLABLES[int(p)] for p in parts).capitalize()
            founded = int(rng.integers(1985, 2021))
            out.append(BrandSpec(BrandId(f"brand-{len(out) + 1:03d}"), name, name, False, founded, cat))
    return tuple(out)


def _pick_brands(category: Any, brands: tuple[BrandSpec, ...], rng: np.random.Generator) -> Any:
    by_cat: dict[int, list[int]] = {}
    for i, b in enumerate(brands):
        by_cat.setdefault(b.category, []).append(i)
    return np.array([by_cat[int(c)][int(rng.integers(len(by_cat[int(c)])))] for c in category], dtype=np.int64)


def _log_uniform(rng: np.random.Generator, category: Any, ranges: list[tuple[float, float]]) -> Any:
    lo = np.log(np.array([r[0] for r in ranges]))[category]
    hi = np.log(np.array([r[1] for r in ranges]))[category]
    return np.exp(lo + (hi - lo) * rng.random(len(category)))


def shop_price(major: Any, exp: int) -> Any:
    """Round amounts in major units to two significant digits minus a tenth (1,234 -> 1,190); minor units."""
    step = 10.0 ** (np.floor(np.log10(np.maximum(major, 1e-9))) - 1)
    nice = np.round(major / step) * step - step / 10
    return np.maximum(1, np.round(nice * 10**exp)).astype(np.int64)


def _popularity(category: Any, brand: Any, brands: tuple[BrandSpec, ...], rng: np.random.Generator) -> Any:
    weight = np.empty(len(category))
    heritage = np.array([b.heritage for b in brands])[brand]
    for cat in np.unique(category):
        members = np.flatnonzero(category == cat)
        ranks = rng.permutation(len(members)) + 1
        weight[members] = 1.0 / ranks**0.9
    weight *= np.where(heritage, 1.6, 1.0)
    totals = np.bincount(category, weights=weight)
    return weight / totals[category]


def _name(i: int, cat: int, brand: BrandSpec, language: str) -> str:
    spec = CATEGORIES[cat]
    noun = {"zh": spec.zh, "ko": spec.ko}.get(language, spec.en)
    return f"{brand.local_name} {noun} {chr(65 + i % 26)}{100 + i % 900}"


def _flash_deals(popularity: Any, price: Any, rng: np.random.Generator) -> tuple[FlashDeal, ...]:
    count = int(np.clip(len(popularity) // 100, 4, 40))
    hot = np.argsort(-popularity, kind="stable")[:count]
    starts = (0, 0, 0, 60, 600, 1200)  # most deals open at midnight, some later in the day
    deals = []
    for j, sku in enumerate(sorted(int(s) for s in hot)):
        start = starts[j % len(starts)]
        discount = int(rng.integers(40, 71))  # 40-70 % of list price
        deal_price = max(1, int(price[sku]) * discount // 100)
        deals.append(FlashDeal(sku, start, start + 60, deal_price, int(rng.integers(1, 3))))
    return tuple(deals)
