"""``wujie serve``: the HTTP API on the engine (file journal by default, PostgreSQL on request)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

console = Console(stderr=True)


def _seed(settings: object, skus: int, units: int, price_minor: int) -> int:
    """Add ``skus`` demo SKUs when the engine holds none; return how many it holds."""
    from wujie.config import Settings
    from wujie.engine.book import SkuTerms
    from wujie.entrypoints.api.app import open_engine

    assert isinstance(settings, Settings)
    engine = open_engine(settings)
    try:
        if skus and len(engine.sku_index) == 0:
            engine.add_skus([SkuTerms(f"sku-{i:06d}", units, price_minor) for i in range(skus)])
        return len(engine.sku_index)
    finally:
        engine.close()


def _print_tokens(secret: str, wanted: list[str]) -> None:
    """Print a token for each ``ROLE:SUBJECT``."""
    from wujie.engine.access import Role, Tokens

    tokens = Tokens(secret)
    for item in wanted:
        role, _, subject = item.partition(":")
        if role not in Role.__members__.values() or not subject:
            raise typer.BadParameter(f"{item!r}: use ROLE:SUBJECT", param_hint="--token")
        typer.echo(f"{item} {tokens.mint(Role(role), subject)}")


def command(
    *,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    data_dir: Annotated[Path, typer.Option(help="Where the engine's journal and snapshot live.")] = Path("var"),
    database_url: Annotated[
        str, typer.Option(help="postgresql://... keeps orders, ledger and stock in PostgreSQL.")
    ] = "",
    server: Annotated[str, typer.Option(help="granian (fast, default) or uvicorn.")] = "granian",
    interface: Annotated[
        str, typer.Option(help="granian's interface: rsgi (default; the order route skips ASGI) or asgi.")
    ] = "rsgi",
    demo_skus: Annotated[int, typer.Option(help="Seed this many demo SKUs when the engine is empty.")] = 0,
    demo_units: Annotated[int, typer.Option(help="Units on hand of each demo SKU.")] = 1_000,
    dashboard: Annotated[
        bool | None,
        typer.Option(
            help="Feed the live board at /dashboard from the engine's events (default: on with --partitions 0)."
        ),
    ] = None,
    partitions: Annotated[
        int,
        typer.Option(
            min=0,
            help="0 (default): the one-process engine. P >= 1: SKUs spread over P partition processes "
            "with two-phase commit for orders that span them (no dashboard events, no PostgreSQL).",
        ),
    ] = 0,
    token: Annotated[
        list[str] | None, typer.Option(help="Print a token for ROLE:SUBJECT (repeatable), e.g. operator:ops.")
    ] = None,
) -> None:
    """Serve the HTTP API (one server process; with --partitions P the engine runs in P more)."""
    from wujie.config import Settings

    if server not in {"granian", "uvicorn"}:
        raise typer.BadParameter("choose granian or uvicorn", param_hint="--server")
    if interface not in {"rsgi", "asgi"}:
        raise typer.BadParameter("choose rsgi or asgi", param_hint="--interface")
    if partitions and dashboard:
        raise typer.BadParameter(
            "the partitioned engine publishes no events; drop --dashboard", param_hint="--dashboard"
        )
    if partitions and database_url:
        raise typer.BadParameter("the partitioned engine keeps its journals in files", param_hint="--database-url")
    os.environ["WUJIE_DATA_DIR"] = str(data_dir)
    os.environ["WUJIE_DATABASE_URL"] = database_url
    os.environ["WUJIE_DASHBOARD"] = "true" if (dashboard is None and not partitions) or dashboard else "false"
    os.environ["WUJIE_PARTITIONS"] = str(partitions)
    settings = Settings()
    held = _seed(settings, demo_skus, demo_units, 9_900)
    _print_tokens(settings.secret_key, token or [])
    store = "PostgreSQL" if database_url else f"journal in {data_dir / 'engine'}"
    if partitions:
        store = f"{partitions} partitions in {data_dir / 'pengine'}"
    how = server if server == "uvicorn" else f"granian, {interface}"
    console.print(f"[green]wujie serve[/] {held} SKUs, {store}, http://{host}:{port}/docs ({how})")
    target = "wujie.entrypoints.api.app:create_server_app"
    if server == "uvicorn":
        import uvicorn

        uvicorn.run(target, factory=True, host=host, port=port, log_level="warning", access_log=False)
        return
    from granian import Granian
    from granian.constants import Interfaces
    from granian.log import LogLevels

    if interface == "rsgi":
        target, kind = "wujie.entrypoints.api.app:create_rsgi_app", Interfaces.RSGI
    else:
        kind = Interfaces.ASGI
    Granian(
        target, address=host, port=port, interface=kind, factory=True, workers=1, log_level=LogLevels.warning
    ).serve()
