"""Coinbase: spot prices from the Coinbase Exchange public ticker; catalog venue COINBASE.

The catalog's COINBASE contracts (nano Bitcoin BIT, nano Ether ET) trade on
Coinbase Derivatives, for which Hedger has no price endpoint: their futures
price is the USDT-margined perpetual of another price source (by default
Binance's, then OKX's), labelled with its instrument. No ccxt exchange is
recorded for comparing their sizes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from hedger.live.http import HttpSettings, VenueHttpError
from hedger.live.venues.base import (
    Endpoint,
    SourceAnswer,
    Venue,
    VenueSource,
    json_client,
    price_from,
    split_plain,
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
