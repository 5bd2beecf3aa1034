"""Shared pieces of the analytics tabs: the history library, a worker, a table model.

``HistoryLibrary`` is the one object the five analytics tabs share: it owns
the history store, caches loaded series and emits ``changed`` after an
import or a delete, so every tab refreshes without touching another tab.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPalette, QShowEvent
from PySide6.QtWidgets import (
    QHeaderView,
    QSizePolicy,
    QTableView,
    QWidget,
)

from hedger.core.analytics.series import PriceSeries, ns_to_iso
from hedger.store.history import (
    DamagedHistory,
    HistoryInfo,
    HistoryStore,
    HistoryStoreError,
    ImportOutcome,
)
from hedger.ui.tasks import TaskRunner, error_text
from hedger.ui.widgets.style import blend, is_dark

Index = QModelIndex | QPersistentModelIndex
_ALIGN_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_ALIGN_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter


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


class BackgroundTab(QWidget):
    """An analytics tab whose figures are worked out off the GUI thread.

    ``_prepare`` runs on the GUI thread and snapshots the inputs (immutable
    portfolio, plan and settings) into a function; that function runs on a
    serial ``TaskRunner`` (the newest request wins, one thread at a time) and
    its result goes to ``_deliver`` on the GUI thread, a failure to
    ``_failed``. A request while the tab is hidden only marks it stale: the
    tab computes when it is shown. Palette changes restyle its plots
    (``_apply_palette``).
    """

    stale = True

    def _init_compute(self, delay_ms: int) -> None:
        """Call in ``__init__``: the pause after an edit before computing again."""
        self._task = TaskRunner(self, serial=True, name="hedger-analytics")
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(delay_ms)
        self._timer.timeout.connect(self.recompute)

    def _prepare(self) -> Callable[[], Any]:
        raise NotImplementedError

    def _deliver(self, computed: Any) -> None:
        raise NotImplementedError

    def _failed(self, exc: Exception) -> None:
        raise NotImplementedError

    def _apply_palette(self) -> None:
        raise NotImplementedError

    def schedule(self) -> None:
        """Inputs changed: compute again soon if shown, else when next shown.

        Takes no argument: signals carrying values (toggled, dateChanged) connect to it.
        """
        self._request(delay=True)

    def _request(self, delay: bool) -> None:
        if not self.isVisible():
            self.stale = True
            self._timer.stop()
        elif delay:
            self._timer.start()
        else:
            self.recompute()

    def recompute(self) -> None:
        """Compute now (in the background), whether shown or not."""
        self._timer.stop()
        self.stale = False
        try:
            job = self._prepare()
        except Exception as exc:  # inputs that cannot even be gathered
            self._task.cancel()
            self._failed(exc)
            return
        self._task.start(lambda _state: job(), self._deliver, self._failed)

    @property
    def busy(self) -> bool:
        return self._task.busy

    def wait(self, timeout_s: float = 60.0) -> bool:
        """Run what is pending and process events until its result is shown (tests, scripts)."""
        if self._timer.isActive() or self.stale:
            self.recompute()
        return self._task.wait(timeout_s)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.PaletteChange:
            self._apply_palette()
        super().changeEvent(event)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.stale:
            self.recompute()


class ResultTab(BackgroundTab):
    """A background tab showing one result (or why there is none) as ``_show(computed)``.

    ``computed`` has ``result`` and ``error``; ``_failed_computed(message)``
    builds the one shown when the worker raised.
    """

    result: Any = None
    error: str | None = None

    def _show(self, computed: Any) -> None:
        raise NotImplementedError

    def _failed_computed(self, message: str) -> Any:
        raise NotImplementedError

    def _deliver(self, computed: Any) -> None:
        self.result = computed.result
        self.error = computed.error
        self._show(computed)

    def _failed(self, exc: Exception) -> None:
        message = error_text(exc)
        self.result = None
        self.error = message
        self._show(self._failed_computed(message))


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


def fit_rows(view: QTableView, rows: int, minimum: int = 1) -> None:
    """Make a short table exactly as tall as its rows: no empty table area below them."""
    view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    view.setSizePolicy(view.sizePolicy().horizontalPolicy(), QSizePolicy.Policy.Fixed)
    header = view.horizontalHeader()
    scroll = view.horizontalScrollBar()
    extra = scroll.sizeHint().height() if scroll.isVisible() else 0
    view.setFixedHeight(
        view.verticalHeader().defaultSectionSize() * max(rows, minimum)
        + header.sizeHint().height()
        + 2 * view.frameWidth()
        + extra
    )


def when_text(ns: int) -> str:
    """``2024-01-05`` for a midnight, ``2024-01-05 13:45 UTC`` otherwise."""
    iso = ns_to_iso(ns)
    if iso.endswith("T00:00:00Z"):
        return iso[:10]
    return f"{iso[:10]} {iso[11:16]} UTC"


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
    for name in ("left", "bottom"):
        # Major and minor grid lines only: the third level roughly doubles the
        # cost of every frame (27 -> 14 ms at 800x450, software rendering)
        # and is too faint to read anyway.
        item.getAxis(name).setStyle(maxTickLevel=1)


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


IMPORT_HINT = (
    "Open the History tab and choose Import CSV… (daily or 1-minute closes: date,close, "
    "CoinGecko, Yahoo Finance or Binance klines), or run "
    "“hedger history import FILE --symbol BTC”."
)
