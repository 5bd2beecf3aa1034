"""Funding history through ccxt's ``fetch_funding_rate_history``, for venues without a built-in one.

ccxt returns ``[{timestamp, fundingRate, ...}]`` ascending, the venue's own
rate per its own interval (not normalised), which is what Hedger stores.
Paged forward from ``since`` with the last timestamp + 1. ccxt is optional
(``pip install hedger[live]``) and imported only here.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from hedger.live.funding_fetch import (
    FundingFetcher,
    FundingFetchError,
    Paging,
    Row,
    read_row,
    unexpected_funding,
    within,
)
from hedger.live.http import clip

if TYPE_CHECKING:
    from hedger.core.catalog import Contract

PAGE_ROWS = 500


class CcxtFunding(FundingFetcher):
    name = "ccxt"
    min_interval = 0.5

    def __init__(self, exchange_id: str, timeout: float = 10.0) -> None:
        self.exchange_id = exchange_id
        self._timeout = timeout
        self._exchange: Any = None

    def source_text(self, contract: Contract) -> str:
        return f"ccxt {self.exchange_id} fetch_funding_rate_history {contract.symbol}"

    def _client(self) -> Any:
        if self._exchange is None:
            try:
                ccxt = importlib.import_module("ccxt")
                cls = getattr(ccxt, self.exchange_id)
            except (ImportError, AttributeError):
                raise FundingFetchError(f"ccxt has no exchange {self.exchange_id!r}") from None
            self._exchange = cls({"enableRateLimit": True, "timeout": int(self._timeout * 1000)})
        return self._exchange

    def _unified_symbol(self, contract: Contract) -> str:
        ex = self._client()
        try:
            markets = ex.load_markets()
        except Exception as exc:  # ccxt raises its own types; any failure is one line here
            raise FundingFetchError(f"ccxt {self.exchange_id}: {clip(exc, 80)}") from None
        for market in (markets or {}).values():
            if isinstance(market, dict) and market.get("id") == contract.symbol:
                return str(market["symbol"])
        raise FundingFetchError(f"ccxt {self.exchange_id} does not list {contract.symbol}")

    def fetch(self, contract: Contract, start_ms: int, end_ms: int, paging: Paging) -> list[Row]:
        venue = f"ccxt {self.exchange_id}"
        symbol = self._unified_symbol(contract)
        ex = self._client()
        rows: list[Row] = []
        since = start_ms
        while since <= end_ms:
            paging.next_page(venue)
            try:
                data = ex.fetch_funding_rate_history(symbol, since, PAGE_ROWS)
            except Exception as exc:  # ccxt raises its own types
                raise FundingFetchError(f"{venue}: {clip(exc, 80)}") from None
            if not isinstance(data, list):
                raise unexpected_funding(venue)
            page = [read_row(r, "timestamp", ("fundingRate",), venue) for r in data]
            if not page:
                break
            rows += page
            paging.got(len(rows))
            newest = max(t for t, _ in page)
            if newest < since:
                raise unexpected_funding(venue)
            since = newest + 1
            if len(page) < PAGE_ROWS:
                break
        return within(rows, start_ms, end_ms)
