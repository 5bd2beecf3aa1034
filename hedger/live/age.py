"""How old prices are, where they came from, and whether they are stale."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hedger.core.models import Portfolio, Quote

STALE_AFTER = timedelta(minutes=15)
FUTURES_PREFIX = "FUT:"
# A futures quote's source names the instrument it came from:
# "Binance · BTCUSDT perpetual" (a perpetual stands in for any dated or
# inverse contract on the coin; the basis between them is not priced in).
INSTRUMENT_SEPARATOR = " · "


def venue_of(source: str) -> str:
    """The venue part of a quote's source ("Binance · BTCUSDT perpetual" -> "Binance")."""
    return source.split(INSTRUMENT_SEPARATOR, 1)[0]


def instrument_of(source: str) -> str:
    """The instrument part of a quote's source, or "" when it names none."""
    _, _, instrument = source.partition(INSTRUMENT_SEPARATOR)
    return instrument


def futures_key(underlying: str) -> str:
    """Key of a futures quote in ``Portfolio.quotes``."""
    return f"{FUTURES_PREFIX}{underlying}"


def as_utc(moment: datetime) -> datetime:
    # Files written by hand may carry naive times; they were meant as UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def quote_age(quote: Quote, now: datetime) -> timedelta:
    """Time since the quote was fetched; never negative (clocks drift)."""
    return max(as_utc(now) - as_utc(quote.fetched_at), timedelta(0))


def is_stale(quote: Quote, now: datetime, max_age: timedelta = STALE_AFTER) -> bool:
    return quote_age(quote, now) > max_age


def fmt_age(age: timedelta) -> str:
    """'just now', '4 min ago', '3 h ago', '2 days ago'."""
    seconds = int(age.total_seconds())
    if seconds < 60:
        return "just now"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} min ago"
    hours = minutes // 60
    if hours < 48:
        return f"{hours} h ago"
    return f"{hours // 24} days ago"


@dataclass(frozen=True, slots=True)
class PriceStatus:
    """Where one price came from and how old it is."""

    key: str
    source: str
    fetched_at: datetime
    age: timedelta
    stale: bool

    @property
    def text(self) -> str:
        mark = " (stale)" if self.stale else ""
        return f"{self.source} · {fmt_age(self.age)}{mark}"


def holding_price_status(
    portfolio: Portfolio, symbol: str, now: datetime, max_age: timedelta = STALE_AFTER
) -> PriceStatus | None:
    """The fetched quote behind a holding's price, or None if the price was typed.

    A quote only describes the holding while the prices agree: once the user
    types over a fetched price, that price is theirs, not the venue's.
    """
    quote = portfolio.quotes.get(symbol)
    if quote is None or quote.kind != "spot":
        return None
    prices = prices_by_symbol(portfolio).get(symbol)
    if prices and quote.price not in prices:
        return None
    return _status(symbol, quote, now, max_age)


# The last portfolio's index. Portfolios are frozen, so identity is enough;
# without it every per-symbol question scanned all holdings (quadratic: 14 s
# for a refresh of 10,000 symbols, 0.7 s per status-bar update at 2,000).
_price_index: tuple[Portfolio, dict[str, frozenset[Decimal]]] | None = None


def prices_by_symbol(portfolio: Portfolio) -> dict[str, frozenset[Decimal]]:
    """Each symbol's prices in the holdings (one symbol may have several rows)."""
    global _price_index
    cached = _price_index  # one read: another thread may replace it meanwhile
    if cached is not None and cached[0] is portfolio:
        return cached[1]
    grouped: dict[str, set[Decimal]] = {}
    for h in portfolio.holdings:
        grouped.setdefault(h.symbol, set()).add(h.price)
    index = {symbol: frozenset(prices) for symbol, prices in grouped.items()}
    _price_index = (portfolio, index)
    return index


def futures_price_status(
    portfolio: Portfolio, underlying: str, now: datetime, max_age: timedelta = STALE_AFTER
) -> PriceStatus | None:
    """Like ``holding_price_status`` for ``hedge.futures_prices[underlying]``."""
    key = futures_key(underlying)
    quote = portfolio.quotes.get(key)
    if quote is None or portfolio.hedge.futures_prices.get(underlying) != quote.price:
        return None
    return _status(key, quote, now, max_age)


def _status(key: str, quote: Quote, now: datetime, max_age: timedelta) -> PriceStatus:
    age = quote_age(quote, now)
    return PriceStatus(key, quote.source, quote.fetched_at, age, age > max_age)


@dataclass(frozen=True, slots=True)
class PricesSummary:
    """All of a portfolio's live prices in one line, for a status bar."""

    sources: tuple[str, ...]
    oldest_age: timedelta | None  # None: no fetched price in use
    stale: bool
    stale_symbols: tuple[str, ...]
    typed_symbols: tuple[str, ...]  # holdings whose price was typed by hand

    @property
    def text(self) -> str:
        if self.oldest_age is None:
            return "typed by hand" if self.typed_symbols else "none"
        text = f"{' + '.join(self.sources)} · {fmt_age(self.oldest_age)}"
        if self.stale:
            text += " (stale)"
        if self.typed_symbols:
            text += f", {len(self.typed_symbols)} typed"
        return text


def summarize_prices(
    portfolio: Portfolio, now: datetime, max_age: timedelta = STALE_AFTER
) -> PricesSummary:
    """Sources and the age of the oldest fetched price the portfolio uses.

    Stablecoins are priced at par and count as neither fetched nor typed.
    """
    statuses: list[PriceStatus] = []
    typed: list[str] = []
    for symbol in dict.fromkeys(h.symbol for h in portfolio.holdings if not h.is_stablecoin):
        status = holding_price_status(portfolio, symbol, now, max_age)
        if status is None:
            typed.append(symbol)
        else:
            statuses.append(status)
    for underlying in portfolio.hedge.futures_prices:
        status = futures_price_status(portfolio, underlying, now, max_age)
        if status is not None:
            statuses.append(status)
    if not statuses:
        return PricesSummary((), None, False, (), tuple(typed))
    oldest = max(s.age for s in statuses)
    stale_keys = tuple(s.key for s in statuses if s.stale)
    sources = tuple(dict.fromkeys(venue_of(s.source) for s in statuses))
    return PricesSummary(sources, oldest, bool(stale_keys), stale_keys, tuple(typed))
