"""Argument types shared by the commands: each parses one flag or fails with a clear reason.

A type raises ``argparse.ArgumentTypeError``; argparse turns it into
``argument --ratio: <reason>`` and the parser into one line on stderr.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from hedger.cli.output import clean

# Patterns, not compiled ones: ``re`` compiles (and caches) them on first use,
# so a command that takes no such argument does not pay for them at start-up.
_CONTRACT_ID = r"([A-Za-z0-9]+):([A-Za-z0-9._\-]+)"
_FAMILY_ID = r"[A-Za-z0-9][A-Za-z0-9._\-]*"
_DAYS = r"(?ia)^\s*(\d+)\s*([dwmy]?)\s*$"  # a: ASCII digits only, never "٣"
_UNIT_DAYS = {"": 1, "d": 1, "w": 7, "m": 30, "y": 365}


# --------------------------------------------------------------------------- numbers


def decimal_arg(text: str, what: str) -> Decimal:
    from hedger.core.decimals import DecimalParseError, parse_decimal

    try:
        return parse_decimal(text, what=what)
    except DecimalParseError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def positive_arg(what: str) -> Callable[[str], Decimal]:
    def parse(text: str) -> Decimal:
        value = decimal_arg(text, what)
        if value <= 0:
            raise argparse.ArgumentTypeError(f"{what} must be above 0, got {text.strip()}")
        return value

    return parse


def share_arg(
    what: str,
    *,
    low: Decimal = Decimal(0),
    high: Decimal = Decimal(1),
    low_inclusive: bool = True,
    high_inclusive: bool = True,
    bare_max: Decimal | None = None,
    bare_max_inclusive: bool = True,
) -> Callable[[str], Decimal]:
    """A share read the one way every percent option reads (``hedger.core.percent``):
    ``50%`` is fifty per cent, a bare number is a fraction (``0.5``), and a bare
    number that was probably meant as per cent is refused with both readings."""

    def parse(text: str) -> Decimal:
        from hedger.core.percent import parse_share

        try:
            return parse_share(
                text,
                what=what,
                low=low,
                high=high,
                low_inclusive=low_inclusive,
                high_inclusive=high_inclusive,
                bare_max=bare_max,
                bare_max_inclusive=bare_max_inclusive,
            )
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    return parse


def rate_arg(what: str) -> Callable[[str], Decimal]:
    """A rate below 100 %: ``0.1`` or ``10%``."""
    return share_arg(what, high=Decimal(1), high_inclusive=False)


def ratio_arg(text: str) -> Decimal:
    """The hedge ratio: ``0.5`` or ``50%``, at most 200 %."""
    from hedger.core.models import MAX_RATIO

    return share_arg("hedge ratio", high=MAX_RATIO)(text)


def rally_arg(text: str) -> Decimal:
    """The move the collateral plan must survive: ``30%`` or ``0.3``."""
    from hedger.core.models import MAX_RALLY

    return share_arg(
        "rally", low=Decimal(0), low_inclusive=False, high=MAX_RALLY, bare_max=Decimal(1)
    )(text)


def leverage_arg(text: str) -> Decimal:
    from hedger.core.models import MAX_LEVERAGE

    value = decimal_arg(text, "leverage")
    if not 0 < value <= MAX_LEVERAGE:
        raise argparse.ArgumentTypeError(
            f"leverage must be above 0 and at most {MAX_LEVERAGE}, got {text.strip()}"
        )
    return value


def money_arg(text: str) -> Decimal:
    value = decimal_arg(text, "value")
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be above 0, got {text.strip()}")
    return value


def risk_arg(text: str) -> Decimal:
    """A share of equity to risk per trade: ``1%`` or ``0.01``; a bare ``1`` (all the
    equity) is refused as ambiguous."""
    return share_arg(
        "risk",
        low=Decimal(0),
        low_inclusive=False,
        high=Decimal(1),
        bare_max=Decimal(1),
        bare_max_inclusive=False,
    )(text)


def int_arg(text: str) -> int:
    digits = text.strip().replace("_", "").replace(",", "")
    try:
        if not (digits.isascii() and digits.lstrip("+-").isdigit()):
            raise ValueError(text)  # int() would read "٣" as 3
        value = int(digits)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must not be negative, got {text}")
    return value


def seed_arg(text: str) -> int:
    from hedger.core.analytics.risk import MAX_SEED

    value = int_arg(text)
    if value > MAX_SEED:
        raise argparse.ArgumentTypeError(f"seed must be at most {MAX_SEED} (2^63-1), got {text}")
    return value


# --------------------------------------------------------------------------- files and ids


def file_arg(text: str) -> Path:
    # Path("") is ".", the current folder: "is a folder" would puzzle.
    if not text.strip():
        raise argparse.ArgumentTypeError("empty path; give the path of a portfolio file")
    return Path(text)


def symbol_arg(text: str) -> str:
    from hedger.core.models import normalise_symbol

    try:
        return normalise_symbol(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def contract_id_arg(text: str) -> str:
    m = re.fullmatch(_CONTRACT_ID, text.strip())
    if m is None or len(text.strip()) > 60:
        raise argparse.ArgumentTypeError(
            f"contract id must be VENUE:SYMBOL (letters, digits, '.', '_', '-'), "
            f"e.g. MYBROKER:SOL-1, got {clean(text)[:40]!r}"
        )
    return f"{m.group(1).upper()}:{m.group(2)}"


def family_id_arg(text: str) -> str:
    fid = text.strip().upper()
    if not re.fullmatch(_FAMILY_ID, fid) or len(fid) > 60:
        raise argparse.ArgumentTypeError(
            f"family id must be letters, digits, '.', '_' or '-', e.g. MY-SOL, "
            f"got {clean(text)[:40]!r}"
        )
    return fid


def id_list_arg(text: str) -> list[str]:
    ids = [contract_id_arg(part) for part in text.split(",") if part.strip()]
    if not ids:
        raise argparse.ArgumentTypeError("give at least one contract id, e.g. CME:MBT")
    return ids


# --------------------------------------------------------------------------- UNDERLYING=VALUE


def _underlying_and(text: str, example: str) -> tuple[str, str]:
    left, sep, right = text.partition("=")
    if not sep or not left.strip() or not right.strip():
        raise argparse.ArgumentTypeError(f"expected UNDERLYING=VALUE like {example}, got {text!r}")
    return symbol_arg(left), right.strip()


def family_pair_arg(text: str) -> tuple[str, str]:
    """``BTC=CME-BTC``: an underlying and the family that hedges it."""
    underlying, family = _underlying_and(text, "BTC=CME-BTC")
    return underlying, family.upper()


def price_pair_arg(text: str) -> tuple[str, Decimal | None]:
    """``BTC=70000``: an underlying and its futures price; ``BTC=spot`` drops a typed
    futures price so the plan uses spot."""
    underlying, raw = _underlying_and(text, "BTC=70000")
    if raw.lower() == "spot":
        return underlying, None
    price = decimal_arg(raw, f"price of {underlying}")
    if price <= 0:
        raise argparse.ArgumentTypeError(f"price of {underlying} must be above 0, got {raw}")
    return underlying, price


def usd_pair_arg(what: str, example: str) -> Callable[[str], tuple[str, Decimal]]:
    """``BTC=1500USD`` (``USD`` optional): an underlying and a dollar amount."""

    def parse(text: str) -> tuple[str, Decimal]:
        underlying, raw = _underlying_and(text, example)
        number = raw[:-3].strip() if raw.upper().endswith("USD") else raw
        value = decimal_arg(number, f"{what} of {underlying}")
        if value < 0:
            raise argparse.ArgumentTypeError(f"{what} of {underlying} must not be negative")
        return underlying, value

    return parse


def series_pair_arg(text: str) -> tuple[str, str]:
    """``BTC=BTC-PERP``: the history standing for an underlying's futures."""
    left, sep, right = text.partition("=")
    if not sep:
        raise argparse.ArgumentTypeError(f"expected UNDERLYING=SYMBOL like BTC=BTC-PERP: {text!r}")
    return symbol_arg(left), symbol_arg(right)


# --------------------------------------------------------------------------- days and dates


def parse_days(text: str) -> int:
    """``90``, ``90d``, ``2w``, ``3m`` (30-day months), ``1y`` -> days."""
    m = re.match(_DAYS, text)
    if not m:
        raise ValueError(f"expected days like 90, 2w, 3m or 1y, got {text!r}")
    return int(m.group(1)) * _UNIT_DAYS[m.group(2).lower()]


def window_arg(text: str) -> int | None:
    """Days of history to use; ``all`` is None."""
    if text.strip().lower() == "all":
        return None
    try:
        days = parse_days(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    if days < 1:
        raise argparse.ArgumentTypeError("the window must be at least 1 day")
    if days > MAX_WINDOW_DAYS:
        # Past this a date computed from it overflows; no history is that long anyway.
        raise argparse.ArgumentTypeError("the window must be at most 100 years (or 'all')")
    return days


MAX_WINDOW_DAYS = 36_500


MAX_SPAN_DAYS = 3650


def days_arg(text: str) -> int:
    """A span of 1 day to 10 years: ``90``, ``2w``, ``6m``, ``2y`` (carry horizon, funding)."""
    try:
        days = parse_days(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    if not 1 <= days <= MAX_SPAN_DAYS:
        raise argparse.ArgumentTypeError(f"days must be 1 to {MAX_SPAN_DAYS}, got {text}")
    return days


def horizon_arg(text: str) -> int:
    try:
        days = parse_days(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    if not 1 <= days <= 92:
        raise argparse.ArgumentTypeError(f"horizon must be 1 day to 3 months, got {text}")
    return days


def parse_date_ns(text: str, *, end_of_day: bool = False) -> int:
    """``YYYY-MM-DD`` (or an ISO time) -> ns UTC; a date as end bound covers the whole day."""
    from datetime import UTC, datetime

    raw = text.strip()
    try:
        dt = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"expected a date like 2024-01-31, got {text!r}") from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    ns = int(dt.timestamp()) * 1_000_000_000 + dt.microsecond * 1000
    if end_of_day and len(raw) <= 10:
        ns += 86_400 * 1_000_000_000 - 1
    return ns


def date_arg(text: str) -> str:
    try:
        parse_date_ns(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text
