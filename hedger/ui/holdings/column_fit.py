"""Holdings columns as wide as their content, in the table's own number formats.

Each column gets the width of its widest text (a price of 100,000.00, a
quantity of 250,000,000, a share of 100.0 %). Only a few candidate rows are
formatted and measured: the longest numbers, found without formatting, so a
book of 10,000 holdings is not re-measured on every edit. When the panel is too
narrow for every full width, Quantity, Price and Value give way first: the
delegate then shows their compact form (250.0M, 2e-5), the tooltip the full one.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal

from PySide6.QtCore import QModelIndex, QObject, QTimer
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QStyle, QTableView

from hedger.core.decimals import fmt_money
from hedger.core.models import Holding
from hedger.ui import format as fmt
from hedger.ui.holdings.columns import Column, group_decimal
from hedger.ui.holdings.model import HoldingsTableModel

# What a cell takes beside its text: the item padding (8 px a side) and the
# style's text margins; a column gets a little air on top of it.
TEXT_MARGIN = 22
CELL_PAD = TEXT_MARGIN + 2
# Columns that have a compact form, in the order they give way.
SHRINKABLE = (Column.QUANTITY, Column.PRICE, Column.VALUE)
FITTED = (Column.SYMBOL, *SHRINKABLE, Column.SHARE, Column.BETA)
CANDIDATES = 4  # rows measured per column
# The widest compact forms (a compact cell is never wider than these).
COMPACT_WIDEST = ("\u2212888.8M", "8.8e-10", "0.1234")


def _longest(values: Iterable[Decimal], key: Callable[[Decimal], object]) -> list[Decimal]:
    return heapq.nlargest(CANDIDATES, values, key=key)  # type: ignore[arg-type]


def cell_texts(holdings: Sequence[Holding], column: int) -> list[str]:
    """The texts most likely to be the widest of a column (as the model shows them)."""
    if column == Column.SYMBOL:
        return [h.symbol for h in heapq.nlargest(CANDIDATES, holdings, key=lambda h: len(h.symbol))]
    if column == Column.QUANTITY:
        values = _longest((h.quantity for h in holdings), lambda d: len(str(d)))
        return [group_decimal(d) for d in values]
    if column == Column.PRICE:
        values = _longest((h.price for h in holdings), lambda d: len(str(d)))
        return [group_decimal(d, min_places=2) for d in values]
    if column == Column.VALUE:
        values = _longest((h.value for h in holdings), lambda d: (abs(d), d < 0))
        values += _longest((h.value for h in holdings), lambda d: -d)[:1]  # the most negative
        return [fmt_money(d) for d in values]
    if column == Column.SHARE:
        return ["100.0 %", "cash"]
    if column == Column.BETA:
        betas = _longest((h.beta for h in holdings if h.beta is not None), lambda d: len(str(d)))
        return ["1", *(group_decimal(b) for b in betas)]
    return []


def compact_text(holding: Holding, column: int) -> str | None:
    """The short form of a numeric cell, for a column too narrow for the full one."""
    if column == Column.QUANTITY:
        return fmt.compact(holding.quantity)
    if column == Column.PRICE:
        return fmt.compact(holding.price)
    if column == Column.VALUE:
        return fmt.compact(holding.value)
    return None


class ColumnFit(QObject):
    """Keeps the holdings view's column widths fitted to their content and its width.

    The view calls ``apply`` when it is resized (HoldingsView.resizeEvent).
    """

    def __init__(
        self,
        view: QTableView,
        model: HoldingsTableModel,
        header_widths: dict[int, int],
        short_tag: int = 0,
    ) -> None:
        super().__init__(view)
        self._view = view
        self._model = model
        self._header = header_widths  # what each title (and its sort arrow) needs
        self.short_tag = short_tag  # the width of a negative quantity's "short" mark
        self._natural: dict[int, int] = dict(header_widths)
        self._compact: dict[int, int] = {}
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.measure)
        model.modelReset.connect(self._timer.start)
        model.rowsInserted.connect(self._timer.start)
        model.rowsRemoved.connect(self._timer.start)
        model.dataChanged.connect(self._on_data_changed)
        self.measure()

    # -- measuring ---------------------------------------------------------------
    def _width(self, texts: Iterable[str], bold: bool = False) -> int:
        font = QFont(self._view.font())
        if bold:
            font.setWeight(QFont.Weight.DemiBold)
        fm = QFontMetrics(font)
        return max((fm.horizontalAdvance(t) for t in texts), default=0) + CELL_PAD

    def measure(self, rows: Sequence[Holding] | None = None) -> None:
        """Widths from all the holdings, or widened for ``rows`` (an edited one)."""
        holdings = self._model.document.portfolio.holdings if rows is None else rows
        before = dict(self._natural)
        for col in FITTED:
            texts = cell_texts(holdings, col)
            natural = max(self._header[col], self._width(texts, bold=col == Column.SYMBOL))
            if col == Column.QUANTITY and any(h.quantity < 0 for h in holdings):
                natural += self.short_tag  # the "short" mark beside the number
            self._natural[col] = natural if rows is None else max(natural, before[col])
            if col in SHRINKABLE:
                compact = max(self._header[col], self._width(COMPACT_WIDEST))
                self._compact[col] = min(self._natural[col], compact)
        if rows is None or self._natural != before:
            self.apply()

    def _on_data_changed(self, top: QModelIndex, bottom: QModelIndex, *_args: object) -> None:
        # One row edited may widen its columns (they narrow again on the next
        # full pass); plan-wide repaints (every row's share) change no widths.
        if top.row() == bottom.row() and 0 <= top.row() < self._model.rowCount():
            self.measure([self._model.holding(top.row())])

    # -- applying ----------------------------------------------------------------
    def _viewport_width(self) -> int:
        # From the view's own geometry: asking for viewport() before the first
        # paint makes PySide load every widget type's enums (~40 ms of start-up).
        view = self._view
        width = view.contentsRect().width()
        rows = self._model.rowCount() * view.verticalHeader().defaultSectionSize()
        if rows > view.contentsRect().height() - view.horizontalHeader().height():
            width -= view.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
        return width

    def natural_total(self) -> int:
        return sum(self._natural[c] for c in FITTED)

    def apply(self) -> None:
        """Full widths when they fit the view; else Quantity, Price, Value shrink first."""
        view = self._view
        last = view.model().columnCount() - 1 if view.model() is not None else Column.HEDGE_WITH
        room = self._viewport_width() - self._header.get(Column.HEDGE_WITH, 80)
        widths = {c: self._natural[c] for c in FITTED}
        excess = sum(widths.values()) - room
        for col in SHRINKABLE:
            if excess <= 0:
                break
            give = min(excess, widths[col] - self._compact.get(col, widths[col]))
            widths[col] -= give
            excess -= give
        for col, width in widths.items():
            if col != last and view.columnWidth(col) != width:
                view.setColumnWidth(col, width)
