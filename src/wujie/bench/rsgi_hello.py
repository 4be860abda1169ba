"""The floor under our HTTP figure: a raw RSGI app on granian that reads the body and answers a constant.

It does no authentication, no parsing and no engine work, and never syncs a disk: whatever CPU
per request it needs is granian's and the kernel's, which ``wujie serve`` pays too. Run by
``wujie bench http`` with the same load as ours (``python -m granian --interface rsgi
wujie.bench.rsgi_hello:app``).
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any, Protocol

ANSWER = b'{"order_id":"ord_000000001","status":"reserved","total_minor":9900,"currency":"CNY"}'
HEADERS = [("content-type", "application/json")]


class _Protocol(Protocol):
    async def __call__(self) -> bytes: ...

    def response_bytes(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None: ...


class Hello:
    """Read the request body, answer 201 with a fixed order."""

    async def __rsgi__(self, scope: object, protocol: _Protocol) -> None:
        """Serve one request."""
        await protocol()
        protocol.response_bytes(201, HEADERS, ANSWER)


app = Hello()


def rsgi_floor(
    seconds: float,
    make_payloads: Callable[[int], Sequence[bytes]],
    cpu_seconds: Callable[[int], float],
    connections: int = 256,
) -> dict[str, Any]:
    """Drive :data:`app` on granian (RSGI, one worker) with the bench's closed loop; add its CPU per request."""
    from wujie.bench import loadgen

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    flags = "-m granian --interface rsgi --workers 1 --log-level warning --no-ws"
    command = [sys.executable, *flags.split(), "--port", str(port), "wujie.bench.rsgi_hello:app"]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_tcp(port, server)
        cpu_before = cpu_seconds(server.pid)
        shots = loadgen.drive(
            port, make_payloads, processes=2, connections=connections // 2, rate=None, seconds=seconds
        )
        figures: dict[str, Any] = loadgen.summarise(shots)
        cpu = cpu_seconds(server.pid) - cpu_before
    finally:
        server.terminate()
        server.wait(30)
    figures["connections"] = connections
    figures["server_cpu_us_per_request"] = round(1e6 * cpu / max(1, int(figures["requests"] or 0)), 1)
    return figures


def _wait_tcp(port: int, server: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError("the RSGI floor app did not start") from None
            time.sleep(0.1)
