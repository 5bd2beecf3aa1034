"""Work done from the stored histories off the GUI thread, again when they change.

The leverage warning's volatility and the holdings' beta hints both load
histories (seconds for a large store). Both first import their heavy modules
on a worker thread (numpy, the analytics code: nothing heavy at start-up),
then take the window's shared HistoryLibrary and redo their work, after a
pause, whenever the histories change or their inputs do.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QApplication

from hedger.ui.tasks import TaskRunner

if TYPE_CHECKING:
    from hedger.ui.analytics.history_library import HistoryLibrary


class HistoryFollower(QObject):
    """Subclasses set WARM_MODULES and implement ``_start`` (the work, from
    ``self._library``) and ``_forget`` (so the next ``_start`` runs again)."""

    WARM_MODULES: tuple[str, ...] = ()

    def __init__(
        self,
        library: Callable[[], HistoryLibrary],
        *,
        name: str,
        delay_ms: int,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._library_of = library
        self._library: HistoryLibrary | None = None
        # Serial: newer work waits for the one running (CPU-bound, it cannot
        # stop early) and the older answer is dropped. A window closed
        # meanwhile has deleted the runner: the answer goes nowhere.
        self._task = TaskRunner(self, serial=True, name=name)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(delay_ms)
        self._timer.timeout.connect(self._start)

    @property
    def busy(self) -> bool:
        return self._task.busy or self._timer.isActive() or self._library is None

    def start(self) -> None:
        """Import the modules off the GUI thread, then do the work."""
        # A failed warm-up only loses the head start: the modules then load
        # on first use, and the work must not wait for it forever.
        self._task.start(
            lambda _state: self._warm_up(), lambda _r: self._on_warm(), lambda _e: self._on_warm()
        )

    def _warm_up(self) -> None:
        for name in self.WARM_MODULES:
            importlib.import_module(name)

    def _on_warm(self) -> None:
        self._library = self._library_of()
        self._library.changed.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        """Histories changed: work again (soon)."""
        self._forget()
        self._timer.start()

    def _forget(self) -> None:
        raise NotImplementedError

    def _start(self) -> None:
        raise NotImplementedError

    def wait(self, timeout_s: float = 30.0) -> bool:
        """Process events until the work is in (tests and scripts)."""
        app = QApplication.instance()
        end = time.monotonic() + timeout_s
        if self._timer.isActive():
            self._timer.stop()
            self._start()
        while self.busy:
            if time.monotonic() > end:
                return False
            if app is not None:
                app.processEvents()
            time.sleep(0.001)
            if self._timer.isActive() and not self._task.busy:
                self._timer.stop()
                self._start()
        return True
