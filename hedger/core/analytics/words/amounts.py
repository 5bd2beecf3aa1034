"""Numbers as a reader takes them in: rounded amounts, shares, "1 in 9", spans of time.

The sentences round: a simulated loss of 6,027.31 USD reads "6,030 USD" (three
significant figures, whole dollars), and the exact figure stays in the table
below the sentence.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

from hedger.core.analytics.series import NS_PER_DAY

MINUS = "\u2212"
DAYS_PER_YEAR = 365.25
DAYS_PER_MONTH = DAYS_PER_YEAR / 12
_NUMBER_WORDS = (
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
)


def rounded(value: float, figures: int = 3) -> float:
    """``value`` to ``figures`` significant figures and whole units: 4,213 -> 4,210, 45.3 -> 45."""
    if not math.isfinite(value) or value == 0:
        return value
    digits = figures - 1 - math.floor(math.log10(abs(value)))
    out = float(round(value, min(digits, 0)))
    return 0.0 if out == 0 else out


def amount(value: float, signed: bool = False) -> str:
    """A rounded amount with thousands separators; ``signed`` shows + or − (a true minus)."""
    if not math.isfinite(value):
        return "—"
    r = rounded(value)
    text = f"{abs(r):,.0f}"
    if r < 0:
        return MINUS + text
    return f"+{text}" if signed and r > 0 else text


def usd(value: float, signed: bool = False) -> str:
    """``amount`` in USD: "4,210 USD", "−907 USD"."""
    return f"{amount(value, signed)} USD"


def exact_usd(value: Decimal) -> str:
    """A Decimal amount as typed or computed: whole dollars from 100 up, cents below."""
    places = Decimal(1) if abs(value) >= 100 else Decimal("0.01")
    q = value.quantize(places, ROUND_HALF_UP)
    text = f"{abs(q):,}"
    return f"{MINUS if q < 0 else ''}{text} USD"


def price(value: Decimal) -> str:
    """A price as the user typed it, grouped: 68,600 or 0.4512."""
    text = f"{value.normalize():,f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def percent(share: float) -> str:
    """A share as a whole percentage: 0.594 -> "59 %"; tiny but present shares say so."""
    if not math.isfinite(share):
        return "—"
    if 0 < share < 0.005:
        return "under 1 %"
    return f"{share * 100:.0f} %"


def one_in(share: float) -> str:
    """A probability read as odds: 0.116 -> "1 in 9", 0.5 -> "1 in 2"."""
    if share <= 0:
        return "never"
    if share > 0.5:
        return "more often than not"
    return f"1 in {round(1 / share):,}"


def listing(items: Sequence[str]) -> str:
    """ "A", "A and B", "A, B and C"."""
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return f"{', '.join(items[:-1])} and {items[-1]}"


def number_word(n: int) -> str:
    """One to twelve in words, larger numbers in digits."""
    return _NUMBER_WORDS[n] if 0 <= n < len(_NUMBER_WORDS) else f"{n:,}"


def plural(n: int, one: str, many: str | None = None) -> str:
    """ "1 time", "3 times"."""
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def span(ns: int) -> str:
    """A stretch of time in round words: "2 years", "18 months", "5 weeks", "12 days"."""
    days = ns / NS_PER_DAY
    if days >= 1.75 * DAYS_PER_YEAR:
        return plural(round(days / DAYS_PER_YEAR), "year")
    if days >= 330 and days < 1.25 * DAYS_PER_YEAR:
        return "1 year"
    if days >= 56:
        return plural(round(days / DAYS_PER_MONTH), "month")
    if days >= 14:
        return plural(round(days / 7), "week")
    if days >= 1:
        return plural(round(days), "day")
    return "less than a day"


def period_names(days: int) -> tuple[str, str]:
    """A horizon of ``days`` as a period: ("week", "weeks"), ("three-month stretch", ...)."""
    if days == 1:
        return "day", "days"
    if days == 7:
        return "week", "weeks"
    if days in (30, 31):
        return "month", "months"
    if days % 7 == 0:
        unit = f"{number_word(days // 7)}-week stretch"
    elif days % 30 == 0:
        unit = f"{number_word(days // 30)}-month stretch"
    else:
        unit = f"{days}-day stretch"
    return unit, unit + "es"
