"""A visible keyboard focus on controls whose style draws none.

Fusion draws no focus for tool buttons (Copy, the panel buttons, the toolbar)
nor around a focused table or list. One ring follows the focus instead: a
small overlay placed over the focused control, moved only when the focus
moves. (A proxy style would do it too, but it routes every draw call of
every widget through Python: a slower first paint and every repaint.)
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QEvent, QMargins, QObject, QRect, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QAbstractItemView, QApplication, QToolButton, QWidget

RING = 2.0
MARGIN = 2
# Widgets that draw their own ring set this property (segments, the holdings table).
OWN_RING = "ownFocusRing"


def paint_focus_ring(painter: QPainter, rect: QRectF, palette: QPalette, radius: float = 4) -> None:
    """The ring every focused control shows (also drawn by custom-painted widgets)."""
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    color = QColor(palette.color(QPalette.ColorRole.Highlight))
    painter.setPen(QPen(color, RING))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    half = RING / 2
    painter.drawRoundedRect(rect.adjusted(half, half, -half, -half), radius, radius)
    painter.restore()


def wants_ring(widget: QWidget | None) -> bool:
    if widget is None or widget.property(OWN_RING):
        return False
    return isinstance(widget, QToolButton | QAbstractItemView)


class _Overlay(QWidget):
    """Paints the ring around its target; transparent to the mouse, never focused."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("focusRing")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.target: QWidget | None = None

    def paintEvent(self, event: QPaintEvent) -> None:
        target = self.target
        if target is None or not shiboken6.isValid(target):
            return
        p = QPainter(self)
        # A sibling: the target's place in the parent, less the overlay's.
        offset = target.geometry().topLeft() - self.geometry().topLeft()
        inner = QRectF(QRect(offset, target.size()))
        rect = inner.adjusted(-MARGIN + 0.5, -MARGIN + 0.5, MARGIN - 0.5, MARGIN - 0.5)
        paint_focus_ring(p, rect, target.palette(), 4)
        p.end()


class FocusRing(QObject):
    """Keeps a ring around the focused tool button, table or list (one per application)."""

    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self.setObjectName("focusRingController")
        self._overlay: _Overlay | None = None
        self._target: QWidget | None = None
        app.focusChanged.connect(self._on_focus)

    @classmethod
    def install(cls, app: QApplication) -> FocusRing:
        existing = app.findChild(FocusRing, "focusRingController")
        return existing if isinstance(existing, FocusRing) else cls(app)

    @property
    def overlay(self) -> QWidget | None:
        overlay = self._overlay
        return overlay if overlay is not None and shiboken6.isValid(overlay) else None

    def _on_focus(self, _old: QWidget | None, new: QWidget | None) -> None:
        old = self._target
        if old is not None and shiboken6.isValid(old):
            old.removeEventFilter(self)
        self._target = new if wants_ring(new) else None
        if self._target is not None:
            self._target.installEventFilter(self)
        self._place()

    def _place(self) -> None:
        target = self._target
        overlay = self.overlay
        if target is None or not shiboken6.isValid(target) or not target.isVisible():
            if overlay is not None:
                overlay.hide()
            return
        parent = target.parentWidget()
        if parent is None:
            return
        if overlay is None:
            overlay = self._overlay = _Overlay(parent)
        elif overlay.parentWidget() is not parent:
            overlay.setParent(parent)
        overlay.target = target
        margin = QMargins(MARGIN, MARGIN, MARGIN, MARGIN)
        overlay.setGeometry(target.geometry().marginsAdded(margin) & parent.rect())
        overlay.raise_()
        overlay.show()
        overlay.update()

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if obj is self._target and event.type() in (
            QEvent.Type.Move,
            QEvent.Type.Resize,
            QEvent.Type.Show,
            QEvent.Type.Hide,
        ):
            self._place()
        return False
