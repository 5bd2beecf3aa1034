"""The hedge panel's orders as a venue takes them: ticket, margin, collateral, fresh prices.

domain.md §5: the order in each venue's own unit (example 11: 0.386 BTC at
97,000), the venue's minimum and the nearest valid order, the margin rule in
words, the collateral for a rally (example 14: 10,727.50 USD), "none" for a
liquidation that cannot happen, a typed futures price that went stale.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from hedger.core.catalog import builtin_catalog
from hedger.core.models import FuturesPriceStamp, HedgeSettings, Holding, Portfolio
from hedger.store.library import PortfolioLibrary
from hedger.store.portfolio_file import load_portfolio
from hedger.store.settings import AppSettings
from hedger.ui.analytics.base import liquidation_note
from hedger.ui.document.document import PortfolioDocument
from hedger.ui.hedge.options_model import COL_LIQUIDATION, COL_ORDER
from hedger.ui.hedge.panel import HedgePanel
from hedger.ui.main_window import MainWindow


def book(
    qty: str = "0.386",
    price: str = "97000",
    family: str = "BINANCE-USDM-BTC",
    leverage: str = "2",
    **hedge: object,
) -> PortfolioDocument:
    settings = HedgeSettings(
        families={"BTC": family},
        leverage=Decimal(leverage),
        **hedge,  # type: ignore[arg-type]
    )
    holding = Holding(symbol="BTC", quantity=Decimal(qty), price=Decimal(price))
    return PortfolioDocument(builtin_catalog(), Portfolio(holdings=(holding,), hedge=settings))


def panel_for(qtbot: QtBot, doc: PortfolioDocument) -> HedgePanel:
    p = HedgePanel(doc)
    qtbot.addWidget(p)
    p.resize(1100, 420)
    p.show()
    return p


def cell(p: HedgePanel, col: int) -> str:
    rec = p.model.row_of(p.shown_option().name)  # type: ignore[union-attr]
    return str(p.model.data(p.model.index(rec, col)))


# -- the ticket: what to type into each venue's order form ----------------------------------
@pytest.mark.parametrize(
    ("family", "order", "copy", "detail"),
    [
        ("BINANCE-USDM-BTC", "Sell 0.386 BTC", "0.386", "386 contracts of 0.001 BTC"),
        ("DERIBIT-BTC", "Sell 37,440 USD", "37440", "3,744 contracts of 10 USD"),
        ("OKX-BTC", "Sell 38.6 contracts", "38.6", "0.386 BTC"),
        ("CME-BTC", "Sell 4 contracts", "4", "0.4 BTC · CME Micro Bitcoin (MBT)"),
        ("BINANCE-COINM-BTC", "Sell 374 contracts", "374", "37,400 USD"),
    ],
)
def test_ticket_says_what_to_type_in_the_venues_unit(
    qtbot: QtBot, family: str, order: str, copy: str, detail: str
) -> None:
    p = panel_for(qtbot, book(family=family))
    [line] = p.order.lines
    assert line.copy_text == copy
    row = p.order.line_rows()[0]
    assert row.order.text() == order
    # The contract count (or the coins) stays beside the venue's quantity.
    assert row.detail.text().startswith(detail)
    assert not row.problem.isVisible()
    assert cell(p, COL_ORDER) == order.removeprefix("Sell ")
    with qtbot.waitSignal(p.orderCopied) as sig:
        qtbot.mouseClick(row.copy, Qt.MouseButton.LeftButton)
    assert sig.args == [copy]
    assert QGuiApplication.clipboard().text() == copy
    assert row.copy.text() == "Copied"
    # The whole sentence stays available (tooltip, Copy Order as Text).
    assert p.order.sentence.startswith(order)
    assert p.order.toolTip() == p.order.sentence


def test_ticket_summary_separates_rounding_from_the_untargeted_part(qtbot: QtBot) -> None:
    p = panel_for(qtbot, book(family="CME-BTC", ratio=Decimal("0.5")))
    summary = p.order.summary.text()
    # 0.193 BTC at 97,000 is 18,721 USD; 2 MBT hedge 19,400.
    assert "Hedges 19,400 USD" in summary
    assert "over-hedged by 679 USD by rounding" in summary
    assert "18,721 USD not targeted by your 50 % ratio" in summary


def test_below_the_minimum_is_flagged_with_the_nearest_valid_order(qtbot: QtBot) -> None:
    # Binance BTCUSDT takes orders of at least 100 USDT: 0.001 BTC at 97,000 is 97.
    p = panel_for(qtbot, book(qty="0.001"))
    row = p.order.line_rows()[0]
    assert row.order.text() == "Sell 0.001 BTC"
    assert row.problem.isVisible()
    assert "below the venue's minimum order value of 100 USDT" in row.problem.text()
    assert row.problem.text().endswith("nearest valid order: Sell 0.002 BTC")
    assert cell(p, COL_ORDER) == "0.001 BTC"
    # Said once, on the ticket, not again in the warnings under it.
    assert not any("minimum order value" in t for t in p.messages.texts())
    with qtbot.waitSignal(p.orderCopied) as sig:
        qtbot.mouseClick(row.copy_nearest, Qt.MouseButton.LeftButton)
    assert sig.args == ["0.002"]


# -- margin and collateral -----------------------------------------------------------------------
def test_margin_says_which_rule_applies(qtbot: QtBot) -> None:
    # CME MBT at a 40 % rate: 0.5 BTC at 70,000 "at 10x" needs 14,000 USD, at most 2.5x.
    doc = book(qty="0.5", price="70000", family="CME-BTC", leverage="10")
    p = panel_for(qtbot, doc)
    assert p.margin.value.text() == "14,000 USD"
    assert p.margin.rule.text().startswith("CME asks 40 % of the notional")
    assert "at most 2.5x" in p.margin.rule.text()
    doc.set_underlying_setting("BTC", "leverage", Decimal(2), "Change Leverage")
    assert p.margin.value.text() == "17,500 USD"
    assert p.margin.rule.text().startswith("The 35,000 USD notional at your 2x")


def test_collateral_for_a_rally_and_what_the_posted_amount_allows(qtbot: QtBot) -> None:
    # domain.md example 14: 0.5 BTC linear short at 70,000, mm 0.5 %, 30 % rally.
    doc = book(qty="0.5", price="70000", family="GENERIC-BTC")
    p = panel_for(qtbot, doc)
    m = p.margin
    assert m.rally_edit.text() == "30%"
    # Opening at 2x takes more than the rally: both are said (audit 11-11).
    assert m.rally_result.text() == "→ keep 17,500 USD to open (30 % rally: 10,727.50 USD)"
    assert "10,500.00 + maintenance 227.50" in m.rally_result.toolTip()

    m.rally_edit.setText("20%")
    m.rally_edit.editingFinished.emit()
    assert doc.portfolio.hedge.rally == Decimal("0.2")
    assert doc.undo_stack.undoText() == "Change Rally"
    m.rally_edit.setText("20")  # a bare 20 would be 2,000 %
    m.rally_edit.editingFinished.emit()
    assert "write 20% for 20 per cent" in m.error_text
    assert doc.portfolio.hedge.rally == Decimal("0.2")

    m.post_edit.setText("10,000")
    m.post_edit.editingFinished.emit()
    assert doc.plan.underlyings[0].collateral_usd == 10000
    assert doc.undo_stack.undoText() == "Change Collateral"
    plan = p.shown_option().collateral  # type: ignore[union-attr]
    assert plan is not None and plan.posted_liquidation is not None
    assert m.post_result.text() == f"USD → liquidation {int(plan.posted_liquidation):,}"


def test_an_impossible_liquidation_reads_none_never_zero(qtbot: QtBot) -> None:
    # An inverse short at 0.5x cannot be liquidated (domain.md example 12).
    doc = book(qty="0.5", price="70000", family="DERIBIT-BTC", leverage="0.5")
    p = panel_for(qtbot, doc)
    option = p.shown_option()
    assert option is not None and option.trades and option.liquidation_price is None
    assert cell(p, COL_LIQUIDATION) == "none"
    assert p.margin.liquidation.text() == "none: it cannot be liquidated"
    assert liquidation_note(doc.plan) == (
        "Liquidation modelled at the plan's prices: BTC none (it cannot be liquidated)."
    )
    # Posting more than the position is worth keeps it that way at 1x too.
    doc.set_underlying_setting("BTC", "leverage", Decimal(1), "Change Leverage")
    doc.set_underlying_setting("BTC", "collateral_usd", Decimal(80000), "Change Collateral")
    assert p.margin.post_result.text() == "USD → liquidation none"


def test_margin_mode_and_account_class_are_undoable_edits(qtbot: QtBot) -> None:
    doc = book(qty="0.5", price="70000", family="KRAKEN-BTC")
    p = panel_for(qtbot, doc)
    assert p.margin.account.isVisible()  # Kraken: retail and professional levels
    qtbot.mouseClick(p.margin.mode.buttons["cross"], Qt.MouseButton.LeftButton)
    assert doc.plan.underlyings[0].margin_mode == "cross"
    assert doc.undo_stack.undoText() == "Change Margin Mode"
    retail = doc.plan.underlyings[0].recommended_option.initial_margin_usd  # type: ignore[union-attr]
    qtbot.mouseClick(p.margin.account.buttons["professional"], Qt.MouseButton.LeftButton)
    assert doc.portfolio.hedge.account == "professional"
    pro = doc.plan.underlyings[0].recommended_option.initial_margin_usd  # type: ignore[union-attr]
    assert pro <= retail
    doc.undo_stack.undo()
    doc.undo_stack.undo()
    assert doc.plan.underlyings[0].margin_mode == "isolated"
    assert p.margin.mode.current() == "isolated"
    doc.set_underlying_setting("BTC", "family", "CME-BTC", "Change Contract Family")
    assert not p.margin.account.isVisible()


# -- dollar targets ------------------------------------------------------------------------------
def test_hedge_a_dollar_amount_instead_of_the_ratio(qtbot: QtBot) -> None:
    doc = book(qty="0.5", price="70000", family="CME-BTC")
    p = panel_for(qtbot, doc)
    s = p.settings
    assert s.target_mode.current() == "ratio" and s.target_stack.currentIndex() == 0
    qtbot.mouseClick(s.target_mode.buttons["usd"], Qt.MouseButton.LeftButton)
    u = doc.plan.underlyings[0]
    # Switching keeps today's target, as a dollar amount.
    assert u.target_source == "usd" and u.target_setting_usd == 35000
    assert doc.undo_stack.undoText() == "Hedge a USD Amount"
    assert s.target_stack.currentIndex() == 1 and s.target_edit.text() == "35,000"

    s.target_edit.setText("14,000 USD")
    s.target_edit.editingFinished.emit()
    u = doc.plan.underlyings[0]
    assert u.target_usd == 14000
    assert doc.undo_stack.undoText() == "Change Hedge Target"
    assert p.order.line_rows()[0].order.text() == "Sell 2 contracts"
    assert "21,000 USD not targeted by your 14,000 USD target" in p.order.summary.text()
    assert p.card_target.value.text() == "14,000 USD"
    assert p.card_target.detail.text() == "USD amount · short futures"

    qtbot.mouseClick(s.target_mode.buttons["ratio"], Qt.MouseButton.LeftButton)
    assert doc.plan.underlyings[0].target_source == "ratio"
    assert doc.plan.underlyings[0].target_usd == 35000


# -- fresh futures prices ------------------------------------------------------------------------
def test_typing_a_futures_price_remembers_when_and_against_which_spot(qtbot: QtBot) -> None:
    doc = book(qty="0.5", price="70000")
    p = panel_for(qtbot, doc)
    p.settings.price_edit.setText("70,100")
    p.settings.price_edit.editingFinished.emit()
    stamp = doc.portfolio.hedge.futures_price_stamps["BTC"]
    assert stamp.spot == 70000
    assert datetime.now(UTC) - stamp.typed_at < timedelta(minutes=1)
    assert not p.freshness.isVisible()


def test_stale_futures_price_warns_and_use_spot_is_one_undo_step(qtbot: QtBot) -> None:
    typed = datetime.now(UTC) - timedelta(hours=3)
    doc = book(
        qty="0.5",
        price="72100",  # spot has moved up 3 % since 70,000 was typed
        futures_prices={"BTC": Decimal(70000)},
        futures_price_stamps={"BTC": FuturesPriceStamp(typed, Decimal(70000))},
    )
    p = panel_for(qtbot, doc)
    assert p.freshness.isVisible()
    assert "BTC spot has moved up 3 % since the futures price 70,000 was typed" in (
        p.freshness.text.text()
    )
    assert p.freshness.use_spot.isVisible() and p.freshness.refresh.isVisible()
    assert p.card_price.warned
    assert not any("spot has moved" in t for t in p.messages.texts())  # said once
    count = doc.undo_stack.count()
    qtbot.mouseClick(p.freshness.use_spot, Qt.MouseButton.LeftButton)
    assert doc.undo_stack.count() == count + 1
    assert doc.undo_stack.undoText() == "Use Spot Price"
    assert doc.plan.underlyings[0].futures_price == 72100
    assert "BTC" not in doc.portfolio.hedge.futures_price_stamps
    assert not p.freshness.isVisible()
    doc.undo_stack.undo()
    assert doc.plan.underlyings[0].futures_price == 70000
    assert p.freshness.isVisible()
    with qtbot.waitSignal(p.refreshRequested):
        qtbot.mouseClick(p.freshness.refresh, Qt.MouseButton.LeftButton)


def test_an_implausible_basis_is_warned_too(qtbot: QtBot) -> None:
    # A perpetual 15 % over spot is not a price: more than its 2 % plausible basis.
    doc = book(qty="0.5", price="70000", futures_prices={"BTC": Decimal(80500)})
    p = panel_for(qtbot, doc)
    assert p.freshness.isVisible()
    assert "more than a plausible basis for a perpetual" in p.freshness.text.text()


# -- leverage --------------------------------------------------------------------------------------
def test_leverage_field_warns_as_the_user_types(qtbot: QtBot) -> None:
    doc = book(qty="0.5", price="70000")
    p = panel_for(qtbot, doc)
    hint = p.settings.leverage_hint
    assert hint.text() == "safe ≤ 7.5x"  # Binance BTCUSDT, BTC's default 4 % a day
    assert "Hedger's default" in hint.toolTip()
    edit = p.settings.leverage_edit
    edit.setFocus()
    edit.selectAll()
    QTest.keyClicks(edit, "20")
    # Before the plan follows: the hint reads the typed value at once.
    assert hint.text() == "⚠ over 7.5x"
    assert "Leverage 20x: a one-day 3-sigma move of BTC" in hint.toolTip()
    QTest.keyClick(edit, Qt.Key.Key_Return)
    assert doc.plan.underlyings[0].leverage == 20
    assert any(t.startswith("Leverage 20x: a one-day 3-sigma move") for t in p.messages.texts())


def test_measured_volatility_feeds_the_leverage_warning(qtbot: QtBot) -> None:
    doc = book(qty="0.5", price="70000")
    p = panel_for(qtbot, doc)
    doc.set_daily_vols({"BTC": (Decimal("0.02"), "BTC history, last 90 days")})
    advice = doc.plan.underlyings[0].leverage_advice
    assert advice is not None and advice.daily_vol == Decimal("0.02")
    assert advice.max_safe > Decimal("7.5")  # calmer than the default 4 % a day
    assert "BTC history, last 90 days" in p.settings.leverage_hint.toolTip()
    assert doc.undo_stack.count() == 0  # not an edit


def test_stored_history_sets_the_volatility_in_the_background(qtbot: QtBot) -> None:
    import numpy as np

    from hedger.core.analytics.series import NS_PER_DAY, PriceSeries
    from hedger.store.history import HistoryStore
    from hedger.ui.analytics.history_library import HistoryLibrary
    from hedger.ui.hedge.volatility import DailyVolatility

    day0 = int(np.datetime64("2025-01-01", "ns").astype(np.int64))
    ts = day0 + np.arange(200, dtype=np.int64) * NS_PER_DAY
    # Alternating ±1 % days: a daily volatility of about 1 %, calmer than the 4 % default.
    closes = 70000 * np.exp(np.cumsum(np.tile([0.01, -0.01], 100)))
    store = HistoryStore()
    store.merge(PriceSeries("BTC", ts, closes, ("btc.csv",)))
    library = HistoryLibrary(store)
    doc = book(qty="0.5", price="70000")
    vol = DailyVolatility(doc, lambda: library)
    vol.start()
    assert vol.wait()
    advice = doc.plan.underlyings[0].leverage_advice
    assert advice is not None and advice.vol_source == "BTC history, last 90 days"
    assert advice.daily_vol == pytest.approx(Decimal("0.01"), abs=Decimal("0.0005"))


# -- new portfolios --------------------------------------------------------------------------------
def test_new_portfolio_takes_the_family_last_chosen_and_2x(qtbot: QtBot, tmp_path: Path) -> None:
    library = PortfolioLibrary()
    start = Portfolio(name="Start", holdings=(Holding(symbol="BTC", quantity=1, price=70000),))  # type: ignore[arg-type]
    path = library.save_as(start, "Start")
    settings = AppSettings()
    doc = PortfolioDocument(builtin_catalog(), load_portfolio(path), path)
    w = MainWindow(doc, library, settings)
    w.files.ask_unsaved = lambda _n: "discard"
    qtbot.addWidget(w)
    combo = w.hedge_panel.settings.family_combo
    index = combo.findData("DERIBIT-BTC")
    combo.setCurrentIndex(index)
    combo.activated.emit(index)
    assert settings.last_families == {"BTC": "DERIBIT-BTC"}

    w.library_panel.ask_text = lambda *_a: "Fresh"
    created = w.library_panel.new_portfolio()
    assert created is not None
    fresh = load_portfolio(created)
    assert fresh.hedge.families == {"BTC": "DERIBIT-BTC"}
    assert fresh.hedge.leverage == 2
    # Without a remembered choice: the catalog's real exchange family.
    settings.last_families.clear()
    w.library_panel.ask_text = lambda *_a: "Plain"
    plain = load_portfolio(w.library_panel.new_portfolio())  # type: ignore[arg-type]
    assert plain.hedge.families == {}
    assert builtin_catalog().default_family_for("BTC") == "CME-BTC"


# -- the chart ------------------------------------------------------------------------------------
def test_price_axis_redraws_with_the_price_and_readout_shows_it(qtbot: QtBot) -> None:
    from hedger.ui.hedge.chart import ScenarioChart

    doc = book(qty="0.5", price="70000")
    chart = ScenarioChart()
    qtbot.addWidget(chart)
    chart.resize(700, 420)
    chart.bind(doc)
    chart.show()
    qtbot.waitExposed(chart)
    chart.grab()  # draws the axis once (pyqtgraph keeps the drawing)
    axis = chart.price_axis
    assert axis.tickStrings([0.0, 20.0], 1.0, 20.0) == ["70k", "84k"]
    doc.edit_holding_field(0, "price", "80000")
    assert axis.price == 80000
    assert axis.picture is None  # the cached drawing is dropped: it redraws
    assert axis.tickStrings([0.0, 20.0], 1.0, 20.0) == ["80k", "96k"]
    # The crosshair reads the underlying's price at the cursor.
    assert chart.readout_values(0.1)["price"] == pytest.approx(88000)
    chart.resize(380, 420)  # narrow: other parts give way, the price stays
    chart._show_readout(0.1)
    assert "BTC 88,000" in chart.readout.text()


def test_chart_draws_no_liquidation_for_one_that_cannot_happen(qtbot: QtBot) -> None:
    from hedger.ui.hedge.chart import ScenarioChart

    doc = book(qty="0.5", price="70000", family="DERIBIT-BTC", leverage="0.5")
    chart = ScenarioChart()
    qtbot.addWidget(chart)
    chart.bind(doc)
    assert chart.liquidation_move is None
    assert not chart.liquidation_line.isVisible()


def test_position_sizing_shows_none_for_a_short_that_cannot_be_liquidated(qtbot: QtBot) -> None:
    from hedger.ui.analytics.sizing import SizingTab

    tab = SizingTab(book(qty="0.5", price="70000", family="DERIBIT-BTC"))
    qtbot.addWidget(tab)
    tab.set_inputs(
        equity="100000",
        risk="1%",
        entry="70000",
        stop="75000",
        leverage="0.5",
        family="DERIBIT-BTC",
    )
    [row] = [r for r in tab.model.rows if r.key == "mini"]
    assert row.cells[1] == "1,400" and row.cells[8] == "none"
    tab.set_inputs(risk="1")  # all the equity? refused with both readings, as in the CLI
    assert "would be 100 %" in tab.messages.texts()[0]


def test_a_short_spot_book_reads_as_one_sign_and_its_collateral_guards_a_fall(
    qtbot: QtBot,
) -> None:
    """−0.386 BTC: the footer's exposure is negative like the cards; the hedge is
    long, so the collateral field asks for a fall, not a rally."""
    book = Portfolio(
        holdings=(Holding(symbol="BTC", quantity=Decimal("-0.386"), price=Decimal(97000)),),
        hedge=HedgeSettings(families={"BTC": "CME-BTC"}, leverage=Decimal(2)),
    )
    doc = PortfolioDocument(builtin_catalog(), book)
    w = MainWindow(doc, PortfolioLibrary(), AppSettings())
    w.files.ask_unsaved = lambda _n: "discard"
    qtbot.addWidget(w)
    footer = w.holdings_panel.summary_label.text()
    assert (
        "Exposure</span> <b>-37,442.00</b>" in footer
        or "Exposure</span> <b>−37,442.00</b>" in footer
    )
    assert w.hedge_panel.margin.rally_label.text() == "Fall"


def test_liquidation_label_names_the_futures_price_when_it_is_not_the_axis_price(
    qtbot: QtBot,
) -> None:
    """Spot 100,000 with a typed futures price of 70,000: the line sits on the spot
    axis at the move, its price is the futures' (79,800) and says so."""
    book = Portfolio(
        holdings=(Holding(symbol="BTC", quantity=Decimal("0.5"), price=Decimal(100000)),),
        hedge=HedgeSettings(
            families={"BTC": "CME-BTC"},
            leverage=Decimal(2),
            futures_prices={"BTC": Decimal(70000)},
        ),
    )
    doc = PortfolioDocument(builtin_catalog(), book)
    w = MainWindow(doc, PortfolioLibrary(), AppSettings())
    w.files.ask_unsaved = lambda _n: "discard"
    qtbot.addWidget(w)
    w.resize(1280, 800)
    w.show()
    qtbot.waitExposed(w)
    w.load_charts()
    chart = w.chart_host.chart
    assert chart is not None
    qtbot.waitUntil(lambda: chart.liquidation_line.isVisible())
    assert "futures 79,800" in chart.liquidation_line.label.format
