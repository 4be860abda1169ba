"""The partitioned engine: partitions in their own processes, two-phase commit across them, recovery."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from wujie.engine.decisions import OrderColumns, OrderRequest
from wujie.engine.partition_link import PartitionDown
from wujie.engine.partitioned import PartitionedEngine, partition_of
from wujie.shared.clock import ManualClock

sys.path.insert(0, str(Path(__file__).parent))

from partitioned_check import catalog, check_directory, partition_hash, requests

DRIVER = Path(__file__).parent / "partitioned_driver.py"
Acked = dict[str, tuple[str, list[list[object]], int, bool]]


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[PartitionedEngine]:
    eng = PartitionedEngine.open(tmp_path / "pe", partitions=3, clock=ManualClock())
    eng.add_skus(catalog())
    yield eng
    eng.close(checkpoint=False)


def _spanning(engine: PartitionedEngine) -> tuple[str, str]:
    """Return two SKUs that live in different partitions."""
    first = engine.sku_names[0]
    other = next(s for s in engine.sku_names if partition_of(s, 3) != partition_of(first, 3))
    return first, other


def test_skus_are_spread_by_a_stable_hash(engine: PartitionedEngine) -> None:
    assert {partition_of(s, 3) for s in engine.sku_names} == {0, 1, 2}
    assert [partition_of(s, 3) for s in engine.sku_names] == [partition_hash(s, 3) for s in engine.sku_names]
    assert len(set(engine.partition_pids())) == 3
    assert os.getpid() not in engine.partition_pids()


def test_cross_partition_order_short_on_one_line_reserves_nothing_anywhere(engine: PartitionedEngine) -> None:
    a, b = _spanning(engine)
    [refused] = engine.place_orders([OrderRequest("ann", ((a, 2), (b, 7)))])  # b has 6 units
    assert (refused.accepted, refused.code, refused.total) == (False, "insufficient_stock", 0)
    assert [(s.reserved, s.available) for s in engine.stock([a, b])] == [(0, 6), (0, 6)]
    [later] = engine.place_orders([OrderRequest("bob", ((a, 6),))])
    assert later.accepted
    counts = engine.counts()
    assert (counts["orders"], counts["reserved"], counts["cancelled"], counts["transactions"]) == (1, 1, 0, 0)


def test_refused_transaction_holds_its_parts_until_the_round_ends(engine: PartitionedEngine) -> None:
    """The stated difference from the single-process engine: within one round, a cross-partition
    order refused by one partition has already reserved its lines in the others, so a later order
    of the same round sees that stock taken; the round's end releases it."""
    a, b = _spanning(engine)
    refused, later = engine.place_orders([OrderRequest("ann", ((a, 2), (b, 7))), OrderRequest("bob", ((a, 6),))])
    assert (refused.code, later.code) == ("insufficient_stock", "insufficient_stock")
    assert [s.reserved for s in engine.stock([a, b])] == [0, 0]


def test_accepted_cross_partition_order_reads_pays_and_cancels_as_one(engine: PartitionedEngine) -> None:
    a, b = _spanning(engine)
    first, second = engine.place_orders(
        [OrderRequest("ann", ((a, 1), (b, 2)), "east"), OrderRequest("bob", ((a, 1), (b, 1)))]
    )
    assert first.accepted and second.accepted and first.order_id and second.order_id
    view = engine.order(first.order_id)
    assert view is not None
    assert (view.customer, view.region, view.status, sorted(view.lines)) == (
        "ann",
        "east",
        "reserved",
        sorted([(a, 1, 100 * (int(a[4:]) + 1)), (b, 2, 100 * (int(b[4:]) + 1))]),
    )
    assert view.total == first.total
    paid = engine.pay(first.order_id, first.total, "key-1")
    assert (paid.code, engine.pay(first.order_id, first.total, "key-1")) == (None, paid)
    assert engine.pay(second.order_id, second.total + 1, "key-2").code == "amount_mismatch"
    assert engine.cancel([second.order_id, first.order_id]) == [None, "illegal_transition"]
    levels = {s.sku: s for s in engine.stock([a, b])}
    assert (levels[a].sold, levels[b].sold, levels[a].reserved, levels[b].reserved) == (1, 2, 0, 0)
    assert [v.order_id for v in engine.orders_of("ann")] == [first.order_id]
    assert engine.ledger_total() == 0
    assert engine.counts()["paid"] == 1 and engine.counts()["cancelled"] == 1 and engine.counts()["payments"] == 1


def test_expiry_releases_every_part_together(engine: PartitionedEngine) -> None:
    a, b = _spanning(engine)
    [d] = engine.place_orders([OrderRequest("ann", ((a, 3), (b, 3)))])
    assert isinstance(engine.clock, ManualClock)
    engine.clock.advance(901)
    assert engine.expire() == 1
    assert [s.reserved for s in engine.stock([a, b])] == [0, 0]
    assert d.order_id is not None and engine.pay(d.order_id, d.total, "late").code == "illegal_transition"


def test_no_oversell_under_concurrent_batches(engine: PartitionedEngine) -> None:
    errors: list[BaseException] = []

    def client(seed: int) -> None:
        rng = np.random.default_rng(seed)
        try:
            for round_no in range(6):
                engine.place_orders(requests(rng, 40, round_no))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=client, args=(seed,)) for seed in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    levels = engine.stock()
    assert all(s.reserved + s.sold <= s.on_hand and s.available >= 0 for s in levels)
    assert sum(s.reserved for s in levels) > 0.8 * 24 * 6  # the rounds really contended for the stock
    directory = engine.directory
    engine.close(checkpoint=False)
    check_directory(directory, {})
    engine.links = []  # closed already: the fixture's close is a no-op


def test_reopen_recovers_orders_transactions_and_payments(tmp_path: Path) -> None:
    rng = np.random.default_rng(5)
    acked: Acked = {}
    engine = PartitionedEngine.open(tmp_path / "pe", partitions=3)
    engine.add_skus(catalog())
    for round_no in range(4):
        if round_no == 2:  # snapshots (with the 2PC state beside them), then more rounds on the journal only
            engine.close(checkpoint=True)
            engine = PartitionedEngine.open(tmp_path / "pe", partitions=3)
        batch = requests(rng, 15, round_no)
        for request, d in zip(batch, engine.place_orders(batch), strict=True):
            if d.accepted and d.order_id:
                acked[d.order_id] = (request.customer, [list(x) for x in request.lines], d.total, False)
    some = list(acked)[::3]
    for result in engine.pay_many(some, [acked[o][2] for o in some], [f"k{o}" for o in some]):
        assert result.code is None
        acked[result.order_id] = (*acked[result.order_id][:3], True)
    before = (sorted(engine.stock(), key=str), engine.counts())
    engine.close(checkpoint=False)
    again = PartitionedEngine.open(tmp_path / "pe", partitions=3)
    try:
        after = (sorted(again.stock(), key=str), again.counts())
        assert after[0] == before[0]
        assert [after[1][k] for k in ("orders", "reserved", "paid", "payments", "transactions")] == [
            before[1][k] for k in ("orders", "reserved", "paid", "payments", "transactions")
        ]
        assert before[1]["transactions"] > 0 and before[1]["paid"] == len(some)
        assert all(again.order(o) is not None for o in acked)
        with pytest.raises(Exception, match="holds 3 partitions"):
            PartitionedEngine.open(tmp_path / "pe", partitions=2)
    finally:
        again.close()
    check_directory(tmp_path / "pe", acked)


def test_place_columns_takes_numpy_columns(engine: PartitionedEngine) -> None:
    a, b = _spanning(engine)
    sku = engine.sku_ids([a, b, a, "nope"])
    result = engine.place_columns(
        OrderColumns(engine.customer_ids(["x", "y", "z"]), sku, np.asarray([1, 1, 1, 1]), np.asarray([2, 1, 1]))
    )
    assert result.reason.tolist() == [0, 0, 3] and result.accepted == 2
    assert (result.number[0] & 63, result.number[1] & 63) == (63, partition_of(a, 3))


# ---------------------------------------------------------------------------------- crashes
def _kill_partition_at(engine: PartitionedEngine, victim: int, round_no: int, point: str) -> dict[str, int]:
    state = {"round": 0, "killed": 0}

    def fault(at: str) -> None:
        pid = engine.partition_pids()[victim]
        if state["round"] == round_no and at == point and pid is not None and not state["killed"]:
            os.kill(pid, signal.SIGKILL)
            engine.links[victim].process.wait()  # type: ignore[union-attr]
            state["killed"] = 1

    engine.fault = fault
    return state


@pytest.mark.parametrize("point", ["prepared", "decided"])
def test_partition_killed_between_prepare_and_decision(tmp_path: Path, point: str) -> None:
    engine = PartitionedEngine.open(tmp_path / "pe", partitions=3)
    engine.add_skus(catalog())
    state = _kill_partition_at(engine, 1, 2, point)
    rng = np.random.default_rng(11)
    acked: Acked = {}
    crossed = 0
    for round_no in range(5):
        state["round"] = round_no
        batch = requests(rng, 12, round_no)
        for request, d in zip(batch, engine.place_orders(batch), strict=True):
            if d.accepted and d.order_id:
                acked[d.order_id] = (request.customer, [list(x) for x in request.lines], d.total, False)
                crossed += int(d.order_id[4:]) & 63 == 63 and round_no == 2
    assert state["killed"] == 1 and engine.restarts == 1
    # it had voted yes: its parts were in doubt at restart and resolved from the decision log
    # (committed where every partition voted yes, aborted where another partition refused)
    assert engine.resolved["committed"] > 0
    assert crossed > 0  # the killed partition had voted yes on committed transactions of that round
    assert all(engine.order(o) is not None for o in acked)
    engine.close(checkpoint=False)
    check_directory(tmp_path / "pe", acked)


def _run_driver(directory: Path, seed: int, kill_round: int, point: str) -> Acked:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run(
        [sys.executable, str(DRIVER), str(directory), str(seed), str(kill_round), point],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    assert done.returncode == -signal.SIGKILL, done.stderr[-2000:]
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    pids = lines[0]["pids"]
    deadline = time.monotonic() + 20
    while any(_running(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)  # the partitions leave when the coordinator's pipes close
    assert not any(_running(pid) for pid in pids)
    paid = [x["paid"] for x in lines[1:] if "paid" in x and x["code"] is None]
    return {x["order"]: (x["customer"], x["lines"], x["total"], x["order"] in paid) for x in lines[1:] if "order" in x}


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/stat")
    return status.exists() and status.read_text().split()[2] != "Z"


@pytest.mark.parametrize(
    ("seed", "kill_round", "point"),
    [(1, 2, "prepared"), (2, 3, "decided"), (3, 1, "decided"), (4, 2, "pay_logged"), (5, 1, "lead_paid")],
)
def test_coordinator_killed_mid_commit_recovers_consistently(
    tmp_path: Path, seed: int, kill_round: int, point: str
) -> None:
    acked = _run_driver(tmp_path / "pe", seed, kill_round, point)
    assert acked
    engine = PartitionedEngine.open(tmp_path / "pe", partitions=3)  # resolves the in-doubt transactions
    try:
        if point == "decided":  # the decision was durable: the committed parts in doubt commit
            assert engine.resolved["committed"] > 0
        elif point == "prepared":  # no decision logged: presumed abort
            assert engine.resolved["committed"] == 0 and engine.resolved["aborted"] > 0
        else:  # killed inside a logged cross-partition capture: reopening re-drives it on every part
            assert engine.intents and engine.intents[-1].kind == "pay"
        views = {o: engine.order(o) for o in acked}
        assert all(view is not None for view in views.values())
        assert all(view.status == "paid" for o, view in views.items() if view is not None and acked[o][3])
        levels = engine.stock()
        assert all(s.reserved + s.sold <= s.on_hand for s in levels)
        assert engine.ledger_total() == 0
    finally:
        engine.close(checkpoint=seed % 2 == 0)
    report = check_directory(tmp_path / "pe", acked)
    assert report["acknowledged"] == len(acked)


def test_partitions_killed_at_random_moments_under_load(tmp_path: Path) -> None:
    """SIGKILL a random partition at random moments while rounds and payments run: the coordinator
    restarts it; whatever was acknowledged survives and nothing is half applied."""
    engine = PartitionedEngine.open(tmp_path / "pe", partitions=3)
    engine.add_skus(catalog())
    rng = np.random.default_rng(21)
    stop = threading.Event()
    kills: set[int] = set()

    def killer() -> None:
        chaos = np.random.default_rng(22)
        while not stop.wait(float(chaos.uniform(0.8, 2.0))):
            pid = engine.partition_pids()[int(chaos.integers(0, 3))]
            if pid is not None and pid not in kills and _running(pid):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
                    kills.add(pid)

    acked: Acked = {}
    failures = 0
    thread = threading.Thread(target=killer)
    thread.start()
    try:
        round_no = 0
        while len(kills) < 5 and round_no < 5000:
            round_no += 1
            batch = requests(rng, 12, round_no)
            try:
                decisions = engine.place_orders(batch)
                accepted = [d.order_id for d in decisions if d.accepted and d.order_id]
                paid = engine.pay_many(accepted[::2], [d.total for d in decisions if d.accepted][::2], accepted[::2])
            except PartitionDown:
                failures += 1  # not acknowledged: the client would retry
                continue
            for request, d in zip(batch, decisions, strict=True):
                if d.accepted and d.order_id:
                    acked[d.order_id] = (request.customer, [list(x) for x in request.lines], d.total, False)
            for result in paid:
                if result.code is None:
                    acked[result.order_id] = (*acked[result.order_id][:3], True)
    finally:
        stop.set()
        thread.join()
    assert len(kills) >= 5 and engine.restarts >= 3, (kills, engine.restarts, failures)
    assert len(acked) > 20, (len(acked), failures)
    engine.close(checkpoint=False)
    check_directory(tmp_path / "pe", acked)


def test_bench_section_measures_both_engines_on_the_same_orders(tmp_path: Path) -> None:
    from wujie.bench import partitioned as bench
    from wujie.bench.workloads import catalog_zipf

    workload = catalog_zipf(attempts=30_000, skus=3_000, customers=5_000, seed=3)
    sku, nlines = bench.multi_line(workload)
    assert (nlines == 3).all() and len(sku) == 30_000
    assert (np.diff(np.sort(sku.reshape(-1, 3), axis=1), axis=1) > 0).all()  # three distinct SKUs per order
    report = bench.run(workload, tmp_path, partitions=2, batch=4_096)
    for name in ("catalog_zipf", "multi_line"):
        single, ours = report[name]["single_process"], report[name]["partitioned"]
        assert single["orders"] == ours["orders"] and single["oversold"] == ours["oversold"] == 0
    assert report["same_accepted"]["catalog_zipf"]
    assert report["catalog_zipf"]["partitioned"]["accepted"] == int(
        np.minimum(np.bincount(workload.sku, minlength=3_000), workload.stock).sum()
    )
    assert report["multi_line"]["partitioned"]["transactions_committed"] > 0
    assert 0.5 < report["multi_line_cross_share"] < 1.0
