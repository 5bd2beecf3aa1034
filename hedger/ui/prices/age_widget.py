"""Status-bar label of the prices' age: "Prices: Binance · 2 min ago", amber once stale."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QLabel, QWidget

from hedger.core.models import Portfolio
from hedger.services.prices import (
    STALE_AFTER,
    futures_price_status,
    holding_price_status,
    summarize_prices,
)
from hedger.ui.document.document import PortfolioDocument
from hedger.ui.format import shown, shown_lines
from hedger.ui.prices.controller import Clock, LivePricesController, controller_for, utc_now

AGE_TICK_MS = 30_000


class PriceAgeWidget(QLabel):
    """Status-bar label: "Prices: Binance · 2 min ago", amber once stale."""

    def __init__(
        self,
        document: PortfolioDocument,
        parent: QWidget | None = None,
        *,
        clock: Clock | None = None,
        controller: LivePricesController | None = None,
    ) -> None:
        super().__init__(parent)
        self.document = document
        self._clock = clock or utc_now
        self._controller = controller
        self.stale = False
        self.not_updated = 0
        self.setObjectName("priceAge")
        self.setAccessibleName("Price age")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self._timer = QTimer(self)
        self._timer.setInterval(AGE_TICK_MS)
        self._timer.timeout.connect(self.update_text)
        self._timer.start()
        document.portfolioChanged.connect(self.update_text)
        ctl = self.controller()
        if ctl is not None:
            ctl.refreshed.connect(lambda _result: self.update_text())
        self.update_text()

    def controller(self) -> LivePricesController | None:
        return self._controller or controller_for(self.document)

    def update_text(self) -> None:
        portfolio = self.document.portfolio
        now = self._clock()
        summary = summarize_prices(portfolio, now)
        self.stale = summary.stale
        ctl = self.controller()
        last = ctl.last_result if ctl is not None else None
        self.not_updated = len(last.kept) if last is not None else 0
        warn = summary.stale or self.not_updated > 0
        # Style first: the bold stale text is wider, and the size hint must know.
        # Amber that reads on both light and dark palettes.
        self.setStyleSheet("QLabel#priceAge { color: #b7791f; font-weight: 600; }" if warn else "")
        text = f"Prices: {summary.text}"
        if self.not_updated:
            text += f" · {self.not_updated} not updated"
        # Sources come from files and venues: controls and bidi overrides shown escaped.
        self.setText(shown(text))
        tip = _age_tooltip(portfolio, now)
        if last is not None:
            tip += "\nClick for the last refresh's details."
        self.setToolTip(shown_lines(tip))
        self.updateGeometry()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        ctl = self.controller()
        if event.button() == Qt.MouseButton.LeftButton and ctl is not None:
            ctl.show_details()
            event.accept()
            return
        super().mouseReleaseEvent(event)


# A tooltip line per coin; a big book would make a tooltip taller than the screen.
MAX_TIP_SYMBOLS = 15


def _age_tooltip(portfolio: Portfolio, now: datetime) -> str:
    lines: list[str] = []
    symbols = list(dict.fromkeys(h.symbol for h in portfolio.holdings if not h.is_stablecoin))
    for symbol in symbols[:MAX_TIP_SYMBOLS]:
        status = holding_price_status(portfolio, symbol, now)
        lines.append(f"{symbol}: {status.text if status else 'typed by hand'}")
    if len(symbols) > MAX_TIP_SYMBOLS:
        lines.append(f"… and {len(symbols) - MAX_TIP_SYMBOLS} more coins")
    for underlying in portfolio.hedge.futures_prices:
        status = futures_price_status(portfolio, underlying, now)
        lines.append(f"{underlying} futures: {status.text if status else 'typed by hand'}")
    minutes = int(STALE_AFTER.total_seconds() // 60)
    lines.append(f"Prices older than {minutes} min are marked stale. F5 refreshes.")
    return "\n".join(lines)
