"""OKX: spot tickers and swap/futures mark prices from public endpoints; catalog venue OKX.

The only built-in source that prices the catalog's own contracts exactly
(``fetch_contracts``): an OKX family's futures price is that contract's mark
price, so the basis between, say, the inverse BTC-USD-SWAP and the USDT swap
is not guessed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

from hedger.live.candles import CandleSource, NotListed, Page, RateLimited, read_rows
from hedger.live.funding_fetch import (
    FetcherFactory,
    FundingFetcher,
    FundingFetchError,
    Paging,
    Row,
    rate_limited,
    read_row,
    unexpected_funding,
    within,
)
from hedger.live.http import HttpSettings, PriceSourceError, VenueHttpError, clip
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

MARKET_DATA = Endpoint("spot and swap/futures market data", "https://www.okx.com", "HEDGER_OKX_URL")

_INSTRUMENT = re.compile(r"^[A-Z0-9]{1,15}-[A-Z0-9]{1,10}-[A-Z0-9]{1,10}$")


class OkxVenue(Venue):
    key = "okx"
    name = "OKX"
    catalog_codes = ("OKX",)
    endpoints = (MARKET_DATA,)
    has_spot_prices = True
    has_futures_prices = True
    exact_contract_codes = ("OKX",)
    ccxt_market_ids = ("okx",)
    ccxt_price_id = "okx"

    def make_source(self, env: Mapping[str, str], settings: HttpSettings) -> OkxSource:
        return OkxSource(MARKET_DATA.url(env), settings)

    def candle_source(self) -> type[OkxCandles]:
        return OkxCandles

    def funding_fetcher_factory(self) -> FetcherFactory:
        return make_funding_fetcher


class OkxSource(VenueSource, venue=OkxVenue):
    """OKX public market data: spot ticker ``last`` and perpetual swap ``markPx``."""

    def __init__(
        self,
        base_url: str = MARKET_DATA.default_url,
        settings: HttpSettings | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self._client = json_client(self.name, base_url, settings, sleep)

    def fetch_spot(self, symbols: Sequence[str]) -> SourceAnswer:
        plain, problems = split_plain(symbols, self.name)
        answer = SourceAnswer(problems=problems)
        for s in plain:
            self._one(s, "/api/v5/market/ticker", {"instId": f"{s}-USDT"}, "last", answer)
        return answer

    def fetch_futures(self, underlyings: Sequence[str]) -> SourceAnswer:
        plain, problems = split_plain(underlyings, self.name)
        answer = SourceAnswer(problems=problems)
        for u in plain:
            params = {"instType": "SWAP", "instId": f"{u}-USDT-SWAP"}
            self._one(u, "/api/v5/public/mark-price", params, "markPx", answer)
            answer.instruments[u] = f"{u}-USDT-SWAP perpetual"
        return answer

    def fetch_contracts(self, contracts: Mapping[str, Contract]) -> SourceAnswer:
        answer = SourceAnswer()
        for u, c in contracts.items():
            inst = c.symbol.upper()
            if not _INSTRUMENT.match(inst):
                answer.problems[u] = f"{u}: {self.name} cannot price {c.id}"
                continue
            kind = "SWAP" if inst.endswith("-SWAP") else "FUTURES"
            self._one(
                u, "/api/v5/public/mark-price", {"instType": kind, "instId": inst}, "markPx", answer
            )
            answer.instruments[u] = f"{inst}, your hedge contract"
        return answer

    def _one(
        self, symbol: str, path: str, params: dict[str, str], key: str, answer: SourceAnswer
    ) -> None:
        inst = params["instId"]
        try:
            data = self._client.get(path, params)
        except VenueHttpError as exc:
            if exc.status not in (400, 404):
                raise
            answer.problems[symbol] = f"{symbol}: {self.name} does not list {inst}"
            return
        if not isinstance(data, dict):
            raise unexpected(self.name)
        # OKX reports errors in the body ("code" other than "0"), often with HTTP 200.
        if data.get("code") not in ("0", Decimal(0)):
            answer.problems[symbol] = f"{symbol}: {self.name} does not list {inst}"
            return
        rows = data.get("data")
        if not isinstance(rows, list) or not rows:
            answer.problems[symbol] = f"{symbol}: {self.name} has no price for {inst}"
            return
        price_from(rows[0], key, symbol, self.name, answer)


# --------------------------------------------------------------------------- funding history
# Issue 15. ``GET /api/v5/public/funding-rate-history?instId=…&after=…&limit=100``:
# newest first; ``after`` = older than that fundingTime, so paged backward.
# ``realizedRate`` is the rate actually paid (``fundingRate`` the predicted one).
# Only about three months are kept. 10 requests per 2 s per IP and instrument.
# The limit is 400 in the current docs and 100 in older copies: ask for 100 and
# take what comes. Code 50011 = rate limited, even with HTTP 200.
# (okx.com docs-v5 "Public Data" copies, seen 2026-12-06.)

FUNDING_PAGE_ROWS = 100
OKX_RATE_LIMITED = "50011"


class OkxFunding(FundingFetcher):
    """Funding history of OKX perpetual swaps (linear and inverse)."""

    name = "OKX"
    min_interval = 0.25
    keeps_days = 90

    def __init__(
        self,
        env: Mapping[str, str],
        settings: HttpSettings | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self._client = json_client(self.name, MARKET_DATA.url(env), settings, sleep)

    def source_text(self, contract: Contract) -> str:
        return f"OKX /api/v5/public/funding-rate-history {contract.symbol} (realizedRate)"

    def fetch(self, contract: Contract, start_ms: int, end_ms: int, paging: Paging) -> list[Row]:
        inst = contract.symbol.upper()
        if not _INSTRUMENT.match(inst) or not inst.endswith("-SWAP"):
            raise FundingFetchError(f"OKX has no funding for {contract.id} (not a swap)")
        rows: list[Row] = []
        after = end_ms + 1
        while True:
            paging.next_page(self.name)
            params = {"instId": inst, "after": str(after), "limit": str(FUNDING_PAGE_ROWS)}
            data = self._client.get("/api/v5/public/funding-rate-history", params)
            records = self._records(data, inst)
            if not records:
                break
            page = [
                read_row(r, "fundingTime", ("realizedRate", "fundingRate"), self.name)
                for r in records
            ]
            rows += page
            paging.got(len(rows))
            oldest = min(t for t, _ in page)
            if oldest >= after:
                raise unexpected_funding(self.name)
            if oldest <= start_ms:
                break
            after = oldest
        return within(rows, start_ms, end_ms)

    def _records(self, data: object, inst: str) -> list[object]:
        if not isinstance(data, dict):
            raise unexpected_funding(self.name)
        code = str(data.get("code"))
        if code == OKX_RATE_LIMITED:
            raise rate_limited(self.name, f"code {OKX_RATE_LIMITED}")
        if code not in ("0",):
            msg = clip(data.get("msg") or f"code {code}", 80)
            raise FundingFetchError(f"OKX refused the funding request for {inst} ({msg})")
        records = data.get("data")
        if not isinstance(records, list):
            raise unexpected_funding(self.name)
        return records


def make_funding_fetcher(
    env: Mapping[str, str], settings: HttpSettings | None = None
) -> OkxFunding:
    return OkxFunding(env, settings)


# --------------------------------------------------------------------------- candles
# OKX candlesticks history, GET /api/v5/market/history-candles (okx.com docs-v5
# "GET / Candlesticks history" and an OKX V5 guide retrieved 2026-08-03): instId,
# bar ("1Dutc" = UTC days; plain "1D" would open at 00:00 Hong Kong time; "1H"),
# after = older than ts, before = newer than ts (both exclusive, ms), limit 100
# (older docs say 100 is the maximum, newer ones 300: 100 is safe). Rows are
# [ts, o, h, l, c, vol, volCcy, volCcyQuote, confirm], newest first; confirm "0"
# marks a bar still open. 20 requests per 2 s per IP; too many: code 50011, in an
# HTTP 429 or in the body of an HTTP 200. Code 51001: no such instrument.

HISTORY_CANDLES_PATH = "/api/v5/market/history-candles"
HISTORY_CANDLES_LIMIT = 100
CANDLE_BARS = {"1d": "1Dutc", "1h": "1H"}
RATE_LIMIT_CODE = "50011"
UNKNOWN_INSTRUMENT_CODE = "51001"


class OkxCandles(CandleSource):
    """OKX spot candles of ``<SYMBOL>-USDT``, paged newest first; closes in USDT (≈ USD)."""

    key = OkxVenue.key
    name = OkxVenue.name
    forward = False
    min_gap = 0.11  # under 20 per 2 s
    what = "spot <SYMBOL>-USDT candles (USDT taken as USD)"

    def __init__(
        self,
        base_url: str = MARKET_DATA.default_url,
        settings: HttpSettings | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self._client = json_client(self.name, base_url, settings, sleep)

    @classmethod
    def from_env(cls, env: Mapping[str, str], settings: HttpSettings) -> OkxCandles:
        return cls(MARKET_DATA.url(env), settings)

    def instrument(self, symbol: str) -> str:
        plain, _ = split_plain([symbol], self.name)
        if not plain:
            raise NotListed(f"{symbol}: {self.name} cannot list this symbol")
        return f"{symbol}-USDT"

    def fetch_page(self, symbol: str, interval: str, start_ms: int, end_ms: int) -> Page:
        inst = self.instrument(symbol)
        params = {
            "instId": inst,
            "bar": CANDLE_BARS[interval],
            "after": str(end_ms),
            "before": str(start_ms - 1),
            "limit": str(HISTORY_CANDLES_LIMIT),
        }
        try:
            data = self._client.get(HISTORY_CANDLES_PATH, params)
        except VenueHttpError as exc:
            if _okx_code(exc.payload) == UNKNOWN_INSTRUMENT_CODE:
                raise NotListed(f"{symbol}: {self.name} does not list {inst}") from None
            raise
        if not isinstance(data, dict):
            raise unexpected(self.name)
        code = _okx_code(data)
        if code == RATE_LIMIT_CODE:
            raise RateLimited(f"{self.name} is limiting requests (code {code})", None)
        if code == UNKNOWN_INSTRUMENT_CODE:
            raise NotListed(f"{symbol}: {self.name} does not list {inst}")
        if code != "0":
            raise PriceSourceError(
                f"{self.name} refused the request "
                f"(code {clip(code, 12)}: {clip(data.get('msg') or '', 60)})"
            )
        rows_raw = data.get("data")
        if not isinstance(rows_raw, list):
            raise unexpected(self.name)
        rows = read_rows(rows_raw, time_index=0, close_index=4, confirm_index=8)
        remaining = None
        if rows.times and min(rows.times) > start_ms:
            remaining = (start_ms, min(rows.times))
        return Page(rows, (start_ms, end_ms), remaining)


def _okx_code(payload: object) -> str | None:
    """The envelope's ``code`` as text ("0" is success), None without an envelope."""
    if not isinstance(payload, dict) or "code" not in payload:
        return None
    return str(payload["code"])
