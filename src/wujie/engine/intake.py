"""Micro-batching for concurrent callers: one writer thread, one journal sync per batch.

Async callers (the HTTP API) submit requests and await their decisions. The writer thread
takes everything queued, decides it as one batch and writes it to the journal; a second
thread makes the written batches durable with one ``fdatasync`` and only then resolves the
callers' futures and publishes the events: an answer is never sent before it is durable.
While one sync runs the writer already decides the next batch (pipelined group commit), so
batch sizes follow the load and the disk's sync latency does not cap the decision rate.
Stores that cannot pipeline (PostgreSQL) commit each batch in the writer instead.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from wujie.engine.decisions import Decision, OrderRequest, PaymentResult
from wujie.engine.engine import Engine
from wujie.engine.ports import IntakeEngine
from wujie.engine.ticks import TickBatch, decide_ticks
from wujie.shared.events import Event


@dataclass
class _Job:
    kind: str
    args: Any
    future: asyncio.Future[Any]
    loop: asyncio.AbstractEventLoop


@dataclass
class IntakeStats:
    """Counters: batches decided, syncs, requests served, the largest batch."""

    batches: int = 0
    syncs: int = 0
    requests: int = 0
    largest: int = 0


Answer = tuple[_Job, Any, BaseException | None]

#: queued orders from which the writer decides at once instead of waiting for the syncer
COALESCE_BELOW = 2_048


def _size(job: _Job) -> int:
    """Return how many requests a job carries (a tick batch or a list of orders: its length)."""
    return len(job.args) if job.kind in {"ticks", "place"} else 1


@dataclass
class _Written:
    answers: list[Answer]
    events: list[Event] = field(default_factory=list)


class Intake:
    """Owns the engine's writer thread; every engine write goes through :meth:`submit`."""

    def __init__(self, engine: IntakeEngine, *, expire_every_s: float = 1.0) -> None:
        self.engine = engine
        self.stats = IntakeStats()
        self._jobs: list[_Job] = []
        self._wake = threading.Condition()
        self._stopping = False
        self._expire_every_s = expire_every_s
        self._thread = threading.Thread(target=self._run, name="wujie-engine-writer", daemon=True)
        self._written: list[_Written] = []
        self._sync_wake = threading.Condition()
        self._syncer = threading.Thread(target=self._sync_loop, name="wujie-engine-syncer", daemon=True)
        self._writer_done = False
        self._queued = 0  # requests in ``_jobs`` (read without the lock: a hint for coalescing)

    def start(self) -> None:
        """Start the writer (and syncer) threads."""
        self._thread.start()
        if self.engine.can_pipeline:
            self._syncer.start()

    def stop(self) -> None:
        """Finish the queued work, stop the threads and close the engine (with a snapshot)."""
        with self._wake:
            self._stopping = True
            self._wake.notify()
        self._thread.join()
        with self._sync_wake:
            self._writer_done = True
            self._sync_wake.notify()
        if self._syncer.is_alive():
            self._syncer.join()
        self.engine.close()

    async def submit(self, kind: str, args: Any) -> Any:
        """Queue one request (``place``, ``pay``, ``cancel`` or ``call``) and await its durable answer."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        self._enqueue(_Job(kind, args, future, loop))
        return await future

    def submit_ticks(self, batch: TickBatch, loop: asyncio.AbstractEventLoop) -> None:
        """Hand one event-loop tick's orders to the writer; ``batch.future`` resolves once they are durable.

        One job, one wake-up of the writer and one future for the whole tick, however many
        requests it holds (:class:`wujie.engine.ticks.OrderTicks` collects them).
        """
        self._enqueue(_Job("ticks", batch, batch.future, loop))

    def _enqueue(self, job: _Job) -> None:
        with self._wake:
            if self._stopping:
                raise RuntimeError("the engine writer is stopping")
            self._jobs.append(job)
            self._queued += _size(job)
            self._wake.notify()

    async def place(self, orders: Sequence[OrderRequest]) -> list[Decision]:
        """Decide orders; return once durable."""
        result: list[Decision] = await self.submit("place", list(orders))
        return result

    async def pay(self, order_id: str, amount: int, key: str) -> PaymentResult:
        """Capture a payment; return once durable."""
        result: PaymentResult = await self.submit("pay", (order_id, amount, key))
        return result

    async def cancel(self, order_id: str, reason: str) -> str | None:
        """Cancel an order; return its error code (or ``None``) once durable."""
        result: str | None = await self.submit("cancel", (order_id, reason))
        return result

    async def call(self, function: Callable[[IntakeEngine], Any]) -> Any:
        """Run ``function(engine)`` on the writer (admin writes: SKUs, receipts, checkpoints)."""
        return await self.submit("call", function)

    def _run(self) -> None:
        while True:
            self._await_syncer()
            with self._wake:
                while not self._jobs and not self._stopping:
                    if not self._wake.wait(timeout=self._expire_every_s):
                        break
                jobs, self._jobs = self._jobs, []
                self._queued = 0
                stopping = self._stopping
            if jobs:
                self._batch(jobs)
            else:
                self._expire()
            if stopping and not jobs:
                return

    def _await_syncer(self) -> None:
        """Wait while a written batch still waits for the syncer to pick it up (small batches only).

        The writer then decides at most one batch per sync: requests that arrive during a sync
        gather into the next batch instead of many small ones (each batch has a fixed cost of a
        few hundred microseconds in the engine), and the latency stays about two syncs. When
        :data:`COALESCE_BELOW` orders or more already wait, the batch is big enough: no wait.
        """
        with self._sync_wake:
            while self._written and not self._writer_done and self._queued < COALESCE_BELOW:
                self._sync_wake.wait()

    def _expire(self) -> None:
        try:
            self.engine.expire()
        except Exception:  # noqa: BLE001 - the writer must survive; callers see errors on their requests
            return

    def _batch(self, jobs: list[_Job]) -> None:
        served = sum(len(job.args) if job.kind == "ticks" else 1 for job in jobs)  # orders of a place job: 1 request
        self.stats.batches += 1
        self.stats.requests += served
        self.stats.largest = max(self.stats.largest, served)
        if not self.engine.can_pipeline:
            try:
                with self.engine.group():
                    answers = self._decide(jobs)
            except BaseException as exc:  # noqa: BLE001 - nothing of this batch is acknowledged
                answers = [(job, None, exc) for job in jobs]
            self.stats.syncs += 1
            _deliver(answers)
            return
        engine = self._pipelined()
        written = _Written([])
        try:
            with engine.written() as events:
                written.answers = self._decide(jobs)
            written.events = events
        except BaseException as exc:  # noqa: BLE001 - nothing of this batch is acknowledged
            written = _Written([(job, None, exc) for job in jobs])
        with self._sync_wake:
            self._written.append(written)
            self._sync_wake.notify_all()
        if engine.journal.bytes_written >= engine.checkpoint_bytes:
            engine.checkpoint()

    def _pipelined(self) -> Engine:
        """Return the engine as the one-process :class:`Engine` (the only engine that pipelines)."""
        engine = self.engine
        assert isinstance(engine, Engine), "only the one-process engine can pipeline"
        return engine

    def _sync_loop(self) -> None:
        while True:
            with self._sync_wake:
                while not self._written and not self._writer_done:
                    self._sync_wake.wait()
                batches, self._written = self._written, []
                self._sync_wake.notify_all()  # the writer may decide the next batch now
                if not batches and self._writer_done:
                    return
            failure: BaseException | None = None
            engine = self._pipelined()
            try:
                engine.sync_written()  # covers every batch written before this call
            except BaseException as exc:  # noqa: BLE001 - then none of these batches is acknowledged
                failure = exc
            self.stats.syncs += 1
            answers: list[Answer] = []
            for batch in batches:
                if failure is None:
                    engine.facts.publish(batch.events)
                    answers.extend(batch.answers)
                else:
                    answers.extend((job, None, failure) for job, _, _ in batch.answers)
            _deliver(answers)

    def _decide(self, jobs: list[_Job]) -> list[tuple[_Job, Any, BaseException | None]]:
        engine = self.engine
        answers: list[tuple[_Job, Any, BaseException | None]] = []
        places = [job for job in jobs if job.kind == "place"]
        if places:
            decisions = engine.place_orders([order for job in places for order in job.args])
            start = 0
            for job in places:
                answers.append((job, decisions[start : start + len(job.args)], None))
                start += len(job.args)
        ticks = [job for job in jobs if job.kind == "ticks"]
        if ticks:
            decide_ticks(engine, [job.args for job in ticks])
            answers.extend((job, None, None) for job in ticks)
        pays = [job for job in jobs if job.kind == "pay"]
        if pays:
            ids, amounts, keys = zip(*(job.args for job in pays), strict=True)
            results = engine.pay_many(list(ids), list(amounts), list(keys))
            answers.extend((job, result, None) for job, result in zip(pays, results, strict=True))
        for job in jobs:
            if job.kind == "cancel":
                answers.append((job, engine.cancel([job.args[0]], job.args[1])[0], None))
            elif job.kind == "call":
                try:
                    answers.append((job, job.args(engine), None))
                except Exception as exc:  # noqa: BLE001 - handed to the caller
                    answers.append((job, None, exc))
        return answers


def _deliver(answers: list[Answer]) -> None:
    by_loop: dict[asyncio.AbstractEventLoop, list[Answer]] = {}
    for answer in answers:
        by_loop.setdefault(answer[0].loop, []).append(answer)
    for loop, group in by_loop.items():
        loop.call_soon_threadsafe(_resolve, group)


def _resolve(group: list[Answer]) -> None:
    for job, value, error in group:
        if job.future.done():
            continue
        if error is not None:
            job.future.set_exception(error)
        else:
            job.future.set_result(value)
