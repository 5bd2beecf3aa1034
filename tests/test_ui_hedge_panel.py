"""Hedge panel: settings widgets drive the plan through undoable edits."""

from __future__ import annotations

from decimal import Decimal

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QGuiApplication
from pytestqt.qtbot import QtBot

from hedger.core.catalog import builtin_catalog
from hedger.core.models import HedgeSettings, Holding, Portfolio
from hedger.ui.document.document import PortfolioDocument
from hedger.ui.hedge.options_model import (
    COL_CONTRACTS,
    COL_HEDGED,
    COL_OPTION,
    COL_RESIDUAL,
    COLUMNS,
    HedgeOptionsModel,
    OptionNameRole,
    RecommendedRole,
)
from hedger.ui.hedge.panel import HedgePanel

# At 10x CME's 40 % requirement is what the margin is, not 35,000 / 10.
ORDER_05_BTC_CME = (
    "Sell 5 contracts of CME Micro Bitcoin (MBT) (0.5 BTC) — hedges 35,000 USD, 0 USD left "
    "unhedged by rounding, 14,000 USD margin (CME's requirement; 10x would be 3,500)"
)
# What the ticket shows: the order in CME's unit (contracts), the coins beside it.
TICKET_05_BTC_CME = "Sell 5 contracts"


def h(symbol: str, qty: str, price: str, **kw: str) -> Holding:
    return Holding(symbol=symbol, quantity=qty, price=price, **kw)  # type: ignore[arg-type]


def make_doc(*holdings: Holding, families: dict[str, str] | None = None) -> PortfolioDocument:
    # 10x: the default leverage these tests were written for (new portfolios take 2x).
    hedge = HedgeSettings(families=families or {}, leverage=Decimal(10))
    return PortfolioDocument(builtin_catalog(), Portfolio(holdings=holdings, hedge=hedge))


@pytest.fixture
def btc_doc() -> PortfolioDocument:
    return make_doc(h("BTC", "0.5", "70000"), families={"BTC": "CME-BTC"})


@pytest.fixture
def panel(qtbot: QtBot, btc_doc: PortfolioDocument) -> HedgePanel:
    p = HedgePanel(btc_doc)
    qtbot.addWidget(p)
    p.resize(1100, 700)  # its width in a 1280x800 window
    p.show()
    return p


def cell(
    model: HedgeOptionsModel, name: str, col: int, role: int = Qt.ItemDataRole.DisplayRole
) -> object:
    row = model.row_of(name)
    assert row >= 0, f"no {name} row"
    return model.data(model.index(row, col), role)


def recommended_rows(model: HedgeOptionsModel) -> list[str]:
    return [
        model.data(model.index(r, 0), OptionNameRole)
        for r in range(model.rowCount())
        if model.data(model.index(r, 0), RecommendedRole)
    ]


# -- table ------------------------------------------------------------------------------
def test_half_btc_on_cme_micro_five_standard_zero(panel: HedgePanel) -> None:
    m = panel.model
    names = [m.data(m.index(r, 0), OptionNameRole) for r in range(m.rowCount())]
    assert names == ["standard", "micro", "mix"]
    assert cell(m, "micro", COL_CONTRACTS) == "5"
    assert cell(m, "standard", COL_CONTRACTS) == "0"
    assert cell(m, "mix", COL_CONTRACTS) == "5 × MBT"
    assert cell(m, "micro", COL_OPTION) == "Micro · CME:MBT 0.1 BTC"
    assert recommended_rows(m) in (["micro"], ["mix"])
    rec = recommended_rows(m)[0]
    font = cell(m, rec, COL_OPTION, Qt.ItemDataRole.FontRole)
    assert isinstance(font, QFont) and font.bold()
    assert cell(m, rec, COL_OPTION, Qt.ItemDataRole.BackgroundRole) is not None
    assert cell(m, "standard", COL_OPTION, Qt.ItemDataRole.BackgroundRole) is None


def test_headers_and_cells_explain_the_numbers(panel: HedgePanel) -> None:
    m = panel.model
    assert [m.headerData(c, Qt.Orientation.Horizontal) for c in range(len(COLUMNS))] == list(
        COLUMNS
    )
    hedged_tip = m.headerData(COL_HEDGED, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
    assert "contracts × multiplier × futures price" in hedged_tip
    residual_tip = cell(m, "micro", COL_RESIDUAL, Qt.ItemDataRole.ToolTipRole)
    assert "what whole contracts cannot match" in str(residual_tip)
    option_tip = str(cell(m, "micro", COL_OPTION, Qt.ItemDataRole.ToolTipRole))
    assert "multiplier 0.1 BTC" in option_tip and "notional 7,000 USD" in option_tip


def test_order_ticket_for_half_btc_at_10x(panel: HedgePanel, qtbot: QtBot) -> None:
    assert panel.order.sentence == ORDER_05_BTC_CME
    assert panel.order.caption.text() == "Recommended order"
    row = panel.order.line_rows()[0]
    assert row.order.text() == TICKET_05_BTC_CME
    assert row.detail.text().startswith("0.5 BTC · CME Micro Bitcoin (MBT)")
    # Copy puts exactly what goes into CME's quantity field on the clipboard.
    with qtbot.waitSignal(panel.orderCopied) as sig:
        qtbot.mouseClick(row.copy, Qt.MouseButton.LeftButton)
    assert sig.args == ["5"]
    assert QGuiApplication.clipboard().text() == "5"
    # The whole order in words is one menu entry away.
    panel.order.copy_order_action.trigger()
    assert QGuiApplication.clipboard().text() == ORDER_05_BTC_CME


def test_summary_cards(panel: HedgePanel) -> None:
    assert panel.card_value.value.text() == "35,000 USD"
    assert panel.card_exposure.value.text() == "35,000 USD"
    assert panel.card_target.value.text() == "35,000 USD"
    assert panel.card_price.value.text() == "70,000"
    assert panel.card_price.detail.text() == "from spot"


# -- settings widgets ---------------------------------------------------------------------
def test_rounding_up_changes_table_warns_and_undo_restores(
    panel: HedgePanel, btc_doc: PortfolioDocument, qtbot: QtBot
) -> None:
    s = panel.settings
    assert s.rounding_buttons["nearest"].isChecked()
    qtbot.mouseClick(s.rounding_buttons["up"], Qt.MouseButton.LeftButton)
    assert btc_doc.plan.underlyings[0].rounding == "up"
    assert btc_doc.undo_stack.undoText() == "Change Rounding"
    assert cell(panel.model, "standard", COL_CONTRACTS) == "1"
    assert s.rounding_buttons["up"].isChecked()
    assert "Never under-hedge" in s.rounding.toolTip()

    panel.select_option("standard")
    assert panel.order.caption.text().startswith("Selected order")
    assert panel.order.sentence.startswith("Sell 1 contract of CME Bitcoin futures (BTC)")
    assert panel.order.line_rows()[0].order.text() == "Sell 1 contract"
    assert "over-hedged by" in panel.order.summary.text()
    assert any("Over-hedged by" in t for t in panel.messages.texts())
    assert panel.messages.isVisible()

    btc_doc.undo_stack.undo()
    assert s.rounding_buttons["nearest"].isChecked()
    assert not s.rounding_buttons["up"].isChecked()
    assert cell(panel.model, "standard", COL_CONTRACTS) == "0"
    assert not any("Over-hedged" in t for t in panel.messages.texts())


def test_ratio_entry_applies_percent_and_undo_restores(
    panel: HedgePanel, btc_doc: PortfolioDocument, qtbot: QtBot
) -> None:
    s = panel.settings
    assert s.ratio_edit.text() == "100%"
    assert s.ratio_slider.value() == 100
    s.ratio_edit.setText("50 %")
    s.ratio_edit.editingFinished.emit()
    u = btc_doc.plan.underlyings[0]
    assert u.ratio == Decimal("0.5")
    assert btc_doc.undo_stack.undoText() == "Change Hedge Ratio"
    assert s.ratio_slider.value() == 50
    assert s.error_text == ""
    assert cell(panel.model, "micro", COL_CONTRACTS) == "2"  # 17,500 / 7,000 → 2.5 → 2

    count = btc_doc.undo_stack.count()
    btc_doc.undo_stack.undo()
    assert s.ratio_edit.text() == "100%"
    assert s.ratio_slider.value() == 100
    assert cell(panel.model, "micro", COL_CONTRACTS) == "5"
    # Syncing the widgets on undo must not push new edits.
    assert btc_doc.undo_stack.count() == count
    assert btc_doc.undo_stack.canRedo()


def test_ratio_entry_refuses_text_with_visible_reason(
    panel: HedgePanel, btc_doc: PortfolioDocument
) -> None:
    s = panel.settings
    before = btc_doc.portfolio
    s.ratio_edit.setText("abc")
    s.ratio_edit.editingFinished.emit()
    assert "'abc' is not a plain decimal number" in s.error_text
    assert s.error_list.isVisible()
    assert btc_doc.portfolio == before
    assert btc_doc.undo_stack.count() == 0
    assert s.ratio_edit.text() == "abc"  # kept so the user can fix it

    s.ratio_edit.setText("250%")
    s.ratio_edit.editingFinished.emit()
    assert "at most 200%, got 250%" in s.error_text
    assert btc_doc.portfolio == before

    # A bare number reads as a fraction, like the command line's --ratio.
    s.ratio_edit.setText("75")
    s.ratio_edit.editingFinished.emit()
    assert "would be 7500 %" in s.error_text
    assert btc_doc.portfolio == before

    s.ratio_edit.setText("0.75")
    s.ratio_edit.editingFinished.emit()
    assert s.error_text == ""
    assert not s.error_list.isVisible()
    assert btc_doc.plan.underlyings[0].ratio == Decimal("0.75")


def test_slider_drag_is_one_undo_step_and_two_drags_are_two(
    panel: HedgePanel, btc_doc: PortfolioDocument
) -> None:
    slider = panel.settings.ratio_slider
    stack = btc_doc.undo_stack

    def drag(*values: int) -> None:
        slider.setSliderDown(True)
        for v in values:
            slider.setValue(v)
        slider.setSliderDown(False)
        slider.sliderReleased.emit()

    drag(90, 80, 70)
    assert btc_doc.plan.underlyings[0].ratio == Decimal("0.7")
    assert panel.settings.ratio_edit.text() == "70%"
    assert stack.count() == 1
    assert stack.undoText() == "Change Hedge Ratio"
    drag(60, 50)
    assert stack.count() == 2
    stack.undo()
    assert btc_doc.plan.underlyings[0].ratio == Decimal("0.7")
    assert slider.value() == 70
    stack.undo()
    assert btc_doc.plan.underlyings[0].ratio == Decimal(1)
    assert slider.value() == 100


def test_leverage_entry_and_warnings(panel: HedgePanel, btc_doc: PortfolioDocument) -> None:
    e = panel.settings.leverage_edit
    e.setText("20x")
    e.editingFinished.emit()
    assert btc_doc.plan.underlyings[0].leverage == 20
    assert btc_doc.undo_stack.undoText() == "Change Leverage"
    assert any("Leverage 20x: a one-day 3-sigma move" in t for t in panel.messages.texts())
    assert panel.order.sentence.endswith(
        "14,000 USD margin (CME's requirement; 20x would be 1,750)"
    )
    assert panel.margin.value.text() == "14,000 USD"
    assert "CME asks 40 % of the notional" in panel.margin.rule.text()
    for bad, reason in (("0", "between 1 and 200"), ("500", "between 1 and 200"), ("x", "enter")):
        e.setText(bad)
        e.editingFinished.emit()
        assert reason in panel.settings.error_text
        assert btc_doc.plan.underlyings[0].leverage == 20


def test_family_combo_switches_family_with_undo(
    panel: HedgePanel, btc_doc: PortfolioDocument
) -> None:
    combo = panel.settings.family_combo
    families = builtin_catalog().families_for("BTC")
    assert [combo.itemText(i) for i in range(combo.count())] == [f.name for f in families]
    assert combo.currentData() == "CME-BTC"
    tip = combo.itemData(combo.currentIndex(), Qt.ItemDataRole.ToolTipRole)
    assert "CME Micro Bitcoin (MBT): 0.1 BTC" in tip
    generic = combo.findData("GENERIC-BTC")
    combo.setCurrentIndex(generic)
    combo.activated.emit(generic)
    assert btc_doc.plan.underlyings[0].family.id == "GENERIC-BTC"  # type: ignore[union-attr]
    assert btc_doc.undo_stack.undoText() == "Change Contract Family"
    names = [panel.model.option_at(r).name for r in range(panel.model.rowCount())]  # type: ignore[union-attr]
    assert names == ["standard", "mini", "micro", "mix"]
    assert cell(panel.model, "mini", COL_CONTRACTS) == "5"
    btc_doc.undo_stack.undo()
    assert combo.currentData() == "CME-BTC"
    assert panel.model.rowCount() == 3


def test_warnings_absent_when_there_are_none(qtbot: QtBot) -> None:
    # OKX at 2x: liquidation far away, no venue minimum, one bad day is fine.
    doc = make_doc(h("BTC", "0.5", "70000"), families={"BTC": "OKX-BTC"})
    doc.set_underlying_setting("BTC", "leverage", Decimal(2), "Change Leverage")
    p = HedgePanel(doc)
    qtbot.addWidget(p)
    p.show()
    assert p.messages.texts() == []
    assert not p.messages.isVisible()


def test_cross_hedge_on_assumed_beta_and_over_100_percent_are_warned(qtbot: QtBot) -> None:
    doc = make_doc(h("BTC", "0.5", "70000"), h("SOL", "10", "150", hedge_with="BTC"))
    doc.set_underlying_setting("BTC", "ratio", Decimal("1.5"), "Change Hedge Ratio")
    p = HedgePanel(doc)
    qtbot.addWidget(p)
    p.show()
    texts = p.messages.texts()
    assert any("Cross-hedge on an assumed beta" in t and "SOL" in t for t in texts)
    assert any("Hedge ratio 150 % is above 100 %" in t for t in texts)
    assert "assumed" in p.card_exposure.detail.text()


# -- problems and empty states ----------------------------------------------------------------
def test_problem_is_shown_and_futures_price_fixes_it(qtbot: QtBot) -> None:
    doc = make_doc(h("SOL", "12", "150", beta="1.5", hedge_with="BTC"))
    p = HedgePanel(doc)
    qtbot.addWidget(p)
    p.show()
    assert p.current_underlying() == "BTC"
    assert any("No price for BTC" in t for t in p.messages.texts())
    assert p.messages.messages[0][0] == "error"
    assert not p.table.isVisible()
    assert not p.order.isVisible()
    assert not p.margin.isVisible()
    assert p.settings.price_edit.placeholderText() == "enter a BTC price"

    p.settings.price_edit.setText("70,000")
    p.settings.price_edit.editingFinished.emit()
    assert doc.undo_stack.undoText() == "Change Futures Price"
    u = doc.plan.underlyings[0]
    assert u.problem is None and u.futures_price == 70000
    assert p.table.isVisible()
    assert not any("No price" in t for t in p.messages.texts())
    assert p.card_price.detail.text() == "typed just now"

    doc.undo_stack.undo()
    assert any("No price for BTC" in t for t in p.messages.texts())
    assert p.settings.price_edit.text() == ""


def test_zero_underlyings_shows_empty_state(qtbot: QtBot) -> None:
    doc = make_doc()
    p = HedgePanel(doc)
    qtbot.addWidget(p)
    p.show()
    assert p.stack.currentWidget() is p.empty_page
    assert p.empty_title.text() == "Nothing to hedge yet"
    assert not p.tabs.isVisible()
    assert p.current_underlying() is None
    # Adding a holding brings the content back; removing it empties it again.
    doc.add_holding(h("BTC", "1", "70000"))
    assert p.stack.currentWidget() is p.content
    assert p.current_underlying() == "BTC"
    doc.remove_rows([0])
    assert p.stack.currentWidget() is p.empty_page


def test_only_stablecoins_says_so(qtbot: QtBot) -> None:
    p = HedgePanel(make_doc(h("USDC", "2000", "1")))
    qtbot.addWidget(p)
    assert p.empty_title.text() == "Only cash: nothing to hedge"
    assert "2,000 USD" in p.empty_text.text()


def test_twenty_underlyings_and_selection_survives_recomputes(qtbot: QtBot) -> None:
    syms = [f"C{i:02d}" for i in range(18)]
    holdings = [h("BTC", "0.5", "70000"), h("ETH", "4", "3500")]
    holdings += [h(s, "1", "10", hedge_with=s) for s in syms]
    doc = make_doc(*holdings)
    p = HedgePanel(doc)
    qtbot.addWidget(p)
    p.resize(1000, 700)
    p.show()
    assert p.tabs.count() == 20
    assert p.all_button.isVisible()
    with qtbot.waitSignal(p.underlyingSelected) as sig:
        p.set_current_underlying("ETH")
    assert sig.args == ["ETH"]
    assert p.settings.underlying == "ETH"
    doc.edit_holding_field(1, "quantity", "8")
    assert p.current_underlying() == "ETH"
    assert p.card_value.value.text() == "28,000 USD"
    doc.remove_rows([0])  # BTC disappears: the tab set changes
    assert p.current_underlying() == "ETH"
    assert p.tabs.tabText(p.tabs.currentIndex()) == "ETH"
    assert p.tabs.count() == 19


def test_option_selection_signal_and_order(panel: HedgePanel, qtbot: QtBot) -> None:
    with qtbot.waitSignal(panel.optionSelected) as sig:
        panel.select_option("standard")
    assert sig.args == ["BTC", "standard"]
    assert panel.order.summary.text() == "No standard contract fits: 35,000 USD stays unhedged"
    assert panel.order.lines == ()
    assert not any(r.copy.isVisible() for r in panel.order._rows)
    # The selection survives a recompute with the same rows.
    panel.document.edit_holding_field(0, "quantity", "0.6")
    assert panel.shown_option() is not None
    assert panel.shown_option().name == "standard"  # type: ignore[union-attr]
    with qtbot.waitSignal(panel.optionSelected) as sig:
        panel.clear_option_selection()
    assert sig.args[1] in ("micro", "mix")
    assert panel.order.caption.text() == "Recommended order"


def test_options_model_passes_qtmodeltester(qtmodeltester, btc_doc: PortfolioDocument) -> None:  # type: ignore[no-untyped-def]
    model = HedgeOptionsModel()
    model.set_plan(btc_doc.plan.underlyings[0])
    qtmodeltester.check(model, force_py=True)
    model.set_plan(None)
    qtmodeltester.check(model, force_py=True)


def test_model_updates_rows_in_place_and_resets_on_new_row_set(
    btc_doc: PortfolioDocument, qtbot: QtBot
) -> None:
    model = HedgeOptionsModel()
    model.set_plan(btc_doc.plan.underlyings[0])
    with qtbot.assertNotEmitted(model.modelReset), qtbot.waitSignal(model.dataChanged):
        btc_doc.edit_holding_field(0, "quantity", "1")
        model.set_plan(btc_doc.plan.underlyings[0])
    assert cell(model, "micro", COL_CONTRACTS) == "10"
    with qtbot.waitSignal(model.modelReset):
        btc_doc.set_underlying_setting("BTC", "family", "GENERIC-BTC", "Change Contract Family")
        model.set_plan(btc_doc.plan.underlyings[0])
    assert model.rowCount() == 4


def test_palette_change_retints_the_recommended_row(panel: HedgePanel) -> None:
    from PySide6.QtGui import QColor, QPalette

    rec = recommended_rows(panel.model)[0]
    before = cell(panel.model, rec, COL_OPTION, Qt.ItemDataRole.BackgroundRole)
    dark = QPalette(panel.palette())
    dark.setColor(QPalette.ColorRole.Base, QColor("#1f1f22"))
    dark.setColor(QPalette.ColorRole.Window, QColor("#2b2b2e"))
    dark.setColor(QPalette.ColorRole.Text, QColor("#e6e6e6"))
    panel.setPalette(dark)
    after = cell(panel.model, rec, COL_OPTION, Qt.ItemDataRole.BackgroundRole)
    assert isinstance(after, QColor) and isinstance(before, QColor)
    assert after.lightness() < 100 < before.lightness()


def test_repicking_the_family_in_force_is_not_an_edit(qtbot: QtBot) -> None:
    doc = make_doc(h("BTC", "0.5", "70000"))  # default family, not stored in settings
    p = HedgePanel(doc)
    qtbot.addWidget(p)
    combo = p.settings.family_combo
    assert combo.currentData() == "CME-BTC"
    combo.activated.emit(combo.currentIndex())
    assert doc.undo_stack.count() == 0
    assert not doc.dirty


def test_futures_price_card_shows_source_age_and_staleness(qtbot: QtBot) -> None:
    from datetime import UTC, datetime, timedelta

    from hedger.core.models import Quote

    doc = make_doc(h("BTC", "1", "70000"), families={"BTC": "CME-BTC"})
    p = HedgePanel(doc)
    qtbot.addWidget(p)
    p.show()
    assert p.card_price.detail.text() == "from spot"

    def refreshed(minutes_ago: int, price: str = "70250") -> Portfolio:
        quote = Quote(
            price=Decimal(price),
            source="Binance · BTCUSDT perpetual",
            fetched_at=datetime.now(UTC) - timedelta(minutes=minutes_ago),
            kind="futures",
        )
        hedge = doc.portfolio.hedge.model_copy(update={"futures_prices": {"BTC": Decimal(price)}})
        return doc.portfolio.model_copy(update={"hedge": hedge, "quotes": {"FUT:BTC": quote}})

    doc.apply_price_refresh(refreshed(4))
    assert p.card_price.value.text() == "70,250"
    assert p.card_price.detail.text() == "Binance · 4 min ago"
    assert not p.card_price.warned
    assert "Binance · BTCUSDT perpetual" in p.settings.price_edit.toolTip()

    doc.apply_price_refresh(refreshed(40, "70300"))
    assert p.card_price.detail.text() == "Binance · 40 min ago · stale"
    assert p.card_price.warned
    assert "stale" in p.settings.price_edit.toolTip()

    # Typed over, the price is the user's again.
    doc.set_underlying_setting("BTC", "futures_price", Decimal(71000), "Change Futures Price")
    assert p.card_price.detail.text() == "typed just now"
    assert not p.card_price.warned
    assert "fetched" not in p.settings.price_edit.toolTip()


def test_exposure_card_lists_betas_sorted_and_caps_a_long_list(qtbot: QtBot) -> None:
    alts = [h(f"ALT{i}", "10", "100", beta=f"1.{30 - i:02d}", hedge_with="BTC") for i in range(30)]
    doc = make_doc(h("BTC", "0.5", "70000"), *alts)
    p = HedgePanel(doc)
    qtbot.addWidget(p)
    p.show()
    tip = p.card_exposure.toolTip()
    lines = [line for line in tip.splitlines() if line.startswith("beta ")]
    assert len(lines) == 10
    assert lines[0].startswith("beta 1:") and lines[1].startswith("beta 1.01:")
    assert "… and 21 more betas" in tip
    assert p.card_exposure.detail.text() == "betas 1 · 1.01 · 1.02 · 1.03 …"


def test_an_option_that_trades_nothing_wears_no_star(qtbot: QtBot) -> None:
    """0.0004 BTC on Binance: no lot fits, so nothing is recommended to trade."""
    doc = make_doc(h("BTC", "0.0004", "70000"), families={"BTC": "BINANCE-USDM-BTC"})
    panel = HedgePanel(doc)
    qtbot.addWidget(panel)
    m = panel.model
    assert m.rowCount() == 1
    option = m.option_at(0)
    assert option is not None and option.contracts == 0
    assert not m.is_recommended(0)
    from hedger.ui.hedge.chart_text import hedged_label

    u = doc.plan.underlying("BTC")
    assert "★" not in hedged_label(u, u.recommended if u else None)
