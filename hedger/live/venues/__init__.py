"""The venue registry: every venue Hedger knows, one module each, listed once here.

Adding a venue takes its module (a ``Venue`` subclass, and a ``PriceSource``
if Hedger can fetch its prices; the class also names its candle source and
its funding fetcher, if any), one line in ``_VENUES`` and its rows in
``resources/contracts.json``. Nothing else in Hedger names venues: the CLI's
``--source`` choices, the GUI's source menu, the fallback order, the catalog
check's ccxt ids, the history download sources and the funding fetchers all
come from the functions below.

Importing the registry loads no network stack and not ccxt.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from hedger.live.candles import CandleSource
from hedger.live.http import HttpSettings, PriceSourceError, clip
from hedger.live.venues.base import PriceSource, Venue, http_settings_from_env
from hedger.live.venues.binance import BinanceVenue
from hedger.live.venues.bybit import BybitVenue
from hedger.live.venues.cme import CmeVenue
from hedger.live.venues.coinbase import CoinbaseVenue
from hedger.live.venues.deribit import DeribitVenue
from hedger.live.venues.generic import GenericVenue
from hedger.live.venues.kraken import KrakenVenue
from hedger.live.venues.okx import OkxVenue

# Venues with a built-in price source come first, in fallback order: the
# default refresh asks Binance, then Coinbase, then OKX.
_VENUES: tuple[Venue, ...] = (
    BinanceVenue(),
    CoinbaseVenue(),
    OkxVenue(),
    BybitVenue(),
    DeribitVenue(),
    KrakenVenue(),
    CmeVenue(),
    GenericVenue(),
)

CCXT_PREFIX = "ccxt:"
#: How the ccxt sources are written in choices and help texts.
CCXT_CHOICE = "ccxt:<exchange>"

_BY_KEY = {v.key: v for v in _VENUES}
_BY_CATALOG_CODE = {code.upper(): v for v in _VENUES for code in v.catalog_codes}
_BY_CCXT_MARKETS = {ccxt_id: v for v in _VENUES for ccxt_id in v.ccxt_market_ids}


def all_venues() -> tuple[Venue, ...]:
    return _VENUES


def venue(key: str) -> Venue:
    """The venue by its key (``binance``); KeyError for an unknown key."""
    return _BY_KEY[key.strip().lower()]


def builtin_source_keys() -> tuple[str, ...]:
    """Venues with a built-in price source, in fallback order: binance, coinbase, okx."""
    return tuple(v.key for v in _VENUES if v.has_builtin_source)


def price_source_keys() -> tuple[str, ...]:
    """What ``--source`` and the GUI's source menu offer: the built-in ones, then ccxt."""
    return (*builtin_source_keys(), CCXT_CHOICE)


def venue_for_catalog_code(code: str) -> Venue | None:
    """The venue of catalog contracts whose ``venue`` is ``code`` ("OKX"), if Hedger knows it."""
    return _BY_CATALOG_CODE.get(code.strip().upper())


def venue_for_ccxt_id(exchange_id: str) -> Venue | None:
    """The venue whose catalog contracts the ccxt exchange's markets list (``krakenfutures``)."""
    return _BY_CCXT_MARKETS.get(exchange_id.strip().lower())


def venue_for_exchange(exchange_id: str) -> Venue:
    """The venue whose catalog contracts the ccxt exchange's markets list, or why there is none."""
    found = venue_for_ccxt_id(exchange_id)
    if found is None:
        known = ", ".join(sorted(ccxt_market_ids()))
        raise PriceSourceError(
            f"the catalog has no contracts for {exchange_id!r} (try one of: {known})"
        )
    return found


def ccxt_market_ids() -> tuple[str, ...]:
    """ccxt exchanges whose markets list catalog contracts, in registry order."""
    return tuple(_BY_CCXT_MARKETS)


def ccxt_price_ids() -> tuple[str, ...]:
    """ccxt exchanges offered for prices (``ccxt:<id>``), one per venue, in registry order."""
    return tuple(v.ccxt_price_id for v in _VENUES if v.ccxt_price_id is not None)


def make_source(
    key: str,
    env: Mapping[str, str] | None = None,
    settings: HttpSettings | None = None,
) -> PriceSource:
    """A source by its command-line name: binance, coinbase, okx or ccxt:<exchange>.

    Base URLs come from ``env`` (``HEDGER_BINANCE_URL`` and the others the
    venue modules name), else the venues' public addresses.
    """
    env = os.environ if env is None else env
    settings = settings or http_settings_from_env(env)
    k = key.strip().lower()
    found = _BY_KEY.get(k)
    source = found.make_source(env, settings) if found is not None else None
    if source is not None:
        return source
    if k.startswith(CCXT_PREFIX):
        from hedger.live.venues.ccxt import CcxtSource

        return CcxtSource(k.removeprefix(CCXT_PREFIX), timeout=settings.timeout)
    names = ", ".join(price_source_keys())
    raise PriceSourceError(f"unknown price source {clip(key, 30)!r} (choose from {names})")


def default_sources(env: Mapping[str, str] | None = None) -> list[PriceSource]:
    """The built-in venues in fallback order: Binance, then Coinbase, then OKX."""
    settings = http_settings_from_env(env)
    return [make_source(k, env, settings) for k in builtin_source_keys()]


# --------------------------------------------------------------------------- candles
# Venues whose public candles Hedger downloads as price history (``hedger history
# download``, the History tab's Download…), in registry order: each venue class
# says so itself (``Venue.candle_source``), so adding one takes no second list.

_CANDLES_BY_KEY: dict[str, type[CandleSource]] = {
    v.key: c for v in _VENUES if (c := v.candle_source()) is not None
}


def candle_source_keys() -> tuple[str, ...]:
    """What a history download may use: binance, coinbase, okx, then ccxt:<exchange>."""
    return (*_CANDLES_BY_KEY, CCXT_CHOICE)


def candle_source_what(key: str) -> str:
    """What a built-in candle source downloads, in a few words (for menus)."""
    found = _CANDLES_BY_KEY.get(key.strip().lower())
    return found.what if found is not None else ""


def make_candle_source(
    key: str,
    env: Mapping[str, str] | None = None,
    settings: HttpSettings | None = None,
) -> CandleSource:
    """A candle source by its command-line name, base URLs from ``env`` as for prices."""
    env = os.environ if env is None else env
    settings = settings or http_settings_from_env(env)
    k = key.strip().lower()
    found = _CANDLES_BY_KEY.get(k)
    if found is not None:
        return found.from_env(env, settings)
    if k.startswith(CCXT_PREFIX) and len(k) > len(CCXT_PREFIX):
        from hedger.live.venues.ccxt import CcxtCandles

        return CcxtCandles(k.removeprefix(CCXT_PREFIX), timeout=settings.timeout)
    names = ", ".join(candle_source_keys())
    raise PriceSourceError(f"unknown candle source {clip(key, 30)!r} (choose from {names})")


__all__ = [
    "CCXT_CHOICE",
    "CCXT_PREFIX",
    "PriceSource",
    "Venue",
    "all_venues",
    "builtin_source_keys",
    "candle_source_keys",
    "candle_source_what",
    "ccxt_market_ids",
    "ccxt_price_ids",
    "default_sources",
    "http_settings_from_env",
    "make_candle_source",
    "make_source",
    "price_source_keys",
    "venue",
    "venue_for_catalog_code",
    "venue_for_ccxt_id",
    "venue_for_exchange",
]
