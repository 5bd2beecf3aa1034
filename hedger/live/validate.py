"""Checks on fetched prices before they may replace the ones a user has.

A price is accepted when it is a positive, finite, sane-sized number and, if
there is a recent fetched price for the same symbol, within a factor of it
(5×). Without a recent fetched price the price the person typed is the
reference, with a wider band (10×): a typed price may be weeks old, but a
venue answering a hundred times more is a wrong symbol or a broken feed.
Anything else is rejected with a reason and the old price stays; a price
rejected only for its jump can be taken anyway (``--accept-jumps`` on the
command line, "Use anyway" in the app).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import ROUND_HALF_EVEN, Decimal

from hedger.core.decimals import MAX_MAGNITUDE, MAX_PLACES, fmt_decimal, fmt_money
from hedger.live.transport import bounded_decimal

# Even crypto rarely moves 5x between two refreshes; a 10x jump is far more
# likely a wrong symbol, a unit change or a broken feed than the market.
DEFAULT_MAX_FACTOR = Decimal(5)
# Against a price fetched long ago the factor says little, and rejecting
# every refresh after a year away would leave no way forward but typing.
DEFAULT_PLAUSIBILITY_WINDOW = timedelta(days=7)
# A typed price is a weaker reference (it may be old, or a guess), so it
# only catches answers that cannot be the same coin.
DEFAULT_TYPED_FACTOR = Decimal(10)
# Below this no coin trades (and history imports refuse it too): a unit
# error or a feed sending garbage. It also keeps a price within the 20
# decimal places a portfolio file holds.
MIN_PRICE = Decimal("1e-12")
ACCEPT_HINT = "if it is right, refresh with --accept-jumps or choose Use anyway in Refresh Details"


@dataclass(frozen=True, slots=True)
class Plausibility:
    max_factor: Decimal = DEFAULT_MAX_FACTOR
    window: timedelta = DEFAULT_PLAUSIBILITY_WINDOW
    typed_factor: Decimal = DEFAULT_TYPED_FACTOR
    #: False accepts any positive, finite price however far it moved.
    check_jumps: bool = True

    def __post_init__(self) -> None:
        if not self.max_factor > 1 or not self.typed_factor > 1:
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
        # Digits and exponent are bounded before Decimal sees the text:
        # "1e999999999" is refused here, not expanded to a billion digits later.
        return bounded_decimal(raw)
    return None


def tidy(value: Decimal) -> Decimal:
    """Drop trailing zeros venues pad prices with ("70000.01000000"), never an exponent.

    Digits past MAX_PLACES are rounded off (a price is never that fine; the
    portfolio file would refuse them). Only for values ``check_value`` passed.
    """
    if not value.is_finite():
        return value
    if value.as_tuple().exponent < -MAX_PLACES:  # type: ignore[operator]
        value = value.quantize(Decimal(1).scaleb(-MAX_PLACES), rounding=ROUND_HALF_EVEN)
    return Decimal(fmt_decimal(value))


def check_value(value: Decimal) -> str | None:
    """Why ``value`` cannot be a price at all, or None.

    Never expands a huge or tiny number to show it: the order of magnitude is
    checked first and such values are named in scientific notation.
    """
    if not value.is_finite():
        return "not a finite number"
    if value <= 0:
        return f"{_shown(value)} is not a positive price"
    if value > MAX_MAGNITUDE:
        return f"{_shown(value)} is too large to be a price"
    if value < MIN_PRICE:
        return f"{_shown(value)} is too small to be a price"
    return None


def _shown(value: Decimal) -> str:
    """A number for a message: plain when short, scientific for extreme exponents."""
    if -20 <= value.adjusted() <= 15:
        return fmt_decimal(value)
    return f"{value:.3E}"


def check_jump(
    value: Decimal, reference: Decimal | None, factor: Decimal, what: str = "the last price"
) -> str | None:
    """Why ``value`` is too far from ``reference`` to believe, or None."""
    if reference is None or reference <= 0:
        return None
    ratio = value / reference if value >= reference else reference / value
    if ratio <= factor:
        return None
    direction = "above" if value > reference else "below"
    return (
        f"{fmt_decimal(value)} is {_times(ratio)} "
        f"{direction} {what} {fmt_price(reference)} (limit {_times(factor)})"
    )


def check_price(value: Decimal, last: Decimal | None, max_factor: Decimal) -> str | None:
    """Why ``value`` is not acceptable as a price, or None when it is."""
    return check_value(value) or check_jump(value, last, max_factor)


def fmt_price(value: Decimal) -> str:
    """Readable price: thousands separators, cents for large, all digits for small."""
    if abs(value) >= 1:
        return fmt_money(value, 2)
    return fmt_decimal(value)


def _times(ratio: Decimal) -> str:
    if ratio >= 100:
        return f"{fmt_money(ratio.quantize(Decimal(1)), 0)}×"
    return f"{ratio.quantize(Decimal('0.1'))}×".replace(".0×", "×")


@dataclass(frozen=True, slots=True)
class Validation:
    accepted: dict[str, Decimal] = field(default_factory=dict)
    rejected: dict[str, str] = field(default_factory=dict)  # symbol -> message
    #: Rejected only for the size of the move: the person may take these anyway.
    jumps: dict[str, Decimal] = field(default_factory=dict)


def validate_prices(
    venue: str,
    prices: Mapping[str, Decimal],
    last: Mapping[str, Decimal],
    max_factor: Decimal = DEFAULT_MAX_FACTOR,
    *,
    typed: Mapping[str, Decimal] | None = None,
    typed_factor: Decimal = DEFAULT_TYPED_FACTOR,
    check_jumps: bool = True,
) -> Validation:
    """Split a venue's prices into accepted ones and rejections with messages.

    ``last`` holds recent fetched prices; ``typed`` the prices the person
    typed, consulted only for symbols without a recent fetched price.
    """
    out = Validation()
    typed = typed or {}
    for symbol, value in prices.items():
        reason = check_value(value)
        jump: str | None = None
        if reason is None and check_jumps:
            if symbol in last:
                jump = check_jump(value, last[symbol], max_factor)
            elif symbol in typed:
                jump = check_jump(value, typed[symbol], typed_factor, "your typed price")
                if jump is not None:
                    jump += f"; {ACCEPT_HINT}"
        if reason is None and jump is None:
            out.accepted[symbol] = tidy(value)
            continue
        out.rejected[symbol] = f"{symbol}: {venue} price rejected, {reason or jump}"
        if reason is None:
            out.jumps[symbol] = tidy(value)
    return out
