"""The stored price histories, shared by the five analytics tabs and the beta hints.

``HistoryLibrary`` owns the history store, caches loaded series and emits
``changed`` after an import or a delete, so every tab refreshes without
touching another tab.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable

from PySide6.QtCore import (
    QObject,
    Signal,
)

from hedger.core.analytics.series import PriceSeries
from hedger.store.history import (
    DamagedHistory,
    HistoryInfo,
    HistoryStore,
    HistoryStoreError,
    ImportOutcome,
)
from hedger.ui.tasks import TaskRunner, error_text


class HistoryLibrary(QObject):
    """The stored price histories, shared by the analytics tabs.

    ``series`` may be called from worker threads (the tabs compute off the
    GUI thread); a lock keeps two workers from loading the same file twice,
    and a generation number keeps a load that raced a ``reload`` out of the
    cache.
    """

    changed = Signal()

    def __init__(self, store: HistoryStore | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = store or HistoryStore()
        self._infos: list[HistoryInfo] | None = None
        self._damaged: list[DamagedHistory] = []
        self._cache: dict[str, PriceSeries] = {}
        self._lock = threading.Lock()
        self._generation = 0
        # One import at a time: the History tab waits for each before the next.
        self._task = TaskRunner(self, name="hedger-history-import")

    @property
    def generation(self) -> int:
        """Bumped by every import or delete: results computed before are stale."""
        return self._generation

    def infos(self) -> list[HistoryInfo]:
        with self._lock:
            if self._infos is None:
                try:
                    self._infos, self._damaged = self.store.scan()
                except HistoryStoreError:
                    self._infos, self._damaged = [], []
            return list(self._infos)

    def damaged(self) -> list[DamagedHistory]:
        """Stored files that cannot be read (shown to the user, never used)."""
        self.infos()
        with self._lock:
            return list(self._damaged)

    def symbols(self) -> frozenset[str]:
        return frozenset(i.symbol for i in self.infos())

    def series(self, symbols: Iterable[str]) -> dict[str, PriceSeries]:
        """Loaded histories of those symbols that are stored (damaged ones left out)."""
        out: dict[str, PriceSeries] = {}
        stored = self.symbols()
        for sym in sorted(set(symbols) & stored):
            with self._lock:
                generation = self._generation
                cached = self._cache.get(sym)
            if cached is None:
                # Read without the lock: a big history takes a while, and the
                # GUI thread asks for symbols() and infos() under it.
                try:
                    cached = self.store.load(sym)
                except HistoryStoreError:
                    continue
                with self._lock:
                    # An import meanwhile made this copy old: use it, don't keep it.
                    if generation == self._generation:
                        self._cache[sym] = cached
            out[sym] = cached
        return out

    def merge(self, series: PriceSeries) -> ImportOutcome:
        """Merge ``series`` into the stored history of its symbol and tell every tab."""
        return self.store_series(lambda: self.store.merge(series))

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

        self._task.start(lambda _state: self.store.merge(series), done, fail)

    def store_series(self, outcome_of: Callable[[], ImportOutcome]) -> ImportOutcome:
        """Run a store write (import/merge) and tell every tab."""
        try:
            return outcome_of()
        finally:
            self.reload()

    def delete(self, symbol: str) -> None:
        try:
            self.store.delete(symbol)
        finally:
            self.reload()

    def reload(self) -> None:
        with self._lock:
            self._infos = None
            self._damaged = []
            self._cache.clear()
            self._generation += 1
        self.changed.emit()


def damaged_messages(histories: HistoryLibrary, symbols: Iterable[str]) -> list[str]:
    """One line per damaged stored file among ``symbols`` (all of them when empty)."""
    wanted = set(symbols)
    return [d.message() for d in histories.damaged() if not wanted or d.symbol in wanted]
