"""The options table sized to its content: columns as wide as their widest cell, all rows shown."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QHeaderView, QStyle

from hedger.ui.hedge.options_delegates import OptionBadgeDelegate, PaddedDelegate
from hedger.ui.hedge.options_model import (
    COL_CONTRACTS,
    COL_OPTION,
    MONEY_COLUMNS,
    SHORT_AMOUNTS,
    SHORT_LABELS,
)

# Air beside a header's title (its margins come from the style).
HEADER_ROOM = 8
# The columns whose cells a level shortens (titles shorten at SHORT_TITLES).
LEVEL_COLUMNS = {SHORT_LABELS: (COL_OPTION, COL_CONTRACTS), SHORT_AMOUNTS: tuple(MONEY_COLUMNS)}

if TYPE_CHECKING:
    from PySide6.QtWidgets import QTableView

    from hedger.core.planner import HedgeOption
    from hedger.ui.hedge.options_model import HedgeOptionsModel


class OptionsTableFit:
    """Column widths and table height of the hedge panel's options table."""

    model: HedgeOptionsModel
    table: QTableView
    _header_widths: list[int]
    _text_widths: dict[tuple[str, bool], int]

    def _fit_columns(self) -> None:
        """Each column as wide as its widest cell; shorter texts when the table is narrow.

        The shortest level of texts that fits the table's width is used (full
        labels, then short labels, titles and amounts), so numbers are never cut;
        what still does not fit scrolls sideways. The Option column takes what is left.
        """
        m = self.model
        header = self.table.horizontalHeader()
        if not self._header_widths:
            self._text_widths.clear()
            self._header_widths = [0] * m.columnCount()  # marks the cache as filled
        rows = [(o, m.is_recommended(r)) for r in range(m.rowCount()) if (o := m.option_at(r))]
        # The frame's inside (no vertical scrollbar): viewport() before the first
        # paint would make PySide load every widget type's enums.
        room = self.table.contentsRect().width()
        widths: list[int] = []
        cells: dict[int, int] = {}
        for level in range(SHORT_AMOUNTS + 1):
            # A level shortens a few columns' cells (and the titles): the other
            # cells keep the width measured at the level before.
            for col in range(m.columnCount()):
                if col not in cells or col in LEVEL_COLUMNS.get(level, ()):
                    cells[col] = self._cells_width(col, level, rows)
            widths = [
                max(self._header_width(m.header_text(col, level)), cells[col])
                for col in range(m.columnCount())
            ]
            if sum(widths) <= room:
                break
        m.set_level(level)
        stretch = sum(widths) <= room
        mode = QHeaderView.ResizeMode.Stretch if stretch else QHeaderView.ResizeMode.Fixed
        if header.sectionResizeMode(COL_OPTION) != mode:
            header.setSectionResizeMode(COL_OPTION, mode)
        for col, width in enumerate(widths):
            if (col != COL_OPTION or not stretch) and header.sectionSize(col) != width:
                header.resizeSection(col, width)

    def _cells_width(self, col: int, level: int, rows: list[tuple[HedgeOption, bool]]) -> int:
        m = self.model
        width = 0
        for option, bold in rows:
            text = m.display(option, col, level)
            extra = 0
            if col == COL_OPTION and bold:
                # The star at least; "★ Recommended" when the column has the room.
                extra = OptionBadgeDelegate.badge_room(self.table.font(), True)
            width = max(width, self._text_width(text, bold) + extra)
        return width

    def _header_width(self, text: str) -> int:
        key = (text, "header")
        width = self._text_widths.get(key)  # type: ignore[call-overload]
        if width is None:
            header = self.table.horizontalHeader()
            margin = header.style().pixelMetric(QStyle.PixelMetric.PM_HeaderMargin)
            width = QFontMetrics(header.font()).horizontalAdvance(text) + 2 * margin + HEADER_ROOM
            self._text_widths[key] = width  # type: ignore[index]
        return width

    def _text_width(self, text: str, bold: bool) -> int:
        """Width of a cell's text with its padding; cached (typing repeats most cells)."""
        key = (text, bold)
        width = self._text_widths.get(key)
        if width is None:
            if len(self._text_widths) > 2000:
                self._text_widths.clear()
            font = QFont(self.table.font())
            font.setBold(bold)
            pad = (
                2 * PaddedDelegate.PAD
                + 2 * self.table.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin)
                + 6
            )
            width = self._text_widths[key] = QFontMetrics(font).horizontalAdvance(text) + pad
        return width

    def _fit_table_height(self) -> None:
        # Every row is shown (five at most): the table never scrolls vertically.
        rows = self.model.rowCount()
        header = self.table.horizontalHeader()
        height = (
            header.sizeHint().height()
            + rows * self.table.verticalHeader().defaultSectionSize()
            + self.table.frameWidth() * 2
        )
        bar = self.table.horizontalScrollBar()
        if bar.maximum() > 0:
            height += bar.sizeHint().height()
        self.table.setFixedHeight(max(height, header.sizeHint().height()))
