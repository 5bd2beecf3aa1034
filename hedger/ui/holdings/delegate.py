"""Cell editors for the holdings table: plain text checked by the core parser.

A QDoubleSpinBox would clamp to 0–99.99 and round 0.00012345 away, and a
QDoubleValidator accepts 1e3 and reads "1.555" as 1555 in a German locale.
A QLineEdit validated by the same code the document uses does neither.
"""

from __future__ import annotations

from PySide6.QtCore import (
    QAbstractItemModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPoint,
    QRect,
    QSortFilterProxyModel,
    Qt,
    QTimer,
)
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QGuiApplication,
    QKeyEvent,
    QPainter,
    QPalette,
    QPen,
)
from PySide6.QtWidgets import (
    QApplication,
    QCompleter,
    QLineEdit,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolTip,
    QWidget,
)

from hedger.core.models import STABLECOINS, Holding
from hedger.ui.holdings.column_fit import SHRINKABLE, TEXT_MARGIN, compact_text
from hedger.ui.holdings.columns import (
    BETA_HINT_ROLE,
    HEADERS,
    HOLDING_ROLE,
    NUMERIC_COLUMNS,
    Column,
)
from hedger.ui.holdings.model import HoldingsTableModel
from hedger.ui.holdings.sort_proxy import source_index
from hedger.ui.widgets.item_style import fill_style_option
from hedger.ui.widgets.style import error_color

Index = QModelIndex | QPersistentModelIndex
_HAS_FOCUS = QStyle.StateFlag.State_HasFocus
_CE_ITEM = QStyle.ControlElement.CE_ItemViewItem
_COMMIT_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Tab, Qt.Key.Key_Backtab)


class CellEditor(QLineEdit):
    """The line edit of one cell; knows its source cell and why its text is bad."""

    def __init__(self, parent: QWidget | None, row: QPersistentModelIndex, column: int) -> None:
        super().__init__(parent)
        self.source_index = row
        self.column = column
        self.reason: str | None = None
        self.setObjectName("holdingsCellEditor")

    @property
    def is_valid(self) -> bool:
        return self.reason is None

    def show_state(self, reason: str | None, *, popup: bool) -> None:
        self.reason = reason
        self.setToolTip(reason or "")
        palette = QGuiApplication.palette()
        base = palette.color(QPalette.ColorRole.Base)
        if reason is None:
            border = palette.color(QPalette.ColorRole.Highlight)
            background, width = base, 1
            QToolTip.hideText()
        else:
            # Opaque: the cell's old text must not show through the editor.
            border, width = error_color(), 2
            background = _blend(base, border, 0.12)
        self.setStyleSheet(
            "QLineEdit#holdingsCellEditor { "
            f"border: {width}px solid {border.name()}; border-radius: 2px; "
            f"padding: 0px {8 - width}px; background: {background.name()}; }}"
        )
        if reason is not None and popup and self.isVisible():
            # Shown at once under the cell: a reason behind a hover is missed.
            QToolTip.showText(self.mapToGlobal(QPoint(0, self.height() + 2)), reason, self)


def _blend(a: QColor, b: QColor, t: float) -> QColor:
    return QColor(
        round(a.red() + (b.red() - a.red()) * t),
        round(a.green() + (b.green() - a.green()) * t),
        round(a.blue() + (b.blue() - a.blue()) * t),
    )


SHORT_TAG = "short"


def short_tag_width(font: QFont) -> int:
    """Room the "short" tag of a negative quantity takes at the left of its cell."""
    return QFontMetrics(_tag_font(font)).horizontalAdvance(SHORT_TAG) + 18


def _tag_font(font: QFont) -> QFont:
    small = QFont(font)
    small.setPointSizeF(max(6.5, font.pointSizeF() * 0.8))
    small.setWeight(QFont.Weight.DemiBold)
    return small


def paint_short_tag(painter: QPainter, option: QStyleOptionViewItem) -> None:
    """A small "short" pill: this holding is a short spot position (a negative quantity)."""
    rect: QRect = option.rect  # type: ignore[attr-defined]
    font = _tag_font(option.font)  # type: ignore[attr-defined]
    fm = QFontMetrics(font)
    w, h = fm.horizontalAdvance(SHORT_TAG) + 10, fm.height() + 2
    tag = QRect(rect.left() + 6, rect.top() + (rect.height() - h) // 2, w, h)
    palette: QPalette = option.palette  # type: ignore[attr-defined]
    selected = bool(option.state & QStyle.StateFlag.State_Selected)  # type: ignore[attr-defined]
    ink = palette.color(QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Link)
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QPen(ink, 1))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawRoundedRect(tag, h / 2, h / 2)
    painter.setFont(font)
    painter.drawText(tag, int(Qt.AlignmentFlag.AlignCenter), SHORT_TAG)
    painter.restore()


class HoldingsDelegate(QStyledItemDelegate):
    """QLineEdit editors validated as the user types; invalid text is not committed."""

    def __init__(self, model: HoldingsTableModel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._model = model

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        # Rows are selected whole, so the style's focus box around one cell
        # looks like a stray frame; a thin outline marks the current cell.
        # What QStyledItemDelegate.paint does, done here: the base class
        # would call back into initStyleOption in Python for every cell.
        state = option.state  # type: ignore[attr-defined]
        has_focus = bool(state & _HAS_FOCUS)
        opt = QStyleOptionViewItem(option)
        if has_focus:
            opt.state = state & ~_HAS_FOCUS  # type: ignore[attr-defined]
        column = index.column()
        hint = index.data(BETA_HINT_ROLE) if column == Column.BETA else None
        if hint:
            self._paint_with_hint(painter, opt, index, str(hint))
        else:
            text = self._init_option(opt, index, column)
            widget = opt.widget  # type: ignore[attr-defined]
            style = widget.style() if widget is not None else QApplication.style()
            style.drawControl(_CE_ITEM, opt, painter, widget)
            # Only a negative quantity has a minus sign: most cells never ask for the holding.
            if column == Column.QUANTITY and text.startswith("-"):
                holding = index.data(HOLDING_ROLE)
                if isinstance(holding, Holding) and holding.quantity < 0:
                    paint_short_tag(painter, option)
        if has_focus:
            color = QColor(option.palette.color(QPalette.ColorRole.HighlightedText))
            if not option.state & QStyle.StateFlag.State_Selected:
                color = option.palette.color(QPalette.ColorRole.Highlight)
            color.setAlpha(150)
            painter.save()
            painter.setPen(QPen(color, 1))
            painter.drawRect(option.rect.adjusted(1, 1, -2, -2))
            painter.restore()

    def initStyleOption(self, option: QStyleOptionViewItem, index: Index) -> None:
        self._init_option(option, index, index.column())

    def _init_option(self, option: QStyleOptionViewItem, index: Index, column: int) -> str:
        """The style option of a cell; returns the cell's full (not compacted) text."""
        row = self._source_row(index)
        if row is None:
            super().initStyleOption(option, index)
        else:
            fill_style_option(option, index, self._model.cell_style(row, column))
        text: str = option.text  # type: ignore[attr-defined]
        if column not in SHRINKABLE:
            return text
        # A column narrower than its number shows the compact form, never "100,000…".
        room = option.rect.width() - TEXT_MARGIN  # type: ignore[attr-defined]
        if column == Column.QUANTITY and text.startswith("-"):
            room -= short_tag_width(option.font)  # type: ignore[attr-defined]
        if option.fontMetrics.horizontalAdvance(text) <= room:  # type: ignore[attr-defined]
            return text
        holding = index.data(HOLDING_ROLE)
        if not isinstance(holding, Holding):
            return text
        if column == Column.QUANTITY and holding.quantity >= 0 and text.startswith("-"):
            # "-0": no short tag after all, so the room is wider than assumed.
            room += short_tag_width(option.font)  # type: ignore[attr-defined]
            if option.fontMetrics.horizontalAdvance(text) <= room:  # type: ignore[attr-defined]
                return text
        option.text = compact_text(holding, column) or text  # type: ignore[attr-defined]
        return text

    def _source_row(self, index: Index) -> int | None:
        """The row of our model under ``index`` (None: some other model's index)."""
        model = index.model()
        if model is self._model:
            return index.row()
        if isinstance(model, QSortFilterProxyModel) and model.sourceModel() is self._model:
            return model.mapToSource(index).row()
        return None

    def _paint_with_hint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: Index, hint: str
    ) -> None:
        """The beta with the estimate from history: "est 1.38  1.5" on one line.

        A column too narrow for both on one line (the default width) gets them
        stacked: the beta in use on top, the estimate small beneath it. The
        tooltip and the right-click menu say the rest.
        """
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        widget = opt.widget
        style = widget.style() if widget is not None else QApplication.style()
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        pal = opt.palette
        accent = QColor(
            pal.color(QPalette.ColorRole.HighlightedText)
            if selected
            else pal.color(QPalette.ColorRole.Link)
        )
        small = QFont(opt.font)
        small.setPointSizeF(max(6.0, opt.font.pointSizeF() * 0.8))
        small_fm = QFontMetrics(small)
        value = opt.text
        text_rect = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, opt, widget)
        text_rect = text_rect.adjusted(3, 0, -3, 0)  # the style's own text margins
        room = text_rect.width() - QFontMetrics(opt.font).horizontalAdvance(value) - 6
        short = hint.replace("est ", "≈")
        one_line = next((h for h in (hint, short) if small_fm.horizontalAdvance(h) <= room), None)
        if one_line is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
            painter.save()
            painter.setFont(small)
            painter.setPen(accent)
            painter.drawText(
                text_rect, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), one_line
            )
            painter.restore()
            return
        opt.text = ""
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        fg = pal.color(QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text)
        lower = small_fm.height()
        upper = QFontMetrics(opt.font).height()
        top = text_rect.top() + max(0, (text_rect.height() - upper - lower) // 2)
        right = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        painter.save()
        painter.setFont(opt.font)
        painter.setPen(fg)
        painter.drawText(QRect(text_rect.left(), top, text_rect.width(), upper), right, value)
        painter.setFont(small)
        painter.setPen(accent)
        fits = small_fm.horizontalAdvance(hint) <= text_rect.width()
        painter.drawText(
            QRect(text_rect.left(), top + upper - 1, text_rect.width(), lower),
            right,
            hint if fits else short,
        )
        painter.restore()

    # -- editors --------------------------------------------------------------
    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: Index) -> QWidget:
        _, src = source_index(index)
        editor = CellEditor(parent, QPersistentModelIndex(src), src.column())
        if src.column() in NUMERIC_COLUMNS:
            editor.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if src.column() == Column.BETA:
            editor.setPlaceholderText("1 (auto)")
        elif src.column() == Column.HEDGE_WITH:
            editor.setPlaceholderText("auto")
        words = self.completions(src.column())
        if words:
            completer = QCompleter(words, editor)
            completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
            completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
            editor.setCompleter(completer)
        editor.textEdited.connect(lambda _text: self._validate(editor, popup=True))
        return editor

    def completions(self, column: int) -> list[str]:
        doc = self._model.document
        underlyings = {f.underlying for f in doc.catalog.families.values()}
        underlyings |= set(doc.portfolio.hedge.families)
        if column == Column.HEDGE_WITH:
            return sorted(underlyings)
        if column == Column.SYMBOL:
            held = {h.symbol for h in doc.portfolio.holdings}
            return sorted(held | underlyings | STABLECOINS)
        return []

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        if not isinstance(editor, CellEditor):
            super().setEditorData(editor, index)
            return
        text = index.data(Qt.ItemDataRole.EditRole)
        editor.setText("" if text is None else str(text))
        editor.selectAll()
        self._validate(editor, popup=False)

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: Index) -> None:
        if not isinstance(editor, CellEditor):
            super().setModelData(editor, model, index)
            return
        # The model refuses bad text itself and says why (editRefused), so
        # text that slips past the editor (focus lost) still changes nothing.
        model.setData(index, editor.text(), Qt.ItemDataRole.EditRole)

    def updateEditorGeometry(
        self, editor: QWidget, option: QStyleOptionViewItem, index: Index
    ) -> None:
        editor.setGeometry(option.rect)

    # -- validation -------------------------------------------------------------
    def _validate(self, editor: CellEditor, *, popup: bool) -> None:
        src = editor.source_index
        if not src.isValid():
            editor.show_state("This row was removed while you were editing it", popup=popup)
            return
        reason = self._model.validate_edit(src.row(), editor.column, editor.text())
        if reason is not None:
            label = HEADERS[editor.column]
            reason = f"{label} {reason}" if reason.startswith("must") else f"{label}: {reason}"
        editor.show_state(reason, popup=popup)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if (
            isinstance(obj, CellEditor)
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in _COMMIT_KEYS
        ):
            completer = obj.completer()
            popup = completer.popup() if completer is not None else None
            if popup is not None and popup.isVisible():
                return super().eventFilter(obj, event)
            self._validate(obj, popup=False)
            if not obj.is_valid:
                # Keep the editor open with the text so it can be fixed; the
                # model reports the refusal so the panel shows it too.
                src = obj.source_index
                if src.isValid():
                    self._model.setData(self._model.index(src.row(), obj.column), obj.text())
                reason = obj.reason
                QTimer.singleShot(0, obj, lambda: obj.show_state(reason, popup=True))
                return True
        return super().eventFilter(obj, event)
