"""Daily volatility from stored history for the leverage warning, measured off the GUI thread.

The plan warns above the leverage a one-day three-sigma move allows
(``hedger.core.leverage``). Without history it uses Hedger's documented
defaults; with a stored history of the underlying the document plans with
the volatility measured from it (``hedger.services.leverage``). Loading a
history can take seconds, so it runs on the thread pool, once the window is
up, and again when the histories or the set of underlyings change.

Nothing heavy is imported at the top: numpy and the history store load on a
worker thread in ``start``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer

from hedger.ui.document.document import DailyVols, PortfolioDocument
from hedger.ui.tasks import TaskRunner

if TYPE_CHECKING:
    from hedger.core.planner import Plan
    from hedger.ui.analytics.history_library import HistoryLibrary

WARM_MODULES = ("hedger.ui.analytics.history_library", "hedger.core.analytics.volatility")


def measure(underlyings: tuple[str, ...], library: HistoryLibrary) -> DailyVols:
    """Measured daily volatility per underlying with enough history (worker thread)."""
    from hedger.services.leverage import measured_daily_vols

    return measured_daily_vols(underlyings, library.cache)


class DailyVolatility(QObject):
    """Keeps ``document.daily_vols`` in step with the stored histories."""

    def __init__(
        self,
        document: PortfolioDocument,
        library: Callable[[], HistoryLibrary],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._doc = document
        self._library_of = library
        self._library: HistoryLibrary | None = None
        self._measured: tuple[str, ...] | None = None  # underlyings of the last measure
        self._task = TaskRunner(self, serial=True, name="hedger-daily-vol")
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(400)
        self._timer.timeout.connect(self._start)
        document.planChanged.connect(self._on_plan)

    @property
    def busy(self) -> bool:
        return self._task.busy or self._timer.isActive() or self._library is None

    def start(self) -> None:
        """Import the history store off the GUI thread, then measure."""
        self._task.start(
            lambda _state: self._warm_up(), lambda _r: self._on_warm(), lambda _e: None
        )

    @staticmethod
    def _warm_up() -> None:
        for name in WARM_MODULES:
            importlib.import_module(name)

    def _on_warm(self) -> None:
        self._library = self._library_of()
        self._library.changed.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        """Histories changed: measure again (soon)."""
        self._measured = None
        self._timer.start()

    def _on_plan(self, plan: Plan) -> None:
        if self._library is not None and self._names(plan) != self._measured:
            self._timer.start()

    @staticmethod
    def _names(plan: Plan) -> tuple[str, ...]:
        return tuple(u.underlying for u in plan.underlyings)

    def _start(self) -> None:
        library = self._library
        if library is None:
            return
        names = self._names(self._doc.plan)
        if names == self._measured:
            return
        self._measured = names
        # Without a measure the plan keeps the documented defaults: nothing to tell.
        self._task.start(
            lambda _state: measure(names, library), self._doc.set_daily_vols, lambda _e: None
        )

    def wait(self, timeout_s: float = 30.0) -> bool:
        """Process events until the measure is in (tests and scripts)."""
        import time

        from PySide6.QtWidgets import QApplication

        app = QApplication.instance()
        end = time.monotonic() + timeout_s
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
