"""Warnings and problems in words, one row each with a standard icon."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import (
    QPixmap,
)
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from hedger.ui.widgets.style import scaled_font
from hedger.ui.widgets.wrap_label import WrapLabel

Severity = Literal["error", "warning", "info"]


_ICONS: dict[Severity, QStyle.StandardPixmap] = {
    "error": QStyle.StandardPixmap.SP_MessageBoxCritical,
    "warning": QStyle.StandardPixmap.SP_MessageBoxWarning,
    "info": QStyle.StandardPixmap.SP_MessageBoxInformation,
}


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
