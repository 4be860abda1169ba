"""Errors as RFC 9457 problem+json with stable codes, mapped once at the edge."""

from __future__ import annotations

from typing import Any

import msgspec
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from wujie.shared.errors import RetryableError, WujieError

PROBLEM_TYPE = "application/problem+json"

#: HTTP status per stable code (anything else that is a WujieError: 422)
STATUS_BY_CODE: dict[str, int] = {
    "unknown_sku": 404,
    "unknown_order": 404,
    "not_found": 404,
    "unknown_product": 404,
    "unauthorized": 401,
    "forbidden": 403,
    "insufficient_stock": 409,
    "purchase_limit_exceeded": 409,
    "already_captured": 409,
    "illegal_transition": 409,
    "reservation_expired": 409,
    "idempotency_conflict": 409,
    "duplicate_sku": 409,
    "overloaded": 429,
    "batch_too_large": 413,
    "malformed_json": 400,
    "engine_closed": 503,
    "unavailable": 503,
    "partition_unavailable": 503,
    "not_supported_partitioned": 501,
}


class Problem(Exception):
    """An HTTP-level refusal (auth, overload, malformed body) with its stable code."""

    def __init__(self, status: int, code: str, detail: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.headers = headers or {}


def problem_body(status: int, code: str, detail: str, **extra: Any) -> bytes:
    """Return the JSON bytes of a problem document."""
    body = {"type": f"https://wujie.dev/problems/{code}", "title": code.replace("_", " "), "status": status}
    return msgspec.json.encode({**body, "code": code, "detail": detail, **extra})


def problem_response(
    status: int, code: str, detail: str, headers: dict[str, str] | None = None, **extra: Any
) -> Response:
    """Return a problem+json response."""
    return Response(problem_body(status, code, detail, **extra), status, headers=headers, media_type=PROBLEM_TYPE)


def status_of(code: str) -> int:
    """Return the HTTP status of a stable code."""
    return STATUS_BY_CODE.get(code, 422)


def install(app: FastAPI) -> None:
    """Map every error family to problem+json on ``app``."""

    async def on_problem(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, Problem)
        return problem_response(exc.status, exc.code, exc.detail, exc.headers)

    async def on_domain(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, WujieError)
        code = str(exc.code)
        return problem_response(status_of(code), code, exc.message, **_plain(exc.as_dict()))

    async def on_retryable(_: Request, exc: Exception) -> Response:
        return problem_response(503, "unavailable", str(exc), {"Retry-After": "1"})

    async def on_validation(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        errors = [{"loc": [str(p) for p in e.get("loc", ())], "msg": str(e.get("msg", ""))} for e in exc.errors()]
        malformed = any(e.get("type") == "json_invalid" for e in exc.errors())
        code, status = ("malformed_json", 400) if malformed else ("invalid_input", 422)
        return problem_response(status, code, "the request does not match the schema", errors=errors)

    async def on_http(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        code = {404: "not_found", 405: "method_not_allowed", 413: "batch_too_large"}.get(exc.status_code, "http_error")
        return problem_response(exc.status_code, code, str(exc.detail), dict(exc.headers or {}))

    app.add_exception_handler(Problem, on_problem)
    app.add_exception_handler(WujieError, on_domain)
    app.add_exception_handler(RetryableError, on_retryable)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)


def _plain(described: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in described.items() if k not in {"code", "message", "status", "type", "title", "detail"}}
