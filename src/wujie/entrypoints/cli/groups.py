"""The list of command groups. Each module defines ``app`` (a Typer group) or ``command``."""

from __future__ import annotations

import importlib

import typer

#: (name on the command line, module under wujie.entrypoints.cli)
GROUPS: tuple[tuple[str, str], ...] = (
    ("demo", "demo"),
    ("serve", "serve"),
    ("replay", "replay"),
    ("bench", "bench"),
    ("forecast", "forecast"),
    ("place", "place"),
    ("replenish", "replenish"),
    ("route", "route"),
    ("sort", "sort"),
    ("recommend", "recommend"),
    ("search", "search"),
    ("store", "store"),
)


def attach(app: typer.Typer, name: str, module_name: str) -> None:
    """Add the group or single command defined in ``module_name`` to ``app`` under ``name``."""
    try:
        module = importlib.import_module(f"wujie.entrypoints.cli.{module_name}")
    except ModuleNotFoundError as exc:
        if exc.name == f"wujie.entrypoints.cli.{module_name}":
            return  # this area is not part of the installation yet
        raise
    group = getattr(module, "app", None)
    if isinstance(group, typer.Typer):
        app.add_typer(group, name=name)
        return
    command = getattr(module, "command", None)
    if command is not None:
        app.command(name)(command)
