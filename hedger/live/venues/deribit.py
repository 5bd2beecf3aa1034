"""Deribit: catalog venue DERIBIT (BTC-PERPETUAL, inverse, 10 USD).

Hedger has no built-in Deribit price source: a Deribit hedge's futures price
is the USDT-margined perpetual of the price source asked (by default
Binance's, then OKX's), labelled with its instrument. Through ccxt,
``ccxt:deribit`` gives perpetual prices, and ``hedger prices contracts
deribit`` compares the catalog's sizes with its markets.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

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
from hedger.live.http import HttpSettings, VenueHttpError, clip
from hedger.live.venues.base import Endpoint, Venue, json_client

if TYPE_CHECKING:
    from hedger.core.catalog import Contract


class DeribitVenue(Venue):
    key = "deribit"
    name = "Deribit"
    catalog_codes = ("DERIBIT",)
    ccxt_market_ids = ("deribit",)
    ccxt_price_id = "deribit"

    def funding_fetcher_factory(self) -> FetcherFactory:
        return make_funding_fetcher


# --------------------------------------------------------------------------- funding history
# Issue 15. ``GET /api/v2/public/get_funding_rate_history?instrument_name=…
# &start_timestamp=…&end_timestamp=…`` (both required, ms): hourly rows
# {timestamp (end of the hour), interest_1h (the funding over that hour),
# interest_8h, index_price}. Deribit pays funding continuously; each stored
# row is one hour's interest_1h, so its interval reads as 1 h. No page size is
# documented (ccxt asks for 744 hourly rows): windows of 30 days. 20 requests
# per second; error 10028 "too_many_requests" when over.
# (docs.deribit.com public-get_funding_rate_history; support.deribit.com, seen 2026-12-06.)

FUNDING = Endpoint("funding history", "https://www.deribit.com", "HEDGER_DERIBIT_URL")
FUNDING_WINDOW_MS = 30 * 86_400_000
DERIBIT_TOO_MANY_REQUESTS = "10028"


class DeribitFunding(FundingFetcher):
    """Hourly funding of Deribit perpetuals (interest_1h)."""

    name = "Deribit"
    min_interval = 0.1

    def __init__(
        self,
        env: Mapping[str, str],
        settings: HttpSettings | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self._client = json_client(self.name, FUNDING.url(env), settings, sleep)

    def source_text(self, contract: Contract) -> str:
        return f"Deribit public/get_funding_rate_history {contract.symbol} (interest_1h)"

    def fetch(self, contract: Contract, start_ms: int, end_ms: int, paging: Paging) -> list[Row]:
        rows: list[Row] = []
        window_end = end_ms
        while window_end >= start_ms:
            window_start = max(start_ms, window_end - FUNDING_WINDOW_MS + 1)
            paging.next_page(self.name)
            params = {
                "instrument_name": contract.symbol,
                "start_timestamp": str(window_start),
                "end_timestamp": str(window_end),
            }
            try:
                data = self._client.get("/api/v2/public/get_funding_rate_history", params)
            except VenueHttpError as exc:
                data = exc.payload
                if not isinstance(data, dict) or "error" not in data:
                    raise
            records = self._records(data, contract.symbol)
            if not records and rows:
                break  # before the perpetual's first hour
            rows += [read_row(r, "timestamp", ("interest_1h",), self.name) for r in records]
            paging.got(len(rows))
            window_end = window_start - 1
        return within(rows, start_ms, end_ms)

    def _records(self, data: object, symbol: str) -> list[object]:
        if not isinstance(data, dict):
            raise unexpected_funding(self.name)
        error = data.get("error")
        if error is not None:
            code = str(error.get("code")) if isinstance(error, dict) else ""
            if code == DERIBIT_TOO_MANY_REQUESTS:
                raise rate_limited(self.name, "too_many_requests")
            msg = error.get("message") if isinstance(error, dict) else error
            raise FundingFetchError(
                f"Deribit refused the funding request for {symbol} ({clip(msg, 80)})"
            )
        records = data.get("result")
        if not isinstance(records, list):
            raise unexpected_funding(self.name)
        return records


def make_funding_fetcher(
    env: Mapping[str, str], settings: HttpSettings | None = None
) -> DeribitFunding:
    return DeribitFunding(env, settings)
