"""Cards: a rounded panel, a stat card (caption over a value) and the order line.

They paint with palette roles only, so a light/dark theme switch restyles
them without any code: no hard-coded colours, no style sheets.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import (
    QGuiApplication,
    QIcon,
    QPainter,
    QPaintEvent,
    QPalette,
)
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from hedger.ui.widgets.fit_label import FitLabel
from hedger.ui.widgets.style import blend, dim, is_dark, scaled_font
from hedger.ui.widgets.wrap_label import WrapLabel


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
        self.value = FitLabel("—")
        self.value.setObjectName("statValue")
        self.value.setFont(scaled_font(self, 1.35, bold=True))
        self.value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.value.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self.detail = dim(QLabel(""))
        self.detail.setFont(scaled_font(self, 0.85))
        # Details are secondary: they must not widen the card row.
        self.detail.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.caption.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(12, 6, 12, 6)
        lay.setSpacing(0)
        lay.addWidget(self.caption)
        lay.addWidget(self.value)
        lay.addWidget(self.detail)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set(
        self,
        value: str,
        detail: str = "",
        tooltip: str | None = None,
        warn: bool = False,
        short: str | None = None,
    ) -> None:
        """``warn`` shows the detail in the warning colour (a stale price); ``short``
        is the value for a card too narrow for it (a huge book: "1.2B USD")."""
        self.value.set_forms((value, short) if short else (value,))
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
            from hedger.ui.widgets.style import warning_color

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
