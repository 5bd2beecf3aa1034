"""Bybit: catalog venue BYBIT (BTCUSDT linear perpetual, BTCUSD inverse perpetual).

Hedger has no built-in Bybit price source: a Bybit hedge's futures price is
the USDT-margined perpetual of the price source asked (by default Binance's,
then OKX's), labelled with its instrument. Through ccxt, ``ccxt:bybit`` gives
spot and perpetual prices, and ``hedger prices contracts bybit`` compares the
catalog's sizes with its markets.
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


class BybitVenue(Venue):
    key = "bybit"
    name = "Bybit"
    catalog_codes = ("BYBIT",)
    ccxt_market_ids = ("bybit",)
    ccxt_price_id = "bybit"

    def funding_fetcher_factory(self) -> FetcherFactory:
        return make_funding_fetcher


# --------------------------------------------------------------------------- funding history
# Issue 15. ``GET /v5/market/funding/history?category=linear|inverse&symbol=…&endTime=…``:
# at most 200 rows, newest first, up to endTime. startTime alone is an error
# and start+end windows have returned inconsistent pages (ccxt issue 27745),
# so this pages backward with endTime only. 600 requests per 5 s per IP;
# over it Bybit answers HTTP 403 "access too frequent" (wait 10 minutes).
# (bybit-exchange.github.io/docs/v5/market/history-fund-rate, seen 2026-12-06.)

FUNDING = Endpoint("funding history", "https://api.bybit.com", "HEDGER_BYBIT_URL")
FUNDING_PAGE_ROWS = 200


class BybitFunding(FundingFetcher):
    """Funding history of Bybit linear (USDT) and inverse perpetuals."""

    name = "Bybit"
    min_interval = 0.1

    def __init__(
        self,
        env: Mapping[str, str],
        settings: HttpSettings | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self._client = json_client(self.name, FUNDING.url(env), settings, sleep)

    def source_text(self, contract: Contract) -> str:
        return f"Bybit /v5/market/funding/history {self._category(contract)} {contract.symbol}"

    @staticmethod
    def _category(contract: Contract) -> str:
        return "inverse" if contract.kind == "inverse" else "linear"

    def fetch(self, contract: Contract, start_ms: int, end_ms: int, paging: Paging) -> list[Row]:
        rows: list[Row] = []
        cursor = end_ms
        while cursor >= start_ms:
            paging.next_page(self.name)
            params = {
                "category": self._category(contract),
                "symbol": contract.symbol,
                "endTime": str(cursor),
                "limit": str(FUNDING_PAGE_ROWS),
            }
            try:
                data = self._client.get("/v5/market/funding/history", params)
            except VenueHttpError as exc:
                if exc.status == 403:
                    raise rate_limited(self.name, "HTTP 403, access too frequent") from None
                raise
            records = self._records(data, contract.symbol)
            if not records:
                break
            page = [
                read_row(r, "fundingRateTimestamp", ("fundingRate",), self.name) for r in records
            ]
            rows += page
            paging.got(len(rows))
            oldest = min(t for t, _ in page)
            if oldest > cursor:
                raise unexpected_funding(self.name)
            if len(records) < FUNDING_PAGE_ROWS:
                break
            cursor = oldest - 1
        return within(rows, start_ms, end_ms)

    def _records(self, data: object, symbol: str) -> list[object]:
        if not isinstance(data, dict):
            raise unexpected_funding(self.name)
        code = str(data.get("retCode"))
        if code == "10006":
            raise rate_limited(self.name, "retCode 10006")
        if code != "0":
            msg = clip(data.get("retMsg") or f"retCode {code}", 80)
            raise FundingFetchError(f"Bybit refused the funding request for {symbol} ({msg})")
        result = data.get("result")
        records = result.get("list") if isinstance(result, dict) else None
        if not isinstance(records, list):
            raise unexpected_funding(self.name)
        return records


def make_funding_fetcher(
    env: Mapping[str, str], settings: HttpSettings | None = None
) -> BybitFunding:
    return BybitFunding(env, settings)
