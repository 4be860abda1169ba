"""The coordinator's handle on one partition process: start, talk over a pipe, notice death, restart.

A partition is a fresh interpreter (``python -m wujie.engine.partition_worker``) that inherits
only its own end of its own socket pair: when a partition dies its pipe really closes (a forked
sibling would keep it open), and a coordinator that dies closes every pipe, so each partition
leaves. Nothing of the caller's ``__main__`` is re-imported (unlike multiprocessing's spawn).
"""

from __future__ import annotations

import dataclasses
import json
import socket
import subprocess
import sys
from multiprocessing.connection import Connection

import numpy as np
import numpy.typing as npt

from wujie.engine.errors import EngineError, EngineErrorCode
from wujie.engine.partition_records import ENCODER, REPLIES, Failed, Hello, Reply, Request
from wujie.engine.partition_worker import PartitionConfig
from wujie.shared.errors import InvalidInput, SharedErrorCode, WujieError


class PartitionDown(EngineError):
    """A partition process died or its pipe broke; the coordinator restarts it."""

    def __init__(self, index: int, reason: str) -> None:
        super().__init__(EngineErrorCode.ENGINE_CLOSED, f"partition {index}: {reason}", partition=index)
        self.index = index


class PartitionLink:
    """One partition process and the coordinator's end of its pipe."""

    def __init__(self, config: PartitionConfig) -> None:
        self.config = config
        self.process: subprocess.Popen[bytes] | None = None
        self.conn: Connection | None = None
        self.hello = Hello(b"", 0, [])
        self.known_customers = np.zeros(0, dtype=bool)
        self.known_regions = np.zeros(0, dtype=bool)

    @property
    def index(self) -> int:
        """Return the partition's number."""
        return self.config.index

    @property
    def pid(self) -> int | None:
        """Return the process id (tests kill it with SIGKILL)."""
        return None if self.process is None else self.process.pid

    def start(self) -> Hello:
        """Start the process (it recovers its engine) and return its ``Hello``."""
        parent, child = socket.socketpair()
        fd = child.fileno()
        command = [
            sys.executable,
            "-m",
            "wujie.engine.partition_worker",
            str(fd),
            json.dumps(dataclasses.asdict(self.config)),
        ]
        process = subprocess.Popen(command, pass_fds=(fd,), stdin=subprocess.DEVNULL)
        child.close()
        self.process, self.conn = process, Connection(parent.detach())
        self.known_customers = np.zeros(0, dtype=bool)
        self.known_regions = np.zeros(0, dtype=bool)
        reply = self.receive()
        if not isinstance(reply, Hello):
            raise PartitionDown(self.index, f"did not start: {reply}")
        self.hello = reply
        return reply

    def alive(self) -> bool:
        """Return whether the process is still running."""
        return self.process is not None and self.process.poll() is None

    def send(self, request: Request) -> None:
        """Send one request; raise :class:`PartitionDown` when the pipe is broken."""
        if self.conn is None:
            raise PartitionDown(self.index, "not started")
        try:
            self.conn.send_bytes(ENCODER.encode(request))
        except OSError as exc:
            raise PartitionDown(self.index, f"pipe broken ({exc})") from exc

    def receive(self) -> Reply:
        """Receive one reply; raise :class:`PartitionDown` when the process is gone, re-raise its errors."""
        if self.conn is None:
            raise PartitionDown(self.index, "not started")
        try:
            reply: Reply = REPLIES.decode(self.conn.recv_bytes())
        except (EOFError, OSError) as exc:
            raise PartitionDown(self.index, f"process gone ({exc!r})") from exc
        if isinstance(reply, Failed):
            raise _error(reply, self.index)
        return reply

    def ask(self, request: Request) -> Reply:
        """Send one request and return its reply."""
        self.send(request)
        return self.receive()

    def new_names(self, kind: str, ids: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        """Return (once each) which of ``ids`` (>= 0, repeats allowed) this partition was not told; mark them told."""
        known = self.known_customers if kind == "customer" else self.known_regions
        if len(ids) == 0:
            return ids
        top = int(ids.max())
        if top >= len(known):
            grown = np.zeros(max(top + 1, 2 * len(known)), dtype=bool)
            grown[: len(known)] = known
            known = grown
            if kind == "customer":
                self.known_customers = known
            else:
                self.known_regions = known
        missing = ids[~known[ids]]
        if len(missing) == 0:
            return missing
        fresh = np.unique(missing)
        known[fresh] = True
        return fresh

    def stop(self, *, timeout: float = 10.0) -> None:
        """Close the pipe and wait for the process (kill it if it does not leave)."""
        if self.conn is not None:
            self.conn.close()
            self.conn = None
        if self.process is not None:
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout)
            self.process = None


_CODES = {code.value for code in EngineErrorCode}


def _error(reply: Failed, index: int) -> WujieError:
    """Return the error a partition reported, with its stable code where the engine has one."""
    if reply.code == SharedErrorCode.INVALID_INPUT.value:
        return InvalidInput(reply.message, partition=index)
    code = EngineErrorCode(reply.code) if reply.code in _CODES else EngineErrorCode.ENGINE_CLOSED
    return EngineError(code, f"partition {index}: {reply.message}", partition=index)
