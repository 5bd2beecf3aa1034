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

from hedger.core.catalog import Catalog, Contract, builtin_catalog
from hedger.core.models import HedgeSettings, Holding, Portfolio, Quote
from hedger.core.planner import resolve_underlying
from hedger.live.age import (
    FUTURES_PREFIX,
    INSTRUMENT_SEPARATOR,
    as_utc,
    futures_key,
    futures_price_status,
    holding_price_status,
    instrument_of,
    prices_by_symbol,
    venue_of,
)
from hedger.live.http import (
    PriceSourceError,
    RefreshStopped,
    RefreshTimeLimit,
    VenueUnreachable,
    clip,
    request_budget,
)
from hedger.live.validate import Plausibility, validate_prices
from hedger.live.venues.base import PriceSource, SourceAnswer

Kind = Literal["spot", "futures"]
# "contract": the hedge's own contract where its venue is a source (OKX's
# inverse swap for an OKX inverse family), asked before the perpetuals.
Phase = Literal["spot", "contract", "futures"]
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
    wanted = wanted_prices(portfolio, catalog or builtin_catalog())
    futures_wanted = wanted.futures if include_futures else ()
    spot_sources = list(sources) if wanted.spot else []
    futures_sources = [s for s in sources if s.has_futures] if futures_wanted else []
    hedge = _hedge_contracts(portfolio, catalog or builtin_catalog(), futures_wanted)
    contract_sources = [
        s
        for s in futures_sources
        if any(c.venue.upper() in s.contract_venues for c in hedge.values())
    ]
    total = len(spot_sources) + len(contract_sources) + len(futures_sources)
    done = 0
    stop = should_stop or (lambda: False)
    last = _last_prices(portfolio, now, p)
    typed = _typed_prices(portfolio, now)
    quotes: dict[str, Quote] = {}
    jumps: dict[str, Quote] = {}
    problems: dict[str, list[tuple[int, str]]] = {}
    errors: list[str] = []
    unreachable: set[int] = set()
    stopped = timed_out = False

    def tick(steps: int = 1) -> None:
        nonlocal done
        done = min(total, done + steps)
        if progress is not None:
            progress(done, total)

    if progress is not None:
        progress(0, total)
    phases: list[tuple[Phase, tuple[str, ...], list[PriceSource]]] = [
        ("spot", wanted.spot, spot_sources),
        ("contract", tuple(hedge), contract_sources),
        ("futures", futures_wanted, futures_sources),
    ]
    with request_budget(time_limit, stop) as budget:
        for phase_index, (kind, symbols, phase_sources) in enumerate(phases):
            remaining = [s for s in symbols if _key(kind, s) not in quotes]
            for i, source in enumerate(phase_sources):
                if not remaining:
                    tick(len(phase_sources) - i)
                    break
                asked = remaining
                if kind == "contract":
                    asked = [
                        u for u in remaining if hedge[u].venue.upper() in source.contract_venues
                    ]
                if id(source) in unreachable or not asked:
                    tick()
                    continue
                try:
                    budget.check(source.name)
                except RefreshStopped:
                    stopped = True
                    break
                except RefreshTimeLimit as exc:
                    timed_out = True
                    later: list[tuple[Phase, PriceSource]] = [
                        *((kind, src) for src in phase_sources[i:]),
                        *((k, src) for k, _, srcs in phases[phase_index + 1 :] for src in srcs),
                    ]
                    errors.append(_time_limit_message(exc, later, unreachable))
                    break
                if on_source is not None:
                    on_source(source.name, kind)
                answer, failure = _ask(source, kind, asked, hedge)
                if isinstance(failure, RefreshStopped):
                    stopped = True
                    break
                if failure is not None:
                    errors.append(str(failure))
                    if isinstance(failure, VenueUnreachable | RefreshTimeLimit):
                        unreachable.add(id(source))
                    timed_out = timed_out or isinstance(failure, RefreshTimeLimit)
                keyed = _keyed(kind, answer.prices)
                check = validate_prices(
                    source.name,
                    keyed,
                    last,
                    p.max_factor,
                    typed=typed,
                    typed_factor=p.typed_factor,
                    check_jumps=p.check_jumps,
                )
                for sym in answer.prices:
                    key = _key(kind, sym)
                    label = _source_label(source.name, kind, answer, sym)
                    if key in check.accepted:
                        quotes[key] = Quote(
                            price=check.accepted[key],
                            source=label,
                            fetched_at=now,
                            kind=_quote_kind(kind),
                        )
                    elif key in check.jumps:
                        jumps.setdefault(
                            key,
                            Quote(
                                price=check.jumps[key],
                                source=label,
                                fetched_at=now,
                                kind=_quote_kind(kind),
                            ),
                        )
                for sym, msg in answer.problems.items():
                    rank = REJECTED if sym in answer.unreadable else UNLISTED
                    problems.setdefault(_key(kind, sym), []).append((rank, msg))
                for key, msg in check.rejected.items():
                    problems.setdefault(key, []).append(
                        (REJECTED, msg.replace(key, _label(key), 1))
                    )
                remaining = [s for s in remaining if _key(kind, s) not in quotes]
                tick()
            if stopped or timed_out:
                break
    keys = (*wanted.spot, *(futures_key(u) for u in futures_wanted))
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
        if k not in quotes and k not in final and not stopped and not errors:
            final[k] = f"{_label(k)}: no source has a price"
            severity[k] = "unlisted"
    return FetchReport(
        now,
        keys,
        quotes,
        final,
        tuple(dict.fromkeys(errors)),
        stopped,
        severity,
        {k: q for k, q in jumps.items() if k in final},
        timed_out,
        {k: min(unresolved[k], key=lambda m: m[0])[1] for k in order},
    )


REJECTED = 0
UNLISTED = 1


def _hedge_contracts(
    portfolio: Portfolio, catalog: Catalog, underlyings: Sequence[str]
) -> dict[str, Contract]:
    """The contract each underlying is hedged with (its family's largest)."""
    out: dict[str, Contract] = {}
    for u in underlyings:
        fid = portfolio.hedge.families.get(u) or catalog.default_family_for(u)
        if fid is None or fid not in catalog.families:
            continue
        members = catalog.family_contracts(fid)
        if members:
            out[u] = members[0]
    return out


def _quote_kind(phase: Phase) -> Kind:
    return "spot" if phase == "spot" else "futures"


def _source_label(name: str, kind: Phase, answer: SourceAnswer, symbol: str) -> str:
    """The venue, and for a futures price its instrument: "Binance · BTCUSDT perpetual"."""
    instrument = answer.instruments.get(symbol) if kind != "spot" else None
    if not instrument:
        return name
    return f"{name}{INSTRUMENT_SEPARATOR}{instrument}"[:80]


def _time_limit_message(
    exc: RefreshTimeLimit, left: Sequence[tuple[Phase, PriceSource]], skipped: set[int]
) -> str:
    """'OKX (spot) and Binance (futures) not asked: the refresh's 20 s time limit …'."""
    names = [f"{s.name} ({_quote_kind(kind)})" for kind, s in left if id(s) not in skipped]
    return f"{' and '.join(dict.fromkeys(names))} not asked: {exc.reason}"


def _joined(key: str, messages: list[tuple[int, str]]) -> str:
    """'SOL: Binance does not list SOLUSDT; Coinbase does not list SOL-USD'."""
    prefix = f"{_label(key)}: "
    ordered = sorted(messages, key=lambda m: m[0])  # stable: venue order within a rank
    parts = [m.removeprefix(prefix) for m in dict.fromkeys(msg for _, msg in ordered)]
    return prefix + "; ".join(parts)


def _ask(
    source: PriceSource, kind: Phase, symbols: list[str], hedge: dict[str, Contract]
) -> tuple[SourceAnswer, PriceSourceError | None]:
    try:
        if kind == "spot":
            return source.fetch_spot(symbols), None
        if kind == "contract":
            return source.fetch_contracts({u: hedge[u] for u in symbols}), None
        return source.fetch_futures(symbols), None
    except PriceSourceError as exc:
        return SourceAnswer(), exc
    except Exception as exc:
        # A source is network code fed by strangers (or an optional library):
        # whatever it throws must not take down the app's refresh.
        failure = PriceSourceError(f"{source.name} failed: {type(exc).__name__}: {clip(exc, 80)}")
        return SourceAnswer(), failure


def _key(kind: Phase, symbol: str) -> str:
    return symbol if kind == "spot" else futures_key(symbol)


def _keyed(kind: Phase, prices: dict[str, Decimal]) -> dict[str, Decimal]:
    return {_key(kind, s): v for s, v in prices.items()}


def _label(key: str) -> str:
    """'BTC' or 'BTC futures' for a quote key."""
    if key.startswith(FUTURES_PREFIX):
        return f"{key.removeprefix(FUTURES_PREFIX)} futures"
    return key


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
    return _label(key)


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
