"""Application bootstrap: QApplication, settings, theme, first portfolio, smoke test."""

from __future__ import annotations

import gc
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QSize, QTimer
from PySide6.QtGui import QGuiApplication, QIcon
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

import hedger
from hedger.core.catalog import Catalog
from hedger.core.resources import resource_path
from hedger.services import catalog as catalog_service
from hedger.services.library import PortfolioLibrary, choose_initial
from hedger.services.portfolios import open_portfolio
from hedger.services.settings import AppSettings, ThemeMode, load_settings, save_settings
from hedger.ui.theme import apply_theme

if TYPE_CHECKING:
    from hedger.ui.document.document import PortfolioDocument
    from hedger.ui.main_window import MainWindow

APP_ID = "io.github.hedger.Hedger"


def process_age_seconds() -> float | None:
    """Seconds since this process started (Linux), for honest start-up figures."""
    try:
        with open("/proc/self/stat", encoding="ascii") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        start_ticks = int(fields[19])
        with open("/proc/uptime", encoding="ascii") as fh:
            uptime = float(fh.read().split()[0])
        return max(uptime - start_ticks / os.sysconf("SC_CLK_TCK"), 0.0)
    except (OSError, ValueError, IndexError):
        return None


_age = process_age_seconds()
PROCESS_START = time.perf_counter() - (_age if _age is not None else 0.0)


def ms_since_start() -> int:
    return round((time.perf_counter() - PROCESS_START) * 1000)


def app_icon() -> QIcon:
    icon = QIcon()
    svg = resource_path("icons", "hedger.svg")
    if svg.is_file():
        icon.addFile(str(svg))
    hicolor = resource_path("icons", "hicolor")
    if hicolor.is_dir():
        for png in sorted(hicolor.glob(f"*/apps/{APP_ID}.png")):
            # The size from the folder name ("48x48"): given no size, Qt reads
            # every file to learn it, about 15 ms before the window can show.
            width, _, height = png.parent.parent.name.partition("x")
            size = QSize(int(width), int(height)) if f"{width}{height}".isdigit() else QSize()
            icon.addFile(str(png), size)
    return icon


def load_catalog() -> tuple[Catalog, str | None]:
    """The shipped catalog plus the user's own contracts, and why those are missing."""
    loaded = catalog_service.load_catalog()
    return loaded.catalog, loaded.problem


class _PaintWatcher(QObject):
    """Calls back once after a widget's first paint event."""

    def __init__(self, widget: QWidget, callback: object) -> None:
        super().__init__(widget)
        self._cb = callback
        self._done = False
        widget.installEventFilter(self)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if not self._done and event.type() == QEvent.Type.Paint:
            self._done = True
            QTimer.singleShot(0, self._cb)  # type: ignore[arg-type]
        return False


def run_gui(file: Path | None = None, smoke_test: bool = False, smoke_edit: bool = False) -> int:
    app = _application()
    settings, settings_problem = load_settings()
    apply_theme(app, settings.theme)
    catalog, catalog_problem = load_catalog()
    library = PortfolioLibrary()
    start = choose_initial(
        file,
        library,
        last_portfolio=settings.last_portfolio,
        first_run_done=settings.first_run_done,
    )
    if smoke_test and start.failed_file:
        print(f"hedger: {start.message}", file=sys.stderr)
        return 2

    from hedger.ui.document.document import PortfolioDocument
    from hedger.ui.main_window import MainWindow

    document = PortfolioDocument(catalog, start.portfolio, start.path)
    window = MainWindow(document, library, settings)
    window.setWindowIcon(app.windowIcon())
    if start.path is not None:
        window.remember_path(start.path)
    settings.first_run_done = True

    _follow_theme(app, window, settings)
    first_paint = _FirstPaint(app, window, document, smoke_test, smoke_edit)
    window.show()

    if not smoke_test:
        notes = [m for m in (start.message, settings_problem, catalog_problem) if m]
        QTimer.singleShot(0, lambda: _after_show(window, notes))
    code = app.exec()
    if not smoke_test:
        # A smoke test (packaging, CI) must leave the user's last portfolio,
        # recent files and window geometry as they were.
        window.save_layout()
        save_settings(settings)
    return first_paint.exit_code or code


def _application() -> QApplication:
    QGuiApplication.setDesktopFileName(APP_ID)
    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "hedger"])
    assert isinstance(app, QApplication)
    app.setApplicationName("Hedger")
    app.setApplicationDisplayName("Hedger")
    app.setOrganizationName("Hedger")
    app.setApplicationVersion(hedger.__version__)
    app.setWindowIcon(app_icon())
    return app


class _FirstPaint:
    """Times the first paint of the window, then of its charts (loaded only after it).

    A smoke test prints both times and ends there, or fails after 30 s.
    """

    def __init__(
        self,
        app: QApplication,
        window: MainWindow,
        document: PortfolioDocument,
        smoke_test: bool,
        smoke_edit: bool,
    ) -> None:
        self.app = app
        self.window = window
        self.document = document
        self.smoke_test = smoke_test
        self.smoke_edit = smoke_edit
        self.timings: dict[str, int] = {}
        self.exit_code = 0
        _PaintWatcher(window, self._first_painted)
        if smoke_test:
            QTimer.singleShot(30_000, self._timed_out)

    def _first_painted(self) -> None:
        self.timings["first_paint_ms"] = ms_since_start()
        gc.enable()  # off during start-up (hedger.cli.gui.launch_gui)
        self.window.load_charts()
        chart = self.window.chart_host.chart
        if chart is not None:
            _PaintWatcher(chart.plot_widget.viewport(), self._charts_painted)
            chart.plot_widget.viewport().update()

    def _charts_painted(self) -> None:
        self.timings["charts_ms"] = ms_since_start()
        if self.smoke_test:
            self._finish_smoke()

    def _finish_smoke(self) -> None:
        timings = self.timings
        print(f"first_paint_ms={timings['first_paint_ms']} charts_ms={timings['charts_ms']}")
        if self.smoke_edit:
            self.exit_code = _smoke_edit(self.document, self.window)
        self.window.files.ask_unsaved = lambda _name: "discard"
        self.window.close()
        self.app.quit()

    def _timed_out(self) -> None:
        print("hedger: smoke test timed out before the window painted", file=sys.stderr)
        self.exit_code = 1
        self.app.quit()


def _follow_theme(app: QApplication, window: MainWindow, settings: AppSettings) -> None:
    """Theme menu choices, and the system's light/dark switch while "system" is chosen."""

    def set_theme(mode: str) -> None:
        theme: ThemeMode = mode  # type: ignore[assignment]
        settings.theme = theme
        apply_theme(app, theme)
        chart = window.chart_host.chart
        if chart is not None:
            chart.apply_palette()

    window.themeRequested.connect(set_theme)

    def system_scheme_changed(_scheme: object) -> None:
        if settings.theme == "system":
            set_theme("system")

    app.styleHints().colorSchemeChanged.connect(system_scheme_changed)


def _after_show(window: object, notes: list[str]) -> None:
    from hedger.ui.document.recovery import discard, scan_recovery
    from hedger.ui.format import shown
    from hedger.ui.main_window import MainWindow

    assert isinstance(window, MainWindow)
    scan = scan_recovery()
    for note in [*notes, *(d.message() for d in scan.damaged)]:
        QMessageBox.warning(window, "Hedger", note)
    for work in scan.work:
        when = work.saved_at.astimezone().strftime("%d %b %Y %H:%M")
        answer = QMessageBox.question(
            window,
            "Recover unsaved work",
            f"Hedger closed unexpectedly while “{shown(work.portfolio.name)}” had unsaved changes "
            f"(autosaved {when}).\n\nRestore them?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Discard,
        )
        if answer == QMessageBox.StandardButton.Yes:
            restore_work(window, work)
        discard(work)


def restore_work(window: object, work: object) -> None:
    """Open recovered work as an unsaved document attached to its original file."""
    from hedger.ui.document.recovery import RecoveredWork
    from hedger.ui.main_window import MainWindow

    assert isinstance(window, MainWindow) and isinstance(work, RecoveredWork)
    window.files.restore(work)


def _smoke_edit(document: object, window: object) -> int:
    """--smoke-edit: edit the first holding, save, reload and compare."""
    from hedger.ui.document.document import PortfolioDocument
    from hedger.ui.main_window import MainWindow

    assert isinstance(document, PortfolioDocument) and isinstance(window, MainWindow)
    if not document.portfolio.holdings or document.path is None:
        print("hedger: --smoke-edit needs a portfolio file with holdings", file=sys.stderr)
        return 1
    old = document.portfolio.holdings[0].quantity
    new = old + 1
    document.edit_holding_field(0, "quantity", str(new))
    if not window.files.save():
        print("hedger: smoke edit could not save", file=sys.stderr)
        return 1
    reloaded = open_portfolio(document.path)
    if reloaded.holdings[0].quantity != new or document.dirty:
        print("hedger: smoke edit did not round-trip", file=sys.stderr)
        return 1
    print("edit_saved=ok")
    return 0
