"""Checks on fetched prices before they may replace the ones a user has.

A price is accepted when it is a positive, finite, sane-sized number and, if
there is a recent fetched price for the same symbol, within a factor of it.
Anything else is rejected with a reason and the old price stays.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal, InvalidOperation

from hedger.core.decimals import MAX_MAGNITUDE, fmt_decimal, fmt_money

# Even crypto rarely moves 5x between two refreshes; a 10x jump is far more
# likely a wrong symbol, a unit change or a broken feed than the market.
DEFAULT_MAX_FACTOR = Decimal(5)
# Against a price fetched long ago the factor says little, and rejecting
# every refresh after a year away would leave no way forward but typing.
DEFAULT_PLAUSIBILITY_WINDOW = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class Plausibility:
    max_factor: Decimal = DEFAULT_MAX_FACTOR
    window: timedelta = DEFAULT_PLAUSIBILITY_WINDOW

    def __post_init__(self) -> None:
        if not self.max_factor > 1:
            raise ValueError("the plausibility factor must be greater than 1")


def as_decimal(raw: object) -> Decimal | None:
    """A venue's price field (JSON number or string) as Decimal; None if unreadable.

    NaN, infinities and negatives come through so that ``check_price`` can
    name what was wrong.
    """
    if isinstance(raw, bool):
        return None
    if isinstance(raw, Decimal):
        return raw
    if isinstance(raw, int):
        return Decimal(raw)
    if isinstance(raw, float):
        return Decimal(repr(raw))
    if isinstance(raw, str):
        text = raw.strip()
        if not text or len(text) > 40:
            return None
        try:
            return Decimal(text)
        except InvalidOperation:
            return None
    return None


def tidy(value: Decimal) -> Decimal:
    """Drop trailing zeros venues pad prices with ("70000.01000000"), never an exponent."""
    return Decimal(fmt_decimal(value)) if value.is_finite() else value


def check_price(value: Decimal, last: Decimal | None, max_factor: Decimal) -> str | None:
    """Why ``value`` is not acceptable as a price, or None when it is."""
    if not value.is_finite():
        return "not a finite number"
    if value <= 0:
        return f"{fmt_decimal(value)} is not a positive price"
    if value > MAX_MAGNITUDE:
        return f"{fmt_decimal(value)} is too large to be a price"
    if last is not None and last > 0:
        ratio = value / last if value >= last else last / value
        if ratio > max_factor:
            direction = "above" if value > last else "below"
            return (
                f"{fmt_decimal(value)} is {_times(ratio)} {direction} the last price "
                f"{fmt_price(last)} (limit {_times(max_factor)})"
            )
    return None


def fmt_price(value: Decimal) -> str:
    """Readable price: thousands separators, cents for large, all digits for small."""
    if abs(value) >= 1:
        return fmt_money(value, 2)
    return fmt_decimal(value)


def _times(ratio: Decimal) -> str:
    return f"{ratio.quantize(Decimal('0.1'))}×".replace(".0×", "×")


@dataclass(frozen=True, slots=True)
class Validation:
    accepted: dict[str, Decimal] = field(default_factory=dict)
    rejected: dict[str, str] = field(default_factory=dict)  # symbol -> message


def validate_prices(
    venue: str,
    prices: Mapping[str, Decimal],
    last: Mapping[str, Decimal],
    max_factor: Decimal = DEFAULT_MAX_FACTOR,
) -> Validation:
    """Split a venue's prices into accepted ones and rejections with messages."""
    out = Validation()
    for symbol, value in prices.items():
        reason = check_price(value, last.get(symbol), max_factor)
        if reason is None:
            out.accepted[symbol] = tidy(value)
        else:
            out.rejected[symbol] = f"{symbol}: {venue} price rejected, {reason}"
    return out
