"""A word-wrapped label whose size hint follows its real width."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize
from PySide6.QtGui import (
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QLabel,
    QSizePolicy,
    QWidget,
)


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
