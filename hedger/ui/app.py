"""Application bootstrap: QApplication, settings, theme, first portfolio, smoke test."""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QGuiApplication, QIcon
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

import hedger
from hedger.core.catalog import Catalog, builtin_catalog
from hedger.core.models import Portfolio
from hedger.core.resources import resource_path
from hedger.store.library import PortfolioLibrary
from hedger.store.portfolio_file import PortfolioFileError, load_portfolio
from hedger.store.settings import AppSettings, ThemeMode, load_settings, save_settings
from hedger.ui.theme import apply_theme

if TYPE_CHECKING:
    from hedger.ui.main_window import MainWindow

APP_ID = "io.github.hedger.Hedger"
SAMPLE_FILE = "core-stack.json"


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
            icon.addFile(str(png))
    return icon


def load_catalog() -> tuple[Catalog, str | None]:
    base = builtin_catalog()
    try:
        from hedger.store.user_catalog import load_user_catalog
    except ImportError:
        return base, None
    result = load_user_catalog(base)
    if isinstance(result, tuple):
        return result[0], result[1]
    return result, None


def sample_portfolio() -> Portfolio:
    return load_portfolio(resource_path("samples", SAMPLE_FILE))


@dataclass
class Startup:
    portfolio: Portfolio
    path: Path | None
    message: str | None = None  # shown to the user after the window appears
    failed_file: bool = False


def choose_initial(file: Path | None, settings: AppSettings, library: PortfolioLibrary) -> Startup:
    """The portfolio to open: FILE, else the last one used, else the sample."""
    problem: str | None = None
    if file is not None:
        try:
            return Startup(load_portfolio(file), file)
        except PortfolioFileError as exc:
            problem = str(exc)
    last = Path(settings.last_portfolio) if settings.last_portfolio else None
    if last is not None and last.exists():
        try:
            return Startup(load_portfolio(last), last, problem, failed_file=problem is not None)
        except PortfolioFileError as exc:
            problem = problem or str(exc)
    entries = [e for e in library.list() if not e.error]
    if entries and settings.first_run_done:
        newest = max(entries, key=lambda e: e.modified)
        try:
            return Startup(load_portfolio(newest.path), newest.path, problem, problem is not None)
        except PortfolioFileError:
            pass
    # First run: put the sample in the library so the user can play with it.
    sample = sample_portfolio()
    existing = next((e for e in entries if e.name == sample.name), None)
    if existing is not None:
        return Startup(load_portfolio(existing.path), existing.path, problem, problem is not None)
    path = library.save_as(sample, sample.name)
    return Startup(sample, path, problem, failed_file=problem is not None)


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
    QGuiApplication.setDesktopFileName(APP_ID)
    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "hedger"])
    assert isinstance(app, QApplication)
    app.setApplicationName("Hedger")
    app.setApplicationDisplayName("Hedger")
    app.setOrganizationName("Hedger")
    app.setApplicationVersion(hedger.__version__)
    app.setWindowIcon(app_icon())

    settings, settings_problem = load_settings()
    apply_theme(app, settings.theme)
    catalog, catalog_problem = load_catalog()
    library = PortfolioLibrary()
    start = choose_initial(file, settings, library)
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

    timings: dict[str, int] = {}
    exit_code = 0

    def charts_painted() -> None:
        timings["charts_ms"] = ms_since_start()
        if smoke_test:
            finish_smoke()

    def first_painted() -> None:
        timings["first_paint_ms"] = ms_since_start()
        window.load_charts()
        chart = window.chart_host.chart
        if chart is not None:
            _PaintWatcher(chart.plot_widget.viewport(), charts_painted)
            chart.plot_widget.viewport().update()

    def finish_smoke() -> None:
        nonlocal exit_code
        print(f"first_paint_ms={timings['first_paint_ms']} charts_ms={timings['charts_ms']}")
        if smoke_edit:
            exit_code = _smoke_edit(document, window)
        window.files.ask_unsaved = lambda _name: "discard"
        window.close()
        app.quit()

    _PaintWatcher(window, first_painted)
    if smoke_test:

        def timeout() -> None:
            nonlocal exit_code
            print("hedger: smoke test timed out before the window painted", file=sys.stderr)
            exit_code = 1
            app.quit()

        QTimer.singleShot(30_000, timeout)
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
    return exit_code or code


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
    from hedger.ui.document.recovery import discard, find_recoverable
    from hedger.ui.main_window import MainWindow

    assert isinstance(window, MainWindow)
    for note in notes:
        QMessageBox.warning(window, "Hedger", note)
    for work in find_recoverable():
        when = work.saved_at.astimezone().strftime("%d %b %Y %H:%M")
        answer = QMessageBox.question(
            window,
            "Recover unsaved work",
            f"Hedger closed unexpectedly while “{work.portfolio.name}” had unsaved changes "
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
    reloaded = load_portfolio(document.path)
    if reloaded.holdings[0].quantity != new or document.dirty:
        print("hedger: smoke edit did not round-trip", file=sys.stderr)
        return 1
    print("edit_saved=ok")
    return 0
