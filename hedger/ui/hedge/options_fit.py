"""The options table sized to its content: columns as wide as their widest cell, all rows shown."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QStyle

from hedger.ui.hedge.options_model import COL_OPTION, PaddedDelegate

if TYPE_CHECKING:
    from PySide6.QtWidgets import QTableView

    from hedger.ui.hedge.options_model import HedgeOptionsModel


class OptionsTableFit:
    """Column widths and table height of the hedge panel's options table."""

    model: HedgeOptionsModel
    table: QTableView
    _header_widths: list[int]
    _text_widths: dict[tuple[str, bool], int]

    def _fit_columns(self) -> None:
        m = self.model
        header = self.table.horizontalHeader()
        if not self._header_widths:
            self._header_widths = [header.sectionSizeHint(c) for c in range(m.columnCount())]
            self._text_widths.clear()
        rows = [(m.option_at(r), m.is_recommended(r)) for r in range(m.rowCount())]
        for col in range(m.columnCount()):
            if col == COL_OPTION:
                continue
            width = self._header_widths[col]
            for option, bold in rows:
                if option is not None:
                    width = max(width, self._text_width(m.display(option, col), bold))
            if header.sectionSize(col) != width:
                header.resizeSection(col, width)

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
