"""Analytics over stored price history: betas, backtests, risk, and position sizing.

Used by the command line (``beta``, ``backtest``, ``risk``, ``size``) and the
desktop app (the Betas, Backtest, Risk and Sizing tabs and the beta hints in
the holdings table). Wraps ``hedger.core.analytics`` and the history store.

Two ways to get the histories a portfolio needs: ``load_histories`` reads
the store and refuses when a hedge's history is damaged (the command line);
``histories_for`` asks a ``SeriesSource`` such as ``HistoryCache`` and
leaves damaged ones out (the app lists them beside its results).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Protocol

from hedger.core.analytics.links import AnalyticsError, link_portfolio
from hedger.core.analytics.series import PriceSeries
from hedger.services.catalog import family_for
from hedger.services.errors import ServiceError

if TYPE_CHECKING:
    from hedger.core.analytics.backtest import BacktestConfig, BacktestResult
    from hedger.core.analytics.estimation import HoldingEstimate, Window
    from hedger.core.analytics.funding import BacktestCarry
    from hedger.core.analytics.position_sizing import SizingResult
    from hedger.core.analytics.risk import RiskConfig, RiskResult
    from hedger.core.catalog import Catalog, Family
    from hedger.core.models import Portfolio
    from hedger.core.planner import Plan
    from hedger.store.history import HistoryStore


class AnalyticsInputError(ServiceError):
    """The inputs give no result (no history for a hedge, nothing to hedge...); one line."""


class Cancelled(ServiceError):
    """The caller's ``cancelled()`` asked to stop."""


class SeriesSource(Protocol):
    """Stored histories by symbol, e.g. ``hedger.services.history.HistoryCache``."""

    def symbols(self) -> frozenset[str]: ...

    def series(self, symbols: Iterable[str]) -> dict[str, PriceSeries]: ...


def histories_for(
    portfolio: Portfolio,
    catalog: Catalog,
    source: SeriesSource,
    hedge_series: Mapping[str, str] | None = None,
    *,
    cancelled: Callable[[], bool] | None = None,
) -> dict[str, PriceSeries]:
    """The histories valuing ``portfolio``'s holdings and hedges that ``source`` has.

    Loading is the slow part (a minute file holds millions of rows):
    ``cancelled()`` is asked before each history and raises Cancelled.
    """
    links = link_portfolio(portfolio, catalog, source.symbols(), hedge_series)
    out: dict[str, PriceSeries] = {}
    for symbol in sorted(links.series_needed()):
        if cancelled is not None and cancelled():
            raise Cancelled("stopped")
        out.update(source.series([symbol]))
    return out


def load_histories(
    portfolio: Portfolio,
    catalog: Catalog,
    hedge_series: Mapping[str, str] | None = None,
    *,
    store: HistoryStore | None = None,
    on_warning: Callable[[str], None] | None = None,
) -> dict[str, PriceSeries]:
    """The stored histories ``portfolio`` needs, read strictly.

    A damaged history of a hedge is an AnalyticsInputError (without it there
    is nothing to compute); a damaged one of a holding goes to
    ``on_warning`` (the holding then moves with its hedge). Store failures
    raise HistoryStoreError.
    """
    from hedger.store.history import HistoryStore

    store = store or HistoryStore()
    infos, damaged = store.scan()
    available = frozenset(i.symbol for i in infos)
    links = link_portfolio(portfolio, catalog, available, hedge_series)
    needed = links.series_needed() | {h.holding.symbol for h in links.holdings}
    hedges = {h.hedge_series for h in links.holdings}
    for d in damaged:
        if d.symbol in hedges:
            # Say why, not "import one".
            raise AnalyticsInputError(d.message())
        if d.symbol in needed and on_warning is not None:
            on_warning(d.message())
    return store.load_many(links.series_needed() & available)


def estimate_betas(
    portfolio: Portfolio,
    catalog: Catalog,
    histories: Mapping[str, PriceSeries],
    window: Window,
    hedge_series: Mapping[str, str] | None = None,
) -> list[HoldingEstimate]:
    """Per holding with histories of its own and of its hedge: beta, correlation,
    the minimum-variance hedge ratio and hedge effectiveness."""
    from hedger.core.analytics.estimation import estimate_holdings

    return estimate_holdings(portfolio, catalog, histories, window, hedge_series)


def backtest(
    portfolio: Portfolio,
    catalog: Catalog,
    histories: Mapping[str, PriceSeries],
    config: BacktestConfig,
    hedge_series: Mapping[str, str] | None = None,
    *,
    plan: Plan | None = None,
    carry: BacktestCarry | None = None,
) -> BacktestResult:
    """Hedged and unhedged value over the histories; ``plan`` defaults to the
    portfolio's own; ``carry`` (``hedger.services.carry.backtest_carry``) adds
    funding and calendar rolls. Raises AnalyticsInputError."""
    from hedger.core.analytics.backtest import run_backtest

    plan = plan or _plan(portfolio, catalog)
    with _refused_inputs():
        return run_backtest(portfolio, plan, catalog, histories, config, hedge_series, carry)


def simulate(
    portfolio: Portfolio,
    catalog: Catalog,
    histories: Mapping[str, PriceSeries],
    config: RiskConfig,
    hedge_series: Mapping[str, str] | None = None,
    *,
    plan: Plan | None = None,
) -> RiskResult:
    """Monte Carlo of hedged and unhedged P&L over the config's horizon; ``plan``
    defaults to the portfolio's own. Raises AnalyticsInputError."""
    from hedger.core.analytics.risk import simulate_risk

    plan = plan or _plan(portfolio, catalog)
    with _refused_inputs():
        return simulate_risk(portfolio, plan, catalog, histories, config, hedge_series)


def _plan(portfolio: Portfolio, catalog: Catalog) -> Plan:
    from hedger.core.planner import plan_portfolio

    return plan_portfolio(portfolio, catalog)


@contextmanager
def _refused_inputs() -> Iterator[None]:
    """The core's AnalyticsError as the services' AnalyticsInputError."""
    try:
        yield
    except AnalyticsError as exc:
        raise AnalyticsInputError(str(exc)) from None


@dataclass(frozen=True)
class SizingRequest:
    """A trade to size: equity, the share of it to risk, entry and stop."""

    equity: Decimal
    risk_percent: Decimal
    entry: Decimal
    stop: Decimal
    leverage: Decimal = Decimal(10)
    include_fees: bool = False
    family_id: str | None = None  # None: the default family of ``underlying``
    underlying: str = "BTC"


@dataclass(frozen=True)
class FamilySizing:
    family: Family
    result: SizingResult


def size_trade(catalog: Catalog, request: SizingRequest) -> FamilySizing:
    """Contracts per tier of the family that risk the requested share at the stop.

    Raises UnknownFamily or AnalyticsInputError.
    """
    from hedger.core.analytics.position_sizing import PositionSizingError, size_position

    family = family_for(catalog, request.family_id, request.underlying)
    contracts = catalog.family_contracts(family.id)
    try:
        result = size_position(
            request.equity,
            request.risk_percent,
            request.entry,
            request.stop,
            contracts,
            request.leverage,
            include_fees=request.include_fees,
        )
    except PositionSizingError as exc:
        raise AnalyticsInputError(str(exc)) from None
    return FamilySizing(family, result)


__all__ = [
    "AnalyticsInputError",
    "Cancelled",
    "FamilySizing",
    "SeriesSource",
    "SizingRequest",
    "backtest",
    "estimate_betas",
    "histories_for",
    "load_histories",
    "simulate",
    "size_trade",
]
