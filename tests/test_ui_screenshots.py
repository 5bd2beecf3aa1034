"""Screenshots of the main window with the sample portfolio, light and dark.

Set HEDGER_SCREENSHOT_DIR=docs to refresh the README images (the window, light and dark,
and the hedge panel for a Binance, a Deribit and a CME book).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QScrollArea

from hedger.services.library import choose_initial
from hedger.store.library import PortfolioLibrary
from hedger.store.settings import AppSettings
from hedger.ui import app as app_mod
from hedger.ui.document.document import PortfolioDocument
from hedger.ui.main_window import MainWindow


@pytest.mark.parametrize("mode", ["light", "dark"])
def test_main_window_screenshot(app_theme, qtbot, tmp_path: Path, mode: str) -> None:
    app_theme(mode)
    library = PortfolioLibrary()
    start = choose_initial(None, library)
    doc = PortfolioDocument(app_mod.load_catalog()[0], start.portfolio, start.path)
    w = MainWindow(doc, library, AppSettings())
    qtbot.addWidget(w)
    w.resize(1280, 800)
    w.show()
    qtbot.waitExposed(w)
    w.load_charts()
    qtbot.waitUntil(lambda: w.chart_host.chart is not None)
    # The cost-to-hold line is worked out once the chart is up; shown done, not "…".
    w.hedge_panel.carry.start()
    assert w.hedge_panel.carry.state.wait(30)
    qtbot.wait(50)
    out_dir = Path(os.environ.get("HEDGER_SCREENSHOT_DIR", tmp_path))
    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / f"screenshot-{mode}.png"
    assert w.grab().save(str(out))
    img = QImage(str(out))
    assert (img.width(), img.height()) == (1280, 800)
    # The palette really changed: the window background is light or dark.
    bg = img.pixelColor(640, 790).lightness()
    assert (bg > 128) == (mode == "light")


@pytest.mark.parametrize(
    ("venue", "family", "order"),
    [
        ("binance", "BINANCE-USDM-BTC", "Sell 0.539 BTC"),
        ("deribit", "DERIBIT-BTC", "Sell 37,700 USD"),
        ("cme", "CME-BTC", "Sell 5 contracts"),
    ],
)
def test_hedge_panel_screenshot_per_venue(
    app_theme, qtbot, tmp_path: Path, venue: str, family: str, order: str
) -> None:
    """The sample book hedged on one venue: the order as that venue takes it (README)."""
    app_theme("light")
    library = PortfolioLibrary()
    start = choose_initial(None, library)
    hedge = start.portfolio.hedge
    families = {**hedge.families, "BTC": family}
    portfolio = start.portfolio.model_copy(
        update={"hedge": hedge.model_copy(update={"families": families})}
    )
    doc = PortfolioDocument(app_mod.load_catalog()[0], portfolio, start.path)
    w = MainWindow(doc, library, AppSettings())
    qtbot.addWidget(w)
    w.resize(1280, 800)
    w.show()
    qtbot.waitExposed(w)
    w.load_charts()
    qtbot.waitUntil(lambda: w.chart_host.chart is not None)
    w.hedge_panel.set_current_underlying("BTC")
    w.hedge_panel.carry.start()
    assert w.hedge_panel.carry.state.wait(30)
    qtbot.wait(50)
    assert w.hedge_panel.order.line_rows()[0].order.text() == order
    # The margin words wrap: nothing runs off the panel's right edge.
    scroll = w.hedge_panel.findChild(QScrollArea, "hedgeScroll")
    assert scroll is not None
    assert not scroll.horizontalScrollBar().isVisible()
    out_dir = Path(os.environ.get("HEDGER_SCREENSHOT_DIR", tmp_path))
    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / f"screenshot-{venue}.png"
    assert w.grab().save(str(out))
    img = QImage(str(out))
    assert (img.width(), img.height()) == (1280, 800)
