"""A ``wujie serve`` child process: started on a free port, waited for, stopped or killed whole.

The HTTP benchmark and the end-to-end tests run the real server this way. It runs in its own
session so that SIGKILL reaches granian's worker and any partition processes with it.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ServeProcess:
    """``python -m wujie serve --port P --data-dir D <args>``, ready when ``GET /healthz`` answers 200."""

    def __init__(self, data: Path, args: list[str], env: dict[str, str], timeout: float = 60) -> None:
        self.port = free_port()
        command = [sys.executable, "-m", "wujie", "serve", "--port", str(self.port), "--data-dir", str(data), *args]
        self.process = subprocess.Popen(
            command,
            env={**os.environ, **env},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        self._wait(timeout)

    def _wait(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.kill()
                raise RuntimeError(f"the server exited with {self.process.returncode}")
            try:
                if self.request("GET", "/healthz", None, {})[0] == 200:
                    return
            except OSError:
                time.sleep(0.1)
        self.kill()
        raise RuntimeError("the server did not start")

    def request(
        self, method: str, path: str, body: bytes | None, headers: dict[str, str], timeout: float = 20
    ) -> tuple[int, dict[str, str], bytes]:
        """Send one JSON request; return the status, the headers (lower-case names) and the raw body."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, body, {"content-type": "application/json", **headers})
            response = conn.getresponse()
            raw = response.read()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, raw
        finally:
            conn.close()

    def stop(self, timeout: float = 30) -> int:
        """Stop with SIGINT (the lifespan closes the engine); kill the whole group if it hangs."""
        self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout)
        finally:
            self.kill()

    def kill(self) -> None:
        """SIGKILL the whole process group: granian's worker and any partition processes with it."""
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            return
        self.process.wait()
