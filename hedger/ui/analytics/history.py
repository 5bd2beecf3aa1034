"""History tab: import price CSVs (with a row-error report), download closes from a venue,
and browse stored histories."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QItemSelection, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from hedger.core.analytics.history import MAX_KEPT_ERRORS, ImportReport, read_price_file
from hedger.core.analytics.links import link_portfolio
from hedger.core.analytics.series import FloatArray, PriceSeries, ns_to_iso
from hedger.core.analytics.words import history_lead, needed_symbols
from hedger.core.models import normalise_symbol
from hedger.services.history import HistoryInfo, HistoryStoreError, ImportOutcome
from hedger.services.history_download import default_symbols
from hedger.ui.analytics.base import AnalyticsTab
from hedger.ui.analytics.download_dialog import DownloadDialog
from hedger.ui.analytics.envelope import Envelope, EnvelopeCurves, envelope_or_none
from hedger.ui.analytics.history_library import HistoryLibrary, damaged_messages
from hedger.ui.analytics.plots import series_colors, style_plot
from hedger.ui.analytics.rows import Column, Row, RowsModel, make_table
from hedger.ui.document.document import PortfolioDocument
from hedger.ui.tasks import TaskRunner, TaskState, error_text
from hedger.ui.widgets.axes import UsdAxis
from hedger.ui.widgets.cards import Card
from hedger.ui.widgets.lead import DetailsSection, LeadCard
from hedger.ui.widgets.message_list import MessageList, Severity
from hedger.ui.widgets.style import dim, scaled_font
from hedger.ui.widgets.wrap_label import WrapLabel

_QUOTES = ("USDT", "USDC", "BUSD", "FDUSD", "USD", "PERP", "EUR")
CSV_FILTER = "Price files (*.csv *.txt);;All files (*)"
HOW_STORED = (
    "Histories are shared by all portfolios, one per symbol (BTC, SOL…). Import CSV… reads "
    "daily or 1-minute closes (date,close, CoinGecko, Yahoo Finance or Binance klines); "
    "Download… fetches daily or hourly closes from Binance, Coinbase or OKX (public data, no "
    "account). Importing or downloading again adds new rows and replaces rows with the same "
    "time. Betas and risk use daily closes; the backtest uses every stored close. A year or "
    "more gives steady figures."
)


@dataclass(frozen=True)
class _Preview:
    """A history loaded for the preview chart (worker thread)."""

    symbol: str
    series: PriceSeries | None
    x: FloatArray | None  # seconds, for the date axis
    envelope: Envelope | None = None


def when_text(ns: int) -> str:
    """``2024-01-05`` for a midnight, ``2024-01-05 13:45 UTC`` otherwise."""
    iso = ns_to_iso(ns)
    if iso.endswith("T00:00:00Z"):
        return iso[:10]
    return f"{iso[:10]} {iso[11:16]} UTC"


def guess_symbol(path: Path) -> str:
    """``BTCUSDT-1m-2024-01.csv`` -> ``BTC``; ``eth-usd-max.csv`` -> ``ETH``; else ""."""
    tokens = [t for t in re.split(r"[^A-Za-z0-9]+", path.stem.upper()) if t]
    if not tokens:
        return ""
    first = tokens[0]
    for q in _QUOTES:
        if first.endswith(q) and len(first) > len(q) + 1:
            first = first[: -len(q)]
            break
    try:
        return normalise_symbol(first)
    except ValueError:
        return ""


def step_text(info: HistoryInfo) -> str:
    if info.rows < 2 or info.first_ns is None or info.last_ns is None:
        return "—"
    step = (info.last_ns - info.first_ns) / (info.rows - 1) / 1e9
    for limit, name in ((50, "seconds"), (3000, "1 min"), (5400, "1 hour"), (100_000, "1 day")):
        if step < limit:
            return name if name != "seconds" else f"{step:.0f} s"
    return "1 week" if step < 800_000 else "sparse"


class ImportReportDialog(QDialog):
    """What the file held: the format found, counts, bad rows with reasons.

    Accepting imports the good rows under the symbol typed here. With bad
    rows the button says so ("Import 799 good rows"): a partial import is
    always the user's explicit choice.
    """

    def __init__(self, report: ImportReport, symbol: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.report = report
        self.setWindowTitle(f"Import {report.source_name}")
        self.setMinimumWidth(620)
        lay = QVBoxLayout(self)
        lay.setSpacing(10)

        head = Card()
        hl = QVBoxLayout(head)
        hl.setContentsMargins(14, 10, 14, 10)
        title = QLabel(
            f"{report.layout.format_name} · columns {report.layout.time_name}, "
            f"{report.layout.price_name}"
        )
        title.setFont(scaled_font(self, 1.05, bold=True))
        hl.addWidget(title)
        counts = (
            f"{report.rows_read:,} rows read · {report.good_rows:,} good · {report.bad_count:,} bad"
        )
        if report.duplicates:
            counts += f" · {report.duplicates:,} repeated timestamps (last kept)"
        self.counts = QLabel(counts)
        hl.addWidget(self.counts)
        s = report.series
        if s.first_ns is not None and s.last_ns is not None:
            hl.addWidget(dim(QLabel(f"Covers {when_text(s.first_ns)} to {when_text(s.last_ns)}")))
        for note in report.notes:
            hl.addWidget(dim(QLabel(note)))
        lay.addWidget(head)

        self.errors_model = RowsModel([Column("Row"), Column("Problem", numeric=False)])
        self.errors_model.set_rows(
            [Row((f"{e.row:,}", e.reason)) for e in report.bad_rows[:MAX_KEPT_ERRORS]]
        )
        if report.bad_count:
            more = report.bad_count - len(report.bad_rows)
            caption = f"Rows that cannot be imported ({report.bad_count:,})"
            if more > 0:
                caption += f" — the first {len(report.bad_rows):,} listed"
            lay.addWidget(QLabel(caption))
            self.errors_view = make_table(self.errors_model, stretch_last=True)
            self.errors_view.setMinimumHeight(160)
            lay.addWidget(self.errors_view, 1)

        form = QHBoxLayout()
        form.addWidget(QLabel("Symbol"))
        self.symbol_edit = QLineEdit(symbol)
        self.symbol_edit.setPlaceholderText("e.g. BTC")
        self.symbol_edit.setMaxLength(24)
        self.symbol_edit.setToolTip(
            "The history is stored under this symbol and used by every portfolio "
            "holding it (or hedging with it)"
        )
        self.symbol_edit.textChanged.connect(self._validate)
        form.addWidget(self.symbol_edit, 1)
        lay.addLayout(form)
        self.problem = dim(WrapLabel(""))
        lay.addWidget(self.problem)

        self.buttons = QDialogButtonBox()
        if report.good_rows and report.bad_count:
            text = f"Import {report.good_rows:,} good rows"
        else:
            text = "Import"
        self.import_button = self.buttons.addButton(text, QDialogButtonBox.ButtonRole.AcceptRole)
        self.import_button.setObjectName("importButton")
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)
        if report.good_rows and report.bad_count:
            n = report.bad_count
            self.problem.setText(
                f"{n:,} row{'s' if n != 1 else ''} will be left out. Import the rest only if "
                "the gaps do not matter to you; otherwise fix the file and import it again."
            )
        self._validate()

    def symbol(self) -> str:
        return normalise_symbol(self.symbol_edit.text())

    def _validate(self) -> None:
        ok = self.report.good_rows > 0
        message = "" if ok else "No row of this file can be imported."
        if ok:
            try:
                self.symbol()
            except ValueError as exc:
                ok = False
                message = str(exc) if self.symbol_edit.text().strip() else "Enter a symbol."
        self.import_button.setEnabled(ok)
        if message:
            self.problem.setText(message)


class HistoryTab(AnalyticsTab):
    """Stored price histories: import, list, preview, delete."""

    imported = Signal(str)  # symbol

    def __init__(
        self,
        document: PortfolioDocument,
        histories: HistoryLibrary | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.document = document
        self.histories = histories or HistoryLibrary(parent=self)
        self.report_dialog: ImportReportDialog | None = None
        self.download_dialog: DownloadDialog | None = None
        self._busy = False
        self._preview_symbol: str | None = None
        # A newer selection supersedes the preview being loaded.
        self._preview_task = TaskRunner(self, name="hedger-history-preview")
        self._read_task = TaskRunner(self, name="hedger-history-read")
        self._build()
        self.histories.changed.connect(self.refresh)
        self.histories.actionRequested.connect(self.run_action)
        document.portfolioChanged.connect(self._show_lead)
        self.refresh()

    # -- construction --------------------------------------------------------------
    def _build_header(self) -> QHBoxLayout:
        """Title, then Import CSV…, Download… and Delete."""
        self.import_button = QPushButton("Import CSV…")
        self.import_button.setObjectName("importHistory")
        self.import_button.setToolTip(
            "Daily or intraday closes: date,close, CoinGecko, Yahoo Finance or Binance klines"
        )
        self.import_button.clicked.connect(self.choose_file)
        self.download_button = QPushButton("Download…")
        self.download_button.setObjectName("downloadHistory")
        self.download_button.setToolTip(
            "Daily or hourly closes from Binance, Coinbase or OKX (public data, no account)"
        )
        self.download_button.clicked.connect(lambda _checked=False: self.open_download())
        self.delete_button = QPushButton("Delete")
        self.delete_button.setEnabled(False)
        self.delete_button.clicked.connect(self.delete_selected)
        return self._header(
            "Price history", [self.import_button, self.download_button, self.delete_button]
        )

    def _build(self) -> None:
        header = self._build_header()
        self.status = MessageList()
        self.lead = LeadCard()
        self.lead.hide()
        self.details = DetailsSection(
            tooltip="Show how histories are stored, and the file formats Import CSV… reads"
        )
        self.intro = self.details.add(dim(WrapLabel(HOW_STORED)))

        self.model = RowsModel(
            [
                Column("Symbol", numeric=False),
                Column("Rows"),
                Column("From", numeric=False),
                Column("To", numeric=False),
                Column("Step", numeric=False, tooltip="Typical time between two closes"),
                Column("Sources", numeric=False),
            ]
        )
        self.table = make_table(self.model, stretch_last=True)
        self.table.setObjectName("historyTable")
        self.table.setSelectionMode(self.table.SelectionMode.SingleSelection)
        self.table.selectionModel().selectionChanged.connect(self._on_selection)

        self.preview_title = QLabel("")
        self.preview_title.setFont(scaled_font(self, 1.0, bold=True))
        self.plot = self._plot(bottom=pg.DateAxisItem(utcOffset=0), left=UsdAxis("left"))
        self.plot.setMinimumHeight(200)
        item = self.plot.getPlotItem()
        self.curve = item.plot(antialias=False)
        self.curve.setDownsampling(auto=True, method="peak")
        self.curve.setClipToView(True)
        self._envelope = EnvelopeCurves(item.getViewBox(), [self.curve])
        preview = QWidget()
        pl = QVBoxLayout(preview)
        pl.setContentsMargins(0, 0, 0, 0)
        pl.addWidget(self.preview_title)
        pl.addWidget(self.plot, 1)

        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(preview)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        split.setChildrenCollapsible(False)

        # Nothing stored: a message and the way to import, not an empty table
        # over 0–1 axes.
        self.pages = self._pages(split)
        self.empty.set(
            "No price histories yet",
            "Backtests, risk and estimated betas need past closes of your holdings and "
            "their hedge underlyings. Import CSV… reads a file of daily or 1-minute closes "
            "(date,close, CoinGecko, Yahoo Finance or Binance klines); Download… fetches "
            "daily or hourly closes from Binance, Coinbase or OKX. On the command line: "
            "“hedger history import FILE --symbol BTC” or “hedger history download BTC”. "
            "Histories are shared by all portfolios.",
            [("Import CSV…", self.choose_file), ("Download…", self.open_download)],
        )
        lay = self._page()
        lay.addLayout(header)
        lay.addWidget(self.lead)
        lay.addWidget(self.status)
        lay.addWidget(self.pages, 1)
        lay.addWidget(self.details)
        self._apply_palette()

    def _apply_palette(self) -> None:
        style_plot(self.plot, self.palette())
        accent, _, _ = series_colors(self.palette())
        self.curve.setPen(pg.mkPen(accent, width=1.5))

    # -- listing -------------------------------------------------------------------
    def refresh(self) -> None:
        selected = self.selected_symbol()
        infos = self.histories.infos()
        held = {h.symbol for h in self.document.portfolio.holdings}
        rows = []
        for i in infos:
            first = ns_to_iso(i.first_ns, date_only=True) if i.first_ns is not None else "—"
            last = ns_to_iso(i.last_ns, date_only=True) if i.last_ns is not None else "—"
            rows.append(
                Row(
                    (i.symbol, f"{i.rows:,}", first, last, step_text(i), ", ".join(i.sources)),
                    tooltip=f"Imported from: {', '.join(i.sources) or 'unknown'}",
                    emphasis=False,
                    muted=i.symbol not in held,
                    key=i.symbol,
                )
            )
        for d in self.histories.damaged():
            rows.append(
                Row(
                    (d.symbol, "—", "—", "—", "—", f"damaged: {d.file_name}"),
                    tooltip=d.message(),
                    muted=True,
                    key=d.symbol,
                )
            )
        self.model.set_rows(rows)
        damaged = damaged_messages(self.histories, ())
        if damaged and not self._busy:
            self.status.set_messages([("warning", d) for d in damaged])
        self.pages.setCurrentIndex(0 if rows else 1)
        self.details.setVisible(bool(rows))
        self._show_lead()
        if not infos:
            self._preview_symbol = None
            self._envelope.set(None)
            self.preview_title.setText(
                "No readable histories: import a CSV to start."
                if damaged
                else "No histories yet: import a CSV to start."
            )
            self.curve.setData([], [])
        target = selected if selected in {i.symbol for i in infos} else None
        if target is None and infos:
            target = next((i.symbol for i in infos if i.symbol in held), infos[0].symbol)
        if target is not None:
            self.select_symbol(target)

    def _show_lead(self) -> None:
        """How much history the portfolio's coins have, and whether it is enough."""
        doc = self.document
        links = link_portfolio(doc.portfolio, doc.catalog, self.histories.symbols())
        self.lead.set(history_lead(self.histories.infos(), needed_symbols(links)))

    def selected_symbol(self) -> str | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows:
            return None
        key = self.model.rows[rows[0].row()].key
        return str(key) if key is not None else None

    def select_symbol(self, symbol: str) -> None:
        for r, row in enumerate(self.model.rows):
            if row.key == symbol:
                self.table.selectRow(r)
                self._show_preview(symbol)
                return

    def _on_selection(self, *_: QItemSelection) -> None:
        sym = self.selected_symbol()
        self.delete_button.setEnabled(sym is not None)
        if sym is not None:
            self._show_preview(sym)

    def _show_preview(self, symbol: str) -> None:
        """Load and draw in the background: a minute history is millions of points."""
        self._preview_symbol = symbol
        histories = self.histories

        def job(_state: TaskState) -> _Preview:
            series = histories.series([symbol]).get(symbol)
            if series is None or not len(series):
                return _Preview(symbol, None, None)
            x = series.timestamps.astype(np.float64) / 1e9
            return _Preview(symbol, series, x, envelope_or_none(x, series.closes))

        self._preview_task.start(job, self._on_preview)

    def _on_preview(self, loaded: _Preview) -> None:
        if loaded.symbol != self._preview_symbol:
            return  # another row was selected since
        series, x = loaded.series, loaded.x
        if x is None or series is None:
            self._envelope.set(None)
            self.curve.setData([], [])
            self.preview_title.setText(f"{loaded.symbol}: cannot be read")
            return
        self._envelope.set(None if loaded.envelope is None else [loaded.envelope])
        if loaded.envelope is None:
            self.curve.setData(x, series.closes)
        self.plot.getPlotItem().enableAutoRange()
        last = float(series.closes[-1])
        self.preview_title.setText(
            f"{loaded.symbol} close · last {last:,.2f} · {len(series):,} points"
        )

    # -- import --------------------------------------------------------------------
    def choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import price history", "", CSV_FILTER)
        if path:
            self.import_file(Path(path))

    def import_file(self, path: Path, symbol: str | None = None) -> None:
        """Read ``path`` in the background, then show the report dialog."""
        if self._busy:
            return
        self._set_busy(True, f"Reading {path.name}…")
        guess = symbol if symbol is not None else guess_symbol(path)
        self._read_task.start(
            lambda _state: read_price_file(path, guess or "IMPORT"),
            lambda report: self._on_read(report, guess),
            self._on_failed,
        )

    def _set_busy(self, busy: bool, text: str = "") -> None:
        self._busy = busy
        self.import_button.setEnabled(not busy)
        self.import_button.setText(text if busy else "Import CSV…")

    def _on_failed(self, exc: Exception) -> None:
        self._set_busy(False)
        self.status.set_messages([("error", error_text(exc))])

    def _on_read(self, report: ImportReport, guess: str) -> None:
        self._set_busy(False)
        self.status.set_messages([])
        dialog = ImportReportDialog(report, guess, self)
        dialog.setObjectName("importReport")
        dialog.accepted.connect(lambda: self._store(dialog))
        dialog.finished.connect(lambda _: dialog.deleteLater())
        self.report_dialog = dialog
        dialog.open()

    def _store(self, dialog: ImportReportDialog) -> None:
        """Merge and save in the background: a big history is tens of MB to rewrite."""
        report = dialog.report
        symbol = dialog.symbol()
        s = report.series
        series = PriceSeries(symbol, s.timestamps, s.closes, s.sources)
        self._set_busy(True, f"Storing {symbol}…")
        self.status.set_messages([("info", f"Storing {len(series):,} rows into {symbol}…")])
        self.histories.merge_in_background(
            series,
            lambda outcome: self._on_stored(report, symbol, outcome),
            self._on_store_failed,
        )

    def _on_store_failed(self, message: str) -> None:
        self._set_busy(False)
        self.status.set_messages([("error", message)])

    def _on_stored(self, report: ImportReport, symbol: str, outcome: ImportOutcome) -> None:
        self._set_busy(False)
        st = outcome.stats
        text = (
            f"Imported {report.source_name} into {symbol}: {st.added:,} new rows, "
            f"{st.replaced:,} replaced; {symbol} now holds {outcome.info.rows:,} rows."
        )
        messages: list[tuple[Severity, str]] = [("info", text)]
        aside = outcome.set_aside_message()
        if aside:
            messages.append(("warning", aside))
        if report.bad_count:
            messages.append(("warning", f"{report.bad_count:,} bad rows were left out."))
        messages.extend(("warning", d) for d in damaged_messages(self.histories, ()))
        self.status.set_messages(messages)
        self.select_symbol(symbol)
        self.imported.emit(symbol)

    # -- download ------------------------------------------------------------------
    def run_action(self, action: str) -> None:
        """An empty state elsewhere asked for an import or a download."""
        if action == "import":
            self.choose_file()
        elif action == "download":
            self.open_download()

    def open_download(self, symbols: list[str] | None = None) -> DownloadDialog:
        """The download dialog, for ``symbols`` or the portfolio's coins."""
        dialog = self.download_dialog
        if dialog is None:
            dialog = DownloadDialog(self.histories, (), self)
            dialog.downloaded.connect(self._on_downloaded)
            self.download_dialog = dialog
        if not dialog.running:
            wanted = symbols if symbols is not None else default_symbols(self.document.portfolio)
            if wanted or symbols is not None:
                dialog.symbols_edit.setText(", ".join(wanted))
        dialog.open()
        return dialog

    def _on_downloaded(self, symbols: list[str]) -> None:
        if symbols:
            self.select_symbol(symbols[0])
            self.imported.emit(symbols[0])

    # -- delete --------------------------------------------------------------------
    def delete_selected(self) -> None:
        sym = self.selected_symbol()
        if sym is None:
            return
        answer = QMessageBox.question(
            self,
            "Delete history",
            f"Delete the stored price history of {sym}? Portfolios keep working; "
            "analytics that need it ask for a new import.",
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.delete_symbol(sym)

    def delete_symbol(self, symbol: str) -> None:
        try:
            self.histories.delete(symbol)
        except HistoryStoreError as exc:
            self.status.set_messages([("error", str(exc))])
            return
        self.status.set_messages([("info", f"Deleted the price history of {symbol}.")])
