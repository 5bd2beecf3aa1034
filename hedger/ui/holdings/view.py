"""The holdings table view, the notice bar under it and the drop highlight over it."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import (
    QAbstractItemModel,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QRect,
    QRectF,
    Qt,
    QTimer,
)
from PySide6.QtGui import (
    QAccessible,
    QColor,
    QFont,
    QFontMetrics,
    QGuiApplication,
    QKeyEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSizePolicy,
    QTableView,
    QToolButton,
    QWidget,
)

from hedger.ui.holdings.columns import Column
from hedger.ui.widgets.icons import icon
from hedger.ui.widgets.style import error_color, is_dark_palette, warning_color

EMPTY_TEXT = "No holdings yet — add one or paste rows from a spreadsheet"


EMPTY_HINT = "You can also drop a CSV file here"


class HoldingsView(QTableView):
    """Table view with an empty-state text and Enter to edit."""

    def configure(self, model: QAbstractItemModel) -> dict[int, int]:
        """Row selection, editing triggers, no sort until asked.

        Returns the width each column's title needs (with its padding and the
        sort arrow): the least each column gets (hedger.ui.holdings.column_fit).
        """
        v = self
        v.setAlternatingRowColors(True)
        v.setShowGrid(False)
        v.setWordWrap(False)
        v.setCornerButtonEnabled(False)
        # Tab leaves the table for the next panel; inside a cell editor Tab still
        # moves to the next cell (the delegate commits and opens it).
        v.setTabKeyNavigation(False)
        v.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        v.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        v.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        v.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        v.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        v.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        vh = v.verticalHeader()
        vh.setVisible(False)
        vh.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vh.setDefaultSectionSize(v.fontMetrics().height() + 14)
        hh = v.horizontalHeader()
        hh.setStretchLastSection(True)
        hh.setHighlightSections(False)
        hh.setSectionsMovable(False)
        hh.setMinimumSectionSize(44)
        hh.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        hh.setSortIndicatorClearable(True)
        # No sort until a header is clicked: the document's order is the user's.
        hh.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        v.setSortingEnabled(True)
        char = v.fontMetrics().averageCharWidth()
        bold = QFont(v.font())
        bold.setWeight(QFont.Weight.DemiBold)
        header_metrics = QFontMetrics(bold)
        needs: dict[int, int] = {}
        for col in Column:
            title = str(model.headerData(col, Qt.Orientation.Horizontal))
            # Room for the title, its padding and the sort arrow.
            needs[col] = header_metrics.horizontalAdvance(title) + 30
        needs[Column.SYMBOL] = max(needs[Column.SYMBOL], 5 * char + 26)
        needs[Column.HEDGE_WITH] = max(needs[Column.HEDGE_WITH], 8 * char + 20)
        for col, width in needs.items():
            v.setColumnWidth(col, width)
        return needs

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        model = self.model()
        if model is not None and model.rowCount() > 0:
            return
        painter = QPainter(self.viewport())
        rect = QRectF(self.viewport().rect()).adjusted(24, 0, -24, 0)
        muted = self.palette().color(QPalette.ColorRole.PlaceholderText)
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * 1.1)
        painter.setFont(font)
        painter.setPen(muted)
        h = painter.fontMetrics().height()
        top = rect.adjusted(0, 0, 0, -h)
        flags = Qt.AlignmentFlag.AlignHCenter | Qt.TextFlag.TextWordWrap
        painter.drawText(top, int(flags | Qt.AlignmentFlag.AlignVCenter), EMPTY_TEXT)
        painter.setFont(self.font())
        bottom = rect.adjusted(0, h * 2, 0, h)
        painter.drawText(bottom, int(flags | Qt.AlignmentFlag.AlignVCenter), EMPTY_HINT)
        painter.end()

    def dataChanged(
        self,
        topLeft: QModelIndex | QPersistentModelIndex,
        bottomRight: QModelIndex | QPersistentModelIndex,
        roles: Sequence[int] = (),
    ) -> None:
        # Qt repaints the whole viewport for any range of cells; an edit
        # changes one row and the share column (~half the visible cells).
        # Only the cells' rectangle is repainted when nothing else needs the
        # base class: no open editor to refresh, no screen reader to tell.
        if (
            topLeft == bottomRight
            or not topLeft.isValid()
            or not bottomRight.isValid()
            or self.state() == QAbstractItemView.State.EditingState
            or QAccessible.isActive()
            or not self.isVisible()
        ):
            super().dataChanged(topLeft, bottomRight, list(roles))
            return
        left = self.columnViewportPosition(topLeft.column())
        right = self.columnViewportPosition(bottomRight.column())
        top = self.rowViewportPosition(topLeft.row())
        bottom = self.rowViewportPosition(bottomRight.row())
        rect = QRect(
            QPoint(left, top),
            QPoint(
                right + self.columnWidth(bottomRight.column()) - 1,
                bottom + self.rowHeight(bottomRight.row()) - 1,
            ),
        )
        viewport = self.viewport()
        rect = rect.intersected(viewport.rect())
        if not rect.isEmpty():
            viewport.update(rect)

    def update_column(self, column: int) -> None:
        """Repaint one column's visible cells."""
        x = self.columnViewportPosition(column)
        viewport = self.viewport()
        viewport.update(QRect(x, 0, self.columnWidth(column), viewport.height()))

    # Set by the panel: refits the columns to the new width.
    on_resize: Callable[[], None] | None = None

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.on_resize is not None:
            self.on_resize()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if (
            event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and self.state() != QAbstractItemView.State.EditingState
            and self.currentIndex().isValid()
            and self.edit(self.currentIndex(), QAbstractItemView.EditTrigger.EditKeyPressed, event)
        ):
            return
        super().keyPressEvent(event)


class MessageBar(QFrame):
    """A one-line notice under the table: why an edit was refused, what a paste did."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("holdingsMessageBar")
        self.level = "info"
        self._icon = QLabel(self)
        self._icon.setFixedSize(16, 16)
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        close = QToolButton(self)
        close.setText("✕")
        close.setAutoRaise(True)
        close.setToolTip("Dismiss")
        close.clicked.connect(self.dismiss)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 4, 4)
        layout.setSpacing(8)
        layout.addWidget(self._icon, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.label, 1)
        layout.addWidget(close, 0, Qt.AlignmentFlag.AlignTop)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.dismiss)
        self.hide()

    def show_message(self, text: str, level: str = "error") -> None:
        self.level = level
        self.label.setText(text)
        self.restyle()
        self.show()
        # Successes fade by themselves; problems stay until dealt with.
        if level == "info":
            self._timer.start(8000)
        else:
            self._timer.stop()

    def restyle(self) -> None:
        """Colours from the current palette (on show and after a theme switch)."""
        palette = QGuiApplication.palette()
        self._icon.setPixmap(
            icon({"error": "error", "warning": "warning"}.get(self.level, "info")).pixmap(16, 16)
        )
        color = {
            "error": error_color(palette),
            "warning": warning_color(palette),
        }.get(self.level, palette.color(QPalette.ColorRole.Highlight))
        alpha = 46 if is_dark_palette(palette) else 26
        fill = QColor(color)
        fill.setAlpha(alpha)
        text = palette.color(QPalette.ColorRole.WindowText).name()
        # The text colour is set here too: a style sheet freezes the label's
        # palette, so it would keep the old theme's text colour.
        self.setStyleSheet(
            "QFrame#holdingsMessageBar { "
            f"border: 1px solid {color.name()}; border-radius: 4px; "
            f"background: rgba({fill.red()}, {fill.green()}, {fill.blue()}, {alpha}); }}"
            f"QFrame#holdingsMessageBar QLabel, QFrame#holdingsMessageBar QToolButton "
            f"{{ color: {text}; background: transparent; }}"
        )

    def dismiss(self) -> None:
        self._timer.stop()
        self.hide()


class DropOverlay(QWidget):
    """Dashed highlight over the table while a file is dragged over the panel."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.text = "Drop to import holdings"
        self.hide()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        accent = palette.color(QPalette.ColorRole.Highlight)
        # Mostly opaque so the hint reads clearly over the rows beneath.
        veil = QColor(palette.color(QPalette.ColorRole.Base))
        veil.setAlpha(225)
        tint = QColor(accent)
        tint.setAlpha(28)
        rect = QRectF(self.rect()).adjusted(2, 2, -2, -2)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(veil)
        painter.drawRoundedRect(rect, 6, 6)
        painter.setBrush(tint)
        painter.setPen(QPen(accent, 2, Qt.PenStyle.DashLine))
        painter.drawRoundedRect(rect, 6, 6)
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * 1.2)
        font.setWeight(QFont.Weight.DemiBold)
        painter.setFont(font)
        metrics = painter.fontMetrics()
        glyph = icon("import").pixmap(32, 32)
        total = 32 + 8 + metrics.height()
        top = (self.height() - total) / 2
        painter.drawPixmap(int((self.width() - 32) / 2), int(top), glyph)
        painter.setPen(accent)
        text_rect = QRectF(0, top + 40, self.width(), metrics.height())
        painter.drawText(text_rect, Qt.AlignmentFlag.AlignCenter, self.text)
        painter.end()
