"""Segmented control: mutually exclusive choices shown side by side."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QFont,
    QKeyEvent,
    QPainter,
    QPaintEvent,
    QPalette,
)
from PySide6.QtWidgets import (
    QHBoxLayout,
    QSizePolicy,
    QToolButton,
    QWidget,
)

from hedger.ui.widgets.focus_style import OWN_RING, paint_focus_ring
from hedger.ui.widgets.style import blend


class _Segment(QToolButton):
    """One button of a SegmentedControl; paints itself from the palette."""

    def __init__(self, position: Literal["first", "middle", "last", "only"]) -> None:
        super().__init__()
        self._position = position
        self.setCheckable(True)
        self.setAutoRaise(False)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setProperty(OWN_RING, True)  # drawn in paintEvent, within its rounded shape

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
        if self.hasFocus():
            # Tab reaches each choice; the keyboard's place must show.
            paint_focus_ring(p, QRectF(self.rect()).adjusted(1, 1, -1, -1), pal, 4)
        p.end()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Left and Right move between the choices, like a radio group.
        step = {Qt.Key.Key_Left: -1, Qt.Key.Key_Right: 1}.get(Qt.Key(event.key()))
        parent = self.parentWidget()
        if step is None or not isinstance(parent, SegmentedControl):
            super().keyPressEvent(event)
            return
        buttons = list(parent.buttons.values())
        i = buttons.index(self) + step
        if 0 <= i < len(buttons):
            buttons[i].setFocus(Qt.FocusReason.TabFocusReason)


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
