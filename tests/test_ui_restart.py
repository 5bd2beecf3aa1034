"""Quit and start again: the window comes back as it was left (issue 13)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from hedger.store.settings import load_settings
from hedger.ui import app as app_mod
from hedger.ui.main_window import MainWindow


def run_once(monkeypatch: pytest.MonkeyPatch, act: Callable[[MainWindow], None]) -> None:
    """``hedger`` started and quit with the window's close box, ``act`` done in between."""
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: None)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Discard)
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    # Only this run's own quit ends it: a stray one from the last window
    # closing would be left pending for the next test's event loops.
    quit_on_close = app.quitOnLastWindowClosed()
    app.setQuitOnLastWindowClosed(False)

    def drive() -> None:
        windows = [w for w in app.topLevelWidgets() if isinstance(w, MainWindow)]
        window = next(w for w in windows if w.isVisible())
        act(window)
        window.files.ask_unsaved = lambda _name: "discard"
        window.close()  # the close box: closeEvent, then the loop ends
        app.quit()

    QTimer.singleShot(300, drive)
    try:
        assert app_mod.run_gui() == 0
    finally:
        app.setQuitOnLastWindowClosed(quit_on_close)


def test_layout_library_and_theme_come_back_after_quit(monkeypatch, qapp) -> None:
    old_palette, old_style = qapp.palette(), qapp.style().name()
    seen: dict[str, object] = {}

    def first(w: MainWindow) -> None:
        assert w.library_dock.isVisible()  # shown on first run
        # The offscreen screen is 800 px square and a restored geometry is
        # clamped to it: the window keeps within it here.
        w.resize(w.width(), 700)
        QApplication.processEvents()
        w.main_split.setSizes([250, 380])
        w.theme_actions["dark"].trigger()
        QApplication.processEvents()
        seen["main"] = w.main_split.sizes()
        seen["height"] = w.height()

    def second(w: MainWindow) -> None:
        seen["library"] = w.library_dock.isVisible()
        seen["main2"] = w.main_split.sizes()
        seen["height2"] = w.height()
        seen["dark"] = w.palette().window().color().lightness() < 80
        w.library_dock.hide()

    def third(w: MainWindow) -> None:
        seen["library3"] = w.library_dock.isVisible()

    try:
        run_once(monkeypatch, first)
        settings, _ = load_settings()
        assert settings.show_library is True  # not lost to the hidden window after exec()
        assert settings.theme == "dark"
        run_once(monkeypatch, second)
        run_once(monkeypatch, third)
    finally:
        qapp.setStyle(old_style or "Fusion")
        qapp.setPalette(old_palette)
    assert seen["library"] is True
    assert seen["main2"] == seen["main"]
    assert seen["height2"] == seen["height"] == 700
    assert seen["dark"] is True
    assert seen["library3"] is False  # hidden on purpose stays hidden
