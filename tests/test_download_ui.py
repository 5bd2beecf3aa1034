"""The Download… dialog (progress, stop, result) and the empty states' Import/Download buttons."""

from __future__ import annotations

import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
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
