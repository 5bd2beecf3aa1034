"""An event filter that calls back when the mouse leaves the widget it watches."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject


class LeaveFilter(QObject):
    """``widget.installEventFilter(LeaveFilter(on_leave))``: ``on_leave()`` on each Leave."""

    def __init__(self, on_leave: Callable[[], object]) -> None:
        super().__init__()
        self._on_leave = on_leave

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Leave:
            self._on_leave()
        return False
