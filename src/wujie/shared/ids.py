"""Typed identifiers.

Ids are plain strings at run time (cheap to hash, to journal and to put in JSON) but
distinct types for mypy, so an order id can never be passed where a SKU id is expected.
"""

from __future__ import annotations

import itertools
import uuid
from typing import NewType

SkuId = NewType("SkuId", str)
ProductId = NewType("ProductId", str)
BrandId = NewType("BrandId", str)
CategoryId = NewType("CategoryId", str)
LocationId = NewType("LocationId", str)
CustomerId = NewType("CustomerId", str)
OrderId = NewType("OrderId", str)
ReservationId = NewType("ReservationId", str)
PaymentId = NewType("PaymentId", str)
RegionId = NewType("RegionId", str)
FlashSaleId = NewType("FlashSaleId", str)
IdempotencyKey = NewType("IdempotencyKey", str)


def new_id(prefix: str) -> str:
    """Return a random, globally unique id such as ``ord_3f2a...``."""
    return f"{prefix}_{uuid.uuid4().hex}"


class SequentialIds:
    """Deterministic ids (``ord_000001``...) for seeded runs such as the twin and tests."""

    def __init__(self, prefix: str, start: int = 1) -> None:
        self._prefix = prefix
        self._counter = itertools.count(start)

    def __call__(self) -> str:
        return f"{self._prefix}_{next(self._counter):09d}"
