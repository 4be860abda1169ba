"""Access tokens with roles: customer, merchant, operator.

A token is ``wj1.<role>.<subject>.<signature>``: the signature is an HMAC-SHA256 of role and
subject under the server's secret, so tokens need no database and cannot be forged or altered.
A customer token's subject is the customer id; that customer sees and changes only their own orders.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from enum import StrEnum

_SUBJECT = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class Unauthorized(Exception):
    """No valid token: the edge answers 401."""


class Role(StrEnum):
    """Who is calling."""

    CUSTOMER = "customer"
    MERCHANT = "merchant"
    OPERATOR = "operator"


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated caller."""

    role: Role
    subject: str

    def may_see(self, customer: str) -> bool:
        """Return whether this caller may read or change ``customer``'s orders."""
        return self.role is not Role.CUSTOMER or self.subject == customer


class Tokens:
    """Mint and verify tokens with one secret (verified tokens are cached)."""

    def __init__(self, secret: str) -> None:
        self._key = secret.encode()
        self._cache: dict[str, Principal] = {}

    def _sign(self, role: str, subject: str) -> str:
        return hmac.new(self._key, f"{role}.{subject}".encode(), hashlib.sha256).hexdigest()[:40]

    def mint(self, role: Role, subject: str) -> str:
        """Return a token for ``subject`` acting as ``role``."""
        if not _SUBJECT.match(subject):
            raise ValueError("a token subject is 1-64 letters, digits, '_' or '-'")
        return f"wj1.{role.value}.{subject}.{self._sign(role.value, subject)}"

    def verify(self, token: str) -> Principal | None:
        """Return the principal of a valid token, else ``None``."""
        cached = self._cache.get(token)
        if cached is not None:
            return cached
        parts = token.split(".")
        if len(parts) != 4 or parts[0] != "wj1" or parts[1] not in Role.__members__.values():
            return None
        _, role, subject, signature = parts
        if not _SUBJECT.match(subject) or not hmac.compare_digest(signature, self._sign(role, subject)):
            return None
        principal = Principal(Role(role), subject)
        if len(self._cache) > 100_000:
            self._cache.clear()
        self._cache[token] = principal
        return principal

    def from_header(self, header: str | None) -> Principal:
        """Return the principal of an ``Authorization: Bearer`` header, or raise a 401 problem."""
        if not header or not header.startswith("Bearer "):
            raise Unauthorized("send Authorization: Bearer <token>")
        principal = self.verify(header[7:].strip())
        if principal is None:
            raise Unauthorized("the token is not valid")
        return principal
