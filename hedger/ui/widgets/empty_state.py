"""Placeholders: why a view is empty and what to do, and a delayed "Computing…" label."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import (
    Qt,
    QTimer,
)
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from hedger.ui.widgets.style import dim, scaled_font

#: A button under the text: its label and what it does.
EmptyAction = tuple[str, Callable[[], object]]


class EmptyState(QWidget):
    """What a tab shows instead of empty axes: why there is nothing, and what to do.

    Below the text, optional buttons do it ("Import…", "Download…").
    """

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
        self.buttons: list[QPushButton] = []
        self._button_row = QHBoxLayout()
        self._button_row.setSpacing(8)
        bl.addSpacing(4)
        bl.addLayout(self._button_row)
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

    def set(self, title: str, text: str, actions: Sequence[EmptyAction] = ()) -> None:
        self.title.setText(title)
        self.text.setText(text)
        self.set_actions(actions)

    def set_actions(self, actions: Sequence[EmptyAction]) -> None:
        """Buttons under the text, centred (none: the row is empty)."""
        wanted = [label for label, _ in actions]
        if wanted == [b.text() for b in self.buttons]:
            # The same buttons: keep them (and the keyboard focus on them).
            for button, (_, slot) in zip(self.buttons, actions, strict=True):
                button.clicked.disconnect()
                button.clicked.connect(lambda _checked=False, f=slot: f())
            return
        while self._button_row.count():
            item = self._button_row.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.buttons = []
        if not actions:
            return
        self._button_row.addStretch(1)
        for label, slot in actions:
            button = QPushButton(label)
            button.setObjectName("emptyAction")
            button.clicked.connect(lambda _checked=False, f=slot: f())
            self._button_row.addWidget(button)
            self.buttons.append(button)
        self._button_row.addStretch(1)


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
