"""SIGKILL of ``wujie serve`` on granian's RSGI interface (the default) under concurrent single orders.

The hot route batches the orders of each event-loop tick into one writer job; an order is
acknowledged only after the ``fdatasync`` of its journal batch. After each kill (of the whole
process group: granian serves from a child process) the journal is recovered and checked: every
acknowledged order is there with its customer, lines and total, and the stock each SKU holds
reserved equals what the surviving orders hold (nothing half-applied, nothing invented).
"""

from __future__ import annotations

import http.client
import json
import random
import threading
import time
from collections import defaultdict
from pathlib import Path

from wujie.bench.served import ServeProcess
from wujie.engine.access import Role, Tokens
from wujie.engine.book import SkuTerms
from wujie.engine.engine import Engine

SECRET = "crash-rsgi-secret"
ROUNDS = 5
SKUS = {"a": 300, "b": 200, "c": 100}
Acked = dict[str, tuple[str, list[tuple[str, int]], int]]


def _client(port: int, seed: int, acked: Acked, lock: threading.Lock, stop: threading.Event) -> None:
    rng = random.Random(seed)
    tokens = Tokens(SECRET)
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        while not stop.is_set():
            customer = f"c{rng.randrange(30)}"
            lines = [(sku, rng.randint(1, 2)) for sku in rng.sample(sorted(SKUS), rng.randint(1, 2))]
            body = json.dumps({"lines": [{"sku": s, "qty": q} for s, q in lines]})
            auth = {"authorization": f"Bearer {tokens.mint(Role.CUSTOMER, customer)}"}
            conn.request("POST", "/v1/orders", body, {"content-type": "application/json", **auth})
            response = conn.getresponse()
            answer = json.loads(response.read())
            if response.status == 201:
                with lock:
                    acked[answer["order_id"]] = (customer, lines, int(answer["total_minor"]))
    except (OSError, http.client.HTTPException, json.JSONDecodeError):
        return  # the server died under us


def _verify(data: Path, acked: Acked) -> None:
    engine = Engine.open(data / "engine")
    for order_id, (customer, lines, total) in acked.items():
        view = engine.order(order_id)
        assert view is not None, f"acknowledged {order_id} is lost"
        assert (view.customer, [(s, q) for s, q, _ in view.lines], view.total) == (customer, lines, total)
    held: dict[str, int] = defaultdict(int)
    for number in range(1, engine.counts()["orders"] + 1):
        view = engine.order(f"ord_{number:09d}")
        assert view is not None and view.status == "reserved"
        for sku, qty, _ in view.lines:
            held[sku] += qty
    for level in engine.stock():
        assert (level.on_hand, level.reserved, level.sold) == (SKUS[level.sku], held[level.sku], 0)
        assert level.available >= 0
    engine.close(checkpoint=False)


def test_sigkill_of_the_rsgi_server_loses_nothing_acknowledged(tmp_path: Path) -> None:
    boot = Engine.open(tmp_path / "engine")
    boot.add_skus([SkuTerms(sku, units, 1_000 + i) for i, (sku, units) in enumerate(SKUS.items())])
    boot.close()
    rng = random.Random(20261206)
    acked: Acked = {}
    lock = threading.Lock()
    for round_ in range(ROUNDS):
        server = ServeProcess(tmp_path, ["--no-dashboard", "--interface", "rsgi"], {"WUJIE_SECRET_KEY": SECRET})
        port = server.port
        stop = threading.Event()
        clients = [threading.Thread(target=_client, args=(port, 100 * round_ + i, acked, lock, stop)) for i in range(8)]
        for client in clients:
            client.start()
        time.sleep(rng.uniform(0.3, 1.2))
        server.kill()  # SIGKILL to the process group: granian's worker is a child process
        stop.set()
        for client in clients:
            client.join()
        _verify(tmp_path, acked)
    assert len(acked) > ROUNDS * 10  # the load really ran in every round
