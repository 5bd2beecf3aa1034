"""What the held hedge adds to the main window, installed by one call.

The Positions table goes beside the holdings (a tab of the same column), the
drift notifier follows price refreshes and tells about new findings after an
automatic one. Kept here so the main window only makes the call.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, cast

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QTabWidget

from hedger.ui.positions.notifier import DriftNotifier
from hedger.ui.positions.panel import PositionsPanel

if TYPE_CHECKING:
    from PySide6.QtWidgets import QSplitter, QStatusBar

    from hedger.ui.document.document import PortfolioDocument
    from hedger.ui.holdings.panel import HoldingsPanel
    from hedger.ui.prices.controller import LivePricesController


class PositionsWindow(Protocol):
    """What the hooks need of the main window (a Protocol: importing the
    window here would make an import loop between the two folders)."""

    document: PortfolioDocument
    top_split: QSplitter
    holdings_panel: HoldingsPanel
    live: LivePricesController

    def statusBar(self) -> QStatusBar: ...


class PositionsHooks(QObject):
    def __init__(self, window: PositionsWindow) -> None:
        super().__init__(cast(QObject, window))
        self._window = window
        doc = window.document
        self.panel = PositionsPanel(doc)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("holdingsTabs")
        self.tabs.setDocumentMode(True)
        self.tabs.setTabPosition(QTabWidget.TabPosition.South)
        window.top_split.replaceWidget(0, self.tabs)
        self.tabs.addTab(window.holdings_panel, "Holdings")
        self.tabs.addTab(self.panel, "Positions")
        window.holdings_panel.show()
        self.notifier = DriftNotifier(doc, self)
        self.panel.statusMessage.connect(self._status)
        window.live.refreshed.connect(self._on_refreshed)
        doc.bookChanged.connect(self._update_tab)
        self.notifier.findingsChanged.connect(self._update_tab)
        self.notifier.findingsChanged.connect(self.panel.show_findings)
        self.panel.show_findings(self.notifier.findings)
        self._update_tab()

    def _status(self, text: str) -> None:
        self._window.statusBar().showMessage(text, 8000)

    def _on_refreshed(self, _result: object) -> None:
        self.notifier.on_refreshed(bool(getattr(self._window.live, "last_refresh_auto", False)))

    def _update_tab(self, *_args: object) -> None:
        n = len(self._window.document.portfolio.positions)
        act = len(self.notifier.findings) if n else 0
        title = f"Positions ({n})" if n else "Positions"
        if act:
            title += f" · {act} to act on"
        self.tabs.setTabText(1, title)
        tip = "\n".join(f.line for f in self.notifier.findings) if act else ""
        self.tabs.setTabToolTip(1, tip or "The futures you already hold")

    def show_positions(self) -> None:
        self.tabs.setCurrentWidget(self.panel)
