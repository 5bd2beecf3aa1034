"""Placeholders: why a view is empty and what to do, and a delayed "Computing…" label."""

from __future__ import annotations

from PySide6.QtCore import (
    Qt,
    QTimer,
)
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from hedger.ui.widgets.style import dim, scaled_font


class EmptyState(QWidget):
    """What a tab shows instead of empty axes: why there is nothing, and what to do."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("emptyState")
        self.title = QLabel("")
        self.title.setFont(scaled_font(self, 1.25, bold=True))
        self.title.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.title.setWordWrap(True)
        self.text = dim(QLabel(""))
        self.text.setWordWrap(True)
        self.text.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box = QWidget()
        box.setMaximumWidth(640)
        bl = QVBoxLayout(box)
        bl.setContentsMargins(0, 0, 0, 0)
        bl.setSpacing(8)
        bl.addWidget(self.title)
        bl.addWidget(self.text)
        # Stretches, not an alignment flag: an aligned widget gets its size
        # hint's width and the wrapped text is cut after two lines.
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(box, 6)
        row.addStretch(1)
        lay = QVBoxLayout(self)
        lay.addStretch(2)
        lay.addLayout(row)
        lay.addStretch(3)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set(self, title: str, text: str) -> None:
        self.title.setText(title)
        self.text.setText(text)


class BusyLabel(QLabel):
    """ "Computing…" beside a tab's title while its worker runs.

    Shown only after a short delay so quick recomputes do not flicker; keeps
    its place in the layout when hidden so the header does not jump.
    """

    def __init__(self, text: str = "Computing…", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setObjectName("busyLabel")
        dim(self)
        policy = self.sizePolicy()
        policy.setRetainSizeWhenHidden(True)
        self.setSizePolicy(policy)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(120)
        self._timer.timeout.connect(self.show)
        self.hide()

    def set_busy(self, busy: bool) -> None:
        if busy:
            if not self.isVisible() and not self._timer.isActive():
                self._timer.start()
        else:
            self._timer.stop()
            self.hide()
