"""The list of API routers. Each module defines ``router`` (a FastAPI ``APIRouter``)."""

from __future__ import annotations

import importlib

from fastapi import APIRouter, FastAPI

#: modules under wujie.entrypoints.api, one per area
ROUTERS: tuple[str, ...] = (
    "catalog",
    "orders",
    "payments",
    "inventory",
    "admin",
    "recommend",
    "search",
    "stores",
    "dashboard",
)


def include_all(app: FastAPI) -> None:
    """Include every area router present in this installation."""
    for module_name in ROUTERS:
        try:
            module = importlib.import_module(f"wujie.entrypoints.api.{module_name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"wujie.entrypoints.api.{module_name}":
                continue  # this area is not part of the installation yet
            raise
        router = getattr(module, "router", None)
        if isinstance(router, APIRouter):
            app.include_router(router)
