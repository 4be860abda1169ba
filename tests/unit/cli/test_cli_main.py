"""The CLI entry point: clean messages and stable exit codes, never a traceback."""

from __future__ import annotations

import subprocess
import sys

import pytest


def _wujie(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "wujie", *args], capture_output=True, text=True, timeout=120, check=False
    )


def test_version_and_help_list_every_group() -> None:
    assert _wujie("--version").stdout.startswith("wujie ")
    out = _wujie("--help").stdout
    for group in ("demo", "serve", "replay", "bench", "forecast", "place", "replenish", "route", "sort"):
        assert group in out


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (("no-such-command",), 2),
        (("route", "solve", "/nonexistent/instance.vrp"), 3),
    ],
)
def test_errors_exit_with_a_code_and_no_traceback(args: tuple[str, ...], code: int) -> None:
    result = _wujie(*args)
    assert result.returncode == code
    assert "Traceback" not in result.stderr + result.stdout
