"""The History tab's Download… dialog: closes from a venue's public candles, with progress.

The download itself is ``hedger.services.history_download.download_history``,
run through a ``TaskRunner``; its progress reaches the GUI thread through a
queued signal. Esc or Stop stops it between two requests: every symbol stored
by then stays stored.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from hedger.services.history_download import (
    DEFAULT_DAYS,
    MAX_DAYS,
    DownloadError,
    DownloadProgress,
    DownloadReport,
    download_choices,
    download_history,
    parse_symbols,
    symbol_line,
)
from hedger.services.prices import ccxt_available
from hedger.ui.analytics.history_library import HistoryLibrary
from hedger.ui.tasks import TaskRunner, TaskState, error_text
from hedger.ui.widgets.style import dim
from hedger.ui.widgets.wrap_label import WrapLabel

INTRO = (
    "Closes from a venue's public price data; no account or key is needed. Each close is "
    "the last price of a UTC day (or hour), dated by the day's (or hour's) opening time in "
    "UTC. A symbol already stored continues from its last stored close; gaps the venue has "
    "are listed, not filled in."
)
INTERVALS = (("Daily (1 close per UTC day)", "1d"), ("Hourly (1 close per UTC hour)", "1h"))
_COLUMNS = ("Symbol", "Progress", "Result")
_NOT_DONE = ("failed", "stopped", "not asked", "no bars")


class _Relay(QObject):
    """Carries the download's progress from its worker thread to the dialog."""

    progress = Signal(object)


class DownloadDialog(QDialog):
    """Symbols, span, interval and venue; then per-symbol progress and a summary."""

    #: Symbols that got new bars, when a download ends.
    downloaded = Signal(list)

    def __init__(
        self,
        histories: HistoryLibrary,
        symbols: Sequence[str] = (),
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("downloadDialog")
        self.setWindowTitle("Download price history")
        self.setMinimumWidth(640)
        self.histories = histories
        self.report: DownloadReport | None = None
        self._task = TaskRunner(self, name="hedger-history-download")
        self._state: TaskState | None = None
        self._relays: list[_Relay] = []  # alive until their queued signals arrived
        self._run = 0
        self._bars: list[QProgressBar] = []
        self._build(symbols)

    # -- construction ---------------------------------------------------------------
    def _build(self, symbols: Sequence[str]) -> None:
        lay = QVBoxLayout(self)
        lay.setSpacing(10)
        lay.addWidget(dim(WrapLabel(INTRO)))
        form = QFormLayout()
        self.symbols_edit = QLineEdit(", ".join(symbols))
        self.symbols_edit.setPlaceholderText("e.g. BTC, ETH, SOL")
        self.symbols_edit.setToolTip(
            "Your portfolio's coins and their hedge underlyings; stablecoins are left out"
        )
        form.addRow("Symbols", self.symbols_edit)
        self.days_spin = QSpinBox()
        self.days_spin.setRange(1, MAX_DAYS)
        self.days_spin.setValue(DEFAULT_DAYS)
        self.days_spin.setSuffix(" days")
        self.days_spin.setToolTip("How far back, counted from today (UTC)")
        form.addRow("Span", self.days_spin)
        self.interval_combo = QComboBox()
        for label, key in INTERVALS:
            self.interval_combo.addItem(label, key)
        form.addRow("Interval", self.interval_combo)
        self.source_combo = self._source_combo()
        form.addRow("Source", self.source_combo)
        lay.addLayout(form)

        self.table = QTableWidget(0, len(_COLUMNS))
        self.table.setObjectName("downloadTable")
        self.table.setHorizontalHeaderLabels(list(_COLUMNS))
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Fixed)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.setColumnWidth(1, 140)
        self.table.setMinimumHeight(150)
        lay.addWidget(self.table, 1)
        self.summary = WrapLabel("")
        self.summary.setObjectName("downloadSummary")
        lay.addWidget(self.summary)

        self.buttons = QDialogButtonBox()
        self.start_button = QPushButton("Download")
        self.start_button.setDefault(True)
        self.start_button.clicked.connect(self.start)
        self.stop_button = QPushButton("Stop")
        self.stop_button.setToolTip("Stop after the current request (Esc); what is stored stays")
        self.stop_button.clicked.connect(self.stop)
        self.stop_button.hide()
        self.close_button = QPushButton("Close")
        self.close_button.clicked.connect(self.reject)
        for b in (self.start_button, self.stop_button):
            self.buttons.addButton(b, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.addButton(self.close_button, QDialogButtonBox.ButtonRole.RejectRole)
        lay.addWidget(self.buttons)

    def _source_combo(self) -> QComboBox:
        combo = QComboBox()
        builtin, ccxt = download_choices()
        for choice in builtin:
            combo.addItem(choice.label, choice.key)
            combo.setItemData(combo.count() - 1, choice.hint, Qt.ItemDataRole.ToolTipRole)
        if ccxt:
            combo.insertSeparator(combo.count())
        have_ccxt = ccxt_available()
        for choice in ccxt:
            combo.addItem(choice.label, choice.key)
            if not have_ccxt:
                item = combo.model().item(combo.count() - 1)  # type: ignore[attr-defined]
                item.setEnabled(False)
                item.setToolTip("Needs the ccxt library: pip install 'hedger[live]'")
        return combo

    # -- running ----------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._task.busy

    def start(self) -> None:
        """Check the inputs and start the download in the background."""
        if self.running:
            return
        try:
            symbols = parse_symbols(self.symbols_edit.text())
        except DownloadError as exc:
            self.summary.setText(str(exc))
            return
        self.symbols_edit.setText(", ".join(symbols))
        self._fill_rows(symbols)
        self._set_running(True)
        self.summary.setText(f"Downloading {len(symbols)} symbol{'s' if len(symbols) > 1 else ''}…")
        self._run += 1
        run = self._run
        relay = _Relay()
        self._relays.append(relay)
        relay.progress.connect(
            lambda p, run=run: self._on_progress(run, p), Qt.ConnectionType.QueuedConnection
        )
        days = self.days_spin.value()
        interval = str(self.interval_combo.currentData())
        source = str(self.source_combo.currentData())
        store = self.histories.cache.store

        def job(state: TaskState) -> DownloadReport:
            return download_history(
                symbols,
                days=days,
                interval=interval,
                source=source,
                on_progress=relay.progress.emit,
                cancelled=state.is_cancelled,
                store=store,
            )

        self._state = self._task.start(job, self._on_done, self._on_failed)

    def stop(self) -> None:
        """Stop between two requests; the symbols stored so far stay stored."""
        if self._state is not None and self.running:
            self._state.cancel()
            self.stop_button.setEnabled(False)
            self.summary.setText("Stopping after the current request…")

    def _set_running(self, running: bool) -> None:
        for w in (self.symbols_edit, self.days_spin, self.interval_combo, self.source_combo):
            w.setEnabled(not running)
        self.start_button.setVisible(not running)
        self.stop_button.setVisible(running)
        self.stop_button.setEnabled(running)
        if running:
            self.stop_button.setFocus()
            return
        self.start_button.setText("Download again" if self.report else "Download")
        if self.report is not None:
            # Done: Enter closes, and the typed symbols are not left selected.
            self.close_button.setDefault(True)
            self.close_button.setFocus()

    def _fill_rows(self, symbols: Sequence[str]) -> None:
        self.table.setRowCount(len(symbols))
        self._bars = []
        for row, symbol in enumerate(symbols):
            self.table.setItem(row, 0, QTableWidgetItem(symbol))
            bar = QProgressBar()
            bar.setRange(0, 100)
            bar.setValue(0)
            bar.setTextVisible(True)
            self.table.setCellWidget(row, 1, bar)
            self._bars.append(bar)
            self.table.setItem(row, 2, QTableWidgetItem("waiting"))

    def _on_progress(self, run: int, p: DownloadProgress) -> None:
        if run != self._run or not 0 <= p.index < len(self._bars):
            return
        bar = self._bars[p.index]
        if p.state in _NOT_DONE:
            bar.setFormat(p.state)  # the bar keeps how far it got
        else:
            bar.setValue(round(p.fraction * 100))
        self._set_result(p.index, p.text, p.state)
        if p.state == "downloaded":
            # Stored: the History tab lists it now, whatever happens next.
            self.histories.reload()

    def _set_result(self, row: int, text: str, state: str) -> None:
        cell = self.table.item(row, 0)
        symbol = cell.text() if cell is not None else ""
        shown = text.removeprefix(f"{symbol}: ")
        item = QTableWidgetItem(shown)
        item.setToolTip(text)
        if state in _NOT_DONE:
            item.setForeground(self.palette().placeholderText())
        self.table.setItem(row, 2, item)

    def _on_done(self, report: DownloadReport) -> None:
        self.report = report
        self._set_running(False)
        for row, done in enumerate(report.symbols):
            if row < len(self._bars):
                if done.ok:
                    self._bars[row].setValue(100)
                else:
                    self._bars[row].setFormat(done.state)
                self._set_result(row, symbol_line(done), done.state)
        self.summary.setText(summary_text(report))
        self.histories.reload()
        self.downloaded.emit([s.symbol for s in report.symbols if s.added])

    def _on_failed(self, exc: Exception) -> None:
        self._set_running(False)
        self.summary.setText(error_text(exc))
        self.histories.reload()

    # -- closing ----------------------------------------------------------------------
    def reject(self) -> None:
        """Esc and Close: stop a running download (the dialog stays to show what came)."""
        if self.running:
            self.stop()
            return
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        # The window's close button: stop and go; the result still reaches the library.
        self.stop()
        super().closeEvent(event)

    def wait(self, timeout_s: float = 60.0) -> bool:
        """Process events until the download's result is shown (tests, scripts)."""
        return self._task.wait(timeout_s)


def summary_text(report: DownloadReport) -> str:
    """The result in a sentence or two."""
    ok = [s for s in report.symbols if s.ok]
    failed = [s for s in report.symbols if s.state in ("failed", "no bars")]
    bars = report.added
    head = "Stopped. " if report.stopped else ""
    if bars:
        head += f"Stored {bars:,} new close{'s' if bars != 1 else ''} from {report.source_name}"
        head += f" for {_names(s.symbol for s in ok if s.added)}."
    elif ok:
        head += "Everything asked for was already stored."
    else:
        head += f"Nothing was downloaded from {report.source_name}."
    fresh = [s.symbol for s in ok if not s.added]
    if bars and fresh:
        head += f" Up to date already: {_names(fresh)}."
    if failed:
        head += f" Not downloaded: {_names(s.symbol for s in failed)} (see the list)."
    return head


def _names(symbols: Any) -> str:
    names = list(symbols)
    return ", ".join(names[:8]) + (f" and {len(names) - 8} more" if len(names) > 8 else "")
