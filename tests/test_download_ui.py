"""The Download… dialog (progress, stop, result) and the empty states' Import/Download buttons."""

from __future__ import annotations

import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QFileDialog, QTabWidget
from pytestqt.qtbot import QtBot
from test_download_venues import CandleServer

from hedger.core.catalog import builtin_catalog
from hedger.core.models import Holding, Portfolio
from hedger.live.candles import DAY_MS, aligned_end
from hedger.store.history import HistoryStore
from hedger.ui.analytics.backtest import BacktestTab
from hedger.ui.analytics.download_dialog import DownloadDialog
from hedger.ui.analytics.history import HistoryTab
from hedger.ui.analytics.history_library import HistoryLibrary
from hedger.ui.document.document import PortfolioDocument

pytestmark = pytest.mark.gui

NOW_MS = int(time.time() * 1000)
END = aligned_end(NOW_MS, "1d")


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[CandleServer]:
    with CandleServer() as s:
        for symbol, base in (("BTC", 97000.0), ("ETH", 3600.0), ("SOL", 230.0)):
            s.add(symbol, DAY_MS, days=60, base=base, now_ms=NOW_MS)
        for key, value in s.env().items():
            monkeypatch.setenv(key, value)
        yield s


@pytest.fixture
def library(tmp_path: Path, qtbot: QtBot) -> HistoryLibrary:
    return HistoryLibrary(HistoryStore(tmp_path / "history"))


@pytest.fixture
def doc(qtbot: QtBot) -> PortfolioDocument:
    p = Portfolio(
        name="Book",
        holdings=(
            Holding(symbol="BTC", quantity=Decimal("0.5"), price=Decimal(97000)),
            Holding(symbol="SOL", quantity=Decimal(12), price=Decimal(230), hedge_with="BTC"),
            Holding(symbol="USDC", quantity=Decimal(1000), price=Decimal(1)),
        ),
    )
    return PortfolioDocument(builtin_catalog(), p, None)


def result_texts(dialog: DownloadDialog) -> list[str]:
    out = []
    for row in range(dialog.table.rowCount()):
        item = dialog.table.item(row, 2)
        out.append(item.text() if item is not None else "")
    return out


def test_dialog_downloads_with_progress_and_a_result(
    qtbot: QtBot, server: CandleServer, library: HistoryLibrary
) -> None:
    dialog = DownloadDialog(library, ["BTC", "ETH"])
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.symbols_edit.text() == "BTC, ETH"
    assert [dialog.source_combo.itemData(i) for i in range(3)] == ["binance", "coinbase", "okx"]
    dialog.symbols_edit.setText("btc eth doge")
    dialog.days_spin.setValue(30)
    changes: list[int] = []
    library.changed.connect(lambda: changes.append(1))
    with qtbot.waitSignal(dialog.downloaded, timeout=10_000) as got:
        dialog.start_button.click()
        assert dialog.running and dialog.stop_button.isVisible()
        assert not dialog.symbols_edit.isEnabled()
    assert got.args == [["BTC", "ETH"]]
    texts = result_texts(dialog)
    assert texts[0].startswith("30 new bars; 30 stored (")
    assert texts[2] == "Binance does not list DOGEUSDT"
    assert [b.value() for b in dialog._bars] == [100, 100, 0]
    assert dialog.summary.text() == (
        "Stored 60 new closes from Binance for BTC, ETH. Not downloaded: DOGE (see the list)."
    )
    assert sorted(library.symbols()) == ["BTC", "ETH"]
    assert len(changes) >= 3  # once per stored symbol, once at the end
    assert dialog.start_button.text() == "Download again" and not dialog.running


def test_bad_symbols_are_said_and_nothing_starts(
    qtbot: QtBot, server: CandleServer, library: HistoryLibrary
) -> None:
    dialog = DownloadDialog(library)
    qtbot.addWidget(dialog)
    dialog.start()
    assert dialog.summary.text() == "name at least one symbol to download, e.g. BTC"
    dialog.symbols_edit.setText("BTC, $$$")
    dialog.start()
    assert "symbol '$$$'" in dialog.summary.text()
    assert not dialog.running and server.hits == []


def test_escape_stops_and_keeps_what_was_stored(
    qtbot: QtBot, server: CandleServer, library: HistoryLibrary
) -> None:
    server.script("/api/v3/klines", ("sleep", 0.0), ("sleep", 2.5))
    dialog = DownloadDialog(library, ["BTC", "ETH", "SOL"])
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.days_spin.setValue(30)
    dialog.start_button.click()
    qtbot.waitUntil(lambda: "new bars" in result_texts(dialog)[0], timeout=10_000)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert dialog.isVisible()  # Esc stops the download, not the dialog
    assert dialog.summary.text() == "Stopping after the current request…"
    assert dialog.wait(10)
    report = dialog.report
    assert report is not None and report.stopped
    assert [s.state for s in report.symbols] == ["downloaded", "downloaded", "not asked"]
    assert result_texts(dialog)[2] == "not asked: stopped"
    assert dialog.summary.text().startswith("Stopped. Stored 60 new closes")
    assert sorted(library.symbols()) == ["BTC", "ETH"]
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()  # idle: Esc closes


def test_history_tab_download_button_opens_the_dialog_with_the_portfolio(
    qtbot: QtBot, server: CandleServer, library: HistoryLibrary, doc: PortfolioDocument
) -> None:
    tab = HistoryTab(doc, library)
    qtbot.addWidget(tab)
    tab.show()
    # Nothing stored: the empty state offers both ways in.
    assert tab.pages.currentWidget() is tab.empty
    assert [b.text() for b in tab.empty.buttons] == ["Import CSV…", "Download…"]
    tab.empty.buttons[1].click()
    dialog = tab.download_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.symbols_edit.text() == "BTC, SOL"  # USDC is a stablecoin
    dialog.days_spin.setValue(10)
    dialog.start_button.click()
    assert dialog.wait(10)
    qtbot.waitUntil(lambda: tab.pages.currentIndex() == 0, timeout=5_000)
    assert tab.selected_symbol() == "BTC"
    assert [r.key for r in tab.model.rows] == ["BTC", "SOL"]
    dialog.reject()
    assert tab.open_download() is dialog  # one dialog, opened again


def test_empty_states_elsewhere_lead_to_the_history_tab(
    qtbot: QtBot,
    server: CandleServer,
    library: HistoryLibrary,
    doc: PortfolioDocument,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tabs = QTabWidget()
    qtbot.addWidget(tabs)
    history = HistoryTab(doc, library)
    backtest = BacktestTab(doc, library)
    tabs.addTab(history, "History")
    tabs.addTab(backtest, "Backtest")
    tabs.setCurrentWidget(backtest)
    tabs.show()
    backtest.wait()
    assert backtest.pages.currentWidget() is backtest.empty
    assert "Download…" in backtest.empty.text.text()
    assert [b.text() for b in backtest.empty.buttons] == ["Import CSV…", "Download…"]
    backtest.empty.buttons[1].click()
    assert tabs.currentWidget() is history
    assert history.download_dialog is not None and history.download_dialog.isVisible()
    history.download_dialog.reject()

    csv = tmp_path / "btc.csv"
    csv.write_text("date,close\n2025-01-01,95000\n2025-01-02,96000\n")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(csv), ""))
    tabs.setCurrentWidget(backtest)
    backtest.empty.buttons[0].click()
    assert tabs.currentWidget() is history
    qtbot.waitUntil(lambda: history.report_dialog is not None, timeout=10_000)
    assert history.report_dialog is not None
    assert history.report_dialog.symbol() == "BTC"


def test_a_state_with_history_has_no_buttons(
    qtbot: QtBot, library: HistoryLibrary, doc: PortfolioDocument
) -> None:
    from hedger.ui.widgets.empty_state import EmptyState

    empty = EmptyState()
    qtbot.addWidget(empty)
    clicked: list[str] = []
    empty.set("A", "b", [("Go", lambda: clicked.append("go"))])
    first = empty.buttons[0]
    empty.set("A", "c", [("Go", lambda: clicked.append("again"))])
    assert empty.buttons == [first]  # the same button, now doing the new thing
    first.click()
    assert clicked == ["again"]
    empty.set("Nothing", "to do")
    assert empty.buttons == []


# --------------------------------------------------------------------------- screenshots


def compose(window: QImage, dialog: DownloadDialog, mode: str) -> QImage:
    """The dialog over the dimmed window, with a plain title bar (offscreen Qt draws none)."""
    from PySide6.QtCore import QRect
    from PySide6.QtGui import QColor, QFont, QPainter, QPen

    palette = dialog.palette()
    title_h = 30
    x = (window.width() - dialog.width()) // 2
    y = (window.height() - dialog.height() - title_h) // 2
    painter = QPainter(window)
    painter.fillRect(window.rect(), QColor(0, 0, 0, 50 if mode == "light" else 90))
    for spread, alpha in ((6, 20), (4, 30), (2, 45)):
        painter.fillRect(
            QRect(
                x - spread,
                y - spread + 3,
                dialog.width() + 2 * spread,
                dialog.height() + title_h + 2 * spread,
            ),
            QColor(0, 0, 0, alpha),
        )
    bar = QRect(x, y, dialog.width(), title_h)
    painter.fillRect(bar, palette.alternateBase().color().darker(104 if mode == "light" else 90))
    font = QFont(dialog.font())
    font.setBold(True)
    painter.setFont(font)
    painter.setPen(palette.windowText().color())
    painter.drawText(bar, Qt.AlignmentFlag.AlignCenter, dialog.windowTitle())
    painter.drawImage(x, y + title_h, dialog.grab().toImage())
    painter.setPen(QPen(palette.mid().color(), 1))
    painter.drawRect(x - 1, y - 1, dialog.width() + 1, dialog.height() + title_h + 1)
    painter.end()
    return window


def realistic_series(
    server: CandleServer, symbol: str, start: float, end: float, seed: int
) -> None:
    """800 daily closes wandering from ``start`` to ``end`` like a crypto price."""
    import numpy as np

    days = 800
    rng = np.random.default_rng(seed)
    steps = rng.normal(0, 0.028, days)
    walk = np.cumsum(steps)
    walk += np.linspace(0, np.log(end / start) - walk[-1], days)
    closes = start * np.exp(walk)
    first = END - (days - 1) * DAY_MS
    server.bars[symbol] = {
        DAY_MS: {first + i * DAY_MS: f"{c:.2f}" for i, c in enumerate(closes)},
    }


@pytest.mark.parametrize("mode", ["light", "dark"])
def test_download_dialog_screenshot(
    app_theme, qtbot: QtBot, server: CandleServer, tmp_path: Path, mode: str
) -> None:
    """The dialog after downloading BTC, ETH and SOL, over the main window at 1280×800.

    Set HEDGER_SCREENSHOT_DIR=docs to refresh the README images.
    """
    import os

    from hedger.services.library import choose_initial
    from hedger.store.library import PortfolioLibrary
    from hedger.store.settings import AppSettings
    from hedger.ui import app as app_mod
    from hedger.ui.main_window import MainWindow

    realistic_series(server, "BTC", 44_000, 97_400, 7)
    realistic_series(server, "ETH", 2_300, 3_620, 11)
    realistic_series(server, "SOL", 98, 231, 5)
    eth = server.bars["ETH"][DAY_MS]
    for t in (END - 200 * DAY_MS, END - 199 * DAY_MS):
        del eth[t]
    app_theme(mode)
    library = PortfolioLibrary()
    start = choose_initial(None, library)
    doc = PortfolioDocument(app_mod.load_catalog()[0], start.portfolio, start.path)
    w = MainWindow(doc, library, AppSettings())
    qtbot.addWidget(w)
    w.resize(1280, 800)
    w.show()
    qtbot.waitExposed(w)
    tab = w.analytics_tab("History")
    assert isinstance(tab, HistoryTab)
    w.workspace.setCurrentWidget(tab.parentWidget())
    dialog = tab.open_download()
    assert dialog.symbols_edit.text() == "BTC, ETH, SOL"
    dialog.start_button.click()
    assert dialog.wait(30)
    assert "Stored 2,188 new closes from Binance for BTC, ETH, SOL" in dialog.summary.text()
    qtbot.waitUntil(lambda: "points" in tab.preview_title.text(), timeout=10_000)
    dialog.resize(760, 430)
    qtbot.wait(100)
    shot = compose(w.grab().toImage(), dialog, mode)
    out_dir = Path(os.environ.get("HEDGER_SCREENSHOT_DIR", tmp_path))
    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / f"screenshot-download-{mode}.png"
    assert shot.save(str(out))
    img = QImage(str(out))
    assert (img.width(), img.height()) == (1280, 800)
    dialog.reject()
