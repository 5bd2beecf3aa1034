"""Coinbase: spot prices from the Coinbase Exchange public ticker; catalog venue COINBASE.

The catalog's COINBASE contracts (nano Bitcoin BIT, nano Ether ET) trade on
Coinbase Derivatives, for which Hedger has no price endpoint: their futures
price is the USDT-margined perpetual of another price source (by default
Binance's, then OKX's), labelled with its instrument. No ccxt exchange is
recorded for comparing their sizes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from hedger.live.candles import CandleSource, NotListed, Page, iso_utc, read_rows
from hedger.live.http import HttpSettings, VenueHttpError
from hedger.live.venues.base import (
    Endpoint,
    SourceAnswer,
    Venue,
    VenueSource,
    json_client,
    price_from,
    split_plain,
    unexpected,
)

SPOT = Endpoint("spot", "https://api.exchange.coinbase.com", "HEDGER_COINBASE_URL")


class CoinbaseVenue(Venue):
    key = "coinbase"
    name = "Coinbase"
    catalog_codes = ("COINBASE",)
    endpoints = (SPOT,)
    has_spot_prices = True
    ccxt_price_id = "coinbase"

    def make_source(self, env: Mapping[str, str], settings: HttpSettings) -> CoinbaseSource:
        return CoinbaseSource(SPOT.url(env), settings)

    def candle_source(self) -> type[CoinbaseCandles]:
        return CoinbaseCandles


class CoinbaseSource(VenueSource, venue=CoinbaseVenue):
    """Coinbase Exchange public ticker (``/products/<BASE>-USD/ticker``), spot only."""

    def __init__(
        self,
        base_url: str = SPOT.default_url,
        settings: HttpSettings | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self._client = json_client(self.name, base_url, settings, sleep)

    def fetch_spot(self, symbols: Sequence[str]) -> SourceAnswer:
        plain, problems = split_plain(symbols, self.name)
        answer = SourceAnswer(problems=problems)
        for s in plain:
            product = f"{s}-USD"
            try:
                data = self._client.get(f"/products/{product}/ticker")
            except VenueHttpError as exc:
                if exc.status not in (400, 404):
                    raise
                answer.problems[s] = f"{s}: {self.name} does not list {product}"
                continue
            price_from(data, "price", s, self.name, answer)
        return answer

    def fetch_futures(self, underlyings: Sequence[str]) -> SourceAnswer:
        return SourceAnswer(
            problems={u: f"{u}: {self.name} has no public futures prices" for u in underlyings}
        )


# --------------------------------------------------------------------------- candles
# Coinbase Exchange candles, GET /products/<BASE>-USD/candles (docs.cdp.coinbase.com
# "Get product candles", as of 2026-12-06): granularity in seconds (86400 = UTC days,
# 3600 = hours), start/end as ISO 8601; more than 300 buckets per request is
# rejected. Rows are [time s, low, high, open, close, volume] — not OHLC order —
# newest first (ccxt's sample). "No data is published for intervals where there
# are no ticks": gaps are expected. Public limit 10 requests/s per IP, then HTTP 429
# (no Retry-After documented).

CANDLES_PATH = "/products/{product}/candles"
CANDLE_GRANULARITY = {"1d": 86_400, "1h": 3_600}
MAX_BUCKETS = 300


class CoinbaseCandles(CandleSource):
    """Coinbase Exchange candles of ``<SYMBOL>-USD``, in windows of 300 bars, oldest first."""

    key = CoinbaseVenue.key
    name = CoinbaseVenue.name
    forward = True
    min_gap = 0.12  # under 10 a second
    what = "Exchange <SYMBOL>-USD candles"

    def __init__(
        self,
        base_url: str = SPOT.default_url,
        settings: HttpSettings | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self._client = json_client(self.name, base_url, settings, sleep)

    @classmethod
    def from_env(cls, env: Mapping[str, str], settings: HttpSettings) -> CoinbaseCandles:
        return cls(SPOT.url(env), settings)

    def instrument(self, symbol: str) -> str:
        plain, _ = split_plain([symbol], self.name)
        if not plain:
            raise NotListed(f"{symbol}: {self.name} cannot list this symbol")
        return f"{symbol}-USD"

    def fetch_page(self, symbol: str, interval: str, start_ms: int, end_ms: int) -> Page:
        product = self.instrument(symbol)
        granularity = CANDLE_GRANULARITY[interval]
        window_end = min(end_ms, start_ms + MAX_BUCKETS * granularity * 1000)
        params = {
            "granularity": str(granularity),
            "start": iso_utc(start_ms),
            # One second before the next window: 300 buckets whether the
            # venue reads "end" as inclusive or not.
            "end": iso_utc(window_end - 1000),
        }
        try:
            data = self._client.get(CANDLES_PATH.format(product=product), params)
        except VenueHttpError as exc:
            if exc.status == 404:
                raise NotListed(f"{symbol}: {self.name} does not list {product}") from None
            raise
        if not isinstance(data, list):
            raise unexpected(self.name)
        rows = read_rows(data, time_index=0, close_index=4, time_unit_ms=1000)
        remaining = (window_end, end_ms) if window_end < end_ms else None
        return Page(rows, (start_ms, window_end), remaining)
