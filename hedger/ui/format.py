"""Number formatting for the UI: money, percentages, prices, contract counts.

Display only: values stay Decimal until the last moment, and these helpers
never round anything that is computed with. Negative numbers use the
typographic minus (−) because it lines up with the plus sign and digits in
right-aligned columns; files and the CLI keep ASCII via hedger.core.decimals.
"""

from __future__ import annotations

import html
import math
from decimal import Decimal

from hedger.core.decimals import DecimalParseError, fmt_decimal, fmt_money, parse_decimal
from hedger.core.safe_text import escape_controls

MINUS = "\u2212"
DASH = "\u2014"
THIN = "\u2009"

Number = Decimal | int | float


def _minus(text: str) -> str:
    return MINUS + text[1:] if text.startswith("-") else text


def _as_decimal(value: Number) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    return Decimal(repr(value))


def money(value: Number, places: int = 0) -> str:
    """``35,000`` / ``−600`` / ``0.35`` with ``places`` decimals."""
    if isinstance(value, float) and not math.isfinite(value):
        return DASH
    return _minus(fmt_money(_as_decimal(value), places))


def usd(value: Number, places: int = 0) -> str:
    """``35,000 USD``."""
    return f"{money(value, places)} USD"


def signed_money(value: Number, places: int = 0) -> str:
    """``+5,900`` / ``−600`` / ``0``: for differences and P&L."""
    text = money(value, places)
    if text.startswith(MINUS) or _as_decimal(value).quantize(Decimal(1).scaleb(-places)) == 0:
        return text
    return "+" + text


def money_places(scale: Number) -> int:
    """Decimals worth showing for amounts of this size: cents only below 1,000."""
    return 0 if abs(_as_decimal(scale)) >= 1000 else 2


def pct(value: Number, places: int = 1) -> str:
    """A value already in percent: ``7.2 %``, ``−900 %``."""
    d = _as_decimal(value)
    q = d.quantize(Decimal(1).scaleb(-places))
    if q == 0:
        q = abs(q)
    text = f"{q:,.{places}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{_minus(text)} %"


def signed_pct(value: Number, places: int = 1) -> str:
    text = pct(value, places)
    return text if text.startswith((MINUS, "0 ")) else "+" + text


def ratio_pct(ratio: Decimal) -> str:
    """A hedge ratio (1 = 100 %) as the percent a person types: ``100``, ``37.5``."""
    return fmt_decimal(ratio * 100)


def price(value: Number) -> str:
    """Prices with decimals that suit their size: 70,000 / 3,500.25 / 0.4521.

    Above 1,000 cents show only when there are any (70,000 not 70,000.00).
    """
    d = _as_decimal(value)
    a = abs(d)
    if a >= 1000:
        return money(d, 0 if d == d.to_integral_value() else 2)
    if a >= 1:
        return money(d, 2)
    if a == 0:
        return "0"
    # Small coins: four significant digits.
    places = min(10, max(2, -a.adjusted() + 3))
    return _minus(fmt_decimal(d, places))


def grouped(value: Decimal) -> str:
    """Exact value with thousands separators, for editable fields: ``70,000.5``.

    Nothing is rounded, so reading the text back gives the same number.
    """
    text = f"{value:,f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def contracts(n: int) -> str:
    return f"{n:,}"


def leverage(value: Decimal) -> str:
    return f"{fmt_decimal(value)}x"


def compact_usd(value: float) -> str:
    """Axis labels: ``950``, ``12.5k``, ``350k``, ``1.2M``, ``−3B``."""
    if not math.isfinite(value):
        return ""
    sign = MINUS if value < 0 else ""
    a = abs(value)
    units = ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k"))
    for i, (limit, suffix) in enumerate(units):
        if a >= limit:
            if round(a / limit) >= 1000 and i > 0:
                limit, suffix = units[i - 1]  # 999,960 is 1M, not "1000k"
            scaled = a / limit
            text = f"{scaled:.1f}" if scaled < 100 else f"{scaled:.0f}"
            text = text.removesuffix(".0")
            return f"{sign}{text}{suffix}"
    if a >= 10 or a == 0:
        return f"{sign}{a:.0f}"
    text = f"{a:.2f}".rstrip("0").rstrip(".")
    return f"{sign}{text}" if text != "0" else "0"  # never "−0"


def compact(value: Number) -> str:
    """A number for a cell too narrow for it: ``250.0M``, ``100.0k``, ``2.5e-5``.

    Only where the full number cannot fit; the full value goes in the tooltip.
    """
    d = _as_decimal(value)
    sign = MINUS if d < 0 else ""
    a = abs(d)
    units = ((10**12, "T"), (10**9, "B"), (10**6, "M"), (10**3, "k"))
    for i, (limit, suffix) in enumerate(units):
        if a >= limit:
            text = f"{a / limit:.1f}"
            if Decimal(text) >= 1000 and i > 0:
                # 999,950 rounds to "1000.0k": that is 1.0M.
                limit, suffix = units[i - 1]
                text = f"{a / limit:.1f}"
            return f"{sign}{text}{suffix}"
    if 0 < a < Decimal("0.001"):
        mantissa = f"{a:.1e}".replace(".0e", "e")
        return f"{sign}{mantissa}"
    return _minus(price(d))


def parse_leverage(text: str, *, what: str = "leverage") -> Decimal:
    """``10``, ``10x``, ``10 X`` → Decimal."""
    cleaned = text.strip()
    if cleaned[-1:] in ("x", "X", "×"):
        cleaned = cleaned[:-1].rstrip()
    if not cleaned:
        raise DecimalParseError(f"{what}: enter a number, e.g. 10")
    return parse_decimal(cleaned, what=what)


def shown(text: str) -> str:
    """A name, source or note from a file or the network, safe for one line of a label or
    the window title: controls, line breaks and bidi overrides shown escaped (as the CLI does)."""
    return escape_controls(text)


def shown_lines(text: str) -> str:
    """A text composed line by line (a tooltip) with file-borne parts: ``shown``, newlines kept."""
    return escape_controls(text, keep_newlines=True)


def rich(text: str) -> str:
    """Plain text for a rich-text label: ``&``, ``<`` and ``>`` escaped, quotes as typed."""
    return html.escape(text, quote=False)
