"""The base of the analytics tabs: their shared layout, and computing off the GUI thread.

Every tab is a page with 10 px margins: a header row (title, a "Computing…"
label, then its controls on the right), optional stat cards and messages,
and a stack that shows the content or an empty state saying what is missing.
``AnalyticsTab`` builds those pieces; ``BackgroundTab`` adds figures worked
out by a background task, ``ResultTab`` a single result or why there is none.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QTimer
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from hedger.ui.tasks import TaskRunner, error_text
from hedger.ui.widgets.empty_state import BusyLabel, EmptyState
from hedger.ui.widgets.style import dim, section_title

if TYPE_CHECKING:
    import pyqtgraph as pg

    from hedger.core.planner import Plan
    from hedger.ui.analytics.history_library import HistoryLibrary
    from hedger.ui.widgets.empty_state import EmptyAction

IMPORT_HINT = (
    "Choose Import CSV… for a file of daily or 1-minute closes (date,close, CoinGecko, "
    "Yahoo Finance or Binance klines), or Download… for daily or hourly closes from "
    "Binance, Coinbase or OKX (public data, no account needed). On the command line: "
    "“hedger history import FILE --symbol BTC” or “hedger history download BTC”."
)
#: The empty states' buttons: what they say, and what they ask the History tab to do.
HISTORY_ACTIONS = (("Import CSV…", "import"), ("Download…", "download"))

# A header control: a widget, a dimmed label for a text, or a gap in pixels.
HeaderItem = QWidget | str | int


class AnalyticsTab(QWidget):
    """A page of the analytics workspace; restyles its plots when the palette changes."""

    empty: EmptyState

    def _apply_palette(self) -> None:
        """Colours of the plots from the palette (tabs with plots override it)."""

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.PaletteChange:
            self._apply_palette()
        super().changeEvent(event)

    # -- layout ---------------------------------------------------------------------
    def _page(self) -> QVBoxLayout:
        """The tab's own layout: the same margins and spacing on every tab."""
        lay = QVBoxLayout(self)
        lay.setContentsMargins(10, 10, 10, 10)
        lay.setSpacing(8)
        return lay

    def _header(
        self, title: str, controls: Sequence[HeaderItem] = (), busy: BusyLabel | None = None
    ) -> QHBoxLayout:
        """Title (with the busy label beside it) on the left, ``controls`` on the right."""
        header = QHBoxLayout()
        header.addWidget(section_title(title, self))
        if busy is not None:
            header.addSpacing(10)
            header.addWidget(busy)
        header.addStretch(1)
        add_controls(header, controls)
        return header

    @staticmethod
    def _cards_row(cards: Mapping[str, QWidget]) -> QWidget:
        """Stat cards side by side, in a widget the tab hides when there is no result."""
        row = QWidget()
        lay = QHBoxLayout(row)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(8)
        for card in cards.values():
            lay.addWidget(card)
        return row

    def _pages(self, content: QWidget) -> QStackedWidget:
        """``content``, or ``self.empty`` saying why there is nothing to show."""
        self.empty = EmptyState()
        pages = QStackedWidget()
        pages.addWidget(content)
        pages.addWidget(self.empty)
        return pages

    def _history_actions(self, histories: HistoryLibrary) -> list[EmptyAction]:
        """Import CSV… and Download… buttons for an empty state that lacks price history."""

        def asker(action: str) -> Callable[[], None]:
            return lambda: ask_history_tab(self, histories, action)

        return [(label, asker(action)) for label, action in HISTORY_ACTIONS]

    @staticmethod
    def _plot(**axis_items: Any) -> pg.PlotWidget:
        """A plot without pyqtgraph's context menu and auto-range button."""
        import pyqtgraph as pg

        plot = pg.PlotWidget(axisItems=axis_items) if axis_items else pg.PlotWidget()
        item = plot.getPlotItem()
        item.setMenuEnabled(False)
        item.hideButtons()
        return plot


def ask_history_tab(widget: QWidget, histories: HistoryLibrary, action: str) -> None:
    """Show the History tab (the window builds it when first shown) and have it
    import a file or open the download dialog (``action``)."""
    from PySide6.QtWidgets import QTabWidget

    from hedger.ui.analytics.registry import ANALYTICS_TABS

    tabs = widget.parentWidget()
    while tabs is not None and not isinstance(tabs, QTabWidget):
        tabs = tabs.parentWidget()
    if tabs is not None:
        title = next(e.title for e in ANALYTICS_TABS if e.class_name == "HistoryTab")
        for index in range(tabs.count()):
            if tabs.tabText(index) == title:
                tabs.setCurrentIndex(index)
                break
    histories.actionRequested.emit(action)


def add_controls(row: QHBoxLayout, controls: Sequence[HeaderItem]) -> None:
    """Widgets as they are, texts as dimmed labels, numbers as gaps."""
    for item in controls:
        if isinstance(item, int):
            row.addSpacing(item)
        elif isinstance(item, str):
            row.addWidget(dim(QLabel(item)))
        else:
            row.addWidget(item)


class BackgroundTab(AnalyticsTab):
    """An analytics tab whose figures are worked out off the GUI thread.

    ``_prepare`` runs on the GUI thread and snapshots the inputs (immutable
    portfolio, plan and settings) into a function; that function runs on a
    serial ``TaskRunner`` (the newest request wins, one thread at a time) and
    its result goes to ``_deliver`` on the GUI thread, a failure to
    ``_failed``. A request while the tab is hidden only marks it stale: the
    tab computes when it is shown.
    """

    stale = True

    def _init_compute(self, delay_ms: int) -> None:
        """Call in ``__init__``: the pause after an edit before computing again."""
        self._task = TaskRunner(self, serial=True, name="hedger-analytics")
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(delay_ms)
        self._timer.timeout.connect(self.recompute)

    def _prepare(self) -> Callable[[], Any]:
        raise NotImplementedError

    def _deliver(self, computed: Any) -> None:
        raise NotImplementedError

    def _failed(self, exc: Exception) -> None:
        raise NotImplementedError

    def schedule(self) -> None:
        """Inputs changed: compute again soon if shown, else when next shown.

        Takes no argument: signals carrying values (toggled, dateChanged) connect to it.
        """
        self._request(delay=True)

    def _request(self, delay: bool) -> None:
        if not self.isVisible():
            self.stale = True
            self._timer.stop()
        elif delay:
            self._timer.start()
        else:
            self.recompute()

    def recompute(self) -> None:
        """Compute now (in the background), whether shown or not."""
        self._timer.stop()
        self.stale = False
        try:
            job = self._prepare()
        except Exception as exc:  # inputs that cannot even be gathered
            self._task.cancel()
            self._failed(exc)
            return
        self._task.start(lambda _state: job(), self._deliver, self._failed)

    @property
    def busy(self) -> bool:
        return self._task.busy

    def wait(self, timeout_s: float = 60.0) -> bool:
        """Run what is pending and process events until its result is shown (tests, scripts)."""
        if self._timer.isActive() or self.stale:
            self.recompute()
        return self._task.wait(timeout_s)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.stale:
            self.recompute()


class ResultTab(BackgroundTab):
    """A background tab showing one result (or why there is none) as ``_show(computed)``.

    ``computed`` has ``result`` and ``error``; ``_failed_computed(message)``
    builds the one shown when the worker raised.
    """

    result: Any = None
    error: str | None = None

    def _show(self, computed: Any) -> None:
        raise NotImplementedError

    def _failed_computed(self, message: str) -> Any:
        raise NotImplementedError

    def _deliver(self, computed: Any) -> None:
        self.result = computed.result
        self.error = computed.error
        self._show(computed)

    def _failed(self, exc: Exception) -> None:
        message = error_text(exc)
        self.result = None
        self.error = message
        self._show(self._failed_computed(message))


def liquidation_note(plan: Plan) -> str | None:
    """Where the plan's hedges are liquidated, as modelled: ``none`` (never 0) for one
    that cannot be."""
    from hedger.ui import format as fmt

    parts = []
    for u in plan.underlyings:
        option = u.recommended_option
        if option is None or not option.trades:
            continue
        liq = option.liquidation_price
        where = "none (it cannot be liquidated)" if liq is None else f"≈ {fmt.price(liq)}"
        parts.append(f"{u.underlying} {where}")
    if not parts:
        return None
    return "Liquidation modelled at the plan's prices: " + "; ".join(parts) + "."
