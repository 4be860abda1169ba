"""What the caller tells the dashboard about SKUs and regions (brands, heritage flags, coordinates)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from wujie.dashboard.errors import DashboardError, DashboardErrorCode


class SkuInfo(NamedTuple):
    """A SKU's brand, whether it is a heritage ("laozihao") brand, and its product's display name."""

    brand: str
    heritage: bool
    product: str | None = None


class RegionInfo(NamedTuple):
    """A region's display name and the coordinates of its main city (degrees)."""

    name: str
    lat: float
    lon: float


UNKNOWN_BRAND = SkuInfo("(unknown brand)", False)


@dataclass(frozen=True, slots=True)
class Lookups:
    """Read-only maps from SKU to :class:`SkuInfo` and from region id to :class:`RegionInfo`.

    Plain tuples are accepted (``{"sku_1": ("Wufangzhai", True)}``) and converted.
    """

    skus: Mapping[str, SkuInfo] = field(default_factory=dict)
    regions: Mapping[str, RegionInfo] = field(default_factory=dict)

    @classmethod
    def of(
        cls,
        skus: Mapping[str, tuple[str, bool] | tuple[str, bool, str | None]] | None = None,
        regions: Mapping[str, tuple[str, float, float]] | None = None,
    ) -> Lookups:
        """Build lookups from plain tuples."""
        return cls(
            {sku: SkuInfo(*info) for sku, info in (skus or {}).items()},
            {region: RegionInfo(*info) for region, info in (regions or {}).items()},
        )

    @classmethod
    def from_columns(
        cls,
        skus: Sequence[str],
        brands: Sequence[str],
        heritage: Sequence[bool],
        products: Sequence[str] | None = None,
        regions: Iterable[tuple[str, str, float, float]] = (),
    ) -> Lookups:
        """Build lookups from parallel columns (a catalog as arrays) and ``(id, name, lat, lon)`` rows."""
        if not len(skus) == len(brands) == len(heritage) == len(products if products is not None else skus):
            raise DashboardError(DashboardErrorCode.INVALID_PARAMETER, "catalog columns differ in length")
        names = products if products is not None else [None] * len(skus)
        return cls(
            {sku: SkuInfo(str(b), bool(h), p) for sku, b, h, p in zip(skus, brands, heritage, names, strict=True)},
            {region: RegionInfo(name, float(lat), float(lon)) for region, name, lat, lon in regions},
        )

    def sku(self, sku: str) -> SkuInfo:
        """Return the SKU's info, or an "unknown brand" entry."""
        return self.skus.get(sku, UNKNOWN_BRAND)
