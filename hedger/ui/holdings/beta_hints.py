"""Estimated betas for the holdings editor, computed from stored history off the GUI thread.

The holdings table shows "est 1.38" beside a beta when history suggests
another value. Estimating means loading histories (millions of rows for a
minute file) and resampling them, so it runs on the thread pool and only
when what it depends on changes: the stored histories or the holdings'
symbols and hedge choices. Quantity, price and beta edits cost nothing.

This module is imported at start-up, so it imports nothing heavy at the top:
numpy, the analytics code and pyqtgraph (pulled in by the analytics tabs) are
imported on a worker thread by ``start``, which also warms them up for the
first analytics tab the user opens.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from hedger.core.models import Holding, Portfolio
from hedger.ui.analytics.history_follower import HistoryFollower
from hedger.ui.analytics.registry import ANALYTICS_TABS
from hedger.ui.document.document import PortfolioDocument
from hedger.ui.holdings.columns import BetaEstimate, EstimateKey

if TYPE_CHECKING:
    from hedger.core.catalog import Catalog
    from hedger.ui.analytics.history_library import HistoryLibrary

WINDOW_DAYS = 365  # the Betas tab's default window: the same numbers in both places
WARM_MODULES = (
    "hedger.core.analytics.estimation",
    "hedger.ui.analytics.history_library",
    *(entry.module for entry in ANALYTICS_TABS),
)


def hint_inputs(portfolio: Portfolio) -> Hashable:
    """What the estimates depend on in the portfolio: symbols and hedge choices only."""
    return (
        frozenset((h.symbol, h.hedge_with) for h in portfolio.holdings if not h.is_stablecoin),
        tuple(sorted(portfolio.hedge.families.items())),
    )


def estimate_betas(
    portfolio: Portfolio, catalog: Catalog, library: HistoryLibrary
) -> dict[EstimateKey, BetaEstimate]:
    """One estimate per (symbol, underlying) that has both histories (worker thread)."""
    from hedger.core.analytics.estimation import INTERVAL_NAMES, Window, estimate_holdings
    from hedger.core.analytics.links import link_portfolio

    links = link_portfolio(portfolio, catalog, library.symbols())
    series = library.series(links.series_needed())
    window = Window(lookback_days=WINDOW_DAYS, interval="day")
    out: dict[EstimateKey, BetaEstimate] = {}
    seen: set[tuple[str, str | None]] = set()
    # One holding per symbol and hedge choice is enough: the estimate is the same.
    unique: list[Holding] = []
    for h in portfolio.holdings:
        key = (h.symbol, h.hedge_with)
        if h.is_stablecoin or key in seen:
            continue
        seen.add(key)
        unique.append(h)
    book = portfolio.model_copy(update={"holdings": tuple(unique)})
    for e in estimate_holdings(book, catalog, series, window):
        beta = e.suggested_beta
        if e.estimate is None or beta is None:
            continue
        out[(e.symbol, e.underlying)] = BetaEstimate(
            beta=beta,
            observations=e.estimate.observations,
            interval=INTERVAL_NAMES[window.interval],
            hedge_series=e.hedge_series,
            effectiveness=e.estimate.effectiveness,
        )
    return out


class BetaHints(HistoryFollower):
    """Feeds ``HoldingsTableModel.set_beta_estimates`` from the history library.

    ``library`` is called once, on the GUI thread, after the analytics modules
    are imported in the background: it returns the window's shared
    HistoryLibrary (built then if no analytics tab has built it yet), so an
    import in the History tab updates the hints too.
    """

    estimatesChanged = Signal(object)  # dict[(symbol, underlying), BetaEstimate]

    WARM_MODULES = WARM_MODULES

    def __init__(
        self,
        document: PortfolioDocument,
        library: Callable[[], HistoryLibrary],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(library, name="hedger-beta-hints", delay_ms=300, parent=parent)
        self._doc = document
        self._inputs: Hashable = None  # of the last computation started
        self.estimates: dict[EstimateKey, BetaEstimate] = {}
        document.portfolioChanged.connect(self._on_portfolio)
        # Another catalog can route a holding to another underlying.
        document.catalogChanged.connect(self.refresh)

    def _forget(self) -> None:
        self._inputs = None

    def _on_portfolio(self) -> None:
        # Inputs are compared once the edits pause (in _start), not per edit:
        # building them walks every holding.
        if self._library is not None:
            self._timer.start()

    def _start(self) -> None:
        library = self._library
        if library is None:
            return
        portfolio, catalog = self._doc.portfolio, self._doc.catalog
        inputs = hint_inputs(portfolio)
        if inputs == self._inputs:
            return
        self._inputs = inputs
        self._task.start(
            lambda _state: estimate_betas(portfolio, catalog, library), self._on_done, self._on_fail
        )

    def _on_done(self, estimates: dict[EstimateKey, BetaEstimate]) -> None:
        self.estimates = estimates
        self.estimatesChanged.emit(estimates)

    def _on_fail(self, _exc: Exception) -> None:
        """No hints is the quiet fallback: the Betas tab shows the reason."""
