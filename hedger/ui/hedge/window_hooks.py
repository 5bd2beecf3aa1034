"""The hedge panel's ties to the rest of the window.

* The family a user picks is remembered in the app settings, and New
  starts a portfolio with it (``hedger.ui.hedge.defaults``).
* "Refresh" on a stale futures price runs the window's live-price refresh.
* The leverage warning uses the stored histories' volatility, measured in
  the background once the chart has drawn.
* Copying an order says what was copied in the status bar.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QObject, QTimer, SignalInstance

from hedger.ui.hedge.defaults import new_portfolio
from hedger.ui.hedge.volatility import DailyVolatility

if TYPE_CHECKING:
    from hedger.services.settings import AppSettings
    from hedger.ui.analytics.history_library import HistoryLibrary
    from hedger.ui.document.document import PortfolioDocument
    from hedger.ui.hedge.panel import HedgePanel
    from hedger.ui.library.panel import LibraryPanel
    from hedger.ui.prices.controller import LivePricesController

# After the chart has drawn (the beta hints start then too): measuring loads histories.
VOLATILITY_DELAY_MS = 400


class HedgeWindow(Protocol):
    """What the hooks need of the main window."""

    document: PortfolioDocument
    settings: AppSettings
    hedge_panel: HedgePanel
    library_panel: LibraryPanel
    live: LivePricesController

    def history_library(self) -> HistoryLibrary: ...


def copied_words(text: str) -> str:
    """The status line after a copy: a quantity to paste, or the order in words."""
    if " " in text:
        return "Order copied to the clipboard"
    return f"Copied {text}: paste it into the venue's quantity field"


def install_hedge_hooks(
    window: HedgeWindow,
    owner: QObject,
    chart_ready: SignalInstance,
    status: Callable[[str], None],
) -> DailyVolatility:
    """Wire the hedge panel to the window; returns the volatility measure it started."""
    panel = window.hedge_panel
    settings = window.settings

    def remember(underlying: str, family: str) -> None:
        settings.last_families[underlying] = family

    panel.familyChosen.connect(remember)
    panel.refreshRequested.connect(window.live.refresh)
    panel.orderCopied.connect(lambda text: status(copied_words(text)))
    window.library_panel.new_template = lambda name: new_portfolio(
        name, window.document.catalog, settings.last_families
    )
    vol = DailyVolatility(window.document, window.history_library, owner)
    chart_ready.connect(lambda: QTimer.singleShot(VOLATILITY_DELAY_MS, owner, vol.start))
    return vol
