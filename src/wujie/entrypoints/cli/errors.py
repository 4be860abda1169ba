"""Map errors to a one-line message on stderr and a stable exit code (never a traceback)."""

from __future__ import annotations

import os

from rich.console import Console

from wujie.shared.errors import RetryableError, WujieError

stderr = Console(stderr=True)

EXIT_USAGE = 2
EXIT_DOMAIN = 3
EXIT_RETRYABLE = 4
EXIT_INTERRUPTED = 130
EXIT_BUG = 70


def report(exc: BaseException) -> int:
    """Print ``exc`` for a human and return the process exit code."""
    if isinstance(exc, KeyboardInterrupt):
        stderr.print("[yellow]interrupted[/]")
        return EXIT_INTERRUPTED
    if isinstance(exc, WujieError):
        stderr.print(f"[red]error[/] [bold]{exc.code}[/]: {exc.message}")
        return EXIT_DOMAIN
    if isinstance(exc, RetryableError):
        stderr.print(f"[red]temporary failure[/]: {exc} (try again)")
        return EXIT_RETRYABLE
    if isinstance(exc, FileNotFoundError | PermissionError | IsADirectoryError):
        stderr.print(f"[red]error[/] file: {exc}")
        return EXIT_USAGE
    stderr.print(f"[red]internal error[/] {type(exc).__name__}: {exc} (please report it; run with WUJIE_DEBUG=1)")
    if os.environ.get("WUJIE_DEBUG"):
        raise exc
    return EXIT_BUG
