"""Allocation: which warehouse or store ships each line of a paid order (nearest, fewest splits, cheapest)."""

from wujie.fulfilment.allocation.allocator import Allocator, allocate_orders, compare_policies
from wujie.fulfilment.allocation.model import (
    AllocationParams,
    AllocationResult,
    LocationKind,
    Order,
    OrderLine,
    Shipment,
    StockLocation,
    Unallocated,
)
from wujie.fulfilment.allocation.policies import (
    POLICIES,
    AllocationPolicy,
    Candidate,
    CostOptimal,
    FewestSplits,
    NearestFirst,
)

__all__ = [
    "POLICIES",
    "AllocationParams",
    "AllocationPolicy",
    "AllocationResult",
    "Allocator",
    "Candidate",
    "CostOptimal",
    "FewestSplits",
    "LocationKind",
    "NearestFirst",
    "Order",
    "OrderLine",
    "Shipment",
    "StockLocation",
    "Unallocated",
    "allocate_orders",
    "compare_policies",
]
