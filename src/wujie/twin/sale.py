"""The sale on a simulated clock: countdown, the midnight rush, payments, and what ships after.

Second by second the shoppers' orders go to the engine as one batch; each accepted order is paid
a few seconds to minutes later (or its payment fails, or the customer cancels, or lets the
reservation expire); each paid order is allocated, sorted and delivered by the network. Events
go to the attached sink as the simulated clock reaches them; the clock can be paced to a
``speed`` (simulated seconds per wall-clock second) so a person can watch the dashboard.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import numpy as np

from wujie.shared.clock import ManualClock
from wujie.shared.events import Event
from wujie.twin.behaviour import SECONDS_PER_DAY, arrivals_per_second
from wujie.twin.events import EventFactory
from wujie.twin.intake import OUT_OF_STOCK, OVER_LIMIT, Intake
from wujie.twin.logistics import Delivered, Network, PaidOrders
from wujie.twin.scenario import Scenario
from wujie.twin.shoppers import Basket, Shoppers
from wujie.twin.tally import Tally

COUNTDOWN_S = 600
SYNC_EVERY_S = 0.25  # wall-clock seconds between group commits (each makes the batches since durable)
TICK_TARGET = 48  # orders per tick the tick length aims for (ticks divide a minute: 1..60 s)
_TICK_LENGTHS = (60, 30, 20, 15, 12, 10, 6, 5, 4, 3, 2, 1)
NEVER_PAY_RATE = 0.004  # reservations left to expire
PAY, FAIL, ABANDON, NEVER = 0, 1, 2, 3

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Pending:
    """Accepted orders waiting for their payment step."""

    number: Any
    total: Any
    customer: Any
    placed_s: Any
    outcome: Any
    nlines: Any
    sku: Any
    qty: Any


class Sale:
    """Run the sale day against the engine and the network."""

    def __init__(
        self,
        scenario: Scenario,
        intake: Intake,
        network: Network,
        clock: ManualClock,
        publish: Callable[[Sequence[Event]], None] | None,
    ) -> None:
        self.s = scenario
        self.intake = intake
        self.network = network
        self.clock = clock
        self.publish = publish
        self.events = EventFactory(scenario) if publish is not None else None
        self.rng = np.random.default_rng([scenario.config.seed, 5])
        self.shoppers = Shoppers(scenario, self.rng)
        geo = scenario.geography
        self.tally = Tally(COUNTDOWN_S, len(geo.regions), len(scenario.population))
        self.due: dict[int, list[Pending]] = {}
        self.later: list[tuple[Any, Any, Any, Any]] = []  # (numbers, placed_s, shipped_s, delivered_s) not yet told

    def run(self, progress: Progress | None = None) -> Tally:
        """Run from the countdown to the last payment of the day; return the tally."""
        arrivals = arrivals_per_second(self.rng, self.s.config.orders)
        end = SECONDS_PER_DAY + 900  # payments of the last orders, then the expiry sweep
        ticks = plan_ticks(arrivals, COUNTDOWN_S, end, max(TICK_TARGET, self.s.config.orders // 20_000))
        wall0 = last_sync = time.perf_counter()
        commit = ExitStack()
        commit.enter_context(self.intake.engine.group())
        for start, length in ticks:
            self._tick(start, length, arrivals)
            if time.perf_counter() - last_sync >= SYNC_EVERY_S:
                commit.close()  # one durable group commit for everything since the last
                commit.enter_context(self.intake.engine.group())
                last_sync = time.perf_counter()
                self._release_later(start + length)
            self._pace(start + length + COUNTDOWN_S, wall0)
            if progress is not None:
                progress(start + length + COUNTDOWN_S, end + COUNTDOWN_S)
        commit.close()
        self.clock.set(self.s.sale_start + timedelta(seconds=end))
        self.tally.expired += self.intake.engine.expire(self.clock.now() + timedelta(hours=1))
        self._delivered(self.network.finish())
        self._release_later(float("inf"))
        return self.tally

    def _pace(self, simulated: float, wall0: float) -> None:
        speed = self.s.config.speed
        if speed > 0:
            ahead = simulated / speed - (time.perf_counter() - wall0)
            if ahead > 0:
                time.sleep(ahead)

    def _tick(self, start: int, length: int, arrivals: Any) -> None:
        """Orders arriving in ``[start, start + length)``, then the payments due in it."""
        self.clock.set(self.s.sale_start + timedelta(seconds=start))
        if start < 0:
            self._browse(start)
        lo, hi = max(start, 0), min(max(start + length, 0), SECONDS_PER_DAY)
        n = int(arrivals[lo:hi].sum()) if hi > lo else 0
        if n:
            seconds = np.repeat(np.arange(lo, hi), arrivals[lo:hi])
            self._orders(start, seconds)
        last = start + length - 1
        self.clock.set(self.s.sale_start + timedelta(seconds=last))
        due = [p for second in range(start, start + length) for p in self.due.pop(second, ())]
        if due:
            self._settle(last, concat(due))
        if start // 60 != (start + length) // 60 and start > 0:
            self.tally.expired += self.intake.engine.expire()
        self._delivered(self.network.advance(float(last)))

    def _browse(self, t: int) -> None:
        """Before midnight: searches and carts, more of them as the countdown runs out."""
        n = int(self.rng.poisson(max(1.0, self.s.config.orders / 20_000) * (1 + (t + COUNTDOWN_S) / 60)))
        basket = self.shoppers.baskets(n, -1)
        self.tally.cart_adds += int(basket.nlines.sum())
        self._search(basket)

    def _search(self, basket: Basket) -> None:
        searches = self.shoppers.searches(basket)
        self.tally.searches += len(searches)
        self.tally.events += len(searches)
        if self.events is not None and self.publish is not None and len(searches):
            queries, results = searches.texts(self.shoppers)
            self.publish(self.events.searches(searches.customer, queries, results, self.clock.now()))

    def _orders(self, t: int, seconds: Any) -> None:
        basket = self.shoppers.baskets(len(seconds), t // 60)
        self._search(basket)
        result = self.intake.place(basket, self.s)
        self.tally.attempted += len(seconds)
        self.tally.refused_out_of_stock += int((result.reason == OUT_OF_STOCK).sum())
        self.tally.refused_limit += int((result.reason == OVER_LIMIT).sum())
        ok = result.reason == 0
        self.tally.record_placed(seconds[ok] + COUNTDOWN_S, basket.customer[ok])
        self.tally.events += int(ok.sum())
        if ok.any():
            self._schedule(seconds[ok], basket, ok, result.number, result.total)

    def _schedule(self, placed: Any, basket: Basket, ok: Any, number: Any, total: Any) -> None:
        """Draw when and how each accepted order settles, and queue it."""
        rng, cfg = self.rng, self.s.config
        k = int(ok.sum())
        delay = np.clip(np.ceil(rng.lognormal(np.log(25.0), 0.9, size=k)), 2, 600).astype(np.int64)
        u = rng.random(k)
        fail, abandon = cfg.payment_failure_rate, cfg.cancel_rate
        outcome = np.select(
            [u < fail, u < fail + abandon, u < fail + abandon + NEVER_PAY_RATE], [FAIL, ABANDON, NEVER], PAY
        )
        due = placed + delay
        by_due = np.argsort(due, kind="stable")  # accepted rows in due order
        nlines = basket.nlines[ok][by_due]
        line_lo = (np.cumsum(basket.nlines) - basket.nlines)[ok][by_due]
        line_rows = np.repeat(line_lo - (np.cumsum(nlines) - nlines), nlines) + np.arange(int(nlines.sum()))
        sorted_due = due[by_due]
        cut = np.flatnonzero(np.r_[True, sorted_due[1:] != sorted_due[:-1], True])
        line_cut = np.r_[0, np.cumsum(nlines)][cut]
        fields = (
            number[ok][by_due],
            total[ok][by_due],
            basket.customer[ok][by_due],
            placed[by_due].astype(float),
            outcome[by_due],
            nlines,
        )
        sku, qty = basket.sku[line_rows], basket.qty[line_rows]
        for i, d in enumerate(sorted_due[cut[:-1]].tolist()):
            lo, hi, llo, lhi = cut[i], cut[i + 1], line_cut[i], line_cut[i + 1]
            number_, total_, customer_, placed_, outcome_, nlines_ = (f[lo:hi] for f in fields)
            self.due.setdefault(d, []).append(
                Pending(number_, total_, customer_, placed_, outcome_, nlines_, sku[llo:lhi], qty[llo:lhi])
            )

    def _settle(self, t: int, p: Pending) -> None:
        """Pay, fail or cancel the orders due now; ship what was paid."""
        for code, reason in ((FAIL, "payment_failed"), (ABANDON, "customer")):
            rows = np.flatnonzero(p.outcome == code)
            if len(rows):
                self.tally.cancelled += self.intake.cancel(p.number[rows].tolist(), reason)
                self.tally.events += len(rows)
                if code == FAIL:
                    self.tally.payment_failures += len(rows)
                    if self.events is not None and self.publish is not None:
                        self.publish(self.events.payment_failed(p.number[rows], self.clock.now()))
        pay = p.outcome == PAY
        if not pay.any():
            return
        answer = self.intake.pay(p.number[pay].tolist(), p.total[pay].tolist())
        paid = np.flatnonzero(pay)[answer.paid]
        self.tally.paid += len(paid)
        self.tally.events += 2 * len(paid)
        self.tally.gmv_paid += int(p.total[paid].sum())
        regions = self.s.population.region[p.customer[paid]]
        np.add.at(self.tally.gmv_by_region, regions, p.total[paid])
        self._ship(t, p, paid)

    def _ship(self, t: int, p: Pending, rows: Any) -> None:
        chosen = np.zeros(len(p.number), dtype=bool)
        chosen[rows] = True
        keep = np.repeat(chosen, p.nlines)
        paid = PaidOrders(
            p.number[rows],
            p.customer[rows],
            p.placed_s[rows],
            np.full(len(rows), float(t)),
            p.nlines[rows],
            p.sku[keep],
            p.qty[keep],
        )
        allocated = self.network.ship(paid)
        self.tally.record_allocated(allocated.local, allocated.split)
        self.tally.events += len(rows)
        if self.events is not None and self.publish is not None:
            self.publish(self.events.allocated(paid.number, allocated.sites, allocated.local, self.clock.now()))

    def _delivered(self, done: Delivered | None) -> None:
        """Count orders whose delivery time is now known; keep shipped and delivered events for their time."""
        if done is None:
            return
        self.tally.record_delivered((done.delivered_s - done.placed_s) / 3600.0)
        self.tally.events += 2 * len(done.number)
        if self.events is not None and self.publish is not None:
            none = np.full(len(done.shipped_number), np.nan)
            self.later.append((done.shipped_number, done.shipped_placed_s, done.shipped_at_s, none))
            told = np.full(len(done.number), np.inf)  # their shipped events were kept when they were sorted
            self.later.append((done.number, done.placed_s, told, done.delivered_s))

    def _release_later(self, until_s: float) -> None:
        """Publish shipped/delivered events whose simulated time has come."""
        if self.events is None or self.publish is None or not self.later:
            return
        keep: list[Any] = []
        for number, placed, shipped, delivered in self.later:
            self.publish(self.events.shipped_delivered(number, placed, shipped, delivered, until_s))
            rest = (delivered > until_s) | (np.isfinite(shipped) & (shipped > until_s))
            if rest.any():
                keep.append(
                    (
                        number[rest],
                        placed[rest],
                        np.where(shipped[rest] > until_s, shipped[rest], np.inf),
                        delivered[rest],
                    )
                )
        self.later = keep


def plan_ticks(arrivals: Any, countdown_s: int, end_s: int, target: int = TICK_TARGET) -> list[tuple[int, int]]:
    """Split the run into ticks ``(start, length)`` that divide each minute.

    A minute gets the longest tick that keeps its expected orders per tick under ``target``:
    one-second ticks in the midnight rush, whole minutes in the small hours.
    """
    ticks = [(t, 10) for t in range(-countdown_s, 0, 10)]
    per_minute = np.add.reduceat(arrivals, np.arange(0, len(arrivals), 60))
    for minute in range(0, (end_s + 59) // 60):
        rate = int(per_minute[minute]) if minute < len(per_minute) else 0
        length = next((d for d in _TICK_LENGTHS if rate * d / 60 <= target), 1)
        start = minute * 60
        ticks.extend((t, length) for t in range(start, min(start + 60, end_s), length))
    return ticks


def concat(parts: list[Pending]) -> Pending:
    """Join pending batches into one (field by field)."""
    if len(parts) == 1:
        return parts[0]
    return Pending(*(np.concatenate([getattr(p, f) for p in parts]) for f in Pending.__dataclass_fields__))
