"""Binance: spot and USDⓈ-M futures prices from public endpoints; catalog venue BINANCE.

Spot ``/api/v3/ticker/price`` and futures ``/fapi/v1/premiumIndex`` (mark
price). Prices are in USDT, which Hedger treats as USD (a small basis). The
catalog's COIN-M inverse contracts are priced by the BTCUSDT perpetual's
stand-in, labelled with its instrument.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, ClassVar

from hedger.live.candles import INTERVALS, CandleSource, NotListed, Page, read_rows
from hedger.live.funding_fetch import (
    FetcherFactory,
    FundingFetcher,
    FundingFetchError,
    Paging,
    Row,
    read_row,
    unexpected_funding,
    within,
)
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

if TYPE_CHECKING:
    from hedger.core.catalog import Contract

SPOT = Endpoint("spot", "https://api.binance.com", "HEDGER_BINANCE_URL")
FUTURES = Endpoint("USDⓈ-M futures", "https://fapi.binance.com", "HEDGER_BINANCE_FUTURES_URL")


class BinanceVenue(Venue):
    key = "binance"
    name = "Binance"
    catalog_codes = ("BINANCE",)
    endpoints = (SPOT, FUTURES)
    has_spot_prices = True
    has_futures_prices = True
    # USDⓈ-M and COIN-M list the catalog's contracts; "binance" loads every market.
    ccxt_market_ids = ("binanceusdm", "binancecoinm", "binance")
    ccxt_price_id = "binance"

    def make_source(self, env: Mapping[str, str], settings: HttpSettings) -> BinanceSource:
        return BinanceSource(SPOT.url(env), FUTURES.url(env), settings)

    def candle_source(self) -> type[BinanceCandles]:
        return BinanceCandles

    def funding_fetcher_factory(self) -> FetcherFactory:
        return make_funding_fetcher


class BinanceSource(VenueSource, venue=BinanceVenue):
    """Binance spot (``/api/v3/ticker/price``) and USDⓈ-M futures (``/fapi/v1/premiumIndex``).

    Prices are in USDT, which Hedger treats as USD (a small basis).
    """

    # Binance error code for a symbol it does not list.
    INVALID_SYMBOL: ClassVar[Decimal] = Decimal(-1121)

    def __init__(
        self,
        base_url: str = SPOT.default_url,
        futures_url: str = FUTURES.default_url,
        settings: HttpSettings | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self._spot = json_client(self.name, base_url, settings, sleep)
        self._futures = json_client(self.name, futures_url, settings, sleep)

    def fetch_spot(self, symbols: Sequence[str]) -> SourceAnswer:
        plain, problems = split_plain(symbols, self.name)
        answer = SourceAnswer(problems=problems)
        if not plain:
            return answer
        pairs = {f"{s}USDT": s for s in plain}
        try:
            data = self._spot.get(
                "/api/v3/ticker/price", {"symbols": json.dumps(list(pairs), separators=(",", ":"))}
            )
        except VenueHttpError as exc:
            if not self._is_invalid_symbol(exc):
                raise
            # One unknown symbol fails the whole batch. Every ticker in one
            # request (about 150 KB) costs less time than one request per
            # symbol, which a slow venue multiplies.
            data = self._spot.get("/api/v3/ticker/price")
        if not isinstance(data, list):
            raise unexpected(self.name)
        by_pair = {r.get("symbol"): r for r in data if isinstance(r, dict)}
        for pair, symbol in pairs.items():
            if pair in by_pair:
                price_from(by_pair[pair], "price", symbol, self.name, answer)
            else:
                answer.problems[symbol] = f"{symbol}: {self.name} does not list {pair}"
        return answer

    def fetch_futures(self, underlyings: Sequence[str]) -> SourceAnswer:
        plain, problems = split_plain(underlyings, self.name)
        answer = SourceAnswer(problems=problems)
        for u in plain:
            pair = f"{u}USDT"
            try:
                data = self._futures.get("/fapi/v1/premiumIndex", {"symbol": pair})
            except VenueHttpError as exc:
                if not self._is_invalid_symbol(exc):
                    raise
                answer.problems[u] = f"{u}: {self.name} has no {pair} perpetual"
                continue
            price_from(data, "markPrice", u, self.name, answer)
            answer.instruments[u] = f"{pair} perpetual"
        return answer

    def _is_invalid_symbol(self, exc: VenueHttpError) -> bool:
        payload = exc.payload
        return (
            exc.status == 400
            and isinstance(payload, dict)
            and payload.get("code") == self.INVALID_SYMBOL
        )


# --------------------------------------------------------------------------- funding history
# Issue 15. USDⓈ-M ``GET /fapi/v1/fundingRate`` and COIN-M ``GET /dapi/v1/fundingRate``:
# ascending rows {symbol, fundingTime (ms), fundingRate}, at most 1000 a page,
# startTime/endTime inclusive; paged forward from startTime. The two share
# 500 requests per 5 minutes per IP with fundingInfo: one request every 0.6 s.
# (developers.binance.com, Get-Funding-Rate-History, seen 2026-12-06.)

COIN_M = Endpoint("COIN-M futures", "https://dapi.binance.com", "HEDGER_BINANCE_COINM_URL")
FUNDING_PAGE_ROWS = 1000
INVALID_SYMBOL_CODE = Decimal(-1121)


class BinanceFunding(FundingFetcher):
    """Funding history of USDⓈ-M (linear) and COIN-M (inverse) perpetuals."""

    name = "Binance"
    min_interval = 0.6

    def __init__(
        self,
        env: Mapping[str, str],
        settings: HttpSettings | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self._usdm = json_client(self.name, FUTURES.url(env), settings, sleep)
        self._coinm = json_client(self.name, COIN_M.url(env), settings, sleep)

    def source_text(self, contract: Contract) -> str:
        market = "COIN-M /dapi/v1" if contract.kind == "inverse" else "USDⓈ-M /fapi/v1"
        return f"Binance {market}/fundingRate {contract.symbol}"

    def fetch(self, contract: Contract, start_ms: int, end_ms: int, paging: Paging) -> list[Row]:
        inverse = contract.kind == "inverse"
        client = self._coinm if inverse else self._usdm
        path = "/dapi/v1/fundingRate" if inverse else "/fapi/v1/fundingRate"
        rows: list[Row] = []
        cursor = start_ms
        while cursor <= end_ms:
            paging.next_page(self.name)
            params = {
                "symbol": contract.symbol,
                "startTime": str(cursor),
                "endTime": str(end_ms),
                "limit": str(FUNDING_PAGE_ROWS),
            }
            try:
                data = client.get(path, params)
            except VenueHttpError as exc:
                payload = exc.payload
                if isinstance(payload, dict) and payload.get("code") == INVALID_SYMBOL_CODE:
                    raise FundingFetchError(
                        f"Binance does not list {contract.symbol} perpetual funding"
                    ) from None
                raise
            if not isinstance(data, list):
                raise unexpected_funding(self.name)
            page = [read_row(r, "fundingTime", ("fundingRate",), self.name) for r in data]
            if not page:
                break
            rows += page
            paging.got(len(rows))
            newest = max(t for t, _ in page)
            if newest < cursor:
                raise unexpected_funding(self.name)
            cursor = newest + 1
            if len(data) < FUNDING_PAGE_ROWS:
                break
        return within(rows, start_ms, end_ms)


def make_funding_fetcher(
    env: Mapping[str, str], settings: HttpSettings | None = None
) -> BinanceFunding:
    return BinanceFunding(env, settings)


# --------------------------------------------------------------------------- candles
# Spot klines, GET /api/v3/klines (binance-spot-api-docs rest-api.md, 2023-06-07; the
# current docs page as of 2026-12-06): symbol, interval ("1d" and "1h" open on UTC
# boundaries), startTime/endTime in ms (UTC), limit ≤ 1000, weight 2. Rows come
# oldest first: [open time ms, open, high, low, close, volume, close time, ...],
# prices as strings. Too many requests: HTTP 429, then 418 (an IP ban of 2 minutes
# to 3 days), both with Retry-After in seconds.

KLINES_PATH = "/api/v3/klines"
KLINES_LIMIT = 1000
KLINE_INTERVALS = {"1d": "1d", "1h": "1h"}


class BinanceCandles(CandleSource):
    """Binance spot klines of ``<SYMBOL>USDT``; closes in USDT, which Hedger treats as USD."""

    key = BinanceVenue.key
    name = BinanceVenue.name
    forward = True
    # Weight 2 of an IP budget in the thousands per minute: 20 a second stays far below.
    min_gap = 0.05
    what = "spot <SYMBOL>USDT klines (USDT taken as USD)"

    def __init__(
        self,
        base_url: str = SPOT.default_url,
        settings: HttpSettings | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self._client = json_client(self.name, base_url, settings, sleep)

    @classmethod
    def from_env(cls, env: Mapping[str, str], settings: HttpSettings) -> BinanceCandles:
        return cls(SPOT.url(env), settings)

    def instrument(self, symbol: str) -> str:
        plain, _ = split_plain([symbol], self.name)
        if not plain:
            raise NotListed(f"{symbol}: {self.name} cannot list this symbol")
        return f"{symbol}USDT"

    def fetch_page(self, symbol: str, interval: str, start_ms: int, end_ms: int) -> Page:
        pair = self.instrument(symbol)
        params = {
            "symbol": pair,
            "interval": KLINE_INTERVALS[interval],
            "startTime": str(start_ms),
            "endTime": str(end_ms - 1),
            "limit": str(KLINES_LIMIT),
        }
        try:
            data = self._client.get(KLINES_PATH, params)
        except VenueHttpError as exc:
            if exc.status == 400 and _binance_code(exc) == BinanceSource.INVALID_SYMBOL:
                raise NotListed(f"{symbol}: {self.name} does not list {pair}") from None
            raise
        if not isinstance(data, list):
            raise unexpected(self.name)
        rows = read_rows(data, time_index=0, close_index=4)
        remaining = None
        if len(data) >= KLINES_LIMIT and rows.times:
            remaining = (max(rows.times) + INTERVALS[interval], end_ms)
        return Page(rows, (start_ms, end_ms), remaining)


def _binance_code(exc: VenueHttpError) -> object:
    return exc.payload.get("code") if isinstance(exc.payload, dict) else None
