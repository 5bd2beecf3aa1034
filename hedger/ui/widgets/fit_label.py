"""A one-line label that shows a shorter form of its text rather than cut it."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QSize
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget


class FitLabel(QLabel):
    """Shows the first of its forms that fits ("1,234,567 USD", "1.2M USD").

    It never widens its row past the shortest form, and a shortened text puts
    the full one in the tooltip: a number is never shown cut off.
    """

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self._forms: tuple[str, ...] = (text,)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

    def set_forms(self, forms: Sequence[str]) -> None:
        """The text, longest (fullest) form first."""
        forms = tuple(f for f in forms if f) or ("",)
        if forms != self._forms:
            self._forms = forms
            self.updateGeometry()
        self._choose(self.width())

    def full_text(self) -> str:
        return self._forms[0]

    def _fits(self, text: str, width: int) -> bool:
        margins = self.contentsMargins()
        room = width - margins.left() - margins.right() - 2 * self.margin()
        return self.fontMetrics().horizontalAdvance(text) <= room

    def _choose(self, width: int) -> None:
        shown = next((f for f in self._forms if self._fits(f, width)), self._forms[-1])
        if self.text() != shown:
            self.setText(shown)
        tip = self._forms[0] if shown != self._forms[0] else ""
        if self.toolTip() != tip:
            self.setToolTip(tip)

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        fm = self.fontMetrics()
        return QSize(fm.horizontalAdvance(self._forms[0]) + 2 * self.margin() + 2, hint.height())

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        fm = self.fontMetrics()
        return QSize(fm.horizontalAdvance(self._forms[-1]) + 2 * self.margin() + 2, hint.height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._choose(event.size().width())
