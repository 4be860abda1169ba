"""Shared fixtures: real services where reachable (skip locally, fail under CI=true)."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from wujie.shared.datafiles import shared_data_dir

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = shared_data_dir()
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1.0):
            return True
    except OSError:
        return False


def require_service(name: str, host: str, port: int) -> None:
    """Skip (locally) or fail (in CI) when ``name`` does not listen on ``host:port``."""
    if _reachable(host, port):
        return
    message = f"{name} is not reachable on {host}:{port}"
    if IN_CI:
        pytest.fail(f"{message} (CI=true: integration services are required)")
    pytest.skip(f"{message}; start it to run this test")


def require_shared_data(relative: str) -> Path:
    """Return ``../shared/data/<relative>``; skip locally or fail in CI when it is missing."""
    path = SHARED_DATA / relative
    if path.exists():
        return path
    if IN_CI:
        pytest.fail(f"shared data {path} is missing")
    pytest.skip(f"shared data {path} is missing")


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A PostgreSQL URL on the local server (database ``test``)."""
    require_service("PostgreSQL", "127.0.0.1", 5432)
    yield os.environ.get("WUJIE_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")


@pytest.fixture
def redis_url() -> Iterator[str]:
    """A Redis URL on the local server."""
    require_service("Redis", "127.0.0.1", 6379)
    yield "redis://127.0.0.1:6379/0"


@pytest.fixture
def nats_url() -> Iterator[str]:
    """A NATS (JetStream) URL on the local server."""
    require_service("NATS", "127.0.0.1", 4222)
    yield "nats://127.0.0.1:4222"
