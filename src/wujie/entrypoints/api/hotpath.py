"""The lean hot route: ``POST /v1/orders`` handled with msgspec, ahead of routing.

It implements exactly the documented ``place_order`` operation (same body, same answers, same
problem codes: a test compares both) without FastAPI's per-request dependency and validation
machinery, which costs more than the engine's decision itself. :func:`answer_order` is the route;
:class:`HotPath` serves it over ASGI and :mod:`wujie.entrypoints.api.rsgi` over granian's RSGI.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Annotated, Any

import msgspec

from wujie.entrypoints.api.auth import authenticate
from wujie.entrypoints.api.problems import PROBLEM_TYPE, Problem, problem_body
from wujie.entrypoints.api.runtime import Runtime

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

MAX_BODY = 64 * 1024
_Sku = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]  # pattern checked only for unknown SKUs
_SKU_PATTERN = re.compile(r"^[A-Za-z0-9_.:-]+$")
_Name = Annotated[str, msgspec.Meta(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


class _Line(msgspec.Struct, forbid_unknown_fields=True):
    sku: _Sku
    qty: Annotated[int, msgspec.Meta(ge=1, le=10_000)]


class _Order(msgspec.Struct, forbid_unknown_fields=True):
    lines: Annotated[list[_Line], msgspec.Meta(min_length=1, max_length=50)]
    region: Annotated[str, msgspec.Meta(min_length=1, max_length=64)] | None = None
    customer: _Name | None = None


_DECODER = msgspec.json.Decoder(_Order)
_ENCODER = msgspec.json.Encoder()
JSON_HEADERS = [("content-type", "application/json")]
_ASGI_JSON = [(b"content-type", b"application/json")]

#: what the route answers: status, body, headers (names lower-case)
Reply = tuple[int, bytes, list[tuple[str, str]]]


async def answer_order(runtime: Runtime, authorization: str | None, body: bytes) -> Reply:
    """Answer one ``POST /v1/orders``: the ASGI and the RSGI hot routes both call this.

    The order joins the other orders of this event-loop tick (one hand-off to the writer, one
    future for all of them) and the answer is returned once its journal batch is durable.
    """
    try:
        principal = authenticate(runtime.tokens, authorization)
        order = _decode(body)
        lines = [(line.sku, line.qty) for line in order.lines]
        known = runtime.engine.sku_index
        for sku, _ in lines:
            if sku not in known and not _SKU_PATTERN.match(sku):  # same answer as the schema's pattern
                raise Problem(422, "invalid_input", f"the request does not match the schema: bad SKU {sku[:64]!r}")
        number, total = await runtime.place_in_tick(principal, lines, order.region, order.customer)
    except Problem as problem:
        return problem_reply(problem)
    return 201, placed_body(number, total, runtime.currency), JSON_HEADERS


def placed_body(number: int, total: int, currency: str) -> bytes:
    """Return the JSON of an accepted order, built directly (what the FastAPI route's schema encodes)."""
    return b'{"order_id":"ord_%09d","status":"reserved","total_minor":%d,"currency":%s}' % (
        number,
        total,
        _currency_json(currency),
    )


@functools.cache
def _currency_json(currency: str) -> bytes:
    return _ENCODER.encode(currency)


def problem_reply(problem: Problem) -> Reply:
    """Return the problem+json reply of ``problem`` (with its extra headers)."""
    headers = [("content-type", PROBLEM_TYPE)] + [(k.lower(), v) for k, v in problem.headers.items()]
    return problem.status, problem_body(problem.status, problem.code, problem.detail), headers


class HotPath:
    """ASGI middleware answering ``POST /v1/orders`` itself; everything else goes to ``app``."""

    def __init__(self, app: ASGIApp, owner: Any = None) -> None:
        self.app = app
        self.owner = owner  # the FastAPI app whose state holds the runtime (else taken from the scope)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != "/v1/orders" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        owner = self.owner if self.owner is not None else scope.get("app")
        runtime: Runtime | None = getattr(owner.state, "runtime", None) if owner is not None else None
        if runtime is None:
            await self.app(scope, receive, send)
            return
        authorization = None
        for name, value in scope["headers"]:
            if name == b"authorization":
                authorization = value.decode("latin-1")
        try:
            body = await _read_body(receive)
        except Problem as problem:
            status, content, headers = problem_reply(problem)
        else:
            status, content, headers = await answer_order(runtime, authorization, body)
        raw = _ASGI_JSON if headers is JSON_HEADERS else [(k.encode(), v.encode("latin-1")) for k, v in headers]
        await send({"type": "http.response.start", "status": status, "headers": raw})
        await send({"type": "http.response.body", "body": content})


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY:
            raise Problem(413, "batch_too_large", f"an order body is at most {MAX_BODY} bytes")
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _decode(body: bytes) -> _Order:
    try:
        return _DECODER.decode(body)
    except msgspec.ValidationError as exc:
        raise Problem(422, "invalid_input", f"the request does not match the schema: {exc}") from exc
    except msgspec.DecodeError as exc:
        raise Problem(400, "malformed_json", f"the body is not valid JSON: {exc}") from exc


class BodyLimit:
    """ASGI middleware refusing request bodies over ``limit`` bytes with a 413 problem."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = next((v for k, v in scope["headers"] if k == b"content-length"), b"0")
        if declared.isdigit() and int(declared) > self.limit:
            body = problem_body(413, "batch_too_large", f"a request body is at most {self.limit} bytes")
            await send(
                {"type": "http.response.start", "status": 413, "headers": [(b"content-type", PROBLEM_TYPE.encode())]}
            )
            await send({"type": "http.response.body", "body": body})
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                raise Problem(413, "batch_too_large", f"a request body is at most {self.limit} bytes")
            return message

        await self.app(scope, counted, send)
