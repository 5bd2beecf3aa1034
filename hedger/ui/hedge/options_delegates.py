"""Painting of the hedge options table: padded cells and the "★ Recommended" pill."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QFont, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import QApplication, QStyle, QStyledItemDelegate, QStyleOptionViewItem

from hedger.ui.hedge.options_model import HedgeOptionsModel, RecommendedRole
from hedger.ui.widgets.item_style import fill_style_option

Index = QModelIndex | QPersistentModelIndex
_HAS_FOCUS = QStyle.StateFlag.State_HasFocus


class PaddedDelegate(QStyledItemDelegate):
    """Cells with breathing room: numbers in adjacent columns never touch."""

    PAD = 8

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        size = super().sizeHint(option, index)
        size.setWidth(size.width() + 2 * self.PAD)
        return size

    def _paint_cell(
        self, painter: QPainter, option: QStyleOptionViewItem, index: Index, right_reserve: int
    ) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        # Rows are selected whole; a per-cell focus frame is only noise.
        opt.state &= ~_HAS_FOCUS  # type: ignore[attr-defined]
        widget = opt.widget  # type: ignore[attr-defined]
        style = widget.style() if widget is not None else QApplication.style()
        text = opt.text  # type: ignore[attr-defined]
        opt.text = ""  # type: ignore[attr-defined]
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        opt.text = text  # type: ignore[attr-defined]
        rect: QRect = option.rect  # type: ignore[attr-defined]
        # Text keeps the style's margins so it lines up with the header labels;
        # the extra width from sizeHint is the gap between columns.
        opt.rect = rect.adjusted(0, 0, -right_reserve, 0)  # type: ignore[attr-defined]
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)

    def initStyleOption(self, option: QStyleOptionViewItem, index: Index) -> None:
        model = index.model()
        cell = (
            model.cell_style(index.row(), index.column())
            if isinstance(model, HedgeOptionsModel)
            else None
        )
        if cell is None:
            super().initStyleOption(option, index)
        else:
            # One call for the roles painted, not seven from C++ into Python.
            fill_style_option(option, index, cell)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        # QStyledItemDelegate.paint, without the focus frame: rows are selected whole.
        opt = QStyleOptionViewItem(option)
        state = opt.state  # type: ignore[attr-defined]
        if state & _HAS_FOCUS:
            opt.state = state & ~_HAS_FOCUS  # type: ignore[attr-defined]
        self.initStyleOption(opt, index)
        widget = opt.widget  # type: ignore[attr-defined]
        style = widget.style() if widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)


class OptionBadgeDelegate(PaddedDelegate):
    """Paints a "★ Recommended" pill at the right of the recommended row's Option cell."""

    BADGE = "★ Recommended"
    BADGE_SHORT = "★"

    def _badge_font(self, option: QStyleOptionViewItem) -> QFont:
        return self.badge_font(option.font)  # type: ignore[attr-defined]

    @staticmethod
    def badge_font(font: QFont) -> QFont:
        font = QFont(font)
        font.setBold(True)
        font.setPointSizeF(max(7.0, font.pointSizeF() * 0.85))
        return font

    @classmethod
    def badge_room(cls, font: QFont, short: bool) -> int:
        """Width the pill takes beside the label (the star alone when ``short``)."""
        fm = QFontMetrics(cls.badge_font(font))
        if short:
            return fm.horizontalAdvance(cls.BADGE_SHORT) + 12 + cls.PAD + 4
        return fm.horizontalAdvance(cls.BADGE) + 14 + cls.PAD + 4

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        size = super().sizeHint(option, index)
        if index.data(RecommendedRole):
            fm = QFontMetrics(self._badge_font(option))
            size.setWidth(size.width() + fm.horizontalAdvance(self.BADGE) + 24)
        return size

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        if not index.data(RecommendedRole):
            super().paint(painter, option, index)
            return
        font = self._badge_font(option)
        fm = QFontMetrics(font)
        rect: QRect = option.rect  # type: ignore[attr-defined]
        styled = QStyleOptionViewItem(option)
        self.initStyleOption(styled, index)
        text_w = QFontMetrics(styled.font).horizontalAdvance(styled.text)  # type: ignore[attr-defined]
        badge_text = self.BADGE
        badge_w = fm.horizontalAdvance(badge_text) + 14
        # The label keeps the style's text margins and the gap before the pill.
        if text_w + badge_w + 2 * self.PAD + 8 > rect.width():
            # A narrow column keeps the label readable; the star alone marks the row.
            badge_text = self.BADGE_SHORT
            badge_w = fm.horizontalAdvance(badge_text) + 12
        badge_h = fm.height() + 4
        self._paint_cell(painter, option, index, badge_w + self.PAD + 4)
        palette: QPalette = option.palette  # type: ignore[attr-defined]
        badge = QRect(
            rect.right() - badge_w - 4,
            rect.top() + (rect.height() - badge_h) // 2,
            badge_w,
            badge_h,
        )
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        fill = palette.color(QPalette.ColorRole.Highlight)
        ink = palette.color(QPalette.ColorRole.HighlightedText)
        if option.state & QStyle.StateFlag.State_Selected:  # type: ignore[attr-defined]
            # On a selected (highlight-coloured) row the pill inverts to stay visible.
            fill, ink = ink, fill
        painter.setBrush(fill)
        painter.drawRoundedRect(badge, badge_h / 2, badge_h / 2)
        painter.setPen(ink)
        painter.setFont(font)
        painter.drawText(badge, int(Qt.AlignmentFlag.AlignCenter), badge_text)
        painter.restore()
