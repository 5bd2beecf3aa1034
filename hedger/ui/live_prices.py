"""Live price refresh in the desktop app: actions, a worker thread, status widgets.

The fetch runs on a background thread (venues can take seconds, or time out)
and reports back through queued signals; the result is applied on the GUI
thread to the document as it is *then*, as one undoable "Refresh Prices"
step. Consecutive automatic refreshes merge into that step, so an hour of
auto-refresh is one undo, not sixty. Failures keep the previous prices and
say why in the status bar.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QIcon, QKeySequence, QUndoCommand
from PySide6.QtWidgets import QApplication, QLabel, QMenu, QProgressBar, QStyle, QWidget

from hedger.core.catalog import Catalog
from hedger.core.models import Portfolio, Quote
from hedger.live.age import (
    STALE_AFTER,
    futures_price_status,
    holding_price_status,
    summarize_prices,
)
from hedger.ui.document import PortfolioDocument

if TYPE_CHECKING:
    # The network stack (urllib, ssl) loads on the first refresh, not at start-up.
    from hedger.live.refresh import FetchReport
    from hedger.live.sources import PriceSource

AUTO_REFRESH_CHOICES = (0, 1, 5, 15)  # minutes; 0 = off
AGE_TICK_MS = 30_000
# Above this many changed rows one reset is cheaper than a plan per row.
PER_ROW_LIMIT = 8

SourcesFactory = Callable[[], Sequence["PriceSource"]]
Clock = Callable[[], datetime]


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _default_sources() -> Sequence[PriceSource]:
    from hedger.live.sources import default_sources

    return default_sources()


def _set_quotes(doc: PortfolioDocument, quotes: dict[str, Quote]) -> None:
    doc._set_quotes(quotes)


class RefreshPricesCommand(QUndoCommand):
    """Swap holdings' prices, futures prices and quotes; rows keep their selection."""

    ID = 0x4C49  # "LI"

    def __init__(
        self, doc: PortfolioDocument, new: Portfolio, text: str, *, auto: bool = False
    ) -> None:
        super().__init__(text)
        self._doc = doc
        self._old = doc.portfolio
        self._new = new
        self.auto = auto

    def id(self) -> int:
        return self.ID

    def mergeWith(self, other: QUndoCommand) -> bool:
        # Only automatic refreshes fold into the step before them; a refresh
        # the user asked for is its own step.
        if not isinstance(other, RefreshPricesCommand) or not other.auto:
            return False
        self._new = other._new
        return True

    def redo(self) -> None:
        self._apply(self._new)

    def undo(self) -> None:
        self._apply(self._old)

    def _apply(self, target: Portfolio) -> None:
        doc = self._doc
        cur = doc.portfolio
        _set_quotes(doc, dict(target.quotes))
        same_rows = len(cur.holdings) == len(target.holdings) and all(
            a.symbol == b.symbol for a, b in zip(cur.holdings, target.holdings, strict=True)
        )
        changed = [
            i for i, (a, b) in enumerate(zip(cur.holdings, target.holdings, strict=False)) if a != b
        ]
        if not same_rows or len(changed) > PER_ROW_LIMIT:
            doc._set_holdings(list(target.holdings))
        else:
            for row in changed:
                doc._set_holding(row, target.holdings[row])
        if doc.portfolio.hedge != target.hedge:
            doc._set_hedge(target.hedge)


class _Bridge(QObject):
    """Carries worker-thread results to the GUI thread (queued connections)."""

    progress = Signal(int, int)
    finished = Signal(object, int)  # FetchReport | str (error), generation


class LivePricesController(QObject):
    """Refresh Prices (F5), optional auto-refresh, and their status signals.

    The lead's window adds ``refresh_action`` to a toolbar and a menu (or uses
    ``menu()``), connects ``statusMessage`` to the status bar, and puts a
    ``PriceAgeWidget`` and a ``RefreshProgressBar`` there.
    """

    busyChanged = Signal(bool)
    statusMessage = Signal(str)
    progress = Signal(int, int)  # done, total (venue requests)
    refreshed = Signal(object)  # RefreshResult, after it was applied
    autoRefreshChanged = Signal(int)  # minutes, 0 = off

    def __init__(
        self,
        document: PortfolioDocument,
        parent: QObject | None = None,
        *,
        sources_factory: SourcesFactory | None = None,
        clock: Clock | None = None,
    ) -> None:
        super().__init__(parent)
        self.document = document
        self._sources_factory = sources_factory or _default_sources
        self._clock = clock or _utc_now
        self._busy = False
        self._generation = 0
        self._auto_pending = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._bridge = _Bridge(self)
        self._bridge.progress.connect(self.progress)
        self._bridge.finished.connect(self._on_finished)

        self.refresh_action = QAction("&Refresh Prices", self)
        self.refresh_action.setIcon(_refresh_icon())
        keys = list(QKeySequence.keyBindings(QKeySequence.StandardKey.Refresh))
        if QKeySequence("F5") not in keys:
            keys.insert(0, QKeySequence("F5"))
        self.refresh_action.setShortcuts(keys)
        self.refresh_action.setStatusTip(
            "Fetch current prices from public exchange data (Binance, Coinbase, OKX)"
        )
        self.refresh_action.setToolTip("Refresh prices from the exchanges (F5)")
        self.refresh_action.triggered.connect(lambda _checked=False: self.refresh())

        self.include_futures_action = QAction("Also Update &Futures Prices", self)
        self.include_futures_action.setCheckable(True)
        self.include_futures_action.setChecked(True)
        self.include_futures_action.setStatusTip(
            "Set each underlying's futures price to the perpetual's mark price when refreshing"
        )

        self.auto_refresh_group = QActionGroup(self)
        self.auto_refresh_actions: dict[int, QAction] = {}
        for minutes in AUTO_REFRESH_CHOICES:
            label = "&Off" if minutes == 0 else f"Every {minutes} min"
            a = QAction(label, self, checkable=True)
            a.setChecked(minutes == 0)
            a.triggered.connect(lambda _checked=False, m=minutes: self.set_auto_refresh(m))
            self.auto_refresh_group.addAction(a)
            self.auto_refresh_actions[minutes] = a
        self._auto_minutes = 0
        self._auto_timer = QTimer(self)
        self._auto_timer.timeout.connect(self._on_auto_tick)

    # -- state -------------------------------------------------------------------
    @property
    def busy(self) -> bool:
        return self._busy

    @property
    def auto_refresh_minutes(self) -> int:
        return self._auto_minutes

    def menu(self, parent: QWidget | None = None) -> QMenu:
        """A "Prices" menu: refresh, auto-refresh interval, futures toggle."""
        m = QMenu("&Prices", parent)
        m.addAction(self.refresh_action)
        auto = m.addMenu("&Auto-Refresh")
        auto.addActions(list(self.auto_refresh_actions.values()))
        m.addAction(self.include_futures_action)
        return m

    # -- commands ----------------------------------------------------------------
    def refresh(self, *, auto: bool = False) -> bool:
        """Start a refresh; False if one is running or there is nothing to price."""
        if self._busy:
            return False
        portfolio = self.document.portfolio
        if not any(not h.is_stablecoin for h in portfolio.holdings) and not (
            self.include_futures_action.isChecked() and portfolio.hedge.futures_prices
        ):
            if not auto:
                self.statusMessage.emit("No prices to refresh: add a holding first")
            return False
        self._generation += 1
        self._auto_pending = auto
        self._stop.clear()
        self._set_busy(True)
        self.statusMessage.emit("Refreshing prices…")
        worker = threading.Thread(
            target=self._work,
            args=(
                portfolio,
                self.document.catalog,
                self._clock(),
                self.include_futures_action.isChecked(),
                self._generation,
            ),
            name="hedger-price-refresh",
            # Daemon: a venue stuck in its timeout must not hold up quitting.
            daemon=True,
        )
        self._thread = worker
        worker.start()
        return True

    def cancel(self) -> None:
        """Stop waiting for the running refresh; its result will be ignored."""
        if not self._busy:
            return
        self._stop.set()
        self._generation += 1
        self._set_busy(False)
        self.statusMessage.emit("Price refresh cancelled — kept previous prices")

    def shutdown(self) -> None:
        """Stop timers and abandon a running refresh (call when the window closes)."""
        self._auto_timer.stop()
        self._stop.set()
        self._generation += 1

    def set_auto_refresh(self, minutes: int) -> None:
        """Refresh every ``minutes`` (1, 5 or 15); 0 turns it off."""
        if minutes not in AUTO_REFRESH_CHOICES:
            raise ValueError(f"auto-refresh interval must be one of {AUTO_REFRESH_CHOICES}")
        self.auto_refresh_actions[minutes].setChecked(True)
        if minutes == self._auto_minutes:
            return
        self._auto_minutes = minutes
        if minutes:
            self._auto_timer.start(minutes * 60_000)
        else:
            self._auto_timer.stop()
        self.autoRefreshChanged.emit(minutes)

    # -- worker ------------------------------------------------------------------
    def _work(
        self,
        portfolio: Portfolio,
        catalog: Catalog,
        now: datetime,
        include_futures: bool,
        generation: int,
    ) -> None:
        # Runs on the worker thread: touches only immutable inputs and the bridge.
        outcome: FetchReport | str
        try:
            from hedger.live.refresh import fetch_quotes

            sources = list(self._sources_factory())
            outcome = fetch_quotes(
                portfolio,
                sources,
                now,
                catalog=catalog,
                include_futures=include_futures,
                progress=self._emit_progress,
                should_stop=self._stop.is_set,
            )
        except Exception as exc:
            # Nothing from the network may crash the app; say what happened.
            outcome = f"Price refresh failed ({type(exc).__name__}: {exc}) — kept previous prices"
        # The window may have closed while the venues were answering.
        with contextlib.suppress(RuntimeError):
            self._bridge.finished.emit(outcome, generation)

    def _emit_progress(self, done: int, total: int) -> None:
        with contextlib.suppress(RuntimeError):
            self._bridge.progress.emit(done, total)

    # -- GUI thread --------------------------------------------------------------
    def _on_finished(self, outcome: object, generation: int) -> None:
        if generation != self._generation:
            return  # cancelled or shut down meanwhile
        auto = self._auto_pending
        self._set_busy(False)
        if isinstance(outcome, str):
            self.statusMessage.emit(outcome[:300])
            return
        from hedger.live.refresh import FetchReport, apply_quotes

        assert isinstance(outcome, FetchReport)
        result = apply_quotes(self.document.portfolio, outcome)
        if result.ok and result.portfolio != self.document.portfolio:
            text = "Auto-Refresh Prices" if auto else "Refresh Prices"
            self.document.undo_stack.push(
                RefreshPricesCommand(self.document, result.portfolio, text, auto=auto)
            )
        self.statusMessage.emit(result.summary())
        self.refreshed.emit(result)

    def _on_auto_tick(self) -> None:
        self.refresh(auto=True)

    def _set_busy(self, busy: bool) -> None:
        if busy == self._busy:
            return
        self._busy = busy
        self.refresh_action.setEnabled(not busy)
        self.busyChanged.emit(busy)


def _refresh_icon() -> QIcon:
    icon = QIcon.fromTheme("view-refresh")
    if icon.isNull():
        style = QApplication.style()
        if style is not None:
            icon = style.standardIcon(QStyle.StandardPixmap.SP_BrowserReload)
    return icon


class PriceAgeWidget(QLabel):
    """Status-bar label: "Prices: Binance · 2 min ago", amber once stale."""

    def __init__(
        self,
        document: PortfolioDocument,
        parent: QWidget | None = None,
        *,
        clock: Clock | None = None,
    ) -> None:
        super().__init__(parent)
        self.document = document
        self._clock = clock or _utc_now
        self.stale = False
        self.setObjectName("priceAge")
        self.setAccessibleName("Price age")
        self._timer = QTimer(self)
        self._timer.setInterval(AGE_TICK_MS)
        self._timer.timeout.connect(self.update_text)
        self._timer.start()
        document.portfolioChanged.connect(self.update_text)
        self.update_text()

    def update_text(self) -> None:
        portfolio = self.document.portfolio
        now = self._clock()
        summary = summarize_prices(portfolio, now)
        self.stale = summary.stale
        # Style first: the bold stale text is wider, and the size hint must know.
        # Amber that reads on both light and dark palettes.
        self.setStyleSheet(
            "QLabel#priceAge { color: #b7791f; font-weight: 600; }" if summary.stale else ""
        )
        self.setText(f"Prices: {summary.text}")
        self.setToolTip(_age_tooltip(portfolio, now))
        self.updateGeometry()


def _age_tooltip(portfolio: Portfolio, now: datetime) -> str:
    lines: list[str] = []
    for symbol in dict.fromkeys(h.symbol for h in portfolio.holdings if not h.is_stablecoin):
        status = holding_price_status(portfolio, symbol, now)
        lines.append(f"{symbol}: {status.text if status else 'typed by hand'}")
    for underlying in portfolio.hedge.futures_prices:
        status = futures_price_status(portfolio, underlying, now)
        lines.append(f"{underlying} futures: {status.text if status else 'typed by hand'}")
    minutes = int(STALE_AFTER.total_seconds() // 60)
    lines.append(f"Prices older than {minutes} min are marked stale. F5 refreshes.")
    return "\n".join(lines)


class RefreshProgressBar(QProgressBar):
    """A small bar shown only while a refresh runs."""

    def __init__(self, controller: LivePricesController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMaximumWidth(120)
        self.setTextVisible(False)
        self.setAccessibleName("Price refresh progress")
        self.setRange(0, 0)  # busy until the first progress report
        self.hide()
        controller.busyChanged.connect(self._on_busy)
        controller.progress.connect(self._on_progress)

    def _on_busy(self, busy: bool) -> None:
        if busy:
            self.setRange(0, 0)
        self.setVisible(busy)

    def _on_progress(self, done: int, total: int) -> None:
        if total > 0:
            self.setRange(0, total)
            self.setValue(done)


__all__ = [
    "AUTO_REFRESH_CHOICES",
    "LivePricesController",
    "PriceAgeWidget",
    "RefreshPricesCommand",
    "RefreshProgressBar",
]
