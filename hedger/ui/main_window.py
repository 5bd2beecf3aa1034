"""The main window: composes the panels, menus and status bar. No hedge math here."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QMimeData, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QLabel,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

import hedger
from hedger.services.library import PortfolioLibrary
from hedger.services.settings import AppSettings, ThemeMode
from hedger.ui.analytics.registry import ANALYTICS_TABS
from hedger.ui.document.document import PortfolioDocument
from hedger.ui.document.file_controller import FileController
from hedger.ui.document.recovery import AutosaveController
from hedger.ui.format import shown
from hedger.ui.hedge.chart_host import ChartHost
from hedger.ui.hedge.panel import HedgePanel
from hedger.ui.hedge.window_hooks import install_hedge_hooks
from hedger.ui.holdings.beta_hints import BetaHints
from hedger.ui.holdings.panel import HoldingsPanel
from hedger.ui.library.panel import LibraryPanel
from hedger.ui.positions.window_hooks import PositionsHooks
from hedger.ui.prices.age_widget import PriceAgeWidget
from hedger.ui.prices.controller import AUTO_REFRESH_CHOICES, LivePricesController
from hedger.ui.prices.progress_bar import RefreshProgressBar
from hedger.ui.widgets.focus_style import FocusRing
from hedger.ui.window_layout import WindowLayoutMixin, b64
from hedger.ui.window_menus import WindowMenusMixin

if TYPE_CHECKING:
    from hedger.ui.analytics.history_library import HistoryLibrary

CSV_SUFFIXES = {".csv", ".tsv", ".txt"}
# Floor of the window's minimum size; the panels may need more.
MIN_WINDOW = QSize(900, 600)


class MainWindow(WindowMenusMixin, WindowLayoutMixin, QMainWindow):
    themeRequested = Signal(str)

    def __init__(
        self,
        document: PortfolioDocument,
        library: PortfolioLibrary,
        settings: AppSettings,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.document = document
        self.library = library
        self.settings = settings
        self.setObjectName("HedgerMainWindow")
        self.setAcceptDrops(True)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            FocusRing.install(app)  # a visible focus on tool buttons and tables

        self.files = FileController(document, library, self)
        self.holdings_panel = HoldingsPanel(document)
        self.hedge_panel = HedgePanel(document)
        self.chart_host = ChartHost()
        self.library_panel = LibraryPanel(library)
        self.autosave = AutosaveController(document, self)
        self.live = LivePricesController(document, self)
        # Injectable for tests (modal dialogs cannot be answered headless).
        self.show_about: Callable[[], None] = self._show_about

        self._build_workspace()
        self._build_library_dock()
        self.positions = PositionsHooks(self)  # issue 14: Positions table, drift notices
        self._build_actions()
        self._build_menus()
        self._build_toolbar()
        self._connect()
        self.statusBar().setSizeGripEnabled(True)
        self._plan_label = QLabel()
        self._plan_label.setContentsMargins(12, 0, 4, 0)
        self._plan_label.setToolTip("Totals over all underlyings, using each recommended hedge")
        self.statusBar().addPermanentWidget(RefreshProgressBar(self.live))
        self.statusBar().addPermanentWidget(PriceAgeWidget(document))
        self.statusBar().addPermanentWidget(self._plan_label)
        if settings.live_refresh_minutes in AUTO_REFRESH_CHOICES:
            self.live.set_auto_refresh(settings.live_refresh_minutes)
        self.live.include_futures_action.setChecked(settings.live_include_futures)
        # A source saved by another build (a ccxt exchange id it knew) must not stop start-up.
        with contextlib.suppress(ValueError):
            self.live.set_source(settings.live_source)
        self.hedge_panel.carry.bind_settings(settings)  # i15g: horizon and roll days
        self.library_panel.set_current(document.path)
        self.library_panel.set_recent([Path(p) for p in settings.recent_files])
        self._update_title()
        self._update_plan_summary()
        self._restore_layout()

    # -- construction -----------------------------------------------------------
    def _build_workspace(self) -> None:
        """Hedge tab (holdings and chart over the hedge panel), then the analytics tabs."""
        self.top_split = QSplitter(Qt.Orientation.Horizontal)
        self.top_split.setObjectName("topSplit")
        self.top_split.addWidget(self.holdings_panel)
        self.top_split.addWidget(self.chart_host)
        self.top_split.setStretchFactor(0, 5)
        self.top_split.setStretchFactor(1, 6)
        self.main_split = QSplitter(Qt.Orientation.Vertical)
        self.main_split.setObjectName("mainSplit")
        self.main_split.addWidget(self.top_split)
        self.main_split.addWidget(self.hedge_panel)
        # A taller window gives the chart and the holdings more room: the hedge
        # panel already shows all it has (no empty band under its table).
        self.main_split.setStretchFactor(0, 1)
        self.main_split.setStretchFactor(1, 0)
        for s in (self.top_split, self.main_split):
            s.setChildrenCollapsible(False)
            s.setHandleWidth(6)
        self.workspace = QTabWidget()
        self.workspace.setObjectName("workspace")
        self.workspace.setAccessibleName("Workspace")
        self.workspace.setDocumentMode(True)
        self.workspace.addTab(self.main_split, "Hedge")
        self._analytics: dict[int, QWidget | None] = {}
        self._histories: HistoryLibrary | None = None
        for entry in ANALYTICS_TABS:
            holder = QWidget()
            QVBoxLayout(holder).setContentsMargins(0, 0, 0, 0)
            self._analytics[self.workspace.addTab(holder, entry.title)] = None
        self.workspace.currentChanged.connect(self._ensure_tab)
        # Estimated betas for the holdings editor, computed in the background
        # once the window is up; starting them also imports the analytics
        # modules off the GUI thread, so the first analytics tab opens at once.
        self.beta_hints = BetaHints(self.document, self.history_library, self)
        self.beta_hints.estimatesChanged.connect(self.holdings_panel.model.set_beta_estimates)
        self._beta_hints_started = False
        self._beta_hints_running = False
        self.setCentralWidget(self.workspace)

    def _build_library_dock(self) -> None:
        self.library_dock = QDockWidget("Portfolios", self)
        self.library_dock.setObjectName("libraryDock")
        self.library_dock.setWidget(self.library_panel)
        self.library_dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetClosable
            | QDockWidget.DockWidgetFeature.DockWidgetMovable
        )
        self.library_dock.setTitleBarWidget(QWidget())  # the panel has its own title
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.library_dock)

    def _connect(self) -> None:
        d = self.document
        # Bound methods, not lambdas: Qt drops them with the window, so a late
        # document signal (editor commit at teardown) cannot reach a dead window.
        d.dirtyChanged.connect(self._update_title)
        d.readOnlyChanged.connect(self._update_title)
        d.editRefused.connect(self._status)
        d.pathChanged.connect(self._update_title)
        d.nameChanged.connect(self._update_title)
        d.planChanged.connect(self._update_plan_summary)
        d.pathChanged.connect(self._on_path_changed)
        # The library's line for the open portfolio follows edits, not only saves.
        for signal in (d.planChanged, d.dirtyChanged, d.pathChanged):
            signal.connect(self._update_library_entry)
        for src in (self.files, self.holdings_panel, self.library_panel, self.live):
            src.statusMessage.connect(self._status)
        self.daily_vol = install_hedge_hooks(self, self, self.chart_host.chartReady, self._status)
        self.files.opened.connect(self.remember_path)
        self.files.saved.connect(lambda _p: self.library_panel.refresh())
        self.library_panel.openRequested.connect(self.files.switch_to)
        self.library_panel.created.connect(self._open_created)
        self.library_panel.openFileRequested.connect(self.files.open_dialog)
        self.library_panel.currentRenamed.connect(self.files.adopt_renamed)
        self.library_panel.currentDeleted.connect(self.files.file_deleted)
        self.hedge_panel.underlyingSelected.connect(self._on_underlying_changed)
        self.hedge_panel.optionSelected.connect(self._on_option_selected)

    # -- analytics tabs (deferred) ---------------------------------------------------
    def _ensure_tab(self, index: int) -> QWidget | None:
        if index not in self._analytics:
            return None
        tab = self._analytics[index]
        if tab is not None:
            return tab
        entry = ANALYTICS_TABS[index - 1]
        cls = entry.load()
        histories = self.history_library() if entry.needs_history else None
        tab = cls(self.document) if histories is None else cls(self.document, histories)
        holder = self.workspace.widget(index)
        holder.layout().addWidget(tab)
        tab.show()  # a child added to a visible parent stays hidden otherwise
        self._analytics[index] = tab
        return tab

    def _start_beta_hints(self) -> None:
        self.hedge_panel.carry.start_soon()  # i15g: the carry, too, once the chart is up
        if not self._beta_hints_running:
            self._beta_hints_running = True
            QTimer.singleShot(200, self, self.beta_hints.start)

    def history_library(self) -> HistoryLibrary:
        """The price histories the analytics tabs and the beta hints share."""
        if self._histories is None:
            from hedger.ui.analytics.history_library import HistoryLibrary

            self._histories = HistoryLibrary(parent=self)
        return self._histories

    def analytics_tab(self, title: str) -> QWidget | None:
        """The analytics tab with this title, built if needed (menus and tests)."""
        for index in self._analytics:
            if self.workspace.tabText(index) == title:
                return self._ensure_tab(index)
        return None

    # -- charts (deferred) ---------------------------------------------------------
    def load_charts(self) -> None:
        if self.chart_host.chart is not None:
            return
        from hedger.ui.hedge.chart import ScenarioChart

        chart = ScenarioChart()
        chart.bind(self.document)
        chart.addRequested.connect(self.add_holding)
        self.chart_host.install(chart)
        self.panel_focus.apply_tab_order()
        current = self.hedge_panel.current_underlying()
        if current:
            chart.set_underlying(current)
        shown = self.hedge_panel.shown_option()
        if current and shown is not None:
            chart.set_highlighted_option(current, shown.name)

    def _on_underlying_changed(self, underlying: str) -> None:
        if self.chart_host.chart is not None and underlying:
            self.chart_host.chart.set_underlying(underlying)

    def _on_option_selected(self, underlying: str, name: str) -> None:
        if self.chart_host.chart is not None:
            self.chart_host.chart.set_highlighted_option(underlying, name)

    def _export_chart(self, fmt: str) -> None:
        chart = self.chart_host.chart
        if chart is None:
            return
        self.commit_pending_edits()
        name = f"{self.document.portfolio.name} chart.{fmt}"
        path = self.files.ask_save_path(
            f"Export Chart as {fmt.upper()}", str(Path.home() / name), f"{fmt.upper()} (*.{fmt})"
        )
        if path is None:
            return
        try:
            if fmt == "png":
                chart.export_png(path)
            else:
                chart.export_svg(path)
        except OSError as exc:
            self.files.show_error("Export failed", f"Could not write {path.name}: {exc}")
            return
        self._status(f"Chart exported to {path}")

    # -- behaviour -------------------------------------------------------------------
    def _status(self, text: str) -> None:
        self.statusBar().showMessage(text, 8000)

    def _update_title(self, *_args: object) -> None:
        name = shown(self.document.portfolio.name)  # a name from a file: controls escaped
        where = f" ({shown(self.document.path.name)})" if self.document.path else ""
        where += " (read-only)" if self.document.read_only else ""
        self.setWindowTitle(f"{name}{where}[*] — Hedger")
        self.setWindowModified(self.document.dirty)
        self.act_revert.setEnabled(self.document.dirty and self.document.path is not None)

    def _update_plan_summary(self, *_args: object) -> None:
        from hedger.core.decimals import fmt_money

        plan = self.document.plan
        t, held = plan.totals, plan.held_totals
        if held is not None:
            # Futures held: what protects the book now, not a hedge from zero.
            rest = held.residual_usd
            left = f"left {fmt_money(rest, 0)}" if rest >= 0 else f"over by {fmt_money(-rest, 0)}"
            self._plan_label.setText(
                f"Target {fmt_money(abs(t.target_usd), 0)} USD · held hedges "
                f"{fmt_money(held.hedged_usd, 0)} · {left}"
            )
            self._plan_label.setToolTip(
                "Totals of the futures held now; the order cards say what closes the gap"
            )
            return
        self._plan_label.setToolTip("Totals over all underlyings, using each recommended hedge")
        self._plan_label.setText(
            f"Target {fmt_money(abs(t.target_usd), 0)} USD · hedged {fmt_money(t.hedged_usd, 0)} · "
            f"left {fmt_money(t.residual_usd, 0)} · margin {fmt_money(t.initial_margin_usd, 0)}"
        )

    def _on_path_changed(self, path: Path | None) -> None:
        self.library_panel.set_current(path)

    def _update_library_entry(self, *_args: object) -> None:
        d = self.document
        self.library_panel.model.set_live(len(d.portfolio.holdings), d.dirty)

    def remember_path(self, path: Path) -> None:
        self.settings.last_portfolio = str(path)
        self.settings.add_recent(path)
        self.library_panel.set_current(path)
        self.library_panel.set_recent([Path(p) for p in self.settings.recent_files])

    def _open_created(self, path: Path) -> None:
        # The library panel asked about unsaved changes before creating it.
        self.files.open_path(path, ask=False)

    def _show_about(self) -> None:
        QMessageBox.about(
            self,
            "About Hedger",
            f"<h3>Hedger {hedger.__version__}</h3>"
            "<p>How many micro, mini or standard futures contracts to short to hedge "
            "what you hold, what it costs in margin and what it leaves unhedged.</p>"
            "<p>Contract specifications ship with their sources; margins and fees are "
            "defaults to check against your broker. Not investment advice.</p>",
        )

    def set_theme_checked(self, mode: ThemeMode) -> None:
        self.theme_actions[mode].setChecked(True)

    # -- drag and drop -------------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if _dropped_file(event.mimeData()) is not None:
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        path = _dropped_file(event.mimeData())
        if path is None:
            event.ignore()
            return
        event.acceptProposedAction()
        # Leave the drop handler before a dialog opens (unsaved changes,
        # Replace/Append): some platforms freeze the drag source until it returns.
        if path.suffix.lower() == ".json":
            QTimer.singleShot(0, self, lambda: self.files.open_path(path))
        else:
            QTimer.singleShot(0, self, lambda: self.holdings_panel.import_csv(path))

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._beta_hints_started:
            # After the chart has drawn (or 3 s, if it never loads): the
            # hints import the analytics modules, which would hold the GIL
            # while the chart is being built.
            self._beta_hints_started = True
            self.chart_host.chartReady.connect(self._start_beta_hints)
            QTimer.singleShot(3000, self, self._start_beta_hints)
        # The minimum is what the panels need (holdings header, chart, library),
        # never a fixed guess below it that would squeeze buttons and overlap.
        layout = self.layout()
        if layout is not None:
            self.setMinimumSize(layout.minimumSize().expandedTo(MIN_WINDOW))
        if self._default_splits:
            # Sizes are only known once the window is laid out.
            QTimer.singleShot(0, self, self._size_default_splits)

    def save_layout(self) -> None:
        s = self.settings
        s.window_geometry = b64(self.saveGeometry())
        s.window_state = b64(self.saveState())
        for sp in (self.top_split, self.main_split):
            if sp.isVisibleTo(self):
                # saveState keeps the sizes last asked for, which a panel's
                # minimum may have overruled: save the sizes as shown.
                sp.setSizes(sp.sizes())
        s.splitters = {
            sp.objectName(): b64(sp.saveState()) for sp in (self.top_split, self.main_split)
        }
        # Visible *to the window*: run_gui saves again after the event loop,
        # when the closed window (and so every dock) is no longer visible.
        s.show_library = self.library_dock.isVisibleTo(self)
        s.live_refresh_minutes = self.live.auto_refresh_minutes
        s.live_include_futures = self.live.include_futures_action.isChecked()
        s.live_source = self.live.source_key

    def commit_pending_edits(self) -> None:
        """Apply text typed in a cell or a hedge field but not yet entered."""
        self.holdings_panel.commit_pending_edit()
        self.hedge_panel.commit_pending()

    def closeEvent(self, event: QCloseEvent) -> None:
        # maybe_keep_changes commits typed text first: an edit in progress
        # counts as an unsaved change and is never dropped silently.
        if not self.files.maybe_keep_changes():
            event.ignore()
            return
        focus = QApplication.focusWidget()
        if focus is not None and self.isAncestorOf(focus):
            # Focus-out now, while everything is alive, not during teardown.
            focus.clearFocus()
        chart = self.chart_host.chart
        if chart is not None:
            chart.unbind()
        try:
            self.save_layout()
        except Exception as exc:
            # An exception escaping closeEvent takes PySide down with it;
            # layout bookkeeping must never stop the window from closing.
            print(f"hedger: window layout not remembered: {exc}", file=sys.stderr)
        self.live.shutdown()
        self.files.release()
        self.autosave.clear()
        event.accept()


def _dropped_file(mime: object) -> Path | None:
    if not isinstance(mime, QMimeData) or not mime.hasUrls():
        return None
    for url in mime.urls():
        if url.isLocalFile():
            p = Path(url.toLocalFile())
            if p.suffix.lower() in CSV_SUFFIXES | {".json"}:
                return p
    return None
