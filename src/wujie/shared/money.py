"""Money: an integer count of minor units with its ISO 4217 currency. Never a float."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

from wujie.shared.errors import CurrencyMismatch, SharedErrorCode, WujieError

#: Minor-unit exponent of currencies that do not use two decimals.
_EXPONENTS: dict[str, int] = {"JPY": 0, "KRW": 0, "VND": 0, "CLP": 0, "ISK": 0, "BHD": 3, "KWD": 3}


def exponent(currency: str) -> int:
    """Return the number of decimals of ``currency`` (2 unless listed otherwise)."""
    return _EXPONENTS.get(currency, 2)


@dataclass(frozen=True, slots=True, order=False)
class Money:
    """An amount of money in integer minor units (fen, cents, won) of one currency."""

    minor: int
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.minor, int) or isinstance(self.minor, bool):
            raise WujieError(
                SharedErrorCode.INVALID_AMOUNT, "money must be an integer of minor units", value=repr(self.minor)
            )
        if len(self.currency) != 3 or not self.currency.isalpha() or not self.currency.isupper():
            raise WujieError(SharedErrorCode.INVALID_AMOUNT, "currency must be an ISO 4217 code", value=self.currency)

    @classmethod
    def zero(cls, currency: str) -> Money:
        """Return zero in ``currency``."""
        return cls(0, currency)

    @classmethod
    def parse(cls, amount: str | int | Decimal, currency: str) -> Money:
        """Parse a decimal amount in major units (``"12.34"``) exactly; refuse extra precision."""
        try:
            value = Decimal(str(amount))
        except InvalidOperation as exc:
            raise WujieError(SharedErrorCode.INVALID_AMOUNT, "not a decimal amount", value=str(amount)) from exc
        scaled = value.scaleb(exponent(currency))
        if scaled != scaled.to_integral_value() or not value.is_finite():
            raise WujieError(SharedErrorCode.INVALID_AMOUNT, "more decimals than the currency has", value=str(amount))
        return cls(int(scaled), currency)

    def _same(self, other: Money) -> None:
        if self.currency != other.currency:
            raise CurrencyMismatch(self.currency, other.currency)

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.minor + other.minor, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.minor - other.minor, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.minor, self.currency)

    def __mul__(self, factor: int) -> Money:
        if not isinstance(factor, int) or isinstance(factor, bool):
            raise WujieError(SharedErrorCode.INVALID_AMOUNT, "money multiplies by integers only", value=repr(factor))
        return Money(self.minor * factor, self.currency)

    __rmul__ = __mul__

    def __lt__(self, other: Money) -> bool:
        self._same(other)
        return self.minor < other.minor

    def __le__(self, other: Money) -> bool:
        self._same(other)
        return self.minor <= other.minor

    def __gt__(self, other: Money) -> bool:
        self._same(other)
        return self.minor > other.minor

    def __ge__(self, other: Money) -> bool:
        self._same(other)
        return self.minor >= other.minor

    def percent(self, basis_points: int) -> Money:
        """Return ``basis_points``/10,000 of this amount, rounded half-even to a minor unit."""
        share = (Decimal(self.minor) * basis_points / Decimal(10_000)).to_integral_value(ROUND_HALF_EVEN)
        return Money(int(share), self.currency)

    def to_decimal(self) -> Decimal:
        """Return the amount in major units as an exact ``Decimal``."""
        return Decimal(self.minor).scaleb(-exponent(self.currency))

    def __str__(self) -> str:
        return f"{self.to_decimal():.{exponent(self.currency)}f} {self.currency}"
