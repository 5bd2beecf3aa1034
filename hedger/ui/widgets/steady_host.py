"""A holder that keeps its content's layout changes from re-laying out the window.

A label's new text asks its layout to recompute, and that request climbs
every layout above it to the nearest splitter or tab widget, which then
repaints everything it holds: the whole window for a text changed by an edit.
The holder passes the request on only when its content's size hints changed.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QWidget


class SteadyHost(QWidget):
    """Holds one widget filling it; outside, it has the widget's size hints and policy."""

    def __init__(self, content: QWidget | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._content: QWidget | None = None
        self._hints: tuple[QSize, QSize] | None = None
        if content is not None:
            self.set_content(content)

    def set_content(self, content: QWidget) -> None:
        """Hold ``content`` instead of the widget held so far (which is left as it is)."""
        self._content = content
        content.setParent(self)
        content.setGeometry(self.rect())
        content.show()
        self.setSizePolicy(content.sizePolicy())
        self._hints = self._current_hints()
        self.updateGeometry()

    def _current_hints(self) -> tuple[QSize, QSize] | None:
        c = self._content
        return None if c is None else (c.sizeHint(), c.minimumSizeHint())

    def sizeHint(self) -> QSize:
        return self._content.sizeHint() if self._content is not None else super().sizeHint()

    def minimumSizeHint(self) -> QSize:
        c = self._content
        return c.minimumSizeHint() if c is not None else super().minimumSizeHint()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self._content is not None:
            self._content.setGeometry(self.rect())

    def event(self, event: QEvent) -> bool:
        # The content asked for a new layout (its parent, this, has no layout).
        if event.type() == QEvent.Type.LayoutRequest:
            hints = self._current_hints()
            if hints != self._hints:
                self._hints = hints
                self.updateGeometry()
            return True
        return super().event(event)
