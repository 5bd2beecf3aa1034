"""Default layout at 1280x800 and at the minimum size, with a realistic portfolio."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtWidgets import QScrollArea

from hedger.core.catalog import builtin_catalog
from hedger.core.models import HedgeSettings, Holding, Portfolio
from hedger.store.library import PortfolioLibrary
from hedger.store.settings import AppSettings
from hedger.ui.document.document import PortfolioDocument
from hedger.ui.main_window import MainWindow

TWELVE = [
    ("BTC", "1.2345", "68250.5", None),
    ("ETH", "14.8", "3480.25", None),
    ("SOL", "220", "152.4", "1.45"),
    ("ADA", "9000", "0.45", "1.3"),
    ("DOT", "1500", "7.21", None),
    ("AVAX", "410", "36.12", "1.6"),
    ("LINK", "900", "17.85", "1.3"),
    ("MATIC", "12000", "0.7123", "1.5"),
    ("XRP", "6000", "0.52", "1.2"),
    ("DOGE", "50000", "0.1587", "1.8"),
    ("USDC", "18000", "1", None),
    ("USDT", "15000", "1", None),
]


def twelve() -> Portfolio:
    holdings = tuple(
        Holding(symbol=s, quantity=Decimal(q), price=Decimal(p), beta=Decimal(b) if b else None)
        for s, q, p, b in TWELVE
    )
    return Portfolio(
        name="Long-term stack", holdings=holdings, hedge=HedgeSettings(families={"BTC": "CME-BTC"})
    )


def window(qtbot, size: tuple[int, int]) -> MainWindow:
    doc = PortfolioDocument(builtin_catalog(), twelve(), None)
    w = MainWindow(doc, PortfolioLibrary(), AppSettings())
    w.files.ask_unsaved = lambda _n: "discard"
    qtbot.addWidget(w)
    w.resize(*size)
    w.show()
    qtbot.waitExposed(w)
    w.load_charts()
    qtbot.wait(50)
    return w


def test_default_layout_shows_every_column_a_real_chart_and_the_whole_table(qtbot):
    w = window(qtbot, (1280, 800))
    view = w.holdings_panel.view
    assert view.horizontalScrollBar().maximum() == 0, "holdings columns are cut"
    scroll = w.hedge_panel.content.findChild(QScrollArea)
    assert scroll.verticalScrollBar().maximum() == 0, "the comparison table needs scrolling"
    chart = w.chart_host.chart
    assert chart is not None
    assert chart.width() >= 420 and chart.height() >= 320
    # The plot fits its widget: nothing of the axes or legend is clipped (once
    # the legend has taken its columns: a deferred refit).
    qtbot.waitUntil(
        lambda: chart.plot_item.geometry().width() <= chart.plot_widget.viewport().width() + 1
    )


def test_minimum_size_is_honest(qtbot):
    w = window(qtbot, (600, 400))
    w.resize(w.minimumSize())
    qtbot.wait(50)
    assert w.minimumSize().width() >= 900 and w.minimumSize().height() >= 600
    hp = w.holdings_panel
    title = hp.findChild(type(hp.summary_label), "holdingsTitle")
    for button in hp._header_buttons:
        # Whole buttons (icon only when narrow), clear of the title.
        assert button.width() >= button.sizeHint().width()
        assert button.geometry().left() > title.geometry().right()
    chart = w.chart_host.chart
    qtbot.waitUntil(
        lambda: chart.plot_item.geometry().width() <= chart.plot_widget.viewport().width() + 1
    )


def test_small_window_scrolls_the_hedge_panel_down_not_sideways(qtbot):
    """At 1024x700 the cards and the order keep their width (settings go under them)."""
    w = window(qtbot, (1024, 700))
    hp = w.hedge_panel
    scroll = hp.content.findChild(QScrollArea)
    qtbot.waitUntil(lambda: not scroll.horizontalScrollBar().isVisible())
    for card in (hp.card_value, hp.card_exposure, hp.card_target, hp.card_price):
        assert card.width() >= card.minimumSizeHint().width()
    # The order comes before the settings: it shows without scrolling.
    viewport = scroll.viewport()
    top_left = hp.order.mapTo(viewport, hp.order.rect().topLeft())
    assert 0 <= top_left.y() < viewport.height()
    assert hp.order.mapTo(viewport, hp.order.rect().topRight()).x() <= viewport.width()
    settings = hp.settings.mapTo(viewport, hp.settings.rect().topLeft())
    assert settings.y() > top_left.y()
    # Widening the window puts the settings back beside them.
    w.resize(1280, 800)
    qtbot.waitUntil(
        lambda: hp.settings.mapTo(viewport, hp.settings.rect().topLeft()).y() < top_left.y()
    )
