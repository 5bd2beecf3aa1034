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
