"""Live price refresh in the desktop app: its actions, the background fetch, and its outcome.

The fetch runs as a background task (venues can take seconds, or time out)
and reports back on the GUI thread; the result is applied on the GUI
thread to the document as it is *then*, as one undoable "Refresh Prices"
step. Consecutive automatic refreshes merge into that step, so an hour of
auto-refresh is one undo, not sixty. Failures keep the previous prices and
say why in the status bar; Prices ▸ Refresh Details (or a click on the price
age in the status bar) lists every symbol's outcome. A refresh takes at most
20 s and Esc stops it.
"""

from __future__ import annotations

import functools
import weakref
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QIcon, QKeySequence
from PySide6.QtWidgets import QApplication, QInputDialog, QMenu, QStyle, QWidget

from hedger.core.catalog import Catalog
from hedger.core.models import Portfolio
from hedger.services import prices as price_service
from hedger.ui.document.commands import RefreshPricesCommand
from hedger.ui.document.document import PortfolioDocument
from hedger.ui.tasks import TaskRunner, TaskState

if TYPE_CHECKING:
    # The network stack (urllib, ssl) loads on the first refresh, not at start-up.
    from hedger.services.prices import FetchReport, PriceSource, RefreshResult
    from hedger.ui.contracts.dialog import ContractsDialog
    from hedger.ui.prices.details_dialog import RefreshDetailsDialog

AUTO_REFRESH_CHOICES = (0, 1, 5, 15)  # minutes; 0 = off

SourcesFactory = Callable[[], Sequence["PriceSource"]]
Clock = Callable[[], datetime]

DEFAULT_SOURCE = price_service.DEFAULT_SOURCE_KEY
CCXT_INSTALL = "pip install 'hedger[live]'"
TIME_LIMIT_TEXT = "at most 20 s"

# The window builds PriceAgeWidget(document) without the controller; this
# finds the controller of a document so the widget can open the details.
_controllers: weakref.WeakValueDictionary[int, LivePricesController] = weakref.WeakValueDictionary()


@functools.cache
def _source_choices() -> tuple[list[price_service.SourceChoice], list[price_service.SourceChoice]]:
    return price_service.source_choices()


def controller_for(document: PortfolioDocument) -> LivePricesController | None:
    return _controllers.get(id(document))


def utc_now() -> datetime:
    return datetime.now(UTC)


def _default_sources() -> Sequence[PriceSource]:
    return price_service.make_sources()


class LivePricesController(QObject):
    """Refresh Prices (F5), optional auto-refresh, and their status signals.

    The lead's window adds ``refresh_action`` to a toolbar and a menu (or uses
    ``menu()``), connects ``statusMessage`` to the status bar, and puts a
    ``PriceAgeWidget`` and a ``RefreshProgressBar`` there.
    """

    busyChanged = Signal(bool)
    statusMessage = Signal(str)
    progress = Signal(int, int)  # done, total (venue requests)
    fetching = Signal(str)  # "Fetching Binance…", while a refresh runs
    refreshed = Signal(object)  # RefreshResult, after it was applied
    autoRefreshChanged = Signal(int)  # minutes, 0 = off
    sourceChanged = Signal(str)  # source key
    catalogChanged = Signal(object)  # Catalog, after the Contracts dialog saved

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
        self._clock = clock or utc_now
        self._busy = False
        self._auto_pending = False
        self.last_refresh_auto = False
        # Each refresh has its own task state: a stopped refresh still winding
        # down (waiting on a silent venue) is not revived by the next one.
        self._task = TaskRunner(self, name="hedger-price-refresh")
        self._task.busyChanged.connect(self._set_busy)
        self._source_key = DEFAULT_SOURCE
        self.last_result: RefreshResult | None = None
        self._details: RefreshDetailsDialog | None = None
        self._contracts: ContractsDialog | None = None
        _controllers[id(document)] = self
        document.pathChanged.connect(lambda _path: self._forget_result())

        self._make_actions()
        # Made when first needed (the Source menu opens, a source is set):
        # they come from the venue registry, which need not load before the
        # window first paints.
        self._source_actions: dict[str, QAction] | None = None
        self._make_auto_refresh_actions()

    def _make_actions(self) -> None:
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

        self.stop_action = QAction("&Stop Refresh", self)
        self.stop_action.setIcon(_stop_icon())
        self.stop_action.setShortcut(QKeySequence(Qt.Key.Key_Escape))
        self.stop_action.setStatusTip("Stop the running price refresh and keep the current prices")
        self.stop_action.setToolTip("Stop refreshing prices (Esc)")
        self.stop_action.setEnabled(False)
        self.stop_action.triggered.connect(lambda _checked=False: self.cancel())

        self.details_action = QAction("Refresh &Details…", self)
        self.details_action.setStatusTip(
            "Every price the last refresh asked for: updated, rejected (and why) or not listed"
        )
        self.details_action.setEnabled(False)
        self.details_action.triggered.connect(lambda _checked=False: self.show_details())

        self.contracts_action = QAction("&Contracts…", self)
        self.contracts_action.setStatusTip(
            "The contract catalog: add or edit your own contracts and families, "
            "compare with an exchange"
        )
        self.contracts_action.triggered.connect(lambda _checked=False: self.show_contracts())

        self.include_futures_action = QAction("Also Update &Futures Prices", self)
        self.include_futures_action.setCheckable(True)
        self.include_futures_action.setChecked(True)
        self.include_futures_action.setStatusTip(
            "Set each underlying's futures price to the perpetual's mark price when refreshing"
        )

    @property
    def source_actions(self) -> dict[str, QAction]:
        """The Source menu's choices, by source key."""
        if self._source_actions is None:
            self._make_source_actions()
        assert self._source_actions is not None
        return self._source_actions

    def _make_source_actions(self) -> None:
        # Built-in sources (no extra needed), then the ccxt exchanges offered
        # in the menu, both from the venue registry; any other ccxt id can be
        # typed under "Other ccxt Exchange…".
        builtin, ccxt = _source_choices()
        self.source_group = QActionGroup(self)
        self._source_actions = {}
        for key, label in builtin:
            self._add_source_action(key, label)
        self.ccxt_available = price_service.ccxt_available()
        for key, label in ccxt:
            self._add_source_action(key, label)
        self.other_ccxt_action = QAction("Other ccxt Exchange…", self)
        self.other_ccxt_action.triggered.connect(lambda _checked=False: self._ask_ccxt_exchange())
        self.ccxt_hint_action = QAction(f"ccxt not installed: {CCXT_INSTALL}", self)
        self.ccxt_hint_action.setEnabled(False)
        for key, a in self.source_actions.items():
            if key.startswith("ccxt:") and not self.ccxt_available:
                a.setEnabled(False)
                a.setStatusTip(f"Needs the ccxt library: {CCXT_INSTALL}")
        self.other_ccxt_action.setEnabled(self.ccxt_available)
        self.source_actions[self._source_key].setChecked(True)

    def _make_auto_refresh_actions(self) -> None:
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

    @property
    def source_key(self) -> str:
        """ "default", "binance", "coinbase", "okx" or "ccxt:<exchange>"."""
        return self._source_key

    def menu(self, parent: QWidget | None = None) -> QMenu:
        """A "Prices" menu: refresh, stop, details, source, auto-refresh, contracts."""
        m = QMenu("&Prices", parent)
        m.addAction(self.refresh_action)
        m.addAction(self.stop_action)
        m.addAction(self.details_action)
        m.addSeparator()
        src = m.addMenu("&Source")
        src.aboutToShow.connect(lambda: self._fill_source_menu(src))
        auto = m.addMenu("&Auto-Refresh")
        auto.addActions(list(self.auto_refresh_actions.values()))
        m.addAction(self.include_futures_action)
        m.addSeparator()
        m.addAction(self.contracts_action)
        return m

    def _fill_source_menu(self, menu: QMenu) -> None:
        """Fills the Source menu when it first opens."""
        if menu.actions():
            return
        actions = self.source_actions
        for key, _label in _source_choices()[0]:
            menu.addAction(actions[key])
        menu.addSeparator()
        section = menu.addSection("ccxt exchanges")
        section.setText("ccxt exchanges")
        if not self.ccxt_available:
            menu.addAction(self.ccxt_hint_action)
        for key, a in self.source_actions.items():
            if key.startswith("ccxt:"):
                menu.addAction(a)
        menu.addAction(self.other_ccxt_action)

    def _add_source_action(self, key: str, label: str) -> QAction:
        a = QAction(label, self, checkable=True)
        a.triggered.connect(lambda _checked=False, k=key: self.set_source(k))
        self.source_group.addAction(a)
        self.source_actions[key] = a
        return a

    def set_source(self, key: str) -> None:
        """Where the next refresh fetches from (see ``source_key``)."""
        k = key.strip().lower()
        if k == self._source_key == DEFAULT_SOURCE and self._source_actions is None:
            return  # nothing to check yet: the menu checks it when it is made
        if k != DEFAULT_SOURCE and not price_service.is_builtin_source(k):
            exchange = k.removeprefix("ccxt:")
            if not k.startswith("ccxt:") or not exchange.replace("_", "").isalnum():
                raise ValueError(f"unknown price source {key!r}")
            if k not in self.source_actions:
                self._add_source_action(k, f"ccxt: {exchange}")
        self.source_actions[k].setChecked(True)
        if k == self._source_key:
            return
        self._source_key = k
        self.sourceChanged.emit(k)
        label = self.source_actions[k].text().replace("&", "")
        self.statusMessage.emit(f"Prices will come from {label}")

    def _ask_ccxt_exchange(self) -> None:
        parent = self.parent() if isinstance(self.parent(), QWidget) else None
        text, ok = QInputDialog.getText(
            parent,  # type: ignore[arg-type]
            "ccxt Exchange",
            "ccxt exchange id (for example kraken, bitstamp, gateio):",
        )
        if ok and text.strip():
            try:
                self.set_source(f"ccxt:{text}")
            except ValueError:
                self.statusMessage.emit(f"{text.strip()[:40]!r} is not a ccxt exchange id")
                self.source_actions[self._source_key].setChecked(True)

    def _sources(self) -> Sequence[PriceSource]:
        if self._source_key == DEFAULT_SOURCE:
            return self._sources_factory()
        return price_service.make_sources([self._source_key])

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
        self._auto_pending = auto
        catalog = self.document.catalog
        now = self._clock()
        include_futures = self.include_futures_action.isChecked()
        self._task.start(
            lambda state: self._work(portfolio, catalog, now, include_futures, state),
            self._on_finished,
            on_progress=self.progress.emit,
            on_status=self.fetching.emit,
        )
        self.statusMessage.emit(f"Refreshing prices ({TIME_LIMIT_TEXT}; Esc stops)…")
        self.fetching.emit("Fetching prices…")
        return True

    def cancel(self) -> None:
        """Stop waiting for the running refresh; its result will be ignored."""
        if not self._busy:
            return
        self._task.cancel()
        self.statusMessage.emit("Price refresh stopped — kept previous prices")

    def shutdown(self) -> None:
        """Stop timers and abandon a running refresh (call when the window closes)."""
        self._auto_timer.stop()
        self._task.cancel()

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
        state: TaskState,
    ) -> FetchReport | str:
        # Runs on the worker thread: touches only immutable inputs and the state.
        try:

            def on_source(venue: str, kind: str) -> None:
                what = "prices" if kind == "spot" else "futures prices"
                state.set_status(f"Fetching {what} from {venue}…")

            return price_service.fetch_prices(
                portfolio,
                catalog,
                list(self._sources()),
                now=now,
                include_futures=include_futures,
                on_progress=state.set_progress,
                cancelled=state.is_cancelled,
                on_source=on_source,
            )
        except Exception as exc:
            # Nothing from the network may crash the app; say what happened.
            return f"Price refresh failed ({type(exc).__name__}: {exc}) — kept previous prices"

    # -- GUI thread --------------------------------------------------------------
    def _on_finished(self, outcome: FetchReport | str) -> None:
        auto = self._auto_pending
        self.last_refresh_auto = auto  # issue 14: drift notifications follow automatic ones
        if isinstance(outcome, str):
            self.statusMessage.emit(outcome[:300])
            return
        result = price_service.apply_prices(self.document.portfolio, outcome)
        if result.ok and result.portfolio != self.document.portfolio:
            text = "Auto-Refresh Prices" if auto else "Refresh Prices"
            self.document.undo_stack.push(
                RefreshPricesCommand(self.document, result.portfolio, text, auto=auto)
            )
        self.last_result = result
        self.details_action.setEnabled(True)
        self.statusMessage.emit(result.summary())
        self.refreshed.emit(result)
        if self._details is not None and self._details.isVisible():
            self._details.set_result(result, self.document.portfolio)

    def _forget_result(self) -> None:
        # Another file: the last refresh's details describe a different book.
        self.last_result = None
        self.details_action.setEnabled(False)
        if self._details is not None:
            self._details.close()

    # -- details and "Use anyway" -------------------------------------------------
    def _window(self) -> QWidget | None:
        parent = self.parent()
        return parent if isinstance(parent, QWidget) else None

    def show_details(self) -> RefreshDetailsDialog | None:
        """Open the last refresh's outcome per symbol; None when there was none yet."""
        if self.last_result is None:
            self.statusMessage.emit("No refresh yet: press F5 to fetch prices")
            return None
        from hedger.ui.prices.details_dialog import RefreshDetailsDialog

        if self._details is not None:
            self._details.close()
            self._details.deleteLater()
        dlg = RefreshDetailsDialog(self.last_result, self.document.portfolio, self._window())
        dlg.useAnyway.connect(self.use_anyway)
        self._details = dlg
        dlg.show()
        dlg.raise_()
        return dlg

    def use_anyway(self, keys: Sequence[str]) -> bool:
        """Take prices the last refresh rejected only for their jump, as one undo step."""
        result = self.last_result
        if result is None:
            return False
        chosen = [k for k in keys if k in result.jumps]
        if not chosen:
            return False
        taken = price_service.use_rejected_prices(self.document.portfolio, result, chosen)
        if taken.portfolio == self.document.portfolio:
            return False
        names = ", ".join(price_service.describe_key(k) for k in chosen)
        self.document.undo_stack.push(
            RefreshPricesCommand(self.document, taken.portfolio, f"Use Rejected Price ({names})")
        )
        self.statusMessage.emit(f"Used the rejected price for {names} (Undo reverts it)")
        return True

    # -- contracts ---------------------------------------------------------------
    def show_contracts(self) -> ContractsDialog:
        """Open the Contracts dialog; its saves re-plan the open portfolio."""
        from hedger.ui.contracts.dialog import ContractsDialog

        if self._contracts is None:
            self._contracts = ContractsDialog(self.document.catalog, self._window())
            self._contracts.catalogChanged.connect(self._on_catalog_changed)
        else:
            self._contracts.set_catalog(self.document.catalog)
        self._contracts.show()
        self._contracts.raise_()
        self._contracts.activateWindow()
        return self._contracts

    def _on_catalog_changed(self, catalog: Catalog) -> None:
        self.document.set_catalog(catalog)
        self.catalogChanged.emit(catalog)

    def _on_auto_tick(self) -> None:
        self.refresh(auto=True)

    def _set_busy(self, busy: bool) -> None:
        if busy == self._busy:
            return
        self._busy = busy
        self.refresh_action.setEnabled(not busy)
        self.stop_action.setEnabled(busy)
        self.busyChanged.emit(busy)


def _stop_icon() -> QIcon:
    icon = QIcon.fromTheme("process-stop")
    if icon.isNull():
        style = QApplication.style()
        if style is not None:
            icon = style.standardIcon(QStyle.StandardPixmap.SP_BrowserStop)
    return icon


def _refresh_icon() -> QIcon:
    icon = QIcon.fromTheme("view-refresh")
    if icon.isNull():
        style = QApplication.style()
        if style is not None:
            icon = style.standardIcon(QStyle.StandardPixmap.SP_BrowserReload)
    return icon
