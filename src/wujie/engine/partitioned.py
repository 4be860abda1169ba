"""The partitioned engine: SKUs hashed over P partitions, each a single-writer Engine in its own process.

Use it like :class:`~wujie.engine.engine.Engine`::

    engine = PartitionedEngine.open("var/pengine", partitions=4)
    engine.add_skus([SkuTerms("sku-1", 100, 9_900), SkuTerms("sku-2", 5, 1_000)])
    [d] = engine.place_orders([OrderRequest("c1", (("sku-1", 1), ("sku-2", 1)))])
    engine.close()                      # PartitionedEngine.open(...) again recovers

A place call is one *round*. Orders whose lines live in one partition go to it as they are;
orders spanning partitions are transactions under two-phase commit: every partition decides its
orders and parts in arrival order and journals the reservations together with a ``Prepared``
record (one ``fdatasync``), and votes; the coordinator journals the round's decisions (one
``fdatasync``) and only then answers; partitions apply the outcomes (abort = release the part)
in front of their next write. On open, every partition recovers on its own and reports its
in-doubt transactions; the coordinator's decision log resolves them (presumed abort: no decision
logged means abort). Pay and cancel of a cross-partition order are logged as intents first and
re-driven on recovery (both are idempotent per part), so no order is left half paid or half cancelled.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import numpy as np

from wujie.engine import partition_routing as routing
from wujie.engine.book import SkuTerms, check_new_skus
from wujie.engine.decisions import Decision, OrderColumns, OrderRequest, PlaceResult, columns_of, decisions_of
from wujie.engine.journal import Journal
from wujie.engine.partition_link import PartitionDown, PartitionLink
from wujie.engine.partition_reads import PartitionReads, serialized
from wujie.engine.partition_records import (
    COORDINATOR,
    ENCODER,
    I64,
    AddSkus,
    Close,
    ExpireAt,
    Intent,
    Learn,
    Resolve,
    Round,
    Votes,
    pack,
    unpack,
)
from wujie.engine.partition_records import (
    Decision as DecisionRecord,
)
from wujie.engine.partition_routing import partition_of
from wujie.engine.partition_store import check_partitions
from wujie.engine.partition_worker import PartitionConfig
from wujie.engine.state import Names
from wujie.shared.clock import Clock, SystemClock

__all__ = ["PartitionedEngine", "partition_of"]

#: a committed transaction's parts: ``(partition, local order number, part total)``, lead first
Parts = tuple[tuple[int, int, int], ...]


class PartitionedEngine(PartitionReads):
    """The coordinator: routes rounds, runs the two-phase commit, keeps the decision log."""

    #: the code of each refusal reason index (the engine's, then ``partition_unavailable``)
    reason_codes: tuple[str | None, ...] = routing.PARTITION_REASON_CODES

    def __init__(self, directory: Path, links: list[PartitionLink], log: Journal, clock: Clock) -> None:
        self.directory = directory
        self.links = links
        self.log = log
        self.clock = clock
        self.txns: dict[int, Parts] = {}
        self.lead_of: dict[tuple[int, int], int] = {}
        self.intents: list[Intent] = []
        self.next_txid = 1
        self.customers, self.regions = Names(), Names()
        self.sku_names: list[str] = []
        self.sku_index: dict[str, int] = {}
        self.sku_partition = np.zeros(0, dtype=np.int64)
        self.sku_local = np.zeros(0, dtype=np.int64)
        self.sku_count = [0] * len(links)
        self.fault: Callable[[str], None] | None = None  # tests: called at "prepared" and "decided"
        self.rounds = 0
        self.restarts = 0
        self.resolved = {"committed": 0, "aborted": 0}  # in-doubt parts resolved at (re)start
        self.currency = "CNY"
        self.last_expire_us = 0
        self._round_parts: list[tuple[I64, I64, I64, I64]] = []
        self._lock = threading.RLock()

    @classmethod
    def open(
        cls,
        directory: Path | str,
        *,
        partitions: int = 2,
        clock: Clock | None = None,
        currency: str = "CNY",
        reservation_ttl_s: float = 900,
        platform_fee_bp: int = 200,
        sync: bool = True,
    ) -> PartitionedEngine:
        """Open (creating or recovering) a partitioned engine; start one process per partition."""
        path = Path(directory)
        path.mkdir(parents=True, exist_ok=True)
        partitions = check_partitions(path, partitions)
        configs = [
            PartitionConfig(p, str(path / f"p{p:02d}"), sync, reservation_ttl_s, platform_fee_bp, currency)
            for p in range(partitions)
        ]
        links = [PartitionLink(c) for c in configs]
        engine = cls(path, links, Journal(path / "decisions", sync=sync), clock or SystemClock())
        engine.currency = currency
        try:
            engine._recover()
        except BaseException:
            engine._stop_all()
            raise
        return engine

    # ------------------------------------------------------------------ recovery
    def _recover(self) -> None:
        max_txid = 0
        for _seq, payload in self.log.replay(0):
            record = COORDINATOR.decode(payload)
            if isinstance(record, DecisionRecord):
                self._remember(record)
                max_txid = max(max_txid, record.max_txid)
            else:
                self.intents.append(record)
        self.log.open_for_append()
        for link in self.links:
            link.start()
        max_txid = max([max_txid, *(link.hello.max_txid for link in self.links)])
        self.next_txid = max_txid + 1
        for link in self.links:
            self._resolve_in_doubt(link)
            self._index_skus(link.hello.skus, [link.index] * len(link.hello.skus))
        self._redrive(self.intents)

    def _remember(self, record: DecisionRecord) -> None:
        txids, partitions = unpack(record.part_txid), unpack(record.part_partition)
        numbers, totals = unpack(record.part_number), unpack(record.part_total)
        gathered: dict[int, list[tuple[int, int, int]]] = {}
        for t, p, n, total in zip(txids.tolist(), partitions.tolist(), numbers.tolist(), totals.tolist(), strict=True):
            gathered.setdefault(t, []).append((p, n, total))
        for txid, parts in gathered.items():
            ordered = tuple(sorted(parts))
            self.txns[txid] = ordered
            self.lead_of[(ordered[0][0], ordered[0][1])] = txid

    def _resolve_in_doubt(self, link: PartitionLink) -> None:
        pairs = unpack(link.hello.in_doubt).reshape(-1, 2)
        if len(pairs) == 0:
            return
        committed = np.fromiter((int(t) in self.txns for t in pairs[:, 0].tolist()), bool, len(pairs))
        self.resolved["committed"] += int(committed.sum())
        self.resolved["aborted"] += int((~committed).sum())
        link.send(Resolve(pack(pairs[committed, 0]), pack(pairs[~committed, 0]), now=True))

    def _restart(self, link: PartitionLink, attempts: int = 3) -> None:
        """Restart a dead partition: it recovers, and its in-doubt transactions are resolved."""
        for attempt in range(attempts):
            link.stop(timeout=5.0)
            try:
                link.start()
                self.restarts += 1
                self._resolve_in_doubt(link)
                if self.last_expire_us:
                    link.ask(ExpireAt(self.last_expire_us))  # catch up with expiries it may have missed
                return
            except PartitionDown:
                if attempt == attempts - 1:
                    raise  # died again while recovering, every time: the caller gets the error

    def _ensure_alive(self) -> None:
        for link in self.links:
            if not link.alive():
                self._restart(link)

    def _fire(self, point: str) -> None:
        if self.fault is not None:
            self.fault(point)

    # ------------------------------------------------------------------ catalog
    def _index_skus(self, skus: Sequence[str], partitions: Sequence[int]) -> None:
        """Give ``skus`` the next global indices; each gets the next local index of its partition."""
        where = np.asarray(partitions, dtype=np.int64)
        local = np.zeros(len(where), dtype=np.int64)
        for p in np.unique(where).tolist():
            rows = np.flatnonzero(where == p)
            local[rows] = self.sku_count[p] + np.arange(len(rows))
            self.sku_count[p] += len(rows)
        for sku in skus:
            self.sku_index[sku] = len(self.sku_names)
            self.sku_names.append(sku)
        self.sku_partition = np.concatenate((self.sku_partition, where))
        self.sku_local = np.concatenate((self.sku_local, local))

    @serialized
    def add_skus(self, terms: Sequence[SkuTerms]) -> None:
        """Add SKUs to the partitions that own them (each partition's add is journaled there)."""
        check_new_skus(terms, self.sku_index)
        self._ensure_alive()
        by_partition: dict[int, list[SkuTerms]] = {}
        for term in terms:
            by_partition.setdefault(partition_of(term.sku, len(self.links)), []).append(term)
        for p, group in by_partition.items():
            self.links[p].ask(
                AddSkus(
                    [
                        (t.sku, t.on_hand, t.price, t.flash_price, t.flash_start_us, t.flash_end_us, t.limit)
                        for t in group
                    ]
                )
            )
        self._index_skus([t.sku for t in terms], [partition_of(t.sku, len(self.links)) for t in terms])

    def sku_ids(self, skus: Sequence[str]) -> I64:
        """Return the (global) index of each SKU, -1 when unknown, for :class:`OrderColumns`."""
        return np.fromiter((self.sku_index.get(s, -1) for s in skus), np.int64, len(skus))

    @serialized
    def customer_ids(self, customers: Sequence[str]) -> I64:
        """Return (interning new ones) the index of each customer; indices hold for this open engine.

        New names go to every partition now (one message each, no reply), so rounds carry indices only.
        """
        intern = self.customers.intern
        ids = np.fromiter((intern(c) for c in customers), np.int64, len(customers))
        self._teach("customer")
        return ids

    @serialized
    def region_ids(self, regions: Sequence[str | None]) -> I64:
        """Return (interning new ones) the index of each region, -1 for ``None``."""
        intern = self.regions.intern
        ids = np.fromiter((-1 if r is None else intern(r) for r in regions), np.int64, len(regions))
        self._teach("region")
        return ids

    def _teach(self, kind: str) -> None:
        names = self.customers if kind == "customer" else self.regions
        fresh = names.take_pending()
        if not fresh:
            return
        first = len(names.names) - len(fresh)
        for link in self.links:
            ids = link.new_names(kind, np.arange(first, len(names.names), dtype=np.int64))
            if len(ids) == 0:
                continue
            told = [names.names[i] for i in ids.tolist()] if len(ids) != len(fresh) else fresh
            packed = pack(ids)
            message = Learn(told, packed, [], b"") if kind == "customer" else Learn([], b"", told, packed)
            with contextlib.suppress(PartitionDown):  # a restarted partition learns lazily from rounds
                link.send(message)

    # ------------------------------------------------------------------ place
    @serialized
    def place_columns(self, batch: OrderColumns) -> PlaceResult:
        """Decide a batch: one round, one sync per partition touched, one decision-log sync if any 2PC."""
        self._ensure_alive()
        now_us = self.now_us()
        routed = routing.split(batch, self.sku_partition, self.next_txid)
        self.next_txid = routed.last_txid + 1
        tally = routing.new_tally(routed.reasons)
        sent = [part for part in routed.parts if self._send_round(part, batch, now_us)]
        for part in sent:
            try:
                votes = self.links[part.partition].receive()
            except PartitionDown:
                self._restart(self.links[part.partition])  # its prepares are in doubt: no decision yet -> abort
                continue
            assert isinstance(votes, Votes)
            reason, number = unpack(votes.reason, np.int8).astype(np.int8), unpack(votes.number)
            routing.fold(tally, part, reason, number, unpack(votes.total))
            self._collect_parts(part, reason, number, unpack(votes.total))
        self._fire("prepared")
        commit, abort = routing.decide(tally, routed, routing.expected_parts(routed, len(routed.txid)))
        if len(commit) or len(abort):
            self._log_decision(commit, abort, routed.last_txid)
        self._fire("decided")
        self._send_outcomes(routed, commit, abort)
        self.rounds += 1
        return PlaceResult(tally.reasons, tally.numbers, tally.totals)

    def _send_round(self, part: routing.PartBatch, batch: OrderColumns, now_us: int, *, retry: bool = True) -> bool:
        link = self.links[part.partition]
        try:
            link.send(self._round_message(link, part, batch, now_us))
            return True
        except PartitionDown:
            if not retry:
                return False
        self._restart(link)  # nothing of this round reached it: send again to the new process
        return self._send_round(part, batch, now_us, retry=False)

    def _round_message(self, link: PartitionLink, part: routing.PartBatch, batch: OrderColumns, now_us: int) -> Round:
        customers = batch.customer[part.order]
        new_c = link.new_names("customer", customers)
        region = None if batch.region is None else batch.region[part.order]
        new_r = link.new_names("region", region[region >= 0]) if region is not None else np.zeros(0, np.int64)
        names, regions = self.customers.names, self.regions.names
        return Round(
            now_us=now_us,
            new_customers=[names[i] for i in new_c.tolist()],
            customer_ids=pack(new_c),
            new_regions=[regions[i] for i in new_r.tolist()],
            region_ids=pack(new_r),
            customer=pack(customers, np.int32),
            region=b"" if region is None else pack(region, np.int32),
            nlines=b"" if bool((part.nlines == 1).all()) else pack(part.nlines, np.int8),
            sku=pack(self.sku_local[batch.sku[part.lines]], np.int32),
            qty=pack(np.clip(batch.qty[part.lines], -1, 1 << 30), np.int32),
            txid=pack(part.txid) if bool(part.txid.any()) else b"",  # b"": no 2PC part in this round
            lead=pack(part.lead, np.int8) if bool(part.txid.any()) else b"",
        )

    def _collect_parts(self, part: routing.PartBatch, reason: routing.I8, number: I64, total: I64) -> None:
        yes = (part.txid > 0) & (reason == 0)
        self._round_parts.append((part.txid[yes], np.full(int(yes.sum()), part.partition), number[yes], total[yes]))

    def _log_decision(self, commit: I64, abort: I64, last_txid: int) -> None:
        gathered = self._round_parts
        self._round_parts = []
        txids, partitions, numbers, totals = (
            np.concatenate([g[i] for g in gathered]) if gathered else np.zeros(0, np.int64) for i in range(4)
        )
        keep = np.isin(txids, commit)
        record = DecisionRecord(
            pack(commit),
            pack(txids[keep]),
            pack(partitions[keep]),
            pack(numbers[keep]),
            pack(totals[keep]),
            pack(abort),
            last_txid,
        )
        self.log.append(ENCODER.encode(record))
        self.log.commit()  # the decision is durable before any answer or outcome leaves
        self._remember(record)

    def _send_outcomes(self, routed: routing.Split, commit: I64, abort: I64) -> None:
        self._round_parts = []
        for part in routed.parts:
            mine = part.txid[part.txid > 0]
            if len(mine) == 0:
                continue
            resolve = Resolve(pack(mine[np.isin(mine, commit)]), pack(mine[np.isin(mine, abort)]))
            with contextlib.suppress(PartitionDown):  # else it resolves from the decision log on restart
                self.links[part.partition].send(resolve)

    def place_orders(self, requests: Sequence[OrderRequest]) -> list[Decision]:
        """Decide a batch of orders given as objects; one decision per request, in order."""
        return decisions_of(self.place_columns(columns_of(requests, self)), routing.PARTITION_REASON_CODES)

    # ------------------------------------------------------------------ the intake's contract
    @property
    def can_pipeline(self) -> bool:
        """No: each call is durable when it returns (partition syncs, decision-log sync)."""
        return False

    @contextlib.contextmanager
    def group(self) -> Iterator[None]:
        """Run the block's calls as they come: each is already durable (no cross-call group commit)."""
        yield

    # ------------------------------------------------------------------ close
    @serialized
    def close(self, *, checkpoint: bool = True) -> None:
        """Close every partition (optionally with a snapshot each) and the decision log."""
        for link in self.links:
            try:
                if link.alive():
                    link.ask(Close(checkpoint))
            except PartitionDown:
                pass
        self._stop_all()

    def _stop_all(self) -> None:
        for link in self.links:
            link.stop()
        self.log.close()

    def partition_pids(self) -> list[int | None]:
        """Return each partition's process id."""
        return [link.pid for link in self.links]
