"""Columns of the holdings table: titles, tips, roles, cell texts and refusal reasons.

Shared by the model, its sort proxy, the cell editors and the view.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from enum import IntEnum

from PySide6.QtCore import (
    Qt,
)

from hedger.core.decimals import fmt_decimal


class Column(IntEnum):
    SYMBOL = 0
    QUANTITY = 1
    PRICE = 2
    VALUE = 3
    SHARE = 4
    BETA = 5
    HEDGE_WITH = 6


COLUMN_FIELDS: dict[int, str] = {
    Column.SYMBOL: "symbol",
    Column.QUANTITY: "quantity",
    Column.PRICE: "price",
    Column.BETA: "beta",
    Column.HEDGE_WITH: "hedge_with",
}


FIELD_COLUMNS: dict[str, int] = {f: c for c, f in COLUMN_FIELDS.items()}


HEADERS: dict[int, str] = {
    Column.SYMBOL: "Symbol",
    Column.QUANTITY: "Quantity",
    Column.PRICE: "Price",
    Column.VALUE: "Value (USD)",
    Column.SHARE: "Share",
    Column.BETA: "Beta",
    Column.HEDGE_WITH: "Hedge With",
}


HEADER_TIPS: dict[int, str] = {
    Column.SYMBOL: "Coin or token symbol, e.g. BTC",
    Column.QUANTITY: "How many coins you hold; negative for a short spot position",
    Column.PRICE: "Spot price of one coin in USD",
    Column.VALUE: "Quantity × price in USD",
    Column.SHARE: "Share of the portfolio's total value",
    Column.BETA: (
        "How far the coin moves for a 1 % move of the futures underlying.\n"
        "Empty means 1: exact for the coin itself, an assumption for a cross-hedge.\n"
        "A small blue number under it is the beta estimated from stored price history\n"
        "(hover the cell for details, right-click to apply it)."
    ),
    Column.HEDGE_WITH: (
        "Underlying whose futures hedge this holding.\n"
        "Empty means automatic: the coin's own futures, else BTC."
    ),
}


NUMERIC_COLUMNS = frozenset(
    {Column.QUANTITY, Column.PRICE, Column.VALUE, Column.SHARE, Column.BETA}
)


# Columns whose text depends on other rows or on the hedge settings. Value
# is not among them: it changes only with its own row (holdingChanged), and
# leaving it out spares a sorted proxy a full re-sort on every edit.
DERIVED_COLUMNS = (Column.SHARE, Column.BETA, Column.HEDGE_WITH)


# Columns whose sort key depends on the row's own holding only: an edit
# updates one key instead of re-reading the whole (maybe 10,000-row) column.
HOLDING_KEY_COLUMNS = frozenset(
    (Column.SYMBOL, Column.QUANTITY, Column.PRICE, Column.VALUE, Column.BETA)
)


SORT_ROLE = int(Qt.ItemDataRole.UserRole) + 1


HOLDING_ROLE = int(Qt.ItemDataRole.UserRole) + 2


# Beta column: "est 1.38" when an estimate from history differs from the beta in use.
BETA_HINT_ROLE = int(Qt.ItemDataRole.UserRole) + 3


def group_decimal(value: Decimal, min_places: int = 0) -> str:
    """Full precision with thousands separators: 5,000 / 0.00012345 / 70,000.00.

    Unlike fmt_money this never rounds: a quantity shows every digit typed.
    """
    text = fmt_decimal(value)
    sign = "-" if text.startswith("-") else ""
    whole, _, frac = text.lstrip("-").partition(".")
    frac = frac.ljust(min_places, "0")
    return f"{sign}{int(whole):,}" + (f".{frac}" if frac else "")


def share_text(share: Decimal) -> str:
    if 0 < share < Decimal("0.1"):
        return "<0.1 %"
    return f"{share:.1f} %"


EMPTY_REASONS = {
    "symbol": "a holding needs a symbol, e.g. BTC",
    "quantity": "enter a number (0 if you hold none)",
    "price": "enter a price above 0",
}


_PYDANTIC_PHRASES = (
    (re.compile(r"^Input should be less than or equal to "), "must be at most "),
    (re.compile(r"^Input should be greater than or equal to "), "must be at least "),
    (re.compile(r"^Input should be less than "), "must be less than "),
    (re.compile(r"^Input should be greater than "), "must be greater than "),
    (re.compile(r"Decimal\('([^']*)'\)"), r"\1"),
    (re.compile(r"is not a plain decimal number"), "is not a number"),
)


def clean_reason(field: str, message: str, text: str = "") -> str:
    """Turn a document/parser message into the reason part of a cell refusal.

    The column already names the field, so 'price: 'abc' is not…' becomes
    ''abc' is not a number'.
    """
    prefixes = [f"{field}: ", f"{field} ", f"{field.replace('_', ' ')} "]
    if field == "hedge_with":
        prefixes += ["symbol ", "Symbol "]
    for prefix in prefixes:
        if message.lower().startswith(prefix.lower()):
            message = message[len(prefix) :]
            break
    if message in ("empty", "cannot be empty"):
        return EMPTY_REASONS.get(field, "cannot be empty")
    for pattern, replacement in _PYDANTIC_PHRASES:
        message = pattern.sub(replacement, message)
    if re.search(r"\d[eE][+-]?\d", text) and "not a number" in message:
        message += " (write 1000, not 1e3)"
    return message


@dataclass(frozen=True, slots=True)
class BetaEstimate:
    """A beta estimated from price history, as the editor offers it."""

    beta: Decimal  # rounded the way the Betas tab applies it (2 places, within limits)
    observations: int
    interval: str  # "daily", "hourly", "weekly"
    hedge_series: str  # the history the holding was regressed on
    effectiveness: float  # ρ², share of variance a hedge at this beta removes

    def describe(self) -> str:
        return (
            f"estimated {fmt_decimal(self.beta)} from {self.observations:,} {self.interval} "
            f"returns vs {self.hedge_series} (ρ² {self.effectiveness:.2f})"
        )


EstimateKey = tuple[str, str]  # (holding symbol, underlying it is hedged with)
