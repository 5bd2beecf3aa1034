"""Strict Decimal parsing shared by files, the CLI and the editor.

Counts, money and quantities never pass through binary floats: a float like
0.29 is really 0.28999..., and floor(0.29 / 0.01) would give 28 contracts.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation, localcontext

# Beyond this nothing in a portfolio makes sense (a quadrillion coins or USD),
# and huge exponents would make Decimal arithmetic slow or overflow.
MAX_MAGNITUDE = Decimal("1e15")
# Finer than this is noise for any price, quantity or rate. It is refused,
# not rounded (rounding would change the user's number without a word), and
# it keeps "1e-999999" out of arithmetic, where it would overflow.
MAX_PLACES = 20

# ASCII digits only (re.ASCII): "\d" alone also matches "٣" (Arabic-Indic three),
# which Decimal() then reads as 3 - a number nobody typed on purpose.
# At most 15 integer digits: always below MAX_MAGNITUDE, so no range check.
_PLAIN = re.compile(r"-?\d{1,15}(\.\d{1,20})?\Z", re.ASCII)
_ZERO = Decimal(0)
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$", re.ASCII)
_GROUPED = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?", re.ASCII)
# "1,555" is 1555 to an English reader and 1.555 to a German one.
_ONE_GROUP = re.compile(r"[+-]?\d{1,3},\d{3}", re.ASCII)


class DecimalParseError(ValueError):
    """A text that is not an acceptable plain decimal number."""


def parse_decimal(text: object, *, what: str = "value", thousands_commas: bool = False) -> Decimal:
    """Parse a plain decimal number written by a person or a file.

    Accepts ``1234.5``, ``-0.01``, ``1,234.5``, ``1,234,567`` and ``1_000``
    grouping, a leading ``$`` and surrounding spaces. Refuses exponents, NaN,
    infinities, locale decimal commas, more than ``MAX_PLACES`` decimals and
    magnitudes above ``MAX_MAGNITUDE``.

    A lone comma group such as ``1,555`` is refused as ambiguous unless
    ``thousands_commas`` says the surrounding text settles it (a pasted table
    whose other numbers use a dot for decimals).
    """
    if type(text) is str and _PLAIN.match(text):
        # Fast path: files hold plain "123.45" strings; skip the clean-up.
        value = Decimal(text)
        return value if value else _ZERO  # "-0" and "0.00" become 0
    if isinstance(text, bool):
        raise DecimalParseError(f"{what}: expected a number, got {text!r}")
    if isinstance(text, Decimal):
        value = text
    elif isinstance(text, int):
        value = Decimal(text)
    elif isinstance(text, float):
        # JSON numbers may arrive as floats from other tools; repr is the
        # shortest round-trip form, so 0.29 stays 0.29.
        value = _from_string(repr(text), what)
    elif isinstance(text, str):
        value = _from_string(text, what, thousands_commas)
    else:
        raise DecimalParseError(f"{what}: expected a number, got {type(text).__name__}")
    return check_finite(value, what=what)


def _from_string(raw: str, what: str, thousands_commas: bool = False) -> Decimal:
    cleaned = raw.strip().replace("_", "").replace(" ", "").replace("\u00a0", "")
    if cleaned.startswith("$"):
        cleaned = cleaned[1:]
    elif cleaned.startswith(("-$", "+$")):
        cleaned = cleaned[0] + cleaned[2:]
    if "," in cleaned:
        if not _GROUPED.fullmatch(cleaned):
            shown = raw.strip()[:40]
            raise DecimalParseError(
                f"{what}: {shown!r} is not a number (use a dot for decimals, e.g. 1234.56)"
            )
        if not thousands_commas and _ONE_GROUP.fullmatch(cleaned):
            shown = raw.strip()[:40]
            whole = cleaned.replace(",", "")
            decimal = cleaned.replace(",", ".")
            raise DecimalParseError(
                f"{what}: {shown!r} is ambiguous: write {whole} if the comma groups "
                f"thousands, or {decimal} if it is a decimal comma"
            )
        cleaned = cleaned.replace(",", "")
    if not cleaned:
        raise DecimalParseError(f"{what}: empty")
    if not _NUMBER.match(cleaned):
        shown = raw.strip()[:40]
        raise DecimalParseError(f"{what}: {shown!r} is not a plain decimal number")
    try:
        return Decimal(cleaned)
    except InvalidOperation as exc:  # pragma: no cover - regex guards this
        raise DecimalParseError(f"{what}: {raw[:40]!r} is not a number") from exc


def check_finite(value: Decimal, *, what: str = "value") -> Decimal:
    if not value.is_finite():
        raise DecimalParseError(f"{what}: must be a finite number")
    # Comparisons only: abs() or arithmetic on "1e999999999" would raise
    # decimal.Overflow, which is not a ValueError and would escape validation.
    if not -MAX_MAGNITUDE <= value <= MAX_MAGNITUDE:
        raise DecimalParseError(f"{what}: {value} is too large (limit {MAX_MAGNITUDE:,.0f})")
    # Normalise -0 to 0 so it prints cleanly.
    if value == 0:
        return Decimal(0)
    _sign, digits, exponent = value.as_tuple()
    if isinstance(exponent, int) and exponent < -MAX_PLACES:
        # Trailing zeros ("0.50000...0") carry no precision; anything else
        # finer than MAX_PLACES would be silently changed by rounding.
        places = -exponent
        for d in reversed(digits):
            if d or places <= MAX_PLACES:
                break
            places -= 1
        if places > MAX_PLACES:
            shown = format(value, "f") if places <= 30 else str(value)[:40]
            raise DecimalParseError(
                f"{what}: {shown} has {places:,} decimal places (at most {MAX_PLACES})"
            )
    return value


def fmt_decimal(value: Decimal, places: int | None = None) -> str:
    """Plain string form for files and JSON: no exponent, no trailing zeros."""
    if places is None:
        # Fast path for the common case (saving 30,000 numbers): str() is
        # already plain when it has no exponent and nothing to strip.
        text = str(value)
        if "E" not in text and (text[-1] != "0" or "." not in text) and text != "-0":
            return text
    else:
        value = _quantize(value, places)
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text in ("-0", ""):
        text = "0"
    return text


def fmt_money(value: Decimal, places: int = 2) -> str:
    """Human form with thousands separators: 1,234.50."""
    q = _quantize(value, places)
    if q == 0:
        q = abs(q)
    return f"{q:,.{places}f}"


def _quantize(value: Decimal, places: int) -> Decimal:
    """Round to ``places`` decimals even when that needs more than 28 digits.

    A plan multiplies quantities and prices up to ``MAX_MAGNITUDE`` each, so a
    value can have 30+ integer digits; quantize under the default context
    would raise InvalidOperation instead of printing it.
    """
    if not value.is_finite():
        return value
    with localcontext() as ctx:
        ctx.prec = max(ctx.prec, value.adjusted() + places + 2, 1)
        return value.quantize(Decimal(1).scaleb(-places))
