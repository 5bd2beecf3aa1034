"""Refreshing a portfolio's prices from live sources.

Two steps, so a GUI can run the slow one on a worker thread:

* ``fetch_quotes`` (slow, blocking, thread-safe: it only reads an immutable
  Portfolio) asks the sources in fallback order and validates the answers;
* ``apply_quotes`` (fast) writes the accepted quotes into a Portfolio —
  the one current at that moment, so edits made during the fetch survive.

Holdings take spot prices; ``hedge.futures_prices`` take the mark price of
the hedge's own contract where its venue is a source (OKX), otherwise the
USDT-margined perpetual's, which stands in for CME, dated and inverse
contracts at a small basis (the quote's source names the instrument: "Binance
· BTCUSDT perpetual"). A whole refresh is bounded by ``DEFAULT_TIME_LIMIT``;
a venue that could not be reached is not asked again. Every accepted price is kept in
``Portfolio.quotes`` with its source and time so a saved file opens offline
with them. A price that is not accepted leaves the old one in place.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Literal

from hedger.core.catalog import Catalog, builtin_catalog
from hedger.core.models import HedgeSettings, Holding, Portfolio, Quote
from hedger.core.planner import resolve_underlying
from hedger.live.age import (
    FUTURES_PREFIX,
    as_utc,
    futures_key,
    futures_price_status,
    holding_price_status,
    instrument_of,
    prices_by_symbol,
    venue_of,
)
from hedger.live.quote_requests import (
    REJECTED,
    AnswerCheck,
    Collected,
    Kind,
    ask_venues,
    key_label,
    plan_requests,
)
from hedger.live.validate import Plausibility
from hedger.live.venues.base import PriceSource

PAR_SOURCE = "par"
ONE = Decimal(1)
# The longest a whole refresh may take, over every venue and retry: a person
# pressing F5 waits for it, and an offline laptop should hear so in seconds.
DEFAULT_TIME_LIMIT = 20.0


@dataclass(frozen=True, slots=True)
class Wanted:
    spot: tuple[str, ...]  # holding symbols, stablecoins excluded
    futures: tuple[str, ...]  # hedge underlyings


def wanted_prices(portfolio: Portfolio, catalog: Catalog) -> Wanted:
    """Symbols whose spot price and underlyings whose futures price a refresh asks for."""
    families = dict(portfolio.hedge.families)
    spot: dict[str, None] = {}
    futures: dict[str, None] = {}
    for h in portfolio.holdings:
        if h.is_stablecoin:
            continue
        spot[h.symbol] = None
        futures[resolve_underlying(h, catalog, families)[0]] = None
    for u in portfolio.hedge.futures_prices:
        futures[u] = None
    return Wanted(tuple(spot), tuple(futures))


Severity = Literal["rejected", "unlisted"]


@dataclass(frozen=True, slots=True)
class FetchReport:
    """What the sources answered, already validated."""

    fetched_at: datetime
    wanted: tuple[str, ...]  # quote keys asked for
    quotes: dict[str, Quote]  # accepted, by quote key
    problems: dict[str, str]  # quote key -> why it has no new price (worst first)
    venue_errors: tuple[str, ...]
    stopped: bool = False
    #: "rejected" (a venue answered something unusable) or "unlisted", by key.
    severity: dict[str, Severity] = field(default_factory=dict)
    #: Prices rejected only for how far they moved; "Use anyway" applies them.
    jumps: dict[str, Quote] = field(default_factory=dict)
    #: Whether the refresh's time limit cut it short.
    timed_out: bool = False
    #: The worst single reason per kept key, for a one-line summary.
    headlines: dict[str, str] = field(default_factory=dict)


def _last_prices(portfolio: Portfolio, now: datetime, p: Plausibility) -> dict[str, Decimal]:
    """Recent fetched prices by quote key: the reference for plausibility."""
    recent = {
        k: q.price
        for k, q in portfolio.quotes.items()
        if as_utc(now) - as_utc(q.fetched_at) <= p.window
    }
    # A perpetual trades near spot, so a recent spot price guards a first
    # futures fetch too (and the other way round).
    for key in list(recent):
        if key.startswith(FUTURES_PREFIX):
            recent.setdefault(key.removeprefix(FUTURES_PREFIX), recent[key])
        else:
            recent.setdefault(futures_key(key), recent[key])
    return recent


def _typed_prices(portfolio: Portfolio, now: datetime) -> dict[str, Decimal]:
    """Prices the person typed, by quote key: the wider plausibility reference.

    A price that is another symbol's too is not one: a new row starts as a
    copy of the row above (symbol and price) and only the symbol was changed.
    """
    # How many symbols carry each price: one pass, not a scan per holding.
    symbols_at: Counter[Decimal] = Counter()
    for prices in prices_by_symbol(portfolio).values():
        symbols_at.update(prices)
    typed: dict[str, Decimal] = {}
    for h in portfolio.holdings:
        if h.is_stablecoin or h.symbol in typed or h.price <= 0:
            continue
        if holding_price_status(portfolio, h.symbol, now) is not None:
            continue  # fetched, not typed
        if symbols_at[h.price] > 1:
            continue
        typed[h.symbol] = h.price
    for u, price in portfolio.hedge.futures_prices.items():
        if price > 0 and futures_price_status(portfolio, u, now) is None:
            typed[futures_key(u)] = price
    for key in list(typed):
        if not key.startswith(FUTURES_PREFIX):
            typed.setdefault(futures_key(key), typed[key])
    return typed


def fetch_quotes(
    portfolio: Portfolio,
    sources: Sequence[PriceSource],
    now: datetime,
    *,
    catalog: Catalog | None = None,
    include_futures: bool = True,
    plausibility: Plausibility | None = None,
    progress: Callable[[int, int], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    time_limit: float | None = DEFAULT_TIME_LIMIT,
    on_source: Callable[[str, str], None] | None = None,
) -> FetchReport:
    """Ask ``sources`` in order; each later source only for what is still unpriced.

    Blocks for as long as the venues take, and never longer than
    ``time_limit`` seconds in all: every request's timeout is cut to the time
    left. A venue that could not be reached is not asked again in the same
    refresh. ``should_stop`` is checked before every request;
    ``on_source(name, kind)`` is told which venue is being asked.
    """
    p = plausibility or Plausibility()
    catalog = catalog or builtin_catalog()
    wanted = wanted_prices(portfolio, catalog)
    futures_wanted = wanted.futures if include_futures else ()
    plan = plan_requests(portfolio, catalog, wanted.spot, futures_wanted, sources)
    check = AnswerCheck(now, _last_prices(portfolio, now, p), _typed_prices(portfolio, now), p)
    collected = ask_venues(
        plan,
        check,
        progress=progress,
        should_stop=should_stop,
        time_limit=time_limit,
        on_source=on_source,
    )
    keys = (*wanted.spot, *(futures_key(u) for u in futures_wanted))
    return _report(now, keys, collected)


def _report(now: datetime, keys: tuple[str, ...], collected: Collected) -> FetchReport:
    """The report of a fetch: why each wanted key that got no price has none, worst first."""
    quotes, problems = collected.quotes, collected.problems
    unresolved = {k: msgs for k, msgs in problems.items() if k not in quotes}
    # Worst first: a rejected answer explains more than "not listed".
    position = {k: i for i, k in enumerate(keys)}
    order = sorted(
        unresolved,
        key=lambda k: (min(rank for rank, _ in unresolved[k]), position.get(k, len(position))),
    )
    final = {k: _joined(k, unresolved[k]) for k in order}
    severity: dict[str, Severity] = {
        k: "rejected" if min(r for r, _ in unresolved[k]) == REJECTED else "unlisted" for k in order
    }
    for k in keys:
        if k not in quotes and k not in final and not collected.stopped and not collected.errors:
            final[k] = f"{key_label(k)}: no source has a price"
            severity[k] = "unlisted"
    return FetchReport(
        now,
        keys,
        quotes,
        final,
        tuple(dict.fromkeys(collected.errors)),
        collected.stopped,
        severity,
        {k: q for k, q in collected.jumps.items() if k in final},
        collected.timed_out,
        {k: min(unresolved[k], key=lambda m: m[0])[1] for k in order},
    )


def _joined(key: str, messages: list[tuple[int, str]]) -> str:
    """'SOL: Binance does not list SOLUSDT; Coinbase does not list SOL-USD'."""
    prefix = f"{key_label(key)}: "
    ordered = sorted(messages, key=lambda m: m[0])  # stable: venue order within a rank
    parts = [m.removeprefix(prefix) for m in dict.fromkeys(msg for _, msg in ordered)]
    return prefix + "; ".join(parts)


@dataclass(frozen=True, slots=True)
class PriceChange:
    """One price a refresh set (``old == new`` when the market had not moved)."""

    key: str
    symbol: str
    kind: Kind
    old: Decimal | None
    new: Decimal
    source: str  # the venue ("Binance"), or "par" for a stablecoin
    instrument: str = ""  # "BTCUSDT perpetual" for a futures price


@dataclass(frozen=True, slots=True)
class RefreshResult:
    portfolio: Portfolio
    fetched_at: datetime
    updates: tuple[PriceChange, ...]
    kept: dict[str, str]  # quote key -> why the previous price was kept (worst first)
    venue_errors: tuple[str, ...]
    stopped: bool = False
    wanted: tuple[str, ...] = ()
    severity: dict[str, Severity] = field(default_factory=dict)
    jumps: dict[str, Quote] = field(default_factory=dict)
    timed_out: bool = False
    headlines: dict[str, str] = field(default_factory=dict)

    @property
    def fetched_count(self) -> int:
        return sum(1 for u in self.updates if u.source != PAR_SOURCE)

    @property
    def ok(self) -> bool:
        """Whether any venue price was accepted."""
        return self.fetched_count > 0

    @property
    def complete(self) -> bool:
        return self.ok and not self.kept and not self.venue_errors and not self.stopped

    @property
    def sources(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(u.source for u in self.updates if u.source != PAR_SOURCE))

    def messages(self) -> list[str]:
        """Every venue error and every kept price, one line each, worst first.

        A rejected answer (a wrong price, an unreadable one) comes before a
        venue error, and both before "not listed": the one line a status bar
        has room for must be the one that needs the person's attention.
        """
        rejected = [k for k in self.kept if self.severity.get(k) == "rejected"]
        unlisted = [k for k in self.kept if k not in rejected]
        return [
            *(f"{self.kept[k]} — kept previous price" for k in rejected),
            *self.venue_errors,
            *(f"{self.kept[k]} — kept previous price" for k in unlisted),
        ]

    def summary(self) -> str:
        """One line for a status bar: the worst problem, and how many more there are."""
        if not self.wanted:
            return "No prices to refresh: the portfolio has no holdings to price"
        rejected = [k for k in self.kept if self.severity.get(k) == "rejected"]
        unlisted = [k for k in self.kept if k not in rejected]
        issues = [
            *(self.headlines.get(k, self.kept[k]) for k in rejected),
            *self.venue_errors,
            *(self.headlines.get(k, self.kept[k]) for k in unlisted),
        ]
        if self.stopped:
            issues.insert(0, "refresh stopped")
        if not self.ok:
            first = issues[0] if issues else "no source answered"
            more = f" (+{len(issues) - 1} more)" if len(issues) > 1 else ""
            return f"{first}{more} — kept previous prices"
        local = self.fetched_at.astimezone().strftime("%H:%M:%S")
        n = self.fetched_count
        text = (
            f"Prices updated from {' + '.join(self.sources)} at {local} "
            f"({n} price{'s' if n != 1 else ''})"
        )
        if issues:
            kept = " — kept previous price" if issues[0] not in self.venue_errors else ""
            more = f" (+{len(issues) - 1} more)" if len(issues) > 1 else ""
            text += f"; {issues[0]}{kept}{more}"
        return text


def apply_quotes(portfolio: Portfolio, report: FetchReport) -> RefreshResult:
    """``portfolio`` with the report's accepted prices; the input is not changed.

    A quote older than one already in the portfolio (a slow refresh that
    finished after a quicker one) is skipped.
    """
    quotes = dict(portfolio.quotes)
    applied: dict[str, Quote] = {}
    for key, q in report.quotes.items():
        existing = quotes.get(key)
        if existing is not None and as_utc(existing.fetched_at) > as_utc(q.fetched_at):
            continue
        quotes[key] = applied[key] = q
    updates: list[PriceChange] = []
    holdings = _priced_holdings(portfolio.holdings, applied, updates)
    hedge = _priced_hedge(portfolio.hedge, applied, updates)
    new = portfolio.model_copy(update={"holdings": holdings, "hedge": hedge, "quotes": quotes})
    return RefreshResult(
        portfolio=new,
        fetched_at=report.fetched_at,
        updates=tuple(updates),
        kept=dict(report.problems),
        venue_errors=report.venue_errors,
        stopped=report.stopped,
        wanted=report.wanted,
        severity=dict(report.severity),
        jumps=dict(report.jumps),
        timed_out=report.timed_out,
        headlines=dict(report.headlines),
    )


def accept_jumps(portfolio: Portfolio, result: RefreshResult, keys: Iterable[str]) -> RefreshResult:
    """``portfolio`` with prices a refresh rejected for their jump taken anyway.

    The person looked at "7,000,000 is 108× above your typed price" and said
    the venue is right; nothing else of the refresh is applied again.
    """
    chosen = {k: result.jumps[k] for k in keys if k in result.jumps}
    report = FetchReport(
        fetched_at=result.fetched_at,
        wanted=tuple(chosen),
        quotes=chosen,
        problems={},
        venue_errors=(),
    )
    return apply_quotes(portfolio, report)


def _priced_holdings(
    holdings: Iterable[Holding], applied: dict[str, Quote], updates: list[PriceChange]
) -> tuple[Holding, ...]:
    out: list[Holding] = []
    seen: set[str] = set()
    for h in holdings:
        if h.is_stablecoin:
            new, source = ONE, PAR_SOURCE
        elif h.symbol in applied and applied[h.symbol].kind == "spot":
            new, source = applied[h.symbol].price, applied[h.symbol].source
        else:
            out.append(h)
            continue
        if h.symbol not in seen and (source != PAR_SOURCE or h.price != new):
            updates.append(PriceChange(h.symbol, h.symbol, "spot", h.price, new, venue_of(source)))
        seen.add(h.symbol)
        out.append(h if h.price == new else h.model_copy(update={"price": new}))
    return tuple(out)


def _priced_hedge(
    hedge: HedgeSettings, applied: dict[str, Quote], updates: list[PriceChange]
) -> HedgeSettings:
    prices = dict(hedge.futures_prices)
    for key, q in applied.items():
        if q.kind != "futures" or not key.startswith(FUTURES_PREFIX):
            continue
        u = key.removeprefix(FUTURES_PREFIX)
        updates.append(
            PriceChange(
                key,
                u,
                "futures",
                prices.get(u),
                q.price,
                venue_of(q.source),
                instrument_of(q.source),
            )
        )
        prices[u] = q.price
    if prices == hedge.futures_prices:
        return hedge
    return hedge.model_copy(update={"futures_prices": prices})


def refresh_portfolio(
    portfolio: Portfolio,
    sources: Sequence[PriceSource],
    now: datetime,
    *,
    catalog: Catalog | None = None,
    include_futures: bool = True,
    plausibility: Plausibility | None = None,
    time_limit: float | None = DEFAULT_TIME_LIMIT,
) -> RefreshResult:
    """Fetch and apply in one call (the command line; tests)."""
    report = fetch_quotes(
        portfolio,
        sources,
        now,
        catalog=catalog,
        include_futures=include_futures,
        plausibility=plausibility,
        time_limit=time_limit,
    )
    return apply_quotes(portfolio, report)


def describe_key(key: str) -> str:
    """'BTC' or 'BTC futures', for tables and messages."""
    return key_label(key)


__all__ = [
    "DEFAULT_TIME_LIMIT",
    "FetchReport",
    "PriceChange",
    "RefreshResult",
    "Wanted",
    "accept_jumps",
    "apply_quotes",
    "describe_key",
    "fetch_quotes",
    "instrument_of",
    "refresh_portfolio",
    "venue_of",
    "wanted_prices",
]
