"""The stored price histories, shared by the five analytics tabs and the beta hints.

``HistoryLibrary`` owns the history store, caches loaded series and emits
``changed`` after an import or a delete, so every tab refreshes without
touching another tab.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6.QtCore import QObject, Signal

from hedger.core.analytics.series import PriceSeries
from hedger.services.history import (
    DamagedHistory,
    HistoryCache,
    HistoryInfo,
    HistoryStore,
    ImportOutcome,
)
from hedger.ui.tasks import TaskRunner, error_text


class HistoryLibrary(QObject):
    """The stored price histories, shared by the analytics tabs.

    A Qt face on ``hedger.services.history.HistoryCache`` (which may be read
    from worker threads): every import, merge or delete announces ``changed``.
    """

    changed = Signal()
    #: "import" or "download", asked by an empty state's button; the History tab does it.
    actionRequested = Signal(str)

    def __init__(self, store: HistoryStore | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.cache = HistoryCache(store)
        # One import at a time: the History tab waits for each before the next.
        self._task = TaskRunner(self, name="hedger-history-import")

    @property
    def generation(self) -> int:
        """Bumped by every import or delete: results computed before are stale."""
        return self.cache.generation

    def infos(self) -> list[HistoryInfo]:
        return self.cache.infos()

    def damaged(self) -> list[DamagedHistory]:
        """Stored files that cannot be read (shown to the user, never used)."""
        return self.cache.damaged()

    def symbols(self) -> frozenset[str]:
        return self.cache.symbols()

    def series(self, symbols: Iterable[str]) -> dict[str, PriceSeries]:
        """Loaded histories of those symbols that are stored (damaged ones left out)."""
        return self.cache.series(symbols)

    def merge(self, series: PriceSeries) -> ImportOutcome:
        """Merge ``series`` into the stored history of its symbol and tell every tab."""
        try:
            return self.cache.merge(series)
        finally:
            self.changed.emit()

    def merge_in_background(
        self,
        series: PriceSeries,
        on_done: Callable[[ImportOutcome], None],
        on_fail: Callable[[str], None],
    ) -> None:
        """The merge reads and rewrites tens of MB for a big history: off the GUI thread."""

        def done(outcome: ImportOutcome) -> None:
            self.reload()
            on_done(outcome)

        def fail(exc: Exception) -> None:
            self.reload()
            on_fail(error_text(exc))

        self._task.start(lambda _state: self.cache.store.merge(series), done, fail)

    def delete(self, symbol: str) -> None:
        try:
            self.cache.delete(symbol)
        finally:
            self.changed.emit()

    def reload(self) -> None:
        self.cache.reload()
        self.changed.emit()


def damaged_messages(histories: HistoryLibrary, symbols: Iterable[str]) -> list[str]:
    """One line per damaged stored file among ``symbols`` (all of them when empty)."""
    wanted = set(symbols)
    return [d.message() for d in histories.damaged() if not wanted or d.symbol in wanted]
