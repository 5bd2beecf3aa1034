"""Small display widgets of the hedge panel: stat cards, order line, message list.

They paint with palette roles only, so a light/dark theme switch restyles
them without any code: no hard-coded colours, no style sheets.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QGuiApplication,
    QIcon,
    QPainter,
    QPaintEvent,
    QPalette,
    QPixmap,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

Severity = Literal["error", "warning", "info"]

_ICONS: dict[Severity, QStyle.StandardPixmap] = {
    "error": QStyle.StandardPixmap.SP_MessageBoxCritical,
    "warning": QStyle.StandardPixmap.SP_MessageBoxWarning,
    "info": QStyle.StandardPixmap.SP_MessageBoxInformation,
}


def blend(a: QColor, b: QColor, share: float) -> QColor:
    """``a`` moved ``share`` of the way towards ``b``."""
    return QColor(
        round(a.red() + (b.red() - a.red()) * share),
        round(a.green() + (b.green() - a.green()) * share),
        round(a.blue() + (b.blue() - a.blue()) * share),
    )


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def dim(label: QLabel) -> QLabel:
    """Secondary text: the palette's placeholder colour follows theme changes."""
    label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    return label


def scaled_font(widget: QWidget, factor: float, bold: bool = False) -> QFont:
    font = QFont(widget.font())
    if font.pointSizeF() > 0:
        font.setPointSizeF(font.pointSizeF() * factor)
    else:
        font.setPixelSize(round(font.pixelSize() * factor))
    font.setBold(bold)
    return font


class WrapLabel(QLabel):
    """A word-wrapped label whose size hint follows its real width.

    Plain QLabel guesses its wrapped height for a narrower width, which leaves
    gaps under short messages in box layouts.
    """

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self._hfw: dict[tuple[int, str], int] = {}
        self.setWordWrap(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)

    def heightForWidth(self, width: int) -> int:
        # Layouts ask with their own width; a fixed-width label wraps narrower.
        width = min(width, self.maximumWidth())
        key = (width, self.text())
        # Layout passes ask dozens of times per update; text layout is costly.
        cached = self._hfw.get(key)
        if cached is None:
            if len(self._hfw) > 64:
                self._hfw.clear()
            cached = self._hfw[key] = super().heightForWidth(width)
        return cached

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._hfw.clear()
        super().changeEvent(event)

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        if self.width() > 0:
            hint.setHeight(self.heightForWidth(self.width()))
        return hint

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        if self.width() > 0:
            hint.setHeight(self.heightForWidth(self.width()))
        return hint

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.oldSize().width() != event.size().width():
            self.updateGeometry()


class Card(QFrame):
    """A rounded panel a shade off the window colour, with an optional accent bar."""

    def __init__(self, parent: QWidget | None = None, accent: bool = False) -> None:
        super().__init__(parent)
        self._accent = accent
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, False)

    def set_accent(self, accent: bool) -> None:
        if accent != self._accent:
            self._accent = accent
            self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        pal = self.palette()
        window = pal.color(QPalette.ColorRole.Window)
        base = pal.color(QPalette.ColorRole.Base)
        highlight = pal.color(QPalette.ColorRole.Highlight)
        fill = blend(window, base, 0.6) if not is_dark(pal) else blend(window, base, 0.5)
        if self._accent:
            fill = blend(fill, highlight, 0.22 if is_dark(pal) else 0.10)
        border = blend(window, pal.color(QPalette.ColorRole.WindowText), 0.16)
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
        p.setPen(border if not self._accent else blend(border, highlight, 0.5))
        p.setBrush(fill)
        p.drawRoundedRect(rect, 6, 6)
        if self._accent:
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(highlight)
            p.drawRoundedRect(QRectF(rect.left(), rect.top(), 4, rect.height()), 2, 2)
        p.end()


class StatCard(Card):
    """A caption above a large value, e.g. "Target" / "37,700 USD"."""

    def __init__(self, caption: str, tooltip: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setToolTip(tooltip)
        self.caption = dim(QLabel(caption))
        self.caption.setFont(scaled_font(self, 0.9))
        self.value = QLabel("—")
        self.value.setObjectName("statValue")
        self.value.setFont(scaled_font(self, 1.35, bold=True))
        self.value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail = dim(QLabel(""))
        self.detail.setFont(scaled_font(self, 0.85))
        # Details are secondary: they must not widen the card row.
        self.detail.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.caption.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(12, 8, 12, 8)
        lay.setSpacing(1)
        lay.addWidget(self.caption)
        lay.addWidget(self.value)
        lay.addWidget(self.detail)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set(
        self, value: str, detail: str = "", tooltip: str | None = None, warn: bool = False
    ) -> None:
        """``warn`` shows the detail in the warning colour (a stale price)."""
        if self.value.text() != value:
            self.value.setText(value)
        if self.detail.text() != detail:
            self.detail.setText(detail)
        if tooltip is not None and tooltip != self.toolTip():
            self.setToolTip(tooltip)
        if warn != self.warned:
            self.warned = warn
            self._colour_detail()

    warned = False

    def _colour_detail(self) -> None:
        if self.warned:
            from hedger.ui.widgets.icons import warning_color

            pal = QPalette(self.palette())
            pal.setColor(QPalette.ColorRole.WindowText, warning_color(pal))
            self.detail.setPalette(pal)
            self.detail.setForegroundRole(QPalette.ColorRole.WindowText)
        else:
            self.detail.setPalette(QPalette())  # inherit the theme again
            dim(self.detail)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and self.warned:
            self._colour_detail()


class OrderLine(Card):
    """The plain-language order, prominent, with a copy button."""

    copied = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, accent=True)
        self.caption = dim(QLabel("Recommended order"))
        self.caption.setFont(scaled_font(self, 0.9, bold=True))
        self.text = WrapLabel()
        self.text.setObjectName("orderText")
        self.text.setFont(scaled_font(self, 1.15, bold=True))
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.copy_button = QToolButton()
        self.copy_button.setObjectName("copyOrder")
        self.copy_button.setText("Copy")
        self.copy_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        icon = QIcon.fromTheme(QIcon.ThemeIcon.EditCopy)
        if not icon.isNull():
            self.copy_button.setIcon(icon)
        self.copy_button.setToolTip("Copy the order to the clipboard")
        self.copy_button.clicked.connect(self.copy)
        self._restore = QTimer(self)
        self._restore.setSingleShot(True)
        self._restore.setInterval(1500)
        self._restore.timeout.connect(lambda: self.copy_button.setText("Copy"))
        col = QVBoxLayout()
        col.setSpacing(2)
        col.addWidget(self.caption)
        col.addWidget(self.text)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(16, 10, 10, 10)
        lay.setSpacing(12)
        lay.addLayout(col, 1)
        lay.addWidget(self.copy_button, 0, Qt.AlignmentFlag.AlignVCenter)

    def set_order(self, caption: str, text: str, copyable: bool) -> None:
        if self.caption.text() != caption:
            self.caption.setText(caption)
        if self.text.text() != text:
            self.text.setText(text)
        self.copy_button.setEnabled(copyable)
        self.set_accent(copyable)

    def copy(self) -> None:
        text = self.text.text()
        if not text:
            return
        QGuiApplication.clipboard().setText(text)
        self.copy_button.setText("Copied")
        self._restore.start()
        self.copied.emit(text)


class _MessageRow(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(8)
        self.icon = QLabel()
        self.label = WrapLabel()
        self.label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lay.addWidget(self.icon, 0, Qt.AlignmentFlag.AlignTop)
        lay.addWidget(self.label, 1, Qt.AlignmentFlag.AlignTop)
        self.severity: Severity | None = None


class MessageList(QWidget):
    """Warnings and problems in words, one row each with a standard icon.

    Row widgets are reused: a recompute that changes a number in a warning
    only sets a label's text.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._messages: tuple[tuple[Severity, str], ...] = ()
        self._rows: list[_MessageRow] = []
        self._pixmaps: dict[Severity, QPixmap] = {}
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(4)
        # Wrapped labels over-estimate their height before the real width is
        # known; the slack goes below the last row instead of between rows.
        self._layout.addStretch(1)
        self.hide()

    @property
    def messages(self) -> tuple[tuple[Severity, str], ...]:
        return self._messages

    def texts(self) -> list[str]:
        return [t for _, t in self._messages]

    def set_messages(self, messages: Sequence[tuple[Severity, str]]) -> None:
        new = tuple(messages)
        if new == self._messages:
            return
        self._messages = new
        while len(self._rows) < len(new):
            row = _MessageRow()
            self._layout.insertWidget(len(self._rows), row)
            self._rows.append(row)
        for i, row in enumerate(self._rows):
            if i >= len(new):
                if not row.isHidden():
                    row.hide()
                continue
            severity, text = new[i]
            if row.severity != severity:
                row.severity = severity
                row.icon.setPixmap(self._pixmap(severity))
                row.icon.setAccessibleName(severity)
                row.label.setFont(scaled_font(self, 1.0, bold=severity == "error"))
            if row.label.text() != text:
                row.label.setText(text)
            if row.isHidden():
                row.show()
        self.setVisible(bool(new))

    def _pixmap(self, severity: Severity) -> QPixmap:
        pm = self._pixmaps.get(severity)
        if pm is None:
            size = self.style().pixelMetric(QStyle.PixelMetric.PM_SmallIconSize)
            pm = self.style().standardIcon(_ICONS[severity]).pixmap(size, size)
            self._pixmaps[severity] = pm
        return pm

    def changeEvent(self, event: QEvent) -> None:
        # Standard icons differ per style; redraw the icons when it changes.
        if event.type() == QEvent.Type.StyleChange:
            self._pixmaps.clear()
            for row in self._rows:
                row.severity = None
            messages, self._messages = self._messages, ()
            self.set_messages(messages)
        super().changeEvent(event)


class _Segment(QToolButton):
    """One button of a SegmentedControl; paints itself from the palette."""

    def __init__(self, position: Literal["first", "middle", "last", "only"]) -> None:
        super().__init__()
        self._position = position
        self.setCheckable(True)
        self.setAutoRaise(False)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    def sizeHint(self) -> QSize:
        fm = self.fontMetrics()
        return QSize(fm.horizontalAdvance(self.text()) + 24, fm.height() + 12)

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint()

    def paintEvent(self, event: QPaintEvent) -> None:
        pal = self.palette()
        window = pal.color(QPalette.ColorRole.Window)
        text = pal.color(QPalette.ColorRole.ButtonText)
        highlight = pal.color(QPalette.ColorRole.Highlight)
        button = pal.color(QPalette.ColorRole.Button)
        checked = self.isChecked()
        if checked:
            fill = highlight
        elif self.isDown():
            fill = blend(button, highlight, 0.25)
        elif self.underMouse() and self.isEnabled():
            fill = blend(button, highlight, 0.12)
        else:
            fill = button
        border = blend(window, pal.color(QPalette.ColorRole.WindowText), 0.3)
        r = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
        radius = 5.0
        # Square inner edges by drawing past them (clipped); shared edges drawn once.
        if self._position in ("middle", "last"):
            r.setLeft(r.left() - 1.0 - radius)
        if self._position in ("first", "middle"):
            r.setRight(r.right() + radius)
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setPen(border if not checked else highlight.darker(115))
        p.setBrush(fill)
        p.drawRoundedRect(r, radius, radius)
        if self._position in ("first", "middle"):
            p.setPen(border)
            x = self.rect().right() + 0.5
            p.drawLine(QPointF(x, 1.0), QPointF(x, self.height() - 1.0))
        color = pal.color(QPalette.ColorRole.HighlightedText) if checked else text
        if not self.isEnabled():
            color = pal.color(QPalette.ColorRole.PlaceholderText)
        p.setPen(color)
        font = QFont(self.font())
        font.setBold(checked)
        p.setFont(font)
        p.drawText(self.rect(), int(Qt.AlignmentFlag.AlignCenter), self.text())
        p.end()


class SegmentedControl(QWidget):
    """Mutually exclusive choices shown side by side (like macOS segmented controls).

    ``activated(key)`` fires on user clicks only; ``set_current`` is silent.
    """

    activated = Signal(str)

    def __init__(
        self, items: Sequence[tuple[str, str, str]], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.buttons: dict[str, QToolButton] = {}
        self._current: str | None = None
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        n = len(items)
        for i, (key, text, tip) in enumerate(items):
            pos: Literal["first", "middle", "last", "only"] = (
                "only" if n == 1 else "first" if i == 0 else "last" if i == n - 1 else "middle"
            )
            b = _Segment(pos)
            b.setText(text)
            b.setToolTip(tip)
            b.setObjectName(f"segment_{key}")
            b.setAccessibleName(text)
            b.clicked.connect(lambda _=False, k=key: self._on_clicked(k))
            self.buttons[key] = b
            lay.addWidget(b)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)

    def current(self) -> str | None:
        return self._current

    def set_current(self, key: str) -> None:
        self._current = key
        for k, b in self.buttons.items():
            b.setChecked(k == key)

    def _on_clicked(self, key: str) -> None:
        # A checkable button unchecks itself when clicked again: keep one checked.
        already = key == self._current
        self.set_current(key)
        if not already:
            self.activated.emit(key)
