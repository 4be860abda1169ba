"""Sales projection: GMV, order and payment counts, per-second series, GMV by SKU and region.

GMV is the captured value (the payment ledger's figure): it grows on ``PaymentCaptured`` only,
never on ``OrderPlaced`` or ``OrderPaid``, so it equals the ledger's captured total exactly.
The order's lines and region come from its ``OrderPlaced``, remembered until the order is paid,
cancelled or expired.
"""

from __future__ import annotations

from datetime import datetime

from wujie.dashboard.errors import DashboardError, DashboardErrorCode
from wujie.orders.events import OrderCancelled, OrderExpired, OrderPlaced
from wujie.payments.events import PaymentCaptured, PaymentFailed, PaymentRefunded

#: Region key of payments whose order was placed before the projection started, or had no region.
UNKNOWN_REGION = "?"


class SalesProjection:
    """Running sales figures; feed it events through the ``on_*`` methods."""

    def __init__(self, currency: str | None = None) -> None:
        self.currency = currency
        self.gmv_minor = 0
        self.refunded_minor = 0
        self.placed = 0
        self.paid = 0
        self.cancelled = 0
        self.payment_failed = 0
        self.placed_per_second: dict[int, int] = {}
        self.paid_per_second: dict[int, int] = {}
        self.gmv_per_second: dict[int, int] = {}
        self.placed_per_minute: dict[int, int] = {}  # keyed by the minute's first second
        self.paid_per_minute: dict[int, int] = {}
        self.gmv_per_minute: dict[int, int] = {}
        self.peak_placed_per_second = 0
        self.peak_paid_per_second = 0
        self.gmv_by_sku: dict[str, int] = {}
        self.gmv_by_region: dict[str, int] = {}
        self.paid_by_region: dict[str, int] = {}
        self.first_second: int | None = None
        self.last_second = 0
        self._open: dict[str, OrderPlaced] = {}
        self._at: datetime | None = None
        self._second = 0
        self._minute = 0

    def _tick(self, at: datetime) -> int:
        """Return the whole Unix second of ``at`` (events come in runs of equal times: cache it)."""
        if at is not self._at:
            if at != self._at:
                second = self._second = int(at.timestamp())
                self._minute = second - second % 60
                if second > self.last_second:  # noqa: PLR1730 - a branch is cheaper than max() per event
                    self.last_second = second
                if self.first_second is None or second < self.first_second:
                    self.first_second = second
            self._at = at
        return self._second

    def on_placed(self, event: OrderPlaced) -> None:
        """Count the order and remember its lines and region for the payment."""
        at = event.at
        second = self._second if at is self._at else self._tick(at)
        self.placed += 1
        per = self.placed_per_second
        count = per[second] = per.get(second, 0) + 1
        if count > self.peak_placed_per_second:  # noqa: PLR1730 - a branch is cheaper than max() per event
            self.peak_placed_per_second = count
        minutes = self.placed_per_minute
        minutes[self._minute] = minutes.get(self._minute, 0) + 1
        self._open[event.order_id] = event

    def on_captured(self, event: PaymentCaptured) -> None:
        """Add the captured amount to GMV, the series, and the order's SKUs and region."""
        amount = event.amount
        if amount.currency != self.currency:
            self._adopt(amount.currency)
        at = event.at
        second = self._second if at is self._at else self._tick(at)
        minor = amount.minor
        self.gmv_minor += minor
        self.paid += 1
        per = self.paid_per_second
        count = per[second] = per.get(second, 0) + 1
        if count > self.peak_paid_per_second:  # noqa: PLR1730 - a branch is cheaper than max() per event
            self.peak_paid_per_second = count
        gmv = self.gmv_per_second
        gmv[second] = gmv.get(second, 0) + minor
        minute = self._minute
        minutes = self.paid_per_minute
        minutes[minute] = minutes.get(minute, 0) + 1
        gmv_minutes = self.gmv_per_minute
        gmv_minutes[minute] = gmv_minutes.get(minute, 0) + minor
        placed = self._open.pop(event.order_id, None)
        region = UNKNOWN_REGION
        if placed is not None:
            region = placed.region or UNKNOWN_REGION
            by_sku = self.gmv_by_sku
            for line in placed.lines:
                by_sku[line.sku] = by_sku.get(line.sku, 0) + line.quantity * line.unit_price.minor
        by_region = self.gmv_by_region
        by_region[region] = by_region.get(region, 0) + minor
        paid_by_region = self.paid_by_region
        paid_by_region[region] = paid_by_region.get(region, 0) + 1

    def _adopt(self, currency: str) -> None:
        if self.currency is None:
            self.currency = currency
            return
        raise DashboardError(
            DashboardErrorCode.CURRENCY_MISMATCH,
            f"a {self.currency} dashboard received a {currency} payment",
            expected=self.currency,
            got=currency,
        )

    def on_failed(self, event: PaymentFailed) -> None:
        """Count a declined payment."""
        self._tick(event.at)
        self.payment_failed += 1

    def on_cancelled(self, event: OrderCancelled | OrderExpired) -> None:
        """Count a cancelled or expired order and forget its lines."""
        self._tick(event.at)
        self.cancelled += 1
        self._open.pop(event.order_id, None)

    def on_refunded(self, event: PaymentRefunded) -> None:
        """Add a refund (GMV stays the captured figure; refunds are reported beside it)."""
        self._tick(event.at)
        self.refunded_minor += event.amount.minor

    @property
    def open_orders(self) -> int:
        """Return the number of placed orders not yet paid, cancelled or expired."""
        return len(self._open)
