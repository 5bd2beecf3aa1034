"""The desktop app's price refresh: F5, a worker thread, one undo step, age display."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence
from pytestqt.qtbot import QtBot
from test_live_venue import FakeVenue, no_sleep

from hedger.core.catalog import builtin_catalog
from hedger.core.models import Holding, Portfolio
from hedger.live.http import HttpSettings
from hedger.live.venues.base import PriceSource
from hedger.live.venues.binance import BinanceSource
from hedger.live.venues.coinbase import CoinbaseSource
from hedger.ui.document.document import PortfolioDocument
from hedger.ui.prices.age_widget import PriceAgeWidget
from hedger.ui.prices.controller import LivePricesController
from hedger.ui.prices.progress_bar import RefreshProgressBar

pytestmark = pytest.mark.gui

SETTINGS = HttpSettings(timeout=3, retries=1, backoff=0)


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def venue() -> Iterator[FakeVenue]:
    with FakeVenue() as v:
        yield v


@pytest.fixture
def doc(qapp: object) -> PortfolioDocument:
    p = Portfolio(
        name="Book",
        holdings=(
            Holding.model_validate({"symbol": "BTC", "quantity": "0.5", "price": "65000"}),
            Holding.model_validate({"symbol": "ETH", "quantity": "2", "price": "3000"}),
        ),
    )
    return PortfolioDocument(builtin_catalog(), p)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def ctl(
    qapp: object, venue: FakeVenue, doc: PortfolioDocument, clock: Clock
) -> Iterator[LivePricesController]:
    def sources() -> list[PriceSource]:
        return [
            BinanceSource(venue.url, venue.url, SETTINGS, sleep=no_sleep),
            CoinbaseSource(venue.url, SETTINGS, sleep=no_sleep),
        ]

    c = LivePricesController(doc, sources_factory=sources, clock=clock)
    yield c
    c.shutdown()


def prices(doc: PortfolioDocument) -> list[Decimal]:
    return [h.price for h in doc.portfolio.holdings]


def test_refresh_action_is_f5_with_an_icon(ctl: LivePricesController) -> None:
    a = ctl.refresh_action
    assert QKeySequence("F5") in a.shortcuts()
    assert not a.icon().isNull()
    assert a.text().replace("&", "") == "Refresh Prices"


def test_f5_updates_prices_as_one_undo_step(
    qtbot: QtBot, ctl: LivePricesController, doc: PortfolioDocument
) -> None:
    with qtbot.waitSignal(ctl.refreshed, timeout=5000) as done:
        ctl.refresh_action.trigger()
    result = done.args[0]
    assert result.ok
    assert prices(doc) == [Decimal("70000.01"), Decimal(3500)]
    assert doc.portfolio.hedge.futures_prices["BTC"] == Decimal("70012.34")
    assert doc.portfolio.quotes["BTC"].source == "Binance"
    assert doc.dirty
    assert doc.undo_stack.count() == 1
    assert doc.undo_stack.undoText() == "Refresh Prices"
    assert doc.plan.underlyings[0].futures_price == Decimal("70012.34")

    doc.undo_stack.undo()
    assert prices(doc) == [Decimal(65000), Decimal(3000)]
    assert doc.portfolio.quotes == {}
    assert doc.portfolio.hedge.futures_prices == {}
    doc.undo_stack.redo()
    assert prices(doc) == [Decimal("70000.01"), Decimal(3500)]


def test_fetch_runs_off_the_gui_thread(
    qtbot: QtBot, venue: FakeVenue, ctl: LivePricesController, doc: PortfolioDocument
) -> None:
    # The venue holds its answer until a GUI timer fires: if the fetch ran on
    # the GUI thread, the timer could not fire and the request would time out.
    release = threading.Event()
    venue.script("/api/v3", ("wait", release))
    busy: list[bool] = []
    ctl.busyChanged.connect(busy.append)
    ticks: list[bool] = []

    def tick() -> None:
        ticks.append(ctl.busy)
        release.set()

    with qtbot.waitSignal(ctl.refreshed, timeout=5000):
        assert ctl.refresh()
        assert busy == [True]
        assert not ctl.refresh_action.isEnabled()
        assert not ctl.refresh()  # one at a time
        QTimer.singleShot(50, tick)
    assert ticks == [True]
    assert busy == [True, False]
    assert ctl.refresh_action.isEnabled()
    assert prices(doc)[0] == Decimal("70000.01")


def test_edits_during_the_fetch_are_kept(
    qtbot: QtBot, venue: FakeVenue, ctl: LivePricesController, doc: PortfolioDocument
) -> None:
    release = threading.Event()
    venue.script("/api/v3", ("wait", release))
    with qtbot.waitSignal(ctl.refreshed, timeout=5000):
        ctl.refresh()
        doc.edit_holding_field(1, "quantity", "5")
        release.set()
    assert [(h.quantity, h.price) for h in doc.portfolio.holdings] == [
        (Decimal("0.5"), Decimal("70000.01")),
        (Decimal(5), Decimal(3500)),
    ]
    doc.undo_stack.undo()  # the refresh
    assert [(h.quantity, h.price) for h in doc.portfolio.holdings] == [
        (Decimal("0.5"), Decimal(65000)),
        (Decimal(5), Decimal(3000)),
    ]


def test_unreachable_venues_keep_prices_and_say_why(
    qtbot: QtBot, venue: FakeVenue, ctl: LivePricesController, doc: PortfolioDocument
) -> None:
    venue.close()
    messages: list[str] = []
    ctl.statusMessage.connect(messages.append)
    with qtbot.waitSignal(ctl.refreshed, timeout=5000):
        ctl.refresh()
    assert prices(doc) == [Decimal(65000), Decimal(3000)]
    assert doc.undo_stack.count() == 0
    assert messages[0] == "Refreshing prices (at most 20 s; Esc stops)…"
    assert messages[-1].startswith("Binance unreachable: connection refused")
    assert messages[-1].endswith("— kept previous prices")
    assert not ctl.busy


def test_progress_bar_shows_while_busy(
    qtbot: QtBot, venue: FakeVenue, ctl: LivePricesController
) -> None:
    bar = RefreshProgressBar(ctl)
    qtbot.addWidget(bar)
    release = threading.Event()
    venue.script("/api/v3", ("wait", release))
    steps: list[tuple[int, int]] = []
    ctl.progress.connect(lambda d, t: steps.append((d, t)))
    with qtbot.waitSignal(ctl.refreshed, timeout=5000):
        ctl.refresh()
        assert not bar.isHidden()
        release.set()
    assert bar.isHidden()
    assert steps[0] == (0, 3) and steps[-1] == (3, 3)  # spot: 2 venues, futures: 1


def test_auto_refresh_merges_into_one_undo_step(
    qtbot: QtBot, venue: FakeVenue, ctl: LivePricesController, doc: PortfolioDocument
) -> None:
    ctl.set_auto_refresh(5)
    assert ctl.auto_refresh_actions[5].isChecked()
    assert ctl._auto_timer.isActive() and ctl._auto_timer.interval() == 300_000
    with qtbot.waitSignal(ctl.refreshed, timeout=5000):
        ctl.refresh()
    venue.binance_spot["BTCUSDT"] = "71000"
    with qtbot.waitSignal(ctl.refreshed, timeout=5000):
        ctl._auto_timer.timeout.emit()  # what the timer does every 5 min
    assert prices(doc)[0] == Decimal(71000)
    assert doc.undo_stack.count() == 1
    doc.undo_stack.undo()
    assert prices(doc) == [Decimal(65000), Decimal(3000)]
    ctl.set_auto_refresh(0)
    assert not ctl._auto_timer.isActive()
    with pytest.raises(ValueError):
        ctl.set_auto_refresh(2)


def test_futures_toggle_leaves_futures_prices_alone(
    qtbot: QtBot, ctl: LivePricesController, doc: PortfolioDocument
) -> None:
    ctl.include_futures_action.setChecked(False)
    with qtbot.waitSignal(ctl.refreshed, timeout=5000):
        ctl.refresh()
    assert doc.portfolio.hedge.futures_prices == {}
    assert prices(doc)[0] == Decimal("70000.01")


def test_cancelled_refresh_changes_nothing(
    qtbot: QtBot, venue: FakeVenue, ctl: LivePricesController, doc: PortfolioDocument
) -> None:
    release = threading.Event()
    venue.script("/api/v3", ("wait", release))
    ctl.refresh()
    ctl.cancel()
    assert not ctl.busy
    release.set()
    with qtbot.assertNotEmitted(ctl.refreshed, wait=500):
        pass
    assert prices(doc) == [Decimal(65000), Decimal(3000)]


def test_age_widget_shows_source_and_turns_stale(
    qtbot: QtBot, ctl: LivePricesController, doc: PortfolioDocument, clock: Clock
) -> None:
    label = PriceAgeWidget(doc, clock=clock)
    qtbot.addWidget(label)
    assert label.text() == "Prices: typed by hand"
    with qtbot.waitSignal(ctl.refreshed, timeout=5000):
        ctl.refresh()
    assert label.text() == "Prices: Binance · just now"
    assert not label.stale
    clock.now += timedelta(minutes=20)
    label.update_text()  # the widget's 30 s timer does this
    assert label.text() == "Prices: Binance · 20 min ago (stale)"
    assert label.stale
    assert "#b7791f" in label.styleSheet()
    assert "BTC: Binance · 20 min ago (stale)" in label.toolTip()
    doc.undo_stack.undo()
    assert label.text() == "Prices: typed by hand"
    assert not label.stale


def test_nothing_to_price_is_said_not_fetched(qtbot: QtBot, venue: FakeVenue, clock: Clock) -> None:
    doc = PortfolioDocument(builtin_catalog(), Portfolio())
    ctl = LivePricesController(doc, sources_factory=lambda: [], clock=clock)
    with qtbot.waitSignal(ctl.statusMessage, timeout=1000) as msg:
        assert not ctl.refresh()
    assert msg.args == ["No prices to refresh: add a holding first"]
    assert venue.count("/") == 0


# --------------------------------------------------------------------------- stop


def test_esc_stops_a_refresh_waiting_on_a_silent_venue(
    qtbot: QtBot, venue: FakeVenue, ctl: LivePricesController, doc: PortfolioDocument
) -> None:
    from PySide6.QtWidgets import QMainWindow

    window = QMainWindow()
    qtbot.addWidget(window)
    window.menuBar().addMenu(ctl.menu(window))
    bar = RefreshProgressBar(ctl)
    window.statusBar().addPermanentWidget(bar)
    window.show()
    qtbot.waitExposed(window)
    venue.script("/api/v3", ("sleep", 3.0))
    assert not ctl.stop_action.isEnabled()
    assert ctl.stop_action.shortcut() == QKeySequence("Esc")
    messages: list[str] = []
    ctl.statusMessage.connect(messages.append)
    assert ctl.refresh()
    assert ctl.stop_action.isEnabled()
    assert bar.stop_button.defaultAction() is ctl.stop_action
    qtbot.waitUntil(lambda: "Binance" in bar.label.text(), timeout=2000)
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    assert not ctl.busy
    assert ctl.refresh_action.isEnabled() and not ctl.stop_action.isEnabled()
    assert bar.isHidden()
    assert messages[-1] == "Price refresh stopped — kept previous prices"
    with qtbot.assertNotEmitted(ctl.refreshed, wait=300):
        pass
    assert prices(doc) == [Decimal(65000), Decimal(3000)]
    assert doc.undo_stack.count() == 0
    # Refresh works again at once, while the stopped one still waits on its socket.
    with qtbot.waitSignal(ctl.refreshed, timeout=5000):
        assert ctl.refresh()
    assert prices(doc)[0] == Decimal("70000.01")


def test_progress_says_which_venue_is_pending(
    qtbot: QtBot, venue: FakeVenue, ctl: LivePricesController
) -> None:
    bar = RefreshProgressBar(ctl)
    qtbot.addWidget(bar)
    release = threading.Event()
    venue.script("/api/v3", ("wait", release))
    with qtbot.waitSignal(ctl.refreshed, timeout=5000):
        ctl.refresh()
        qtbot.waitUntil(lambda: bar.label.text() == "Fetching prices from Binance…", timeout=2000)
        assert bar.bar.minimum() == bar.bar.maximum() == 0  # indeterminate, not empty
        release.set()


# --------------------------------------------------------------------------- details


@pytest.fixture
def wild_doc(qapp: object) -> PortfolioDocument:
    p = Portfolio(
        name="Book",
        holdings=(
            Holding.model_validate({"symbol": "BTC", "quantity": "0.5", "price": "65000"}),
            Holding.model_validate({"symbol": "ETH", "quantity": "2", "price": "3000"}),
            Holding.model_validate({"symbol": "DOGE", "quantity": "100", "price": "0.1"}),
        ),
    )
    return PortfolioDocument(builtin_catalog(), p)


def test_details_list_every_outcome_and_use_anyway_takes_a_jump(
    qtbot: QtBot, venue: FakeVenue, wild_doc: PortfolioDocument, clock: Clock
) -> None:
    venue.binance_spot["BTCUSDT"] = "7000000"
    venue.coinbase["BTC-USD"] = "7000000"

    def sources() -> list[PriceSource]:
        return [
            BinanceSource(venue.url, venue.url, SETTINGS, sleep=no_sleep),
            CoinbaseSource(venue.url, SETTINGS, sleep=no_sleep),
        ]

    ctl = LivePricesController(wild_doc, sources_factory=sources, clock=clock)
    ctl.include_futures_action.setChecked(False)
    label = PriceAgeWidget(wild_doc, clock=clock)
    qtbot.addWidget(label)
    assert not ctl.details_action.isEnabled()
    with qtbot.waitSignal(ctl.refreshed, timeout=5000):
        ctl.refresh()
    assert ctl.details_action.isEnabled()
    assert label.text() == "Prices: Binance · just now, 2 typed · 2 not updated"
    qtbot.mouseClick(label, Qt.MouseButton.LeftButton)  # the label opens the details
    dlg = ctl._details
    assert dlg is not None and dlg.isVisible()
    qtbot.addWidget(dlg)
    rows = [(r.key, r.outcome) for r in dlg.model.rows]
    assert rows == [("BTC", "rejected"), ("DOGE", "unlisted"), ("ETH", "updated")]
    m = dlg.model
    assert m.index(0, 2).data() == "65,000.00" and m.index(0, 3).data() == "7,000,000.00"
    assert "your typed price 65,000.00" in m.index(0, 5).data()
    assert m.index(2, 2).data() == "3,000.00" and m.index(2, 3).data() == "3,500.00"
    assert m.index(1, 5).data().startswith("Binance does not list DOGEUSDT")
    assert dlg.use_button.isVisible() and dlg.use_button.isEnabled()  # BTC selected
    qtbot.mouseClick(dlg.use_button, Qt.MouseButton.LeftButton)
    assert prices(wild_doc)[0] == Decimal(7000000)
    assert wild_doc.undo_stack.undoText() == "Use Rejected Price (BTC)"
    assert dlg.model.rows[0].outcome == "used" and not dlg.use_button.isVisible()
    wild_doc.undo_stack.undo()
    assert prices(wild_doc)[0] == Decimal(65000)
    # A later refresh (an auto-refresh, say) fills the open dialog in place
    # instead of closing it under the reader.
    venue.binance_spot["BTCUSDT"] = "66000"
    with qtbot.waitSignal(ctl.refreshed, timeout=5000):
        ctl.refresh()
    assert ctl._details is dlg and dlg.isVisible()
    assert ("BTC", "updated") in [(r.key, r.outcome) for r in dlg.model.rows]
    ctl.shutdown()


# --------------------------------------------------------------------------- source


def test_source_menu_offers_ccxt_greyed_without_it(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, doc: PortfolioDocument
) -> None:
    monkeypatch.setitem(sys.modules, "ccxt", None)
    ctl = LivePricesController(doc)
    menu = ctl.menu()
    qtbot.addWidget(menu)
    from PySide6.QtWidgets import QMenu

    source_menu = next(m for m in menu.findChildren(QMenu) if m.title() == "&Source")
    source_menu.aboutToShow.emit()  # filled as it opens
    source_menu.aboutToShow.emit()  # ...once
    texts = [a.text() for a in source_menu.actions() if a.text()]
    assert texts[:4] == [
        "Binance, then Coinbase, then OKX",
        "Binance only",
        "Coinbase only (spot)",
        "OKX only",
    ]
    assert texts.count("Binance only") == 1
    assert "ccxt not installed: pip install 'hedger[live]'" in texts
    assert "ccxt: kraken" in texts
    assert not ctl.source_actions["ccxt:kraken"].isEnabled()
    assert ctl.source_actions["okx"].isEnabled()
    ctl.shutdown()


def test_a_ccxt_source_is_used_by_the_next_refresh(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, doc: PortfolioDocument, clock: Clock
) -> None:
    from test_live_contracts import fake_ccxt, okx_markets

    tickers = {
        "BTC/USDT": {"last": 70000.5},
        "BTC/USDT:USDT": {"markPrice": 70011.3},
        "ETH/USDT:USDT": {"markPrice": 3501.1},
    }
    monkeypatch.setitem(sys.modules, "ccxt", fake_ccxt(okx_markets(), tickers))
    ctl = LivePricesController(doc, clock=clock)
    assert ctl.source_actions["ccxt:okx"].isEnabled()
    changed: list[str] = []
    ctl.sourceChanged.connect(changed.append)
    ctl.source_actions["ccxt:okx"].trigger()
    assert ctl.source_key == "ccxt:okx" and changed == ["ccxt:okx"]
    with qtbot.waitSignal(ctl.refreshed, timeout=5000) as done:
        ctl.refresh()
    assert prices(doc)[0] == Decimal("70000.5")
    assert doc.portfolio.quotes["FUT:BTC"].source == "okx (ccxt) · BTC/USDT:USDT perpetual"
    assert "ETH" in done.args[0].kept
    with pytest.raises(ValueError):
        ctl.set_source("kraken!")
    ctl.shutdown()


def test_price_age_tooltip_stays_short_for_a_big_book(qtbot: QtBot, qapp: object) -> None:
    holdings = tuple(
        Holding.model_validate({"symbol": f"C{i}", "quantity": "1", "price": str(i + 1)})
        for i in range(40)
    )
    doc = PortfolioDocument(builtin_catalog(), Portfolio(name="Big", holdings=holdings))
    label = PriceAgeWidget(doc)
    qtbot.addWidget(label)
    tip = label.toolTip()
    assert "C0: typed by hand" in tip and "C14: typed by hand" in tip
    assert "C15:" not in tip and "… and 25 more coins" in tip
