"""The carry in the app: hedge panel line and column, Compare Venues, funding refresh,
the Contracts dialog's calendar, the Backtest tab's funding lines, the Risk tab's basis words.

Hand-checkable figures (domain.md example 15): 0.5 BTC at 70,000 hedged with OKX's
0.01 BTC swap is 35,000 USD short; 90 days at 0.01 % per 8 h is 35,000 × 0.0001 ×
270 = 945 USD received; fees 0.05 % to open and to close = 35 USD; it earns 910 USD.
Funding downloads run against a local server (``test_carry_funding_live``).
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot
from test_carry_funding_live import NOW, FundingServer, no_sleep

from hedger.core.analytics.series import PriceSeries
from hedger.core.catalog import builtin_catalog
from hedger.core.funding import FundingHistory
from hedger.core.models import HedgeSettings, Holding, Portfolio
from hedger.services import funding as funding_service
from hedger.services.carry import CarryRequest, compare_venues, risk_basis_assumption
from hedger.store.funding import FundingStore
from hedger.store.history import HistoryStore
from hedger.store.settings import AppSettings, load_settings, save_settings
from hedger.ui.analytics.backtest import BacktestTab
from hedger.ui.analytics.history_library import HistoryLibrary
from hedger.ui.analytics.risk import RiskTab
from hedger.ui.contracts.calendar_tab import COLUMNS as CALENDAR_COLUMNS
from hedger.ui.contracts.dialog import ContractsDialog
from hedger.ui.document.document import PortfolioDocument
from hedger.ui.hedge.compare_venues import CompareVenuesDialog
from hedger.ui.hedge.options_model import COL_CARRY, COLUMNS
from hedger.ui.hedge.panel import HedgePanel
from hedger.ui.hedge.venue_table import COL_FAMILY, cell_text

pytestmark = pytest.mark.gui

H_MS = 3_600_000
T0_MS = 1_767_225_600_000  # 2026-01-01 00:00 UTC
CATALOG = builtin_catalog()
ROOT = Path(__file__).resolve().parent.parent


def flat(cid: str, rate: str, n: int = 1200, step_h: int = 8) -> FundingHistory:
    times = tuple(T0_MS + i * step_h * H_MS for i in range(n))
    return FundingHistory(cid, times, (Decimal(rate),) * n)


def book(family: str = "OKX-BTC") -> Portfolio:
    return Portfolio(
        name="carry",
        holdings=(Holding(symbol="BTC", quantity=Decimal("0.5"), price=Decimal(70000)),),
        hedge=HedgeSettings(families={"BTC": family}, leverage=Decimal(2)),
    )


def panel_for(qtbot: QtBot, portfolio: Portfolio) -> HedgePanel:
    panel = HedgePanel(PortfolioDocument(CATALOG, portfolio, None))
    qtbot.addWidget(panel)
    panel.resize(1100, 600)
    panel.show()
    panel.carry.start()
    assert panel.carry.state.wait(30)
    return panel


def carry_cell(panel: HedgePanel, option: str, role: int = Qt.ItemDataRole.DisplayRole) -> object:
    m = panel.model
    return m.data(m.index(m.row_of(option), COL_CARRY), role)


# --------------------------------------------------------------------------- hedge panel


def test_panel_shows_945_usd_funding_received_for_the_domain_example(qtbot: QtBot) -> None:
    FundingStore().save(flat("OKX:BTC-USDT-SWAP", "0.0001"))
    panel = panel_for(qtbot, book())
    card = panel.carry.card
    assert card.part.caption.text() == "Funding"
    assert card.part.value.text() == "+945 USD"
    # The range: the lowest and highest 30-day averages of the year (all the same here).
    assert card.part.detail.text() == "945 to 945"
    assert card.fees.value.text() == "35.00 USD"  # 17.50 to open + 17.50 to close
    assert card.total.value.text() == "Earns 910 USD"  # 35 − 945
    assert card.total.detail.text() == "−10.54 %/yr"  # −910 / 35,000 × 365 / 90
    assert card.expiry.value.text() == "none"
    assert "receives about 945 USD funding over 90 days" in card.part.toolTip()
    # The options table's carry column says the same.
    assert COLUMNS[COL_CARRY] == "Carry 90 d"
    assert panel.model.headerData(COL_CARRY, Qt.Orientation.Horizontal) == "Carry 90 d"
    assert carry_cell(panel, "micro") == "−910"
    assert "Earns 910 USD over 90 days" in str(carry_cell(panel, "micro", 3))


def test_horizon_is_user_set_and_remembered(qtbot: QtBot) -> None:
    FundingStore().save(flat("OKX:BTC-USDT-SWAP", "0.0001"))
    settings = AppSettings()
    panel = panel_for(qtbot, book())
    panel.carry.bind_settings(settings)
    panel.carry.card.horizon.setValue(60)
    assert panel.carry.state.wait(30)
    assert panel.carry.card.part.value.text() == "+630 USD"  # 35,000 × 0.0001 × 180
    assert panel.model.headerData(COL_CARRY, Qt.Orientation.Horizontal) == "Carry 60 d"
    assert settings.carry_horizon_days == 60
    panel.carry.state.set_roll_days(3)
    assert settings.carry_roll_days == 3
    # A second panel bound to the same settings starts where the first left off.
    other = panel_for(qtbot, book())
    other.carry.bind_settings(settings)
    assert other.carry.card.horizon.value() == 60


def test_unknown_funding_is_named_not_counted_as_zero(qtbot: QtBot) -> None:
    panel = panel_for(qtbot, book())
    card = panel.carry.card
    assert card.part.value.text() == "not stored"
    assert card.total.value.text() == "Costs 35.00 USD*"
    assert carry_cell(panel, "micro") == "35*"
    assert "Refresh Funding" in card.part.toolTip()


def test_dated_hedge_shows_its_next_roll_and_expiry(qtbot: QtBot) -> None:
    panel = panel_for(qtbot, book("CME-BTC"))
    line = panel.carry.state.line("BTC", "mix")
    assert line is not None and line.rolls is not None and line.rolls.rolls
    card = panel.carry.card
    first = line.rolls.rolls[0]
    assert card.expiry.caption.text() == "Next roll"
    assert card.expiry.value.text() == f"{first.day.day} {first.day.strftime('%b')}"
    assert card.expiry.detail.text().startswith(f"expires {first.from_expiry.day} ")
    assert card.part.value.text() == "not typed"  # CME publishes no free futures price
    # Typed in Compare Venues: 2 % to the first expiry, annualised and counted.
    panel.carry.state.set_basis("CME-BTC", Decimal("0.02"))
    assert panel.carry.state.wait(30)
    line = panel.carry.state.line("BTC", "mix")
    assert line is not None and line.basis is not None
    assert card.part.value.text() == f"+{line.basis.usd:,.0f} USD"
    assert not card.total.value.text().endswith("*")


def test_problem_underlying_says_why(qtbot: QtBot) -> None:
    p = Portfolio(
        holdings=(Holding(symbol="BTC", quantity=Decimal(1), price=Decimal(70000)),),
        hedge=HedgeSettings(families={"BTC": "CME-BTC"}, ratio=Decimal(0)),
    )
    panel = panel_for(qtbot, p)
    # A zero ratio hedges nothing: no contracts, nothing to hold.
    assert panel.carry.card.total.value.text() in ("Nothing hedged", "—")


# --------------------------------------------------------------------------- compare venues


@pytest.fixture
def compare(qtbot: QtBot) -> Iterator[CompareVenuesDialog]:
    FundingStore().save(flat("OKX:BTC-USDT-SWAP", "0.0001"))
    FundingStore().save(flat("BINANCE:BTCUSDT", "-0.0001"))
    panel = panel_for(qtbot, book())
    dialog = panel.carry.show_compare()
    qtbot.addWidget(dialog)
    assert panel.carry.state.wait(30)
    yield dialog
    dialog.close()


def test_compare_venues_ranks_like_the_service(compare: CompareVenuesDialog) -> None:
    basis_edit = compare._basis_edits["CME-BTC"]
    basis_edit.setText("0.5%")
    basis_edit.editingFinished.emit()
    assert compare.state.basis == {"CME-BTC": Decimal("0.005")}
    assert compare.state.wait(30)
    shown = [r.line.family_id for r in compare.model.rows]
    request = CarryRequest(90, None, None, {"CME-BTC": Decimal("0.005")})
    (expected,) = compare_venues(book(), CATALOG, request=request)
    assert shown == [r.line.family_id for r in expected.rows]
    assert shown[0] == "OKX-BTC"  # receives funding: cheapest to hold
    assert shown.index("CME-BTC") < shown.index("BINANCE-USDM-BTC")  # Binance pays funding
    first = compare.model.rows[0]
    assert cell_text(first, COL_FAMILY) == "OKX BTC-USDT swap (0.01 BTC)"
    assert compare.model.data(compare.model.index(0, 10)) == "−910"
    assert compare.model.headerData(10, Qt.Orientation.Horizontal) == "Cost 90 d"
    labels = {r.line.family_id: r.label for r in compare.model.rows}
    assert labels["CME-BTC"] == "regulated" and labels["OKX-BTC"] == "offshore"
    assert "Target 35,000 USD (short futures)" in compare.target.text()


def test_bad_basis_is_refused_with_a_reason(compare: CompareVenuesDialog) -> None:
    edit = compare._basis_edits["CME-BTC"]
    edit.setText("lots")
    edit.editingFinished.emit()
    assert "basis of CME-BTC" in compare.message.text()
    assert compare.state.basis == {}
    edit.setText("80%")
    edit.editingFinished.emit()
    assert "basis of CME-BTC must be" in compare.message.text()
    # A bare number reads as a fraction, as everywhere: 1.5 is ambiguous (150 % or 1.5 %?).
    edit.setText("1.5")
    edit.editingFinished.emit()
    assert "1.5%" in compare.message.text() and compare.state.basis == {}


def test_use_this_family_is_one_undo_step(compare: CompareVenuesDialog) -> None:
    doc = compare.document
    compare.select_family("CME-BTC")
    assert compare.use_button.isEnabled()
    compare.use_button.click()
    assert doc.portfolio.hedge.families["BTC"] == "CME-BTC"
    assert compare.use_button.text() == "In Use"
    doc.undo_stack.undo()
    assert doc.portfolio.hedge.families["BTC"] == "OKX-BTC"


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[FundingServer]:
    s = FundingServer()
    env = {**s.env(), "HEDGER_LIVE_TIMEOUT": "5"}
    real = funding_service.download_funding
    monkeypatch.setattr(
        funding_service,
        "download_funding",
        functools.partial(real, env=env, now_ms=NOW, sleep=no_sleep),
    )
    try:
        yield s
    finally:
        s.close()


def test_refresh_funding_downloads_and_recomputes(
    qtbot: QtBot, compare: CompareVenuesDialog, server: FundingServer
) -> None:
    refresh = compare.refresh
    ids = [c.id for c in compare.perpetuals()]
    assert "OKX:BTC-USDT-SWAP" in ids and "KRAKEN:PI_XBTUSD" not in ids  # no built-in source
    generation = compare.state.generation
    refresh.button.click()
    assert refresh.running and refresh.progress.isVisible()
    assert refresh.wait(60)
    assert refresh.download is not None and not refresh.download.cancelled
    assert not refresh.download.failed
    assert refresh.status.text().startswith("Downloaded ")
    assert compare.state.generation == generation + 1
    assert compare.state.wait(30)
    stored = {i.contract_id for i in funding_service.list_funding()[0]}
    assert set(ids) <= stored
    # Every perpetual now has funding: none is left out of its cost.
    downloaded = [r for r in compare.model.rows if r.line.expiry == "perpetual"]
    downloaded = [r for r in downloaded if r.line.funding is not None]
    assert {r.line.funding.contract_id for r in downloaded if r.line.funding} <= set(ids)
    assert len(downloaded) == len(ids)


def test_esc_stops_the_refresh_and_keeps_what_came(
    qtbot: QtBot, compare: CompareVenuesDialog, server: FundingServer
) -> None:
    server.mode["okx"] = "slow"
    refresh = compare.refresh
    refresh.button.click()
    qtbot.waitUntil(lambda: "OKX" in refresh.status.text(), timeout=30_000)
    compare.reject()  # Esc: stops the download, the dialog stays open
    assert compare.isVisible()
    assert refresh.wait(30)
    assert refresh.download is not None and refresh.download.cancelled
    assert refresh.status.text().startswith("Stopped.")
    done = [r.contract_id for r in refresh.download.results]
    assert done and all(not cid.startswith("OKX") for cid in done)
    stored = {i.contract_id for i in funding_service.list_funding()[0]}
    assert set(done) <= stored


# --------------------------------------------------------------------------- contracts calendar


def test_contracts_dialog_has_calendar_columns(qtbot: QtBot) -> None:
    FundingStore().save(flat("OKX:BTC-USDT-SWAP", "0.0001"))
    dialog = ContractsDialog(CATALOG)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.tabs.setCurrentWidget(dialog.calendar)
    assert dialog.calendar.wait(30)
    qtbot.waitUntil(lambda: bool(dialog.calendar.model.rows))
    model = dialog.calendar.model
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert headers == list(CALENDAR_COLUMNS)
    assert "Next expiries" in headers and "Next roll" in headers and "Settles to" in headers
    rows = {r.contract_id: r for r in model.rows}
    assert set(rows) == set(CATALOG.contracts)
    mbt = rows["CME:MBT"]
    i = model.rows.index(mbt)
    assert model.data(model.index(i, 1)) == "Regulated"
    expiries = str(model.data(model.index(i, 2)))
    assert expiries.startswith(f"{mbt.next_expiries[0].day} ")
    assert mbt.next_roll is not None
    assert str(model.data(model.index(i, 3))).endswith("(5 bd)")
    assert "London" in str(model.data(model.index(i, 5)))
    okx = model.rows.index(rows["OKX:BTC-USDT-SWAP"])
    assert "0.0100 % per 8 h" in str(model.data(model.index(okx, 5)))
    assert str(model.data(model.index(okx, 2))) == "perpetual"
    dialog.calendar.filter.setText("offshore")
    assert 0 < dialog.calendar.proxy.rowCount() < len(rows)


def test_mbt_2027_expiries_in_the_calendar(qtbot: QtBot) -> None:
    from hedger.services.carry import contract_calendar

    (mbt,) = [
        r
        for r in contract_calendar(CATALOG, today=date(2027, 3, 1), count=2)
        if r.contract_id == "CME:MBT"
    ]
    # Good Friday 2027 moves the March expiry to Thursday 25 March (README).
    assert mbt.next_expiries == (date(2027, 3, 25), date(2027, 4, 30))


# --------------------------------------------------------------------------- backtest and risk


def hourly_btc(days: int, price: float = 70000.0) -> PriceSeries:
    n = days * 24 + 1
    ts = (T0_MS + np.arange(n, dtype=np.int64) * H_MS) * 1_000_000
    return PriceSeries("BTC", ts, np.full(n, price), ("btc.csv",))


def backtest_tab(qtbot: QtBot, family: str) -> BacktestTab:
    HistoryStore().merge(hourly_btc(90))
    doc = PortfolioDocument(CATALOG, book(family), None)
    tab = BacktestTab(doc, HistoryLibrary(HistoryStore()))
    qtbot.addWidget(tab)
    tab.resize(1100, 700)
    tab.show()
    assert tab.wait(60)
    return tab


def figure_rows(tab: BacktestTab) -> dict[str, tuple[str, ...]]:
    return {r.cells[0]: r.cells[1:] for r in tab.figures_model.rows}


def test_backtest_shows_spot_hedge_funding_and_fees_lines(qtbot: QtBot) -> None:
    FundingStore().save(flat("OKX:BTC-USDT-SWAP", "0.0001", n=90 * 3 + 1))
    tab = backtest_tab(qtbot, "OKX-BTC")
    assert tab.error is None and tab.result is not None
    rows = figure_rows(tab)
    assert rows["Spot P&L"] == ("0", "0")
    assert rows["Hedge P&L"] == ("", "0")
    assert rows["Funding"] == ("", "+945")  # 270 funding times × 3.50 USD
    assert rows["Fees"] == ("", "−18")  # 17.50 to open
    labels = [r.cells[0] for r in tab.figures_model.rows]
    assert labels.index("Spot P&L") < labels.index("Hedge P&L") < labels.index("Funding")
    assert tab.cards["pnl"].detail.text() == "fees 18 USD · funding +945"
    chart = tab.funding_chart
    assert chart.isVisible()
    assert float(chart.curve.yData[-1]) == pytest.approx(945.0)
    assert "+945 USD" in chart.label.text()
    # Without carry: no funding line, no chart.
    tab.funding_check.setChecked(False)
    assert tab.wait(60)
    assert "Funding" not in figure_rows(tab)
    assert not chart.isVisible()


def test_backtest_says_when_funding_is_missing(qtbot: QtBot) -> None:
    tab = backtest_tab(qtbot, "BYBIT-BTC")
    texts = tab.messages._messages  # (severity, text)
    assert any("No funding history for BYBIT:BTCUSDT" in t for _s, t in texts)
    assert not tab.funding_chart.isVisible()
    assert figure_rows(tab)["Funding"] == ("", "0")


def test_risk_tab_states_its_basis_assumption(qtbot: QtBot) -> None:
    doc = PortfolioDocument(CATALOG, book(), None)
    tab = RiskTab(doc, HistoryLibrary(HistoryStore()))
    qtbot.addWidget(tab)
    assert tab.basis_note.text() == risk_basis_assumption()
    assert tab.basis_note.text().startswith("Basis assumption:")


def test_risk_tab_shows_its_basis_assumption_without_opening_details(qtbot: QtBot) -> None:
    doc = PortfolioDocument(CATALOG, book(), None)
    tab = RiskTab(doc, HistoryLibrary(HistoryStore()))
    qtbot.addWidget(tab)
    tab.show()
    assert not tab.details.button.isChecked()  # Details folded, as it starts
    assert not tab.basis_note.isVisible()
    line = tab.findChild(QLabel, "riskBasisLine")
    assert line is not None and line.isVisible()
    assert line.text().startswith("Basis: assumed none for a same-coin hedge")
    assert line.toolTip() == risk_basis_assumption()


# --------------------------------------------------------------------------- settings, start-up


def test_carry_settings_round_trip_and_older_files_read(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    save_settings(AppSettings(carry_horizon_days=180, carry_roll_days=2), path)
    loaded, problem = load_settings(path)
    assert problem is None and (loaded.carry_horizon_days, loaded.carry_roll_days) == (180, 2)
    old = {k: v for k, v in json.loads(path.read_text()).items() if not k.startswith("carry")}
    path.write_text(json.dumps(old))
    loaded, problem = load_settings(path)
    assert problem is None and loaded.carry_horizon_days == 90 and loaded.carry_roll_days is None


def test_the_window_does_not_load_the_carry_before_it_paints(data_dir: Path) -> None:
    """The first import of the holiday calendars costs a quarter of a second."""
    code = (
        "import sys\n"
        "from PySide6.QtWidgets import QApplication\n"
        "app = QApplication([])\n"
        "from hedger.ui.main_window import MainWindow\n"
        "from hedger.ui.hedge.compare_venues import CompareVenuesDialog\n"
        "heavy = ('hedger.services.carry', 'hedger.core.calendar', 'holidays')\n"
        "print([m for m in heavy if m in sys.modules])\n"
    )
    env = {**os.environ, "HEDGER_DATA_DIR": str(data_dir), "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_prices_menu_opens_compare_venues(qtbot: QtBot) -> None:
    from hedger.store.library import PortfolioLibrary
    from hedger.ui.main_window import MainWindow

    doc = PortfolioDocument(CATALOG, book(), None)
    w = MainWindow(doc, PortfolioLibrary(), AppSettings(carry_horizon_days=30))
    qtbot.addWidget(w)
    w.files.ask_unsaved = lambda _n: "discard"
    titles = [a.text() for m in w.menuBar().actions() if m.menu() for a in m.menu().actions()]
    assert "Compare &Venues…" in titles
    assert w.hedge_panel.carry.state.horizon_days == 30
    w.hedge_panel.carry.compare_action.trigger()
    dialog = w.hedge_panel.carry.dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.horizon.value() == 30
    dialog.close()


# --------------------------------------------------------------------------- screenshot

SCREENSHOT_RATES = {
    "BINANCE:BTCUSDT": 0.000085,
    "BINANCE:BTCUSD_PERP": 0.000062,
    "BINANCE:ETHUSD_PERP": 0.000071,
    "BYBIT:BTCUSDT": 0.000094,
    "BYBIT:BTCUSD": 0.000066,
    "OKX:BTC-USDT-SWAP": 0.000078,
    "OKX:BTC-USD-SWAP": 0.000055,
    "OKX:ETH-USDT-SWAP": 0.000088,
}


def store_realistic_funding() -> None:
    """A year of 8-hourly funding ending now, wandering around each venue's level."""
    import time

    step = 8 * H_MS
    end = int(time.time() * 1000) // step * step
    rng = np.random.default_rng(7)
    n = 3 * 365
    for cid, level in SCREENSHOT_RATES.items():
        wave = 1 + 0.6 * np.sin(np.arange(n) / 60) + rng.normal(0, 0.25, n)
        rates = tuple(Decimal(f"{level * w:.8f}") for w in wave)
        FundingStore().save(
            FundingHistory(cid, tuple(end - (n - 1 - i) * step for i in range(n)), rates)
        )


@pytest.mark.parametrize("mode", ["light", "dark"])
def test_compare_venues_screenshot(app_theme, qtbot: QtBot, tmp_path: Path, mode: str) -> None:
    """Compare Venues over the main window at 1280×800, a realistic book, stored funding.

    Set HEDGER_SCREENSHOT_DIR=docs to refresh the README images.
    """
    from PySide6.QtGui import QImage
    from test_download_ui import compose

    from hedger.store.library import PortfolioLibrary
    from hedger.ui.main_window import MainWindow

    store_realistic_funding()
    stack = Portfolio(
        name="Long-term stack",
        holdings=(
            Holding(symbol="BTC", quantity=Decimal("1.2"), price=Decimal(92400)),
            Holding(symbol="ETH", quantity=Decimal(15), price=Decimal(3180)),
            Holding(
                symbol="SOL",
                quantity=Decimal(120),
                price=Decimal(182),
                beta=Decimal("1.4"),
                hedge_with="BTC",
            ),
            Holding(symbol="USDC", quantity=Decimal(10000), price=Decimal(1)),
        ),
        hedge=HedgeSettings(families={"BTC": "CME-BTC", "ETH": "CME-ETH"}, leverage=Decimal(3)),
    )
    app_theme(mode)
    doc = PortfolioDocument(CATALOG, stack, None)
    w = MainWindow(doc, PortfolioLibrary(), AppSettings())
    w.files.ask_unsaved = lambda _n: "discard"
    qtbot.addWidget(w)
    w.resize(1280, 800)
    w.show()
    qtbot.waitExposed(w)
    w.load_charts()
    carry = w.hedge_panel.carry
    carry.state.set_basis("CME-BTC", Decimal("0.011"))
    carry.start()
    assert carry.state.wait(30)
    dialog = carry.show_compare()
    assert carry.state.wait(30)
    qtbot.waitUntil(lambda: len(dialog.model.rows) == 12, timeout=10_000)
    assert dialog.model.rows[0].line.family_id == "CME-BTC"  # the typed basis earns most
    dialog.select_family("BYBIT-BTC")
    dialog.resize(1120, 630)
    qtbot.wait(100)
    shot = compose(w.grab().toImage(), dialog, mode)  # type: ignore[arg-type]
    out_dir = Path(os.environ.get("HEDGER_SCREENSHOT_DIR", tmp_path))
    out_dir.mkdir(parents=True, exist_ok=True)
    suffix = "" if mode == "light" else "-dark"
    out = out_dir / f"screenshot-compare-venues{suffix}.png"
    assert shot.save(str(out))
    img = QImage(str(out))
    assert (img.width(), img.height()) == (1280, 800)
    dialog.close()
