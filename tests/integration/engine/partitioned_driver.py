"""Drive a partitioned engine in its own process and SIGKILL it (the coordinator) at a chosen point.

``python partitioned_driver.py DIR SEED KILL_ROUND KILL_POINT`` places rounds of orders and pays some
of them; after each round it prints one JSON line per *acknowledged* order (id, customer, lines, total)
and per acknowledged payment. At round KILL_ROUND, when the coordinator reaches KILL_POINT ("prepared":
votes in, no decision logged; "decided": decision durable, nothing acknowledged yet; "pay_logged": a
cross-partition capture logged, no part paid; "lead_paid": lead parts captured, the others not yet),
it kills itself.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

from partitioned_check import catalog, requests

from wujie.engine.partitioned import PartitionedEngine


def main(directory: str, seed: int, kill_round: int, kill_point: str) -> None:
    engine = PartitionedEngine.open(directory, partitions=3)
    if not engine.sku_names:
        engine.add_skus(catalog())
    rng = np.random.default_rng(seed)
    state = {"round": 0}

    def fault(point: str) -> None:
        if state["round"] == kill_round and point == kill_point:
            os.kill(os.getpid(), signal.SIGKILL)

    engine.fault = fault
    print(json.dumps({"pids": engine.partition_pids()}), flush=True)
    for round_no in range(kill_round + 1):
        state["round"] = round_no
        batch = requests(rng, 12, round_no)
        decisions = engine.place_orders(batch)
        for request, decision in zip(batch, decisions, strict=True):
            if decision.accepted:
                line = {
                    "order": decision.order_id,
                    "customer": request.customer,
                    "lines": [list(x) for x in request.lines],
                    "total": decision.total,
                }
                print(json.dumps(line), flush=True)
        accepted = [d for i, d in enumerate(decisions) if d.accepted and d.order_id is not None and i % 3 != 2]
        paid = engine.pay_many(
            [d.order_id or "" for d in accepted],
            [d.total for d in accepted],
            [f"k-{d.order_id}" for d in accepted],
        )
        for result in paid:
            print(json.dumps({"paid": result.order_id, "code": result.code}), flush=True)
    engine.close()


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4])
