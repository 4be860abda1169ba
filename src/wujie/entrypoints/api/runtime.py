"""What the routes share: the engine's intake, admission control, tokens, and the ordering rules."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request

from wujie.config import Settings
from wujie.engine.admission import Admission
from wujie.engine.decisions import Decision, OrderRequest
from wujie.engine.engine import Engine
from wujie.engine.intake import Intake
from wujie.engine.ports import IntakeEngine
from wujie.engine.ticks import OrderTicks
from wujie.entrypoints.api.auth import Principal, Role, Tokens
from wujie.entrypoints.api.problems import Problem, status_of


@dataclass
class Runtime:
    """The live engine behind the API (``app.state.runtime``)."""

    settings: Settings
    engine: IntakeEngine
    intake: Intake
    admission: Admission
    tokens: Tokens
    ticks: OrderTicks = field(init=False)

    def __post_init__(self) -> None:
        self.ticks = OrderTicks(self.intake.submit_ticks)

    @property
    def currency(self) -> str:
        """Return the engine's currency."""
        return self.engine.currency

    def single(self, what: str) -> Engine:
        """Return the one-process engine, or refuse ``what`` (501) on the partitioned engine."""
        if not isinstance(self.engine, Engine):
            detail = f"{what} is not served by the partitioned engine (wujie serve --partitions); use --partitions 0"
            raise Problem(501, "not_supported_partitioned", detail)
        return self.engine

    def customer_for(self, principal: Principal, named: str | None) -> str:
        """Return whose order this is: a customer orders for themself, staff must name the customer."""
        if principal.role is Role.CUSTOMER:
            if named is not None and named != principal.subject:
                raise Problem(403, "forbidden", "a customer may order only for themself")
            return principal.subject
        if named is None:
            raise Problem(422, "invalid_input", "staff must name the customer of the order")
        return named

    def admit(self, skus: list[str], weight: int = 1) -> None:
        """Count a request in, or refuse it with 429 and Retry-After."""
        wait = self.admission.admit(skus, weight)
        if wait is not None:
            retry = str(max(1, math.ceil(wait)))
            raise Problem(429, "overloaded", "too many requests right now; retry later", {"Retry-After": retry})

    async def place_one(
        self, principal: Principal, lines: list[tuple[str, int]], region: str | None, customer: str | None
    ) -> Decision:
        """Decide one order; raise a problem (409/404/422) when it is refused."""
        who = self.customer_for(principal, customer)
        skus = [sku for sku, _ in lines]
        self.admit(skus)
        try:
            [decision] = await self.intake.place([OrderRequest(who, tuple(lines), region)])
        finally:
            self.admission.done()
        if not decision.accepted:
            code = decision.code or "invalid_order"
            raise Problem(status_of(code), code, f"the order was refused: {code}")
        return decision

    async def place_in_tick(
        self, principal: Principal, lines: list[tuple[str, int]], region: str | None, customer: str | None
    ) -> tuple[int, int]:
        """Like :meth:`place_one`, batched with the other orders of this event-loop tick.

        Returns the accepted order's number and total; refusals raise the same problems.
        """
        who = self.customer_for(principal, customer)
        self.admit([sku for sku, _ in lines])
        try:
            reason, number, total = await self.ticks.place(who, lines, region)
        finally:
            self.admission.done()
        if reason:
            code = self.engine.reason_codes[reason] or "invalid_order"
            raise Problem(status_of(code), code, f"the order was refused: {code}")
        return number, total


def runtime(request: Request) -> Runtime:
    """Return the app's runtime."""
    found: Runtime = request.app.state.runtime
    return found


Live = Annotated[Runtime, Depends(runtime)]
