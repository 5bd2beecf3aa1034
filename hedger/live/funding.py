"""Funding-rate history of catalog perpetuals: which venue answers, and one checked download.

Built in (public, key-less; each venue's endpoint and paging live in its
module's funding block): Binance USDⓈ-M and COIN-M, OKX, Bybit and Deribit.
Any other venue whose catalog contracts ccxt lists (Kraken, ...) goes
through ccxt's ``fetch_funding_rate_history`` when ccxt is installed.

``fetch_funding`` returns the rows checked by
``hedger.core.funding.checked_rows``: a malformed answer, a time or a rate
that cannot be believed refuses the whole download of that contract, so
nothing doubtful is ever stored.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from hedger.core.funding import MS_PER_DAY, FundingError, FundingHistory, checked_rows
from hedger.live.funding_fetch import FetcherFactory, FundingFetcher, FundingFetchError, Paging
from hedger.live.http import HttpSettings, request_budget
from hedger.live.venues import all_venues, http_settings_from_env, venue_for_catalog_code

if TYPE_CHECKING:
    from hedger.core.catalog import Contract

MAX_DAYS = 3650


def _built_in() -> dict[str, FetcherFactory]:
    """Catalog venue code -> the funding fetcher its venue class names
    (``Venue.funding_fetcher_factory``); read from the registry, so no venue is named here."""
    out: dict[str, FetcherFactory] = {}
    for v in all_venues():
        factory = v.funding_fetcher_factory()
        if factory is not None:
            out.update({code.upper(): factory for code in v.catalog_codes})
    return out


_BUILT_IN = _built_in()


def built_in_venues() -> tuple[str, ...]:
    return tuple(_BUILT_IN)


def ccxt_available() -> bool:
    import importlib.util

    return importlib.util.find_spec("ccxt") is not None


def funding_source_for(contract: Contract) -> str | None:
    """How the funding of ``contract`` can be downloaded ("built in", "ccxt:<id>"), or None."""
    if contract.expiry != "perpetual":
        return None
    code = contract.venue.upper()
    if code in _BUILT_IN:
        return "built in"
    found = venue_for_catalog_code(code)
    if found is not None and found.ccxt_market_ids and ccxt_available():
        return f"ccxt:{found.ccxt_market_ids[0]}"
    return None


def fetcher_for(
    contract: Contract,
    env: Mapping[str, str] | None = None,
    settings: HttpSettings | None = None,
) -> FundingFetcher:
    """The fetcher that downloads ``contract``'s funding; FundingFetchError if none can."""
    env = os.environ if env is None else env
    settings = settings or http_settings_from_env(env)
    if contract.expiry != "perpetual":
        raise FundingFetchError(f"{contract.id} is a dated contract: it pays no funding")
    code = contract.venue.upper()
    factory = _BUILT_IN.get(code)
    if factory is not None:
        return factory(env, settings)
    found = venue_for_catalog_code(code)
    if found is not None and found.ccxt_market_ids and ccxt_available():
        from hedger.live.funding_ccxt import CcxtFunding

        return CcxtFunding(found.ccxt_market_ids[0], settings.timeout)
    hint = " (install ccxt to reach it)" if found is not None and found.ccxt_market_ids else ""
    raise FundingFetchError(f"no public funding source for {contract.id}{hint}")


def fetch_funding(
    contract: Contract,
    days: int,
    *,
    fetcher: FundingFetcher,
    now_ms: int | None = None,
    cancelled: Callable[[], bool] | None = None,
    on_rows: Callable[[int], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> FundingHistory:
    """The checked funding of the last ``days`` days; raises FundingFetchError (including
    FundingCancelled) or FundingError for rows that cannot be believed."""
    if not 0 < days <= MAX_DAYS:
        raise FundingFetchError(f"days must be 1 to {MAX_DAYS}, got {days}")
    now = int(time.time() * 1000) if now_ms is None else now_ms
    start = now - days * MS_PER_DAY
    paging = Paging(fetcher.min_interval, cancelled=cancelled, on_rows=on_rows, sleep=sleep)
    with request_budget(None, cancelled):
        rows = fetcher.fetch(contract, start, now, paging)
    source = fetcher.source_text(contract)
    try:
        return checked_rows(contract.id, rows, now, source)
    except FundingError as exc:
        raise FundingFetchError(str(exc)) from None


__all__ = [
    "FundingFetchError",
    "FundingFetcher",
    "built_in_venues",
    "ccxt_available",
    "fetch_funding",
    "fetcher_for",
    "funding_source_for",
]
