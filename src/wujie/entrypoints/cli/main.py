"""The ``wujie`` command: one Typer app; each command group lives in its own module.

Group modules import heavy libraries (pandas, lightgbm, pyvrp...) inside their commands,
so ``wujie --help`` starts fast.
"""

from __future__ import annotations

import sys

import typer

from wujie import __version__
from wujie.entrypoints.cli import errors

app = typer.Typer(
    name="wujie",
    help="Wujie (无界): the engine, data brain and logistics of a Singles' Day, on one machine.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback(invoke_without_command=True)
def _root(
    ctx: typer.Context,
    version: bool = typer.Option(False, "--version", help="Print the version and exit.", is_eager=True),
) -> None:
    if version:
        typer.echo(f"wujie {__version__}")
        raise typer.Exit()
    if ctx.invoked_subcommand is None:
        typer.echo(ctx.get_help())
        raise typer.Exit()


def _register() -> None:
    """Attach every command group that exists in this installation."""
    from wujie.entrypoints.cli import groups

    for name, module_name in groups.GROUPS:
        groups.attach(app, name, module_name)


def main() -> None:
    """Run the CLI, turning Wujie errors into clean messages and exit codes (no tracebacks)."""
    _register()
    try:
        app()  # standalone: Typer itself reports usage errors (exit 2) and --help
    except SystemExit:
        raise
    except BaseException as exc:  # noqa: BLE001 - the one place errors become exit codes
        sys.exit(errors.report(exc))
