"""Numbers fit at the sizes people use (issue 13): 1280x800 with a big book.

BTC at 100,000, SHIB 250,000,000 at 0.00002, a dozen coins, three contract
sizes with warnings: every number shows in full, the recommended row shows.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QLabel

from hedger.core.catalog import builtin_catalog
from hedger.core.models import HedgeSettings, Holding, Portfolio
from hedger.store.library import PortfolioLibrary
from hedger.store.portfolio_file import load_portfolio
from hedger.store.settings import AppSettings
from hedger.ui.document.document import PortfolioDocument
from hedger.ui.holdings.column_fit import TEXT_MARGIN
from hedger.ui.holdings.columns import Column
from hedger.ui.main_window import MainWindow

BIG = [
    ("BTC", "3.25", "100000", None, None),
    ("ETH", "40", "3500", None, None),
    ("SHIB", "250000000", "0.00002", "1.8", "BTC"),
    ("SOL", "120", "150", "1.5", "BTC"),
    ("DOGE", "50000", "0.1234", "1.6", "BTC"),
    ("ADA", "20000", "0.45", "1.4", "BTC"),
    ("XRP", "15000", "0.55", "1.3", "BTC"),
    ("LINK", "800", "14.5", "1.4", "ETH"),
    ("AVAX", "300", "35", "1.5", "ETH"),
    ("PEPE", "900000000", "0.0000085", "2", "BTC"),
    ("USDC", "120000", "1", None, None),
]


def big_book(scale: int = 1) -> Portfolio:
    holdings = tuple(
        Holding(
            symbol=s,
            quantity=Decimal(q) * scale,
            price=Decimal(p),
            beta=Decimal(b) if b else None,
            hedge_with=w,
        )
        for s, q, p, b, w in BIG
    )
    # Three sizes (the example family), rounding up and 8x: over-hedge and leverage warnings.
    hedge = HedgeSettings(
        leverage=Decimal(8), rounding="up", families={"BTC": "GENERIC-BTC", "ETH": "CME-ETH"}
    )
    return Portfolio(name="Big book", holdings=holdings, hedge=hedge)


def window(qtbot, portfolio: Portfolio, size: tuple[int, int] = (1280, 800)) -> MainWindow:
    doc = PortfolioDocument(builtin_catalog(), portfolio, None)
    w = MainWindow(doc, PortfolioLibrary(), AppSettings())
    w.files.ask_unsaved = lambda _n: "discard"
    qtbot.addWidget(w)
    w.resize(*size)
    w.show()
    qtbot.waitExposed(w)
    qtbot.wait(50)
    return w


def full_text_fits(view, row: int, column: int, pad: int = TEXT_MARGIN) -> bool:
    index = view.model().index(row, column)
    text = str(index.data())
    return QFontMetrics(view.font()).horizontalAdvance(text) + pad <= view.columnWidth(column)


def test_big_prices_and_quantities_show_in_full_at_1280x800(qtbot) -> None:
    w = window(qtbot, big_book())
    hp = w.holdings_panel
    view, model = hp.view, hp.model
    assert view.horizontalScrollBar().maximum() == 0
    texts = {
        (model.data(model.index(r, Column.SYMBOL)), c): model.data(model.index(r, c))
        for r in range(model.rowCount())
        for c in (Column.QUANTITY, Column.PRICE)
    }
    assert texts[("BTC", Column.PRICE)] == "100,000.00"
    assert texts[("SHIB", Column.QUANTITY)] == "250,000,000"
    assert texts[("SHIB", Column.PRICE)] == "0.00002"
    proxy = hp.proxy
    for r in range(proxy.rowCount()):
        for c in (Column.QUANTITY, Column.PRICE, Column.VALUE, Column.SHARE, Column.BETA):
            assert full_text_fits(view, r, c), (r, c, proxy.index(r, c).data())


def test_a_narrow_column_shows_a_compact_number_not_a_cut_one(qtbot) -> None:
    from PySide6.QtWidgets import QStyleOptionViewItem

    w = window(qtbot, big_book())
    hp = w.holdings_panel
    hp.view.setColumnWidth(Column.QUANTITY, 60)
    shib = [h.symbol for h in w.document.portfolio.holdings].index("SHIB")
    index = hp.proxy.mapFromSource(hp.model.index(shib, Column.QUANTITY))
    option = QStyleOptionViewItem()
    option.initFrom(hp.view)
    option.rect = QRect(0, 0, 60, 30)
    hp.delegate.initStyleOption(option, index)
    assert option.text == "250.0M"
    assert "250000000 SHIB" in str(index.data(Qt.ItemDataRole.ToolTipRole))


@pytest.mark.parametrize("scale", [1, 1000])
def test_recommended_row_cards_and_order_fit_at_1280x800(qtbot, scale: int) -> None:
    w = window(qtbot, big_book(scale))
    panel = w.hedge_panel
    table = panel.table
    rec = next(r for r in range(panel.model.rowCount()) if panel.model.is_recommended(r))
    # The whole table shows (no scrolling, no cut column) with the recommended row in view.
    assert table.horizontalScrollBar().maximum() == 0
    rect = table.visualRect(panel.model.index(rec, 0))
    top_left = table.viewport().mapTo(w, rect.topLeft())
    bottom = table.viewport().mapTo(w, rect.bottomLeft()).y()
    assert top_left.y() > 0 and bottom < w.statusBar().geometry().top()
    # Several warnings are listed (over-hedge, leverage, example family).
    assert len(panel.messages.texts()) >= 2
    # Every card shows its whole value (a compact one at most, never cut).
    for card in (panel.card_value, panel.card_exposure, panel.card_target, panel.card_price):
        label = card.value
        assert label.fontMetrics().horizontalAdvance(label.text()) <= label.width()
        assert label.mapTo(w, label.rect().topRight()).x() <= w.width()
    for label in panel.order.findChildren(QLabel):
        if label.isVisible() and not label.wordWrap():
            assert label.mapTo(w, label.rect().topRight()).x() <= w.width()


def test_a_new_empty_portfolio_resets_chart_cards_and_library_line(qtbot) -> None:
    """After a full book, New shows what to do, not the last book's curves (issue 13)."""
    library = PortfolioLibrary()
    path = library.save_as(big_book(), "Big book")
    doc = PortfolioDocument(builtin_catalog(), load_portfolio(path), path)
    w = MainWindow(doc, library, AppSettings())
    w.files.ask_unsaved = lambda _n: "discard"
    qtbot.addWidget(w)
    w.resize(1280, 800)
    w.show()
    qtbot.waitExposed(w)
    w.load_charts()
    chart = w.chart_host.chart
    assert chart is not None
    qtbot.waitUntil(chart.isVisible)
    assert not chart.plot_widget.isHidden()
    w.library_panel.ask_text = lambda *_a: "Empty one"
    created = w.library_panel.new_portfolio()
    assert created is not None
    qtbot.waitUntil(lambda: w.document.path == created)
    assert not w.document.portfolio.holdings
    # The chart: an "add a holding" state instead of old curves, axes and legend.
    assert chart.plot_widget.isHidden() and chart.empty_state.isVisible()
    assert "Add a holding" in chart.empty_state.title.text()
    assert chart.tier_curves == {}
    assert [b.text() for b in chart.empty_state.buttons] == ["Add Holding"]
    # The hedge panel's cards give way to its own empty page.
    assert w.hedge_panel.stack.currentWidget() is w.hedge_panel.empty_page
    # The library line counts the open portfolio's holdings as they are edited.
    row = w.library_panel.model.row_of(created)
    assert row is not None
    line = lambda: w.library_panel.model.data(w.library_panel.model.index(row))  # noqa: E731
    assert "0 holdings" in line()
    w.document.add_holding(Holding(symbol="BTC", quantity=Decimal(1), price=Decimal(70000)))
    assert "1 holding · edited" in line()
    assert not chart.plot_widget.isHidden() and chart.empty_state.isHidden()


def test_add_holding_on_the_empty_chart_opens_an_empty_new_row(qtbot) -> None:
    w = window(qtbot, Portfolio(name="Empty"))
    w.load_charts()
    chart = w.chart_host.chart
    assert chart is not None
    qtbot.waitUntil(chart.isVisible)
    w.positions.show_positions()
    chart.empty_state.buttons[0].click()
    row = w.holdings_panel.new_row
    assert w.positions.tabs.currentWidget() is w.holdings_panel
    assert row.isVisible() and row.symbol.text() == "" and row.price.text() == ""
