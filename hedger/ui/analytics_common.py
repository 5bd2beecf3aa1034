"""Shared pieces of the analytics tabs: the history library, a worker, a table model.

``HistoryLibrary`` is the one object the five analytics tabs share: it owns
the history store, caches loaded series and emits ``changed`` after an
import or a delete, so every tab refreshes without touching another tab.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRunnable,
    QSize,
    Qt,
    QThreadPool,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPalette
from PySide6.QtWidgets import QHeaderView, QLabel, QTableView, QWidget

from hedger.core.analytics.series import PriceSeries, ns_to_iso
from hedger.store.history import HistoryInfo, HistoryStore, HistoryStoreError, ImportOutcome
from hedger.ui.hedge_widgets import blend, is_dark, scaled_font

Index = QModelIndex | QPersistentModelIndex
_ALIGN_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_ALIGN_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter


class HistoryLibrary(QObject):
    """The stored price histories, shared by the analytics tabs."""

    changed = Signal()

    def __init__(self, store: HistoryStore | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = store or HistoryStore()
        self._infos: list[HistoryInfo] | None = None
        self._cache: dict[str, PriceSeries] = {}

    def infos(self) -> list[HistoryInfo]:
        if self._infos is None:
            try:
                self._infos = self.store.list_histories()
            except HistoryStoreError:
                self._infos = []
        return list(self._infos)

    def symbols(self) -> frozenset[str]:
        return frozenset(i.symbol for i in self.infos())

    def series(self, symbols: Iterable[str]) -> dict[str, PriceSeries]:
        """Loaded histories of those symbols that are stored (damaged ones left out)."""
        out: dict[str, PriceSeries] = {}
        stored = self.symbols()
        for sym in sorted(set(symbols) & stored):
            cached = self._cache.get(sym)
            if cached is None:
                try:
                    cached = self._cache[sym] = self.store.load(sym)
                except HistoryStoreError:
                    continue
            out[sym] = cached
        return out

    def merge(self, series: PriceSeries) -> ImportOutcome:
        """Merge ``series`` into the stored history of its symbol and tell every tab."""
        return self.store_series(lambda: self.store.merge(series))

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
        self._infos = None
        self._cache.clear()
        self.changed.emit()


class _WorkerSignals(QObject):
    finished = Signal(object)
    failed = Signal(str)


class Worker(QRunnable):
    """Runs ``func`` on the thread pool; ``finished(result)`` or ``failed(message)``.

    Used for work that can take seconds on big files (CSV import), so the
    window keeps painting.
    """

    def __init__(self, func: Callable[[], Any]) -> None:
        super().__init__()
        self.func = func
        self.signals = _WorkerSignals()
        self.setAutoDelete(True)

    def run(self) -> None:
        try:
            result = self.func()
        except Exception as exc:
            message = str(exc) or type(exc).__name__
            if not isinstance(exc, ValueError | OSError):
                traceback.print_exc()
            self.signals.failed.emit(message)
            return
        self.signals.finished.emit(result)


# The signal objects must outlive the runnable (deleted by the pool when run
# returns) until their queued signals are delivered.
_LIVE: set[_WorkerSignals] = set()


def start_worker(
    func: Callable[[], Any], on_done: Callable[[Any], None], on_fail: Callable[[str], None]
) -> Worker:
    worker = Worker(func)
    signals = worker.signals
    _LIVE.add(signals)

    def done(result: Any) -> None:
        _LIVE.discard(signals)
        on_done(result)

    def fail(message: str) -> None:
        _LIVE.discard(signals)
        on_fail(message)

    signals.finished.connect(done, Qt.ConnectionType.QueuedConnection)
    signals.failed.connect(fail, Qt.ConnectionType.QueuedConnection)
    QThreadPool.globalInstance().start(worker)
    return worker


@dataclass(frozen=True)
class Column:
    title: str
    numeric: bool = True
    tooltip: str = ""


@dataclass(frozen=True)
class Row:
    cells: tuple[str, ...]
    tooltip: str = ""
    emphasis: bool = False  # bold, tinted (the recommended row)
    muted: bool = False  # greyed (no estimate, zero contracts)
    key: Any = None  # what the row stands for (holding index, option name...)


class RowsModel(QAbstractTableModel):
    """A read-only table of display strings; tabs replace all rows at once."""

    def __init__(self, columns: Sequence[Column], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.columns = list(columns)
        self.rows: list[Row] = []

    def set_rows(self, rows: Sequence[Row]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        col = self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return row.cells[index.column()]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _ALIGN_RIGHT if col.numeric else _ALIGN_LEFT
        if role == Qt.ItemDataRole.ToolTipRole:
            return row.tooltip or None
        if role == Qt.ItemDataRole.FontRole and row.emphasis:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ForegroundRole and row.muted:
            return QPalette().color(QPalette.ColorRole.PlaceholderText)
        if role == Qt.ItemDataRole.BackgroundRole and row.emphasis:
            pal = QPalette()
            return blend(
                pal.color(QPalette.ColorRole.Base),
                pal.color(QPalette.ColorRole.Highlight),
                0.22 if is_dark(pal) else 0.12,
            )
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.columns):
            return None
        col = self.columns[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return col.title
        if role == Qt.ItemDataRole.ToolTipRole:
            return col.tooltip or None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _ALIGN_RIGHT if col.numeric else _ALIGN_LEFT
        if role == Qt.ItemDataRole.SizeHintRole:
            # Room around the title: resize-to-contents columns otherwise touch.
            fm = QFontMetrics(QFont())
            return QSize(fm.horizontalAdvance(col.title) + 28, fm.height() + 10)
        return None


def make_table(model: RowsModel, stretch_last: bool = False) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setAlternatingRowColors(True)
    view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
    view.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
    view.setShowGrid(False)
    view.setWordWrap(False)
    view.verticalHeader().hide()
    header = view.horizontalHeader()
    header.setHighlightSections(False)
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(stretch_last)
    header.setDefaultAlignment(_ALIGN_LEFT)
    row_h = view.fontMetrics().height() + 12
    view.verticalHeader().setDefaultSectionSize(row_h)
    return view


def when_text(ns: int) -> str:
    """``2024-01-05`` for a midnight, ``2024-01-05 13:45 UTC`` otherwise."""
    iso = ns_to_iso(ns)
    if iso.endswith("T00:00:00Z"):
        return iso[:10]
    return f"{iso[:10]} {iso[11:16]} UTC"


def section_title(text: str, widget: QWidget) -> QLabel:
    label = QLabel(text)
    label.setFont(scaled_font(widget, 1.1, bold=True))
    return label


def style_plot(plot: pg.PlotWidget, palette: QPalette) -> None:
    """Background, axes and grid from the palette, as the scenario chart does."""
    base = palette.color(QPalette.ColorRole.Base)
    text = palette.color(QPalette.ColorRole.Text)
    plot.setBackground(base)
    item = plot.getPlotItem()
    for name in ("left", "bottom", "right", "top"):
        axis = item.getAxis(name)
        axis.setPen(pg.mkPen(blend(text, base, 0.55), width=1))
        axis.setTextPen(pg.mkPen(blend(text, base, 0.2)))
    item.showGrid(x=True, y=True, alpha=0.12 if not is_dark(palette) else 0.18)


def series_colors(palette: QPalette) -> tuple[QColor, QColor, QColor]:
    """(hedged, unhedged, danger) colours for this palette."""
    dark = is_dark(palette)
    accent = palette.color(QPalette.ColorRole.Highlight)
    if dark and accent.lightness() < 110:
        accent = accent.lighter(140)
    text = palette.color(QPalette.ColorRole.Text)
    base = palette.color(QPalette.ColorRole.Base)
    grey = blend(text, base, 0.45)
    danger = QColor("#ff7b72") if dark else QColor("#cf222e")
    return accent, grey, danger
