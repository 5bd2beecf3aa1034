"""The analytics tabs: import with a report, estimates applied with undo, charts, sizing."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from hedger.core.analytics.series import NS_PER_DAY, PriceSeries
from hedger.core.catalog import builtin_catalog
from hedger.core.models import HedgeSettings, Holding, Portfolio
from hedger.store.history import HistoryStore
from hedger.ui.analytics.backtest import BacktestTab
from hedger.ui.analytics.betas import EstimationTab
from hedger.ui.analytics.history import HistoryTab, ImportReportDialog, guess_symbol
from hedger.ui.analytics.history_library import HistoryLibrary
from hedger.ui.analytics.risk import RiskTab
from hedger.ui.analytics.sizing import SizingTab
from hedger.ui.document.document import PortfolioDocument

pytestmark = pytest.mark.gui

DAY0 = int(np.datetime64("2023-01-01", "ns").astype(np.int64))


def portfolio() -> Portfolio:
    return Portfolio(
        name="Test book",
        holdings=(
            Holding(symbol="BTC", quantity=Decimal("0.5"), price=Decimal(70000)),
            Holding(symbol="SOL", quantity=Decimal(12), price=Decimal(150), hedge_with="BTC"),
            Holding(symbol="USDC", quantity=Decimal(1000), price=Decimal(1)),
        ),
        hedge=HedgeSettings(families={"BTC": "GENERIC-BTC"}),
    )


@pytest.fixture
def doc(qtbot: QtBot) -> PortfolioDocument:
    return PortfolioDocument(builtin_catalog(), portfolio(), None)


@pytest.fixture
def stored(data_dir: Path) -> HistoryLibrary:
    rng = np.random.default_rng(4)
    n = 500
    rb = rng.normal(0, 0.03, n)
    ts = DAY0 + np.arange(n, dtype=np.int64) * NS_PER_DAY
    store = HistoryStore()
    store.merge(PriceSeries("BTC", ts, 30000 * np.exp(np.cumsum(rb)), ("btc.csv",)))
    sol = 20 * np.exp(np.cumsum(1.5 * rb + rng.normal(0, 0.005, n)))
    store.merge(PriceSeries("SOL", ts, sol, ("sol.csv",)))
    return HistoryLibrary(store)


def wait_stored(qtbot: QtBot, tab: HistoryTab) -> None:
    """The merge runs in the background; wait for its report and the preview."""
    qtbot.waitUntil(lambda: not tab._busy and bool(tab.status.texts()), timeout=10_000)
    qtbot.waitUntil(lambda: "points" in tab.preview_title.text(), timeout=10_000)


def wait_dialog(qtbot: QtBot, tab: HistoryTab) -> ImportReportDialog:
    qtbot.waitUntil(lambda: tab.report_dialog is not None, timeout=10_000)
    dialog = tab.report_dialog
    assert dialog is not None
    return dialog


# --------------------------------------------------------------------------- history


def test_guess_symbol_from_file_names() -> None:
    assert guess_symbol(Path("BTCUSDT-1m-2024-01.csv")) == "BTC"
    assert guess_symbol(Path("eth-usd-max.csv")) == "ETH"
    assert guess_symbol(Path("SOL_daily.csv")) == "SOL"
    assert guess_symbol(Path("___.csv")) == ""


def test_import_clean_file(qtbot: QtBot, doc: PortfolioDocument, tmp_path: Path) -> None:
    tab = HistoryTab(doc)
    qtbot.addWidget(tab)
    f = tmp_path / "btc-usd.csv"
    f.write_text("date,close\n2024-01-01,42000\n2024-01-02,43000\n")
    tab.import_file(f)
    dialog = wait_dialog(qtbot, tab)
    assert dialog.symbol() == "BTC"
    assert dialog.import_button.text() == "Import"
    assert "2 good · 0 bad" in dialog.counts.text()
    dialog.import_button.click()
    assert "Storing" in tab.import_button.text()  # off the GUI thread, with a busy state
    wait_stored(qtbot, tab)
    assert HistoryStore().load("BTC").closes.tolist() == [42000.0, 43000.0]
    assert [r.key for r in tab.model.rows] == ["BTC"]
    assert tab.selected_symbol() == "BTC"
    assert "into BTC: 2 new rows" in tab.status.texts()[0]
    assert len(tab.curve.xData) == 2


def test_partial_import_is_the_users_choice(
    qtbot: QtBot, doc: PortfolioDocument, tmp_path: Path
) -> None:
    tab = HistoryTab(doc)
    qtbot.addWidget(tab)
    f = tmp_path / "sol.csv"
    rows = "".join(f"2024-01-{d:02d},{'null' if d % 4 == 0 else d}\n" for d in range(1, 29))
    f.write_text("date,close\n" + rows)
    tab.import_file(f)
    dialog = wait_dialog(qtbot, tab)
    assert dialog.report.bad_count == 7
    assert dialog.import_button.text() == "Import 21 good rows"
    assert dialog.errors_model.rowCount() == 7
    assert "7 rows will be left out" in dialog.problem.text()
    dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel).click()
    assert not HistoryStore().has("SOL")

    tab.report_dialog = None
    tab.import_file(f)
    dialog = wait_dialog(qtbot, tab)
    dialog.symbol_edit.setText("bad symbol!")
    assert not dialog.import_button.isEnabled()
    dialog.symbol_edit.setText("sol")
    dialog.import_button.click()
    wait_stored(qtbot, tab)
    assert len(HistoryStore().load("SOL")) == 21
    assert any("7 bad rows were left out" in t for t in tab.status.texts())


def test_unreadable_file_is_a_message_not_a_crash(
    qtbot: QtBot, doc: PortfolioDocument, tmp_path: Path
) -> None:
    tab = HistoryTab(doc)
    qtbot.addWidget(tab)
    f = tmp_path / "junk.csv"
    f.write_bytes(b"\x00\x01\x02")
    tab.import_file(f)
    qtbot.waitUntil(lambda: bool(tab.status.texts()), timeout=10_000)
    assert "not a text file" in tab.status.texts()[0]
    assert tab.report_dialog is None
    assert tab.import_button.isEnabled()


def test_delete_refreshes_every_tab(
    qtbot: QtBot, doc: PortfolioDocument, stored: HistoryLibrary
) -> None:
    history = HistoryTab(doc, stored)
    estimation = EstimationTab(doc, stored)
    for w in (history, estimation):
        qtbot.addWidget(w)
    assert {r.key for r in history.model.rows} == {"BTC", "SOL"}
    estimation.wait()
    assert any(e.estimate for e in estimation.estimates)
    history.delete_symbol("SOL")
    estimation.wait()
    assert {r.key for r in history.model.rows} == {"BTC"}
    assert not any(e.estimate for e in estimation.estimates)


# --------------------------------------------------------------------------- estimation


def test_estimates_shown_and_applied_with_undo(
    qtbot: QtBot, doc: PortfolioDocument, stored: HistoryLibrary
) -> None:
    tab = EstimationTab(doc, stored)
    qtbot.addWidget(tab)
    tab.wait()
    by = {e.symbol: e for e in tab.estimates}
    sol = by["SOL"]
    assert sol.estimate is not None and sol.suggested_beta is not None
    assert Decimal("1.4") <= sol.suggested_beta <= Decimal("1.6")
    row = next(i for i, r in enumerate(tab.model.rows) if r.key == sol.row)
    assert tab.model.rows[row].cells[2] == "1 (default)"
    assert tab.model.rows[row].emphasis  # differs from the user's beta
    assert not tab.apply_button.isEnabled()
    tab.table.selectRow(row)
    assert tab.apply_button.isEnabled()
    assert tab.apply_selected() == 1
    assert doc.portfolio.holdings[1].beta == sol.suggested_beta
    assert doc.undo_stack.undoText() == "Apply Estimated Beta"
    tab.wait()
    assert not tab.apply_all_button.isEnabled()  # nothing left to apply
    doc.undo_stack.undo()
    assert doc.portfolio.holdings[1].beta is None


def test_window_changes_the_estimate(
    qtbot: QtBot, doc: PortfolioDocument, stored: HistoryLibrary
) -> None:
    tab = EstimationTab(doc, stored)
    qtbot.addWidget(tab)
    tab.set_window(90)
    tab.wait()
    sol = next(e for e in tab.estimates if e.symbol == "SOL")
    assert sol.estimate is not None and sol.estimate.observations == 90
    tab.set_window(None, "week")
    tab.wait()
    sol = next(e for e in tab.estimates if e.symbol == "SOL")
    assert sol.estimate is not None and sol.estimate.interval == "week"
    assert "weekly returns, all history" in tab.summary.text()


def test_no_histories_explains_what_to_do(qtbot: QtBot, doc: PortfolioDocument) -> None:
    tab = EstimationTab(doc)
    qtbot.addWidget(tab)
    tab.wait()
    assert "Import price histories" in tab.messages.texts()[0]


# --------------------------------------------------------------------------- backtest


def test_backtest_tab_draws_both_lines_and_figures(
    qtbot: QtBot, doc: PortfolioDocument, stored: HistoryLibrary
) -> None:
    tab = BacktestTab(doc, stored)
    qtbot.addWidget(tab)
    tab.wait()
    assert tab.error is None and tab.result is not None
    # Raw data: getData() gives what is in view after downsampling.
    assert len(tab.hedged_curve.xData) == 500
    assert len(tab.pnl_curve.xData) == 500
    labels = [r.cells[0] for r in tab.figures_model.rows]
    assert labels[:6] == [
        "Start value",
        "End value",
        "Return",
        "Volatility",
        "Max drawdown",
        "Worst day",
    ]
    item = tab.value_plot.getPlotItem()
    assert item.curves[0].opts["autoDownsample"] and item.curves[0].opts["clipToView"]
    assert item.curves[0].opts["downsampleMethod"] == "peak"
    fixed = tab.result.hedged_figures.total_return
    tab.set_rebalance("weekly")
    tab.wait()
    assert tab.result.hedged_figures.total_return != fixed
    assert "re-sized weekly" in tab.period_label.text()


def test_backtest_tab_period(qtbot: QtBot, doc: PortfolioDocument, stored: HistoryLibrary) -> None:
    from PySide6.QtCore import QDate

    tab = BacktestTab(doc, stored)
    qtbot.addWidget(tab)
    tab.set_period(QDate(2023, 3, 1), QDate(2023, 3, 31))
    tab.wait()
    assert tab.result is not None and tab.result.timestamps.size == 31


def test_backtest_tab_without_history(qtbot: QtBot, doc: PortfolioDocument) -> None:
    tab = BacktestTab(doc)
    qtbot.addWidget(tab)
    tab.wait()
    assert tab.result is None
    # An empty state that says what to do, not empty axes.
    assert tab.pages.currentWidget() is tab.empty
    assert "No price history for BTC" in tab.empty.text.text()
    assert "Import CSV" in tab.empty.text.text()
    assert not tab.period_controls.isVisibleTo(tab)


# --------------------------------------------------------------------------- risk


def test_risk_tab_seed_reproduces(
    qtbot: QtBot, doc: PortfolioDocument, stored: HistoryLibrary
) -> None:
    tab = RiskTab(doc, stored)
    qtbot.addWidget(tab)
    tab.set_paths(1000)
    tab.set_seed(4242)
    tab.wait()
    assert tab.result is not None
    first = tab.result.hedged_pnl.copy()
    assert "1,000 paths · seed 4242" in tab.run_label.text()
    tab.set_method("bootstrap")
    tab.set_method("normal")
    tab.wait()
    assert np.array_equal(tab.result.hedged_pnl, first)
    tab.draw_new_seed()
    tab.wait()
    assert tab.result.seed == int(tab.seed_edit.text())
    assert [r.cells[0] for r in tab.table_model.rows] == ["Unhedged", "Hedged"]
    assert tab.cards["var95"].value.text().endswith("USD")


def test_risk_tab_horizon(qtbot: QtBot, doc: PortfolioDocument, stored: HistoryLibrary) -> None:
    tab = RiskTab(doc, stored)
    qtbot.addWidget(tab)
    tab.horizon_spin.setValue(30)
    tab.wait()
    assert tab.result is not None and tab.result.horizon_days == 30
    assert tab.horizon_control.current() == "30"


# --------------------------------------------------------------------------- sizing


def test_sizing_tab_article_example(qtbot: QtBot, doc: PortfolioDocument) -> None:
    tab = SizingTab(doc)
    qtbot.addWidget(tab)
    tab.set_inputs(
        equity="1000", risk="1%", entry="70000", stop="69000", leverage="10", family="GENERIC-BTC"
    )
    assert tab.result is not None and tab.result.recommended == "micro"
    assert tab.cards["risk"].value.text() == "10.00 USD"
    micro = next(r for r in tab.model.rows if r.key == "micro")
    assert micro.emphasis and micro.cells[1] == "1" and micro.cells[3] == "10.00"
    assert "Buy 1 × Micro Bitcoin future" in tab.order.text.text()


def test_sizing_tab_bad_input_is_explained(qtbot: QtBot, doc: PortfolioDocument) -> None:
    tab = SizingTab(doc)
    qtbot.addWidget(tab)
    tab.set_inputs(entry="70000", stop="70000")
    assert tab.result is None
    assert "stop must differ" in tab.messages.texts()[0]
    tab.set_inputs(equity="lots")
    assert "equity" in tab.messages.texts()[0]
    assert tab.model.rowCount() == 0


def test_sizing_tab_prefills_from_the_portfolio(qtbot: QtBot, doc: PortfolioDocument) -> None:
    tab = SizingTab(doc)
    qtbot.addWidget(tab)
    assert tab.equity_edit.text() == "37,800"
    assert tab.entry_edit.text() == "70,000"
    assert tab.stop_edit.text() == "68,600"
    assert tab.family_combo.currentData() == "GENERIC-BTC"
    assert tab.result is not None


# --------------------------------------------------------------------------- responsiveness


def test_hidden_tab_waits_until_shown(
    qtbot: QtBot, doc: PortfolioDocument, stored: HistoryLibrary
) -> None:
    tab = BacktestTab(doc, stored)
    qtbot.addWidget(tab)
    tab.wait()
    before = tab.result
    doc.edit_holding_field(0, "quantity", "0.6")
    qtbot.wait(400)  # well past the pause after an edit
    assert tab.result is before  # hidden: nothing computed, only marked stale
    assert tab.stale
    tab.show()
    qtbot.waitExposed(tab)
    qtbot.waitUntil(lambda: tab.result is not before and not tab.busy, timeout=10_000)
    assert tab.result is not None
    assert before is not None
    # 0.1 BTC more, valued at the history's first close.
    first_btc = float(stored.series(["BTC"])["BTC"].closes[0])
    grown = tab.result.unhedged_figures.start_value - before.unhedged_figures.start_value
    assert grown == pytest.approx(0.1 * first_btc)


def test_newer_edit_supersedes_a_running_computation(
    qtbot: QtBot, doc: PortfolioDocument, stored: HistoryLibrary
) -> None:
    tab = RiskTab(doc, stored)
    qtbot.addWidget(tab)
    tab.show()
    qtbot.waitExposed(tab)
    tab.wait()
    shown: list[int] = []
    deliver = tab._deliver
    tab._deliver = lambda c: (shown.append(c.result.seed), deliver(c))  # type: ignore[method-assign]
    tab.seed_edit.setText("1")
    tab.recompute()  # starts with seed 1...
    tab.seed_edit.setText("2")
    tab.recompute()  # ...and is superseded before it ends
    tab.wait()
    assert shown == [2]  # the stale result was dropped, never drawn
    assert tab.result is not None and tab.result.seed == 2


def test_busy_state_while_computing(
    qtbot: QtBot, doc: PortfolioDocument, stored: HistoryLibrary
) -> None:
    tab = RiskTab(doc, stored)
    qtbot.addWidget(tab)
    tab.show()
    qtbot.waitExposed(tab)
    tab.wait()
    tab.set_paths(100_000)
    assert tab.busy
    qtbot.waitUntil(lambda: tab.busy_label.isVisible() or not tab.busy, timeout=10_000)
    tab.wait()
    assert not tab.busy and not tab.busy_label.isVisible()


def test_risk_seed_field_takes_every_cli_seed(
    qtbot: QtBot, doc: PortfolioDocument, stored: HistoryLibrary
) -> None:
    tab = RiskTab(doc, stored)
    qtbot.addWidget(tab)
    tab.resize(1280, 700)
    tab.show()
    qtbot.waitExposed(tab)
    biggest = str(2**63 - 1)
    tab.seed_edit.setText(biggest)
    assert tab.seed_edit.hasAcceptableInput()
    tab.recompute()
    tab.wait()
    assert tab.result is not None and tab.result.seed == 2**63 - 1
    assert biggest in tab.run_label.text()
    # Wide enough to show a nine-digit seed whole (it was clipped to ".865").
    fm = tab.seed_edit.fontMetrics()
    assert tab.seed_edit.width() >= fm.horizontalAdvance("460111865") + 12


def test_net_short_backtest_shows_usd_figures(qtbot: QtBot, stored: HistoryLibrary) -> None:
    short = Portfolio(
        name="Short",
        holdings=(Holding(symbol="BTC", quantity=Decimal("-0.5"), price=Decimal(70000)),),
        hedge=HedgeSettings(families={"BTC": "GENERIC-BTC"}),
    )
    doc = PortfolioDocument(builtin_catalog(), short, None)
    tab = BacktestTab(doc, stored)
    qtbot.addWidget(tab)
    tab.wait()
    assert tab.result is not None
    by = {r.cells[0]: r.cells for r in tab.figures_model.rows}
    assert "P&L (USD)" in by and "Max drawdown (USD)" in by and "Worst day (USD)" in by
    for label in ("P&L (USD)", "Volatility (USD)", "Max drawdown (USD)", "Worst day (USD)"):
        assert "—" not in by[label][1:]
    assert "Return" not in by  # a percentage of a negative value means nothing
    assert tab.cards["return"].caption.text() == "P&L"
    for key in ("return", "volatility", "drawdown", "worst"):
        assert tab.cards[key].value.text().endswith("USD")
    assert "net short" in tab.period_label.text()


def test_damaged_history_is_shown_in_the_gui(
    qtbot: QtBot, doc: PortfolioDocument, data_dir: Path
) -> None:
    folder = data_dir / "history"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "BTC.npz").write_bytes(b"junk")
    library = HistoryLibrary()
    history = HistoryTab(doc, library)
    backtest = BacktestTab(doc, library)
    for w in (history, backtest):
        qtbot.addWidget(w)
    assert any("BTC.npz" in t and "damaged" in t for t in history.status.texts())
    assert [r.cells[-1] for r in history.model.rows] == ["damaged: BTC.npz"]
    backtest.wait()
    assert "BTC.npz" in backtest.empty.text.text()


def test_long_backtest_draws_an_envelope_and_raw_points_when_zoomed(
    qtbot: QtBot, doc: PortfolioDocument, data_dir: Path
) -> None:
    """300,000 minutes: a few thousand points drawn at full view, every minute zoomed in."""
    n = 300_000
    rng = np.random.default_rng(9)
    ts = DAY0 + np.arange(n, dtype=np.int64) * 60 * 1_000_000_000
    closes = 30000 * np.exp(np.cumsum(rng.normal(0, 0.0008, n)))
    closes[123_456] *= 1.2  # a one-minute spike that must stay visible
    store = HistoryStore()
    store.save(PriceSeries("BTC", ts, closes, ("btc-1m.csv",)))
    tab = BacktestTab(doc, HistoryLibrary(store))
    qtbot.addWidget(tab)
    tab.resize(1280, 760)
    tab.show()
    qtbot.waitExposed(tab)
    assert tab.wait(60)
    assert tab.result is not None and tab.result.timestamps.size == n
    drawn = np.asarray(tab.unhedged_curve.yData)
    assert 1000 < drawn.size <= 2 * 4000 + 4
    assert float(drawn.max()) == pytest.approx(float(tab.result.unhedged.max()))  # spike kept
    x = ts.astype(np.float64) / 1e9
    view = tab.value_plot.getPlotItem().getViewBox()
    view.setXRange(x[1000], x[1100], padding=0)
    shown = np.asarray(tab.unhedged_curve.yData)
    assert shown.size <= 104
    assert np.array_equal(shown, tab.result.unhedged[999:1102])  # the raw minutes
