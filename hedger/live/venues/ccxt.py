"""Prices and market data from any exchange through the optional ccxt library.

``pip install "hedger[live]"`` adds ccxt, which reaches a hundred exchanges
through their public market data; Hedger uses it only for key-less calls
(markets and tickers), as the price source ``ccxt:<exchange>`` and to compare
the catalog's contract sizes with an exchange's markets. It is imported when
first used, so Hedger runs without it; then the source says how to install it.
Which ccxt ids belong to which catalog venue is stated by the venue modules.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from hedger.live.candles import INTERVALS, CandleSource, NotListed, Page, RateLimited, read_rows
from hedger.live.contract_sizes import SizeDifference, compare_contract_sizes
from hedger.live.http import (
    DEFAULT_TIMEOUT,
    PriceSourceError,
    VenueUnreachable,
    clip,
    current_budget,
    fmt_seconds,
)
from hedger.live.validate import as_decimal
from hedger.live.venues.base import PriceSource, SourceAnswer

if TYPE_CHECKING:
    from hedger.core.catalog import Catalog

PREFIX = "ccxt:"
INSTALL_HINT = 'ccxt is not installed; install it with: pip install "hedger[live]"'
SPOT_QUOTES = ("USDT", "USD", "USDC")
# ccxt's counting mode in which amount precision is a number of digits.
_DECIMAL_PLACES_DEFAULT = 2


def ccxt_available() -> bool:
    """Whether ``import ccxt`` would work, without importing it (it is large)."""
    if "ccxt" in sys.modules:
        return sys.modules["ccxt"] is not None
    try:
        return importlib.util.find_spec("ccxt") is not None
    except (ImportError, ValueError):
        return False


def load_ccxt() -> Any:
    try:
        return importlib.import_module("ccxt")
    except ImportError:
        raise PriceSourceError(INSTALL_HINT) from None


class CcxtSource(PriceSource):
    """Spot and perpetual prices from one ccxt exchange, e.g. ``CcxtSource("kraken")``."""

    def __init__(
        self,
        exchange_id: str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        module: Any | None = None,
        config: Mapping[str, Any] | None = None,
    ) -> None:
        self.exchange_id = exchange_id.strip().lower()
        self.name = f"{self.exchange_id} (ccxt)"
        self._timeout = timeout
        self._module = module
        self._exchange: Any | None = None
        # Extra client settings: the read-only key of a positions import.
        self._config = dict(config or {})

    # -- plumbing -----------------------------------------------------------
    def _ccxt(self) -> Any:
        if self._module is None:
            self._module = load_ccxt()
        return self._module

    def _client(self) -> Any:
        if self._exchange is None:
            ccxt = self._ccxt()
            known = getattr(ccxt, "exchanges", None)
            factory = getattr(ccxt, self.exchange_id, None)
            if factory is None or (known is not None and self.exchange_id not in known):
                raise PriceSourceError(f"ccxt does not know the exchange {self.exchange_id!r}")
            self._exchange = factory(
                {"timeout": int(self._timeout * 1000), "enableRateLimit": True, **self._config}
            )
        return self._exchange

    def _call(self, fn: Callable[..., Any], *args: Any) -> Any:
        ccxt = self._ccxt()
        network_error = getattr(ccxt, "NetworkError", None)
        timeout_error = getattr(ccxt, "RequestTimeout", None)
        base_error = getattr(ccxt, "BaseError", None)
        budget = current_budget()
        budget.check(self.name)
        if self._exchange is not None and hasattr(self._exchange, "timeout"):
            # ccxt takes milliseconds; the refresh's time limit caps each call.
            self._exchange.timeout = int(budget.timeout(self._timeout) * 1000)
        try:
            return fn(*args)
        except Exception as exc:
            if timeout_error is not None and isinstance(exc, timeout_error):
                reason = f"timed out after {fmt_seconds(self._timeout)}"
                raise VenueUnreachable(f"{self.name} unreachable: {reason}") from None
            if network_error is not None and isinstance(exc, network_error):
                raise VenueUnreachable(f"{self.name} unreachable: {clip(exc, 80)}") from None
            if base_error is not None and isinstance(exc, base_error):
                raise PriceSourceError(f"{self.name} error: {clip(exc, 80)}") from None
            raise

    def markets(self) -> dict[str, Any]:
        """The exchange's markets (ccxt ``load_markets``): public, no key."""
        client = self._client()
        markets = self._call(client.load_markets)
        if not isinstance(markets, dict):
            raise PriceSourceError(f"{self.name} sent no market list")
        return markets

    def _ticker_price(self, symbol: str, fields: Sequence[str]) -> tuple[Any, Any]:
        ticker = self._call(self._client().fetch_ticker, symbol)
        if not isinstance(ticker, dict):
            return None, None
        for name in fields:
            if ticker.get(name) is not None:
                return ticker[name], name
        return None, None

    # -- PriceSource --------------------------------------------------------
    def fetch_spot(self, symbols: Sequence[str]) -> SourceAnswer:
        markets = self.markets()
        answer = SourceAnswer()
        for s in dict.fromkeys(symbols):
            unified = next(
                (
                    f"{s}/{q}"
                    for q in SPOT_QUOTES
                    if isinstance(markets.get(f"{s}/{q}"), dict) and markets[f"{s}/{q}"].get("spot")
                ),
                None,
            )
            if unified is None:
                answer.problems[s] = f"{s}: {self.name} lists no {s}/USD spot market"
                continue
            self._store(s, unified, ("last", "close"), answer)
        return answer

    def fetch_futures(self, underlyings: Sequence[str]) -> SourceAnswer:
        markets = self.markets()
        answer = SourceAnswer()
        for u in dict.fromkeys(underlyings):
            unified = self._perpetual_for(markets, u)
            if unified is None:
                answer.problems[u] = f"{u}: {self.name} lists no {u} perpetual"
                continue
            self._store(u, unified, ("markPrice", "last", "close"), answer)
            answer.instruments[u] = f"{unified} perpetual"
        return answer

    def _store(
        self, symbol: str, unified: str, fields: Sequence[str], answer: SourceAnswer
    ) -> None:
        raw, _field = self._ticker_price(unified, fields)
        value = as_decimal(raw)
        if value is None:
            answer.problems[symbol] = f"{symbol}: {self.name} sent no readable price for {unified}"
            answer.unreadable.add(symbol)
        else:
            answer.prices[symbol] = value

    @staticmethod
    def _perpetual_for(markets: dict[str, Any], underlying: str) -> str | None:
        best: tuple[int, str] | None = None
        for unified, m in markets.items():
            if not isinstance(m, dict) or not m.get("swap") or m.get("base") != underlying:
                continue
            quote = m.get("quote")
            if quote not in SPOT_QUOTES:
                continue
            # Prefer USDT-margined linear perps (the deepest books), then USD.
            rank = SPOT_QUOTES.index(quote) + (0 if m.get("linear") else 10)
            if best is None or rank < best[0]:
                best = (rank, unified)
        return None if best is None else best[1]

    # -- catalog check ------------------------------------------------------
    def compare_catalog(
        self, catalog: Catalog, catalog_codes: Sequence[str]
    ) -> list[SizeDifference]:
        """Where the catalog's contracts of venues ``catalog_codes`` (those this
        exchange lists, from the registry's ``venue_for_exchange``) differ from
        its markets."""
        markets = self.markets()
        ccxt = self._ccxt()
        digits_mode = getattr(ccxt, "DECIMAL_PLACES", _DECIMAL_PLACES_DEFAULT)
        step_is_digits = getattr(self._client(), "precisionMode", None) == digits_mode
        return [
            difference
            for code in catalog_codes
            for difference in compare_contract_sizes(
                catalog,
                markets,
                code,
                exchange_name=self.exchange_id,
                step_is_digits=step_is_digits,
            )
        ]


# --------------------------------------------------------------------------- candles
# ccxt's unified fetch_ohlcv(symbol, timeframe, since, limit) answers
# [[timestamp ms, open, high, low, close, volume], ...] oldest first whatever the
# exchange sent (ccxt js/src/binance.d.ts, as of 2026-12-06). With
# enableRateLimit ccxt paces its own requests; RateLimitExceeded and
# DDoSProtection are its "slow down" errors.

OHLCV_TIMEFRAMES = {"1d": "1d", "1h": "1h"}
_RATE_LIMIT_ERRORS = ("RateLimitExceeded", "DDoSProtection")


class CcxtCandles(CandleSource):
    """Spot candles of ``<SYMBOL>/USDT`` (or /USD, /USDC) from one ccxt exchange."""

    forward = True
    min_gap = 0.0  # ccxt's own rate limiter paces the requests
    what = "spot <SYMBOL>/USDT (or /USD, /USDC) candles through ccxt"

    def __init__(
        self, exchange_id: str, *, timeout: float = DEFAULT_TIMEOUT, module: Any | None = None
    ) -> None:
        self._source = CcxtSource(exchange_id, timeout=timeout, module=module)
        self.key = f"{PREFIX}{self._source.exchange_id}"
        self.name = self._source.name
        self._markets: dict[str, Any] | None = None

    def instrument(self, symbol: str) -> str:
        if self._markets is None:
            self._markets = self._source.markets()
        for quote in SPOT_QUOTES:
            unified = f"{symbol}/{quote}"
            market = self._markets.get(unified)
            if isinstance(market, dict) and market.get("spot"):
                return unified
        raise NotListed(f"{symbol}: {self.name} lists no {symbol}/USD spot market")

    def fetch_page(self, symbol: str, interval: str, start_ms: int, end_ms: int) -> Page:
        unified = self.instrument(symbol)
        client = self._source._client()
        ccxt = self._source._ccxt()
        slow_down: tuple[type[BaseException], ...] = tuple(
            t
            for t in (getattr(ccxt, n, None) for n in _RATE_LIMIT_ERRORS)
            if isinstance(t, type) and issubclass(t, BaseException)
        )

        def fetch() -> Any:
            try:
                return client.fetch_ohlcv(unified, OHLCV_TIMEFRAMES[interval], start_ms)
            except slow_down as exc:
                message = f"{self.name} is limiting requests ({clip(exc, 60)})"
                raise RateLimited(message, None) from None

        data = self._source._call(fetch)
        if not isinstance(data, list):
            raise PriceSourceError(f"{self.name} sent no candles for {unified}")
        rows = read_rows(data, time_index=0, close_index=4)
        remaining = None
        step = INTERVALS[interval]
        if rows.times and max(rows.times) + step < end_ms:
            remaining = (max(max(rows.times) + step, start_ms), end_ms)
        return Page(rows, (start_ms, end_ms), remaining)
