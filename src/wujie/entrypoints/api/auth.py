"""FastAPI dependencies over :mod:`wujie.engine.access` tokens (401 without a valid token, 403 for a role)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from wujie.engine.access import Principal, Role, Tokens, Unauthorized
from wujie.entrypoints.api.problems import Problem

__all__ = [
    "Caller",
    "Operator",
    "Principal",
    "Role",
    "Staff",
    "Tokens",
    "authenticate",
    "current_principal",
    "requires",
]


def authenticate(tokens: Tokens, header: str | None) -> Principal:
    """Return the caller of an ``Authorization`` header, or raise a 401 problem."""
    try:
        return tokens.from_header(header)
    except Unauthorized as exc:
        raise Problem(401, "unauthorized", str(exc), {"WWW-Authenticate": "Bearer"}) from exc


def current_principal(request: Request) -> Principal:
    """Authenticate the request."""
    tokens: Tokens = request.app.state.tokens
    return authenticate(tokens, request.headers.get("authorization"))


def requires(*roles: Role) -> object:
    """Return a dependency admitting only ``roles``."""

    def check(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
        if principal.role not in roles:
            raise Problem(403, "forbidden", f"this needs the role {' or '.join(r.value for r in roles)}")
        return principal

    return Depends(check)


Caller = Annotated[Principal, Depends(current_principal)]
Staff = Annotated[Principal, requires(Role.MERCHANT, Role.OPERATOR)]
Operator = Annotated[Principal, requires(Role.OPERATOR)]
