"""The payments benchmark's own loop: every batch synced, every order captured once, retries replayed."""

from __future__ import annotations

from pathlib import Path

import pytest

from wujie.bench.payments import ours
from wujie.engine.engine import Engine


@pytest.mark.parametrize("pipelined", [False, True])
def test_every_batch_is_synced_and_every_order_captured_once(tmp_path: Path, pipelined: bool) -> None:
    figures = ours(tmp_path, 3_000, 700, seed=3, pipelined=pipelined)
    requests = 3_000 + 150  # 5% retries
    assert figures["requests"] == requests and figures["captured"] == 3_000
    assert figures["fsyncs"] == -(-requests // 700)  # one sync per capture batch, none skipped
    assert figures["double_captures"] == 0 and figures["ledger_total_minor"] == 0
    reopened = Engine.open(tmp_path)  # what was counted is on disk
    assert len(reopened.state.ledger) == 3_000 and len(reopened.state.ledger.keys) == 3_000
    reopened.close(checkpoint=False)
