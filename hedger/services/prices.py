"""Live prices: refresh a portfolio's prices, show their ages, check contract sizes.

Used by the command line (``prices refresh``, ``prices show``, ``prices
contracts``) and the desktop app (the Prices menu and its worker thread, the
price ages in the tables and status bar, the Contracts dialog's comparison
with an exchange). Wraps ``hedger.live``.

Only ``hedger.live.age`` is imported up front: the network stack (urllib,
ssl) loads on the first refresh, so the desktop app does not pay for it at
start-up. Results are NamedTuples for the same reason (a dataclass costs
about a millisecond to build).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from hedger.core.models import Portfolio
from hedger.live.age import (
    STALE_AFTER,
    PriceStatus,
    fmt_age,
    futures_price_status,
    holding_price_status,
    instrument_of,
    summarize_prices,
    venue_of,
)
from hedger.live.validate import ACCEPT_HINT, fmt_price
from hedger.services.errors import ServiceError

if TYPE_CHECKING:
    # Types of what the functions return, for annotations in the front ends
    # (imported for real only when used: they pull in the network stack).
    from hedger.core.catalog import Catalog
    from hedger.live.contract_sizes import SizeDifference as SizeDifference
    from hedger.live.refresh import FetchReport as FetchReport
    from hedger.live.refresh import RefreshResult as RefreshResult
    from hedger.live.venues.base import PriceSource as PriceSource

#: The longest a whole refresh may be allowed to take, in seconds.
MAX_TIME_LIMIT = 600.0


class PricesError(ServiceError):
    """A refresh or comparison that cannot start or gave nothing; one line."""


def _one_line(message: object) -> str:
    from hedger.live.http import clip

    # Venue-supplied text: no control characters, bounded.
    return clip(message, 400)


# --------------------------------------------------------------------------- sources


class RefreshDefaults(NamedTuple):
    sources: tuple[str, ...]  # the built-in venue names, in fallback order
    timeout: float  # per request, seconds
    time_limit: float  # for a whole refresh, seconds


def refresh_defaults() -> RefreshDefaults:
    """What a refresh uses unless told otherwise (for help texts and menus)."""
    from hedger.live.http import DEFAULT_TIMEOUT
    from hedger.live.refresh import DEFAULT_TIME_LIMIT
    from hedger.live.venues import builtin_source_keys

    return RefreshDefaults(builtin_source_keys(), DEFAULT_TIMEOUT, DEFAULT_TIME_LIMIT)


class SourceChoice(NamedTuple):
    key: str  # what make_sources takes: "binance", "ccxt:bybit"
    label: str  # what a menu shows


DEFAULT_SOURCE_KEY = "default"


def source_choices() -> tuple[list[SourceChoice], list[SourceChoice]]:
    """The price sources a front end offers, from the venue registry:
    (built-in ones, first the default fallback chain; ccxt exchanges)."""
    from hedger.live.venues import all_venues, ccxt_price_ids

    builtin = [v for v in all_venues() if v.has_builtin_source]
    chain = ", then ".join(v.name for v in builtin)
    choices = [SourceChoice(DEFAULT_SOURCE_KEY, chain)]
    for v in builtin:
        spot_only = "" if v.has_futures_prices else " (spot)"
        choices.append(SourceChoice(v.key, f"{v.name} only{spot_only}"))
    ccxt = [SourceChoice(f"ccxt:{i}", f"ccxt: {i}") for i in ccxt_price_ids()]
    return choices, ccxt


def is_builtin_source(key: str) -> bool:
    """Whether ``key`` names a venue with a built-in source (not ccxt, not the default)."""
    from hedger.live.venues import builtin_source_keys

    return key.strip().lower() in builtin_source_keys()


def make_sources(names: Sequence[str] = (), *, timeout: float | None = None) -> list[PriceSource]:
    """Sources by name, asked in that order: binance, coinbase, okx or
    ccxt:<exchange>; none: the built-in venues in fallback order. Timeouts and
    retries come from the environment (HEDGER_LIVE_TIMEOUT,
    HEDGER_LIVE_RETRIES) unless ``timeout`` is given. Raises PricesError for
    an unknown name or a bad setting."""
    from hedger.live.http import HttpSettings, PriceSourceError
    from hedger.live.venues import builtin_source_keys, http_settings_from_env, make_source

    keys = list(names) or list(builtin_source_keys())
    try:
        settings = http_settings_from_env()
        if timeout is not None:
            settings = HttpSettings(
                timeout=timeout, retries=settings.retries, backoff=settings.backoff
            )
        return [make_source(k, settings=settings) for k in keys]
    except (PriceSourceError, ValueError) as exc:
        raise PricesError(_one_line(exc)) from None


# --------------------------------------------------------------------------- refresh


class RefreshRequest(NamedTuple):
    sources: tuple[str, ...] = ()  # none: the built-in venues in fallback order
    timeout: float | None = None  # per request; None: the environment's or the default
    time_limit: float | None = None  # for the whole refresh; None: the default
    include_futures: bool = True
    accept_jumps: bool = False  # take prices far from the last fetched or typed one


class PreparedRefresh(NamedTuple):
    """A refresh ready to run: the portfolio as read and the sources to ask."""

    path: Path
    portfolio: Portfolio
    sources: tuple[PriceSource, ...]
    time_limit: float
    request: RefreshRequest


def prepare_refresh(path: Path, request: RefreshRequest) -> PreparedRefresh:
    """Read the file and set up the sources; raises PortfolioFileError or PricesError."""
    from hedger.live.refresh import DEFAULT_TIME_LIMIT
    from hedger.services.portfolios import open_portfolio

    portfolio = open_portfolio(path)
    sources = make_sources(request.sources, timeout=request.timeout)
    limit = DEFAULT_TIME_LIMIT if request.time_limit is None else request.time_limit
    if not 0 < limit <= MAX_TIME_LIMIT:
        raise PricesError(f"--time-limit must be between 0 and {MAX_TIME_LIMIT:g} seconds")
    return PreparedRefresh(path, portfolio, tuple(sources), limit, request)


def run_refresh(
    prepared: PreparedRefresh, catalog: Catalog, now: datetime | None = None
) -> RefreshResult:
    """Fetch, validate and apply the prices (blocks up to the time limit); saves nothing."""
    from hedger.live.refresh import refresh_portfolio
    from hedger.live.validate import Plausibility

    request = prepared.request
    return refresh_portfolio(
        prepared.portfolio,
        prepared.sources,
        now or datetime.now(UTC),
        catalog=catalog,
        include_futures=request.include_futures,
        plausibility=Plausibility(check_jumps=not request.accept_jumps),
        time_limit=prepared.time_limit,
    )


def fetch_prices(
    portfolio: Portfolio,
    catalog: Catalog,
    sources: Sequence[PriceSource],
    *,
    now: datetime | None = None,
    include_futures: bool = True,
    on_progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    on_source: Callable[[str, str], None] | None = None,
) -> FetchReport:
    """The slow half of a refresh, for a worker thread: ask the venues (at most
    the default time limit), validate. ``on_progress(done, total)``,
    ``on_source(venue, kind)`` report; ``cancelled()`` is checked before every
    request. Apply the report with ``apply_prices`` on the current portfolio."""
    from hedger.live.refresh import fetch_quotes

    return fetch_quotes(
        portfolio,
        sources,
        now or datetime.now(UTC),
        catalog=catalog,
        include_futures=include_futures,
        progress=on_progress,
        should_stop=cancelled,
        on_source=on_source,
    )


def apply_prices(portfolio: Portfolio, report: FetchReport) -> RefreshResult:
    """Write a fetch's accepted prices into ``portfolio`` (the one current now)."""
    from hedger.live.refresh import apply_quotes

    return apply_quotes(portfolio, report)


def save_refresh(path: Path, result: RefreshResult) -> Portfolio:
    """Save a refresh's new prices into ``path`` as it is now, under the file's lock.

    The refresh worked on the file as read before asking the venues (up to
    its time limit); whatever another program saved meanwhile is kept, and
    only the fetched prices are applied on top. Raises PortfolioFileError,
    or StoreError when another save holds the file.
    """
    from hedger.live.refresh import FetchReport, apply_quotes
    from hedger.services.portfolios import update_portfolio

    fetched = result.portfolio.quotes
    keys = tuple(u.key for u in result.updates if u.key in fetched)
    report = FetchReport(
        fetched_at=result.fetched_at,
        wanted=keys,
        quotes={k: fetched[k] for k in keys},
        problems={},
        venue_errors=(),
    )
    return update_portfolio(path, lambda current: apply_quotes(current, report).portfolio)


def use_rejected_prices(
    portfolio: Portfolio, result: RefreshResult, keys: Iterable[str]
) -> RefreshResult:
    """Take prices a refresh rejected only for how far they moved ("Use anyway")."""
    from hedger.live.refresh import accept_jumps

    return accept_jumps(portfolio, result, keys)


def describe_key(key: str) -> str:
    """'BTC' or 'BTC futures', for tables and messages."""
    from hedger.live.refresh import describe_key as describe

    return describe(key)


# --------------------------------------------------------------------------- ages


class PriceAge(NamedTuple):
    """One price in a portfolio: where it came from and how old it is."""

    name: str  # "BTC" or "BTC futures"
    kind: Literal["spot", "futures"]
    price: Decimal
    source: str  # a venue, "typed", or "par" for a stablecoin at 1
    status: PriceStatus | None  # None: typed, never fetched


def price_ages(portfolio: Portfolio, now: datetime | None = None) -> list[PriceAge]:
    """Each holding symbol's spot price, then each futures price, with source and age."""
    now = now or datetime.now(UTC)
    out: list[PriceAge] = []
    for symbol in dict.fromkeys(h.symbol for h in portfolio.holdings):
        holding = next(h for h in portfolio.holdings if h.symbol == symbol)
        status = holding_price_status(portfolio, symbol, now)
        if holding.is_stablecoin:
            source = "par" if holding.price == 1 else "typed"
        else:
            source = status.source if status else "typed"
        out.append(PriceAge(symbol, "spot", holding.price, source, status))
    for underlying, price in portfolio.hedge.futures_prices.items():
        status = futures_price_status(portfolio, underlying, now)
        source = status.source if status else "typed"
        out.append(PriceAge(f"{underlying} futures", "futures", price, source, status))
    return out


# --------------------------------------------------------------------------- contract sizes


def ccxt_available() -> bool:
    """Whether the optional ccxt extra is installed (without importing it)."""
    from hedger.live.venues.ccxt import ccxt_available as available

    return available()


def size_comparison_exchanges() -> tuple[str, ...]:
    """ccxt exchanges whose markets list catalog contracts, to compare sizes with."""
    from hedger.live.venues import ccxt_market_ids

    return ccxt_market_ids()


class SizeComparison(NamedTuple):
    exchange: str  # the ccxt exchange id, normalised
    differences: list[SizeDifference]


def compare_contract_sizes(
    exchange: str, catalog: Catalog | None = None, *, module: Any | None = None
) -> SizeComparison:
    """Where ``catalog``'s contracts (the shipped ones by default) differ from the
    exchange's market list, loaded through ccxt. Raises PricesError."""
    from hedger.core.catalog import builtin_catalog
    from hedger.live.http import PriceSourceError
    from hedger.live.venues import http_settings_from_env, venue_for_exchange
    from hedger.live.venues.ccxt import CcxtSource

    try:
        timeout = http_settings_from_env().timeout
        source = CcxtSource(exchange, timeout=timeout, module=module)
        codes = venue_for_exchange(source.exchange_id).catalog_codes
        differences = source.compare_catalog(catalog or builtin_catalog(), codes)
    except PriceSourceError as exc:
        raise PricesError(_one_line(exc)) from None
    return SizeComparison(source.exchange_id, differences)


#: Types the functions return, importable from here at run time too (for
#: ``isinstance``) without loading their modules before they are asked for.
_LAZY_TYPES = {
    "FetchReport": "hedger.live.refresh",
    "RefreshResult": "hedger.live.refresh",
    "PriceSource": "hedger.live.venues.base",
    "SizeDifference": "hedger.live.contract_sizes",
}


def __getattr__(name: str) -> Any:
    module = _LAZY_TYPES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)


__all__ = [
    "ACCEPT_HINT",
    "DEFAULT_SOURCE_KEY",
    "MAX_TIME_LIMIT",
    "STALE_AFTER",
    "PreparedRefresh",
    "PriceAge",
    "PriceStatus",
    "PricesError",
    "RefreshDefaults",
    "RefreshRequest",
    "SizeComparison",
    "SourceChoice",
    "apply_prices",
    "ccxt_available",
    "compare_contract_sizes",
    "describe_key",
    "fetch_prices",
    "fmt_age",
    "fmt_price",
    "futures_price_status",
    "holding_price_status",
    "instrument_of",
    "is_builtin_source",
    "make_sources",
    "prepare_refresh",
    "price_ages",
    "refresh_defaults",
    "run_refresh",
    "save_refresh",
    "size_comparison_exchanges",
    "source_choices",
    "summarize_prices",
    "use_rejected_prices",
    "venue_of",
]
