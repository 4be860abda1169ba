"""Orders of one event-loop tick go to the writer as one batch and get exactly the one-by-one answers."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from wujie.engine.book import REASON_CODES, SkuTerms
from wujie.engine.decisions import OrderRequest, order_id
from wujie.engine.engine import Engine
from wujie.engine.intake import Intake
from wujie.engine.ticks import OrderTicks

SKUS = [SkuTerms("tea", 5, 5_000), SkuTerms("cup", 2, 1_250), SkuTerms("pot", 40, 9_900)]


def _requests() -> list[OrderRequest]:
    out = []
    for i in range(40):
        lines: tuple[tuple[str, int], ...] = ((("tea", "cup", "pot", "nope")[i % 4], 1 + i % 3),)
        if i % 5 == 0:
            lines = (*lines, ("pot", 2))
        out.append(OrderRequest(f"c{i % 7}", lines, "east" if i % 2 else None))
    return out


async def _place_all(ticks: OrderTicks, requests: list[OrderRequest]) -> list[tuple[int, int, int]]:
    return await asyncio.gather(*(ticks.place(r.customer, r.lines, r.region) for r in requests))


def test_one_tick_is_one_writer_batch_with_the_one_by_one_answers(tmp_path: Path) -> None:
    reference = Engine.open(tmp_path / "ref")
    reference.add_skus(SKUS)
    expected = reference.place_orders(_requests())
    engine = Engine.open(tmp_path / "eng")
    engine.add_skus(SKUS)
    intake = Intake(engine)
    intake.start()
    try:
        answers = asyncio.run(_place_all(OrderTicks(intake.submit_ticks), _requests()))
        assert (intake.stats.batches, intake.stats.requests, intake.stats.largest) == (1, 40, 40)
    finally:
        intake.stop()
    got = [(REASON_CODES[r], order_id(n) if r == 0 else None, t) for r, n, t in answers]
    assert got == [(d.code, d.order_id, d.total) for d in expected]
    assert 0 < sum(1 for d in expected if d.accepted) < 40  # the mix holds accepted and refused orders
    recovered = Engine.open(tmp_path / "eng")  # answered means durable: all of it is in the journal
    assert recovered.stock() == reference.stock()


def test_a_cancelled_request_does_not_cancel_its_batch(tmp_path: Path) -> None:
    engine = Engine.open(tmp_path / "eng")
    engine.add_skus(SKUS)
    intake = Intake(engine)
    intake.start()

    async def scenario() -> tuple[list[tuple[int, int, int] | BaseException], int]:
        ticks = OrderTicks(intake.submit_ticks)
        tasks = [asyncio.create_task(ticks.place(f"c{i}", (("pot", 1),), None)) for i in range(5)]
        await asyncio.sleep(0)  # every task now waits on the batch's one future
        tasks[2].cancel()
        results = await asyncio.gather(*tasks, return_exceptions=True)
        return results, intake.stats.requests

    try:
        results, requests = asyncio.run(scenario())
    finally:
        intake.stop()
    assert isinstance(results[2], asyncio.CancelledError)
    assert [r for i, r in enumerate(results) if i != 2] == [(0, 1, 9_900), (0, 2, 9_900), (0, 4, 9_900), (0, 5, 9_900)]
    assert requests == 5  # the cancelled order was still decided (durable, just not acknowledged)


def test_a_stopped_writer_fails_every_request_of_the_tick(tmp_path: Path) -> None:
    engine = Engine.open(tmp_path / "eng")
    engine.add_skus(SKUS)
    intake = Intake(engine)
    intake.start()
    intake.stop()
    ticks = OrderTicks(intake.submit_ticks)

    async def scenario() -> list[tuple[int, int, int] | BaseException]:
        return await asyncio.gather(*(ticks.place("c", (("tea", 1),), None) for _ in range(3)), return_exceptions=True)

    results = asyncio.run(scenario())
    assert all(isinstance(r, RuntimeError) for r in results)
    with pytest.raises(RuntimeError):
        asyncio.run(_place_all(ticks, _requests()[:1]))
