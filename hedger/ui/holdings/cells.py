"""What a holdings cell shows that is read per paint: role numbers, cached texts and fonts.

The model reads these for every painted cell, so they are plain ints, tuples
and fonts made once rather than enum look-ups and fresh objects.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QFont

from hedger.core.decimals import fmt_decimal, fmt_money
from hedger.core.models import Holding
from hedger.ui.holdings.columns import Column, group_decimal

COLUMN_COUNT = len(Column)
HOLDING_TEXT_COLUMNS = frozenset((Column.SYMBOL, Column.QUANTITY, Column.PRICE, Column.VALUE))


@dataclass(frozen=True, slots=True)
class Fonts:
    bold: QFont
    italic: QFont


_FONTS: list[Fonts] = []


def fonts() -> Fonts:
    # Made once, after the application exists: a QFont per painted cell was
    # a fresh object (and a conversion) for every Symbol and automatic cell.
    if not _FONTS:
        bold, italic = QFont(), QFont()
        bold.setWeight(QFont.Weight.DemiBold)
        italic.setItalic(True)
        _FONTS.append(Fonts(bold, italic))
    return _FONTS[0]


def holding_texts(h: Holding) -> tuple[str | None, ...]:
    """Display texts of the columns that depend on the holding alone, by column."""
    texts: list[str | None] = [None] * COLUMN_COUNT
    texts[Column.SYMBOL] = h.symbol
    texts[Column.QUANTITY] = group_decimal(h.quantity)
    texts[Column.PRICE] = group_decimal(h.price, min_places=2)
    texts[Column.VALUE] = fmt_money(h.value)
    return tuple(texts)


@dataclass(frozen=True, slots=True)
class RowInfo:
    """A row's facts that depend on the plan (its underlying, problems), kept per row."""

    holding: Holding
    cash: bool
    underlying: str | None
    automatic: bool
    beta_assumed: bool
    problem: str | None


def edit_text(h: Holding, col: int) -> str | None:
    """The text an editor of the cell starts with (EditRole)."""
    if col == Column.SYMBOL:
        return h.symbol
    if col == Column.QUANTITY:
        return fmt_decimal(h.quantity)
    if col == Column.PRICE:
        return fmt_decimal(h.price)
    if col == Column.BETA:
        return "" if h.beta is None else fmt_decimal(h.beta)
    if col == Column.HEDGE_WITH:
        return h.hedge_with or ""
    return None
