"""Price histories: import a file, list and delete stored histories, load series.

Used by the command line (``history import|list|delete``; ``beta``,
``backtest`` and ``risk`` load through ``hedger.services.analytics``) and the
desktop app (the History tab; the analytics tabs' shared ``HistoryLibrary``,
a Qt signal around ``HistoryCache``). Histories are kept in the data folder
and shared by every portfolio.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from hedger.core.analytics.history import (
    MAX_KEPT_ERRORS,
    HistoryImportError,
    ImportReport,
    read_price_file,
)
from hedger.core.analytics.series import PriceSeries
from hedger.services.errors import ServiceError
from hedger.store.history import (
    DamagedHistory,
    HistoryInfo,
    HistoryStore,
    HistoryStoreError,
    ImportOutcome,
    PartialImportRefused,
)


class HistoryFileError(ServiceError):
    """A file that cannot be read as price history at all; one line."""


def read_history_file(path: Path, symbol: str, source: str | None = None) -> ImportReport:
    """The closes in a CSV, with a report of the rows that could not be read.

    Slow for a big file (run it off the GUI thread); stores nothing.
    """
    try:
        return read_price_file(path, symbol, source)
    except HistoryImportError as exc:
        raise HistoryFileError(str(exc)) from None


@dataclass(frozen=True)
class HistoryImport:
    """What an import did: the file's report and, when stored, the outcome."""

    symbol: str
    report: ImportReport
    outcome: ImportOutcome | None  # None: nothing was imported
    partial_refused: bool = False  # bad rows, and importing the rest was not allowed
    problem: str | None = None  # why the store refused the rows, when it did


def import_history(
    path: Path,
    symbol: str,
    *,
    source: str | None = None,
    accept_partial: bool = False,
    store: HistoryStore | None = None,
) -> HistoryImport:
    """Read ``path`` and merge its rows into the stored history of ``symbol``.

    A file with bad rows is stored only with ``accept_partial``. Raises
    HistoryFileError when the file cannot be read at all; a refusal to store
    is reported in the result, which the caller still shows.
    """
    report = read_history_file(path, symbol, source)
    try:
        outcome = (store or HistoryStore()).import_report(report, accept_partial=accept_partial)
    except PartialImportRefused:
        return HistoryImport(symbol, report, None, partial_refused=True)
    except HistoryStoreError as exc:
        return HistoryImport(symbol, report, None, problem=str(exc))
    return HistoryImport(symbol, report, outcome)


def list_histories(
    store: HistoryStore | None = None,
) -> tuple[list[HistoryInfo], list[DamagedHistory]]:
    """The readable stored histories and the damaged files, each by symbol."""
    return (store or HistoryStore()).scan()


def delete_history(symbol: str, store: HistoryStore | None = None) -> None:
    """Delete the stored history of ``symbol``; raises HistoryStoreError if there is none."""
    (store or HistoryStore()).delete(symbol)


class HistoryCache:
    """The stored histories with loaded series kept in memory (Qt-free).

    ``series`` may be called from worker threads: a lock keeps two workers
    from loading the same file twice, and a generation number keeps a load
    that raced a ``reload`` out of the cache. ``merge`` and ``delete`` reload;
    a GUI wraps this to announce the change.
    """

    def __init__(self, store: HistoryStore | None = None) -> None:
        self.store = store or HistoryStore()
        self._infos: list[HistoryInfo] | None = None
        self._damaged: list[DamagedHistory] = []
        self._cache: dict[str, PriceSeries] = {}
        self._lock = threading.Lock()
        self._generation = 0

    @property
    def generation(self) -> int:
        """Bumped by every reload (import, delete): results computed before are stale."""
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
        """Merge ``series`` into the stored history of its symbol (slow for a big one)."""
        try:
            return self.store.merge(series)
        finally:
            self.reload()

    def delete(self, symbol: str) -> None:
        try:
            self.store.delete(symbol)
        finally:
            self.reload()

    def reload(self) -> None:
        """Forget what was read: the next call scans and loads again."""
        with self._lock:
            self._infos = None
            self._damaged = []
            self._cache.clear()
            self._generation += 1


__all__ = [
    "MAX_KEPT_ERRORS",
    "DamagedHistory",
    "HistoryCache",
    "HistoryFileError",
    "HistoryImport",
    "HistoryInfo",
    "HistoryStore",
    "HistoryStoreError",
    "ImportOutcome",
    "ImportReport",
    "delete_history",
    "import_history",
    "list_histories",
    "read_history_file",
]
