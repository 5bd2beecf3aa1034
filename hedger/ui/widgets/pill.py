"""A venue label as a small coloured pill in a table cell: regulated, offshore, example.

Used by the Compare Venues table and the Contracts dialog's calendar. The
cell's display text is drawn in the pill; its colour comes from the label
kind the model gives under ``LabelRole``.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import QApplication, QStyle, QStyledItemDelegate, QStyleOptionViewItem

from hedger.ui.widgets.style import blend, is_dark_palette, warning_color

Index = QModelIndex | QPersistentModelIndex

#: The label kind of a row: "regulated", "offshore", "example" or "unknown".
LabelRole = Qt.ItemDataRole.UserRole + 40


def pill_color(label: str, palette: QPalette) -> QColor:
    dark = is_dark_palette(palette)
    if label == "regulated":
        return QColor("#58a6ff") if dark else QColor("#0969da")
    if label == "offshore":
        return warning_color(palette)
    return palette.color(QPalette.ColorRole.PlaceholderText)


class LabelPillDelegate(QStyledItemDelegate):
    """The cell's text in a rounded pill tinted by the row's label kind."""

    @staticmethod
    def _font(option: QStyleOptionViewItem) -> QFont:
        font = QFont(option.font)  # type: ignore[attr-defined]
        font.setPointSizeF(max(7.0, font.pointSizeF() * 0.85))
        font.setBold(True)
        return font

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        size = super().sizeHint(option, index)
        text = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        width = QFontMetrics(self._font(option)).horizontalAdvance(text) + 14 + 16
        return QSize(max(size.width(), width), size.height())

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.state &= ~QStyle.StateFlag.State_HasFocus  # type: ignore[attr-defined]
        text = opt.text  # type: ignore[attr-defined]
        opt.text = ""  # type: ignore[attr-defined]
        widget = opt.widget  # type: ignore[attr-defined]
        style = widget.style() if widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        if not text:
            return
        pal: QPalette = option.palette  # type: ignore[attr-defined]
        ink = pill_color(str(index.data(LabelRole)), pal)
        painter.save()
        painter.setFont(self._font(option))
        fm = painter.fontMetrics()
        rect: QRect = option.rect  # type: ignore[attr-defined]
        w, h = fm.horizontalAdvance(text) + 14, fm.height() + 4
        pill = QRect(rect.left() + 6, rect.top() + (rect.height() - h) // 2, w, h)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(blend(pal.color(QPalette.ColorRole.Base), ink, 0.22))
        painter.drawRoundedRect(pill, h / 2, h / 2)
        painter.setPen(ink)
        painter.drawText(pill, int(Qt.AlignmentFlag.AlignCenter), text)
        painter.restore()
