"""The analytics tabs with two years of history, light and dark: screenshots at 1280×800, and
the lead sentence whole (wrapped, not cut) at 1280×800 and 1024×700.

Set HEDGER_SCREENSHOT_DIR=docs to refresh the README images
(``docs/screenshot-<tab>-light.png`` and ``-dark.png``).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from analytics_histories import store_histories
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from hedger.services.library import choose_initial
from hedger.store.library import PortfolioLibrary
from hedger.store.settings import AppSettings
from hedger.ui import app as app_mod
from hedger.ui.document.document import PortfolioDocument
from hedger.ui.main_window import MainWindow

pytestmark = [pytest.mark.gui, pytest.mark.slow]

TABS = ("History", "Betas", "Backtest", "Risk", "Position Sizing")
SEED = 20251205  # the Risk tab's: the same paths on every run


def lead_is_whole(tab: QWidget) -> None:
    """The sentence is shown, wrapped to its full height, inside the tab."""
    lead = tab.lead  # type: ignore[attr-defined]
    assert lead.isVisible() and lead.text.text()
    for label in (lead.text, lead.note):
        if label.isVisible():
            assert label.height() >= label.heightForWidth(label.width()), label.text()
    bottom_right = lead.mapTo(tab, lead.rect().bottomRight())
    assert bottom_right.x() <= tab.width() and bottom_right.y() <= tab.height()
    assert not tab.details.expanded  # type: ignore[attr-defined]
    # Nothing squeezed below its minimum: the tab's layout fits the window.
    needed = tab.layout().minimumSize()
    assert needed.width() <= tab.width() and needed.height() <= tab.height(), title_of(tab)


def title_of(tab: QWidget) -> str:
    return type(tab).__name__


def show_tab(qtbot: QtBot, w: MainWindow, title: str) -> QWidget:
    tab = w.analytics_tab(title)
    assert tab is not None
    w.workspace.setCurrentWidget(tab.parentWidget())
    if title == "Risk":
        tab.seed_edit.setText(str(SEED))  # type: ignore[attr-defined]
        tab.recompute()  # type: ignore[attr-defined]
    if hasattr(tab, "wait"):
        assert tab.wait(60)
    if title == "History":
        qtbot.waitUntil(lambda: "points" in tab.preview_title.text(), timeout=10_000)  # type: ignore[attr-defined]
    qtbot.wait(80)
    return tab


@pytest.mark.parametrize("mode", ["light", "dark"])
def test_analytics_tabs_with_data(app_theme, qtbot: QtBot, tmp_path: Path, mode: str) -> None:
    store_histories()
    app_theme(mode)
    library = PortfolioLibrary()
    start = choose_initial(None, library)
    doc = PortfolioDocument(app_mod.load_catalog()[0], start.portfolio, start.path)
    w = MainWindow(doc, library, AppSettings())
    qtbot.addWidget(w)
    out_dir = Path(os.environ.get("HEDGER_SCREENSHOT_DIR", tmp_path))
    out_dir.mkdir(parents=True, exist_ok=True)
    for size in ((1280, 800), (1024, 700)):
        w.resize(*size)
        w.show()
        qtbot.waitExposed(w)
        for title in TABS:
            tab = show_tab(qtbot, w, title)
            lead_is_whole(tab)
            if size != (1280, 800):
                continue
            name = title.lower().replace(" ", "-")
            out = out_dir / f"screenshot-{name}-{mode}.png"
            assert w.grab().save(str(out))
            img = QImage(str(out))
            assert (img.width(), img.height()) == (1280, 800)
            bg = img.pixelColor(640, 790).lightness()
            assert (bg > 128) == (mode == "light")
