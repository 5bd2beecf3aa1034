"""One reading of a share (ratio, rate, risk, rally) for the command line and the app.

``50%`` (or ``50 %``) is fifty per cent; a bare number is a fraction, so
``0.5`` is fifty per cent too. A bare number above what the option could
plausibly mean as a fraction (``--risk 1`` would risk all the equity,
``--ratio 50`` would hedge 50 times the exposure) is refused, and the message
shows both readings so the person can pick one. Every percent option reads
this way, in the CLI and in the GUI.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from hedger.core.decimals import DecimalParseError, fmt_decimal, parse_decimal

HUNDRED = Decimal(100)
Bare = Literal["fraction", "percent"]


class PercentError(DecimalParseError):
    """A share that cannot be read, or whose reading is ambiguous; the message is one line."""


def parse_share(
    text: str,
    *,
    what: str,
    low: Decimal = Decimal(0),
    high: Decimal = Decimal(1),
    low_inclusive: bool = True,
    high_inclusive: bool = True,
    bare_max: Decimal | None = None,
    bare_max_inclusive: bool = True,
    bare: Bare = "fraction",
) -> Decimal:
    """The fraction ``text`` stands for: ``"50%"`` and ``"0.5"`` are both ``Decimal("0.5")``.

    ``low``/``high``: the allowed range of the fraction. ``bare_max``: the largest
    bare number taken as a fraction (default ``high``); a bare number above it
    (or at it, with ``bare_max_inclusive`` False) is refused as ambiguous.
    ``bare="percent"`` reads a bare number as per cent instead (only for a
    field whose label already says "%"). Raises PercentError.
    """
    raw = text.strip()
    has_sign = raw.endswith("%")
    number = raw[:-1].rstrip() if has_sign else raw
    if not number:
        example = "50" if bare == "percent" else "50% or 0.5"
        raise PercentError(f"{what}: enter a percentage, e.g. {example}")
    value = parse_decimal(number, what=what)
    if has_sign or bare == "percent":
        share = value / HUNDRED
    else:
        share = value
        limit = high if bare_max is None else bare_max
        over = share > limit if bare_max_inclusive else share >= limit
        if over:
            raise PercentError(_ambiguous(what, number, value))
    _check_range(what, raw, share, low, high, low_inclusive, high_inclusive)
    return share if share else Decimal(0)


def _ambiguous(what: str, number: str, value: Decimal) -> str:
    as_fraction = fmt_decimal(value * HUNDRED)
    as_percent = fmt_decimal(value / HUNDRED)
    return (
        f"{what}: a bare {number} is read as a fraction, which would be {as_fraction} %; "
        f"write {number}% for {number} per cent (or {as_percent} as a fraction)"
    )


def _check_range(
    what: str,
    raw: str,
    share: Decimal,
    low: Decimal,
    high: Decimal,
    low_inclusive: bool,
    high_inclusive: bool,
) -> None:
    below = share < low if low_inclusive else share <= low
    above = share > high if high_inclusive else share >= high
    if below or above:
        lo = "at least" if low_inclusive else "above"
        hi = "at most" if high_inclusive else "below"
        raise PercentError(
            f"{what} must be {lo} {percent_text(low)} and {hi} {percent_text(high)}, got {raw}"
        )


def percent_text(share: Decimal, places: int | None = None) -> str:
    """``Decimal("0.5")`` -> ``"50%"``: the form the parser reads back unchanged."""
    return f"{fmt_decimal(share * HUNDRED, places)}%"
