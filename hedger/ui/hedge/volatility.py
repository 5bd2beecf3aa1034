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

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from hedger.ui.analytics.history_follower import HistoryFollower
from hedger.ui.document.document import DailyVols, PortfolioDocument

if TYPE_CHECKING:
    from hedger.core.planner import Plan
    from hedger.ui.analytics.history_library import HistoryLibrary

WARM_MODULES = ("hedger.ui.analytics.history_library", "hedger.core.analytics.volatility")


def measure(underlyings: tuple[str, ...], library: HistoryLibrary) -> DailyVols:
    """Measured daily volatility per underlying with enough history (worker thread)."""
    from hedger.services.leverage import measured_daily_vols

    return measured_daily_vols(underlyings, library.cache)


class DailyVolatility(HistoryFollower):
    """Keeps ``document.daily_vols`` in step with the stored histories."""

    WARM_MODULES = WARM_MODULES

    def __init__(
        self,
        document: PortfolioDocument,
        library: Callable[[], HistoryLibrary],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(library, name="hedger-daily-vol", delay_ms=400, parent=parent)
        self._doc = document
        self._measured: tuple[str, ...] | None = None  # underlyings of the last measure
        document.planChanged.connect(self._on_plan)

    def _forget(self) -> None:
        self._measured = None

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
