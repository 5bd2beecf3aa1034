"""TEMPORARY re-exports: the price sources now live in ``hedger.live.venues``.

Kept only so callers not yet moved (``hedger/live/cli.py``, ``hedger/ui``)
keep working; delete this module when they import from ``hedger.live.venues``
(registry functions), ``hedger.live.venues.base`` (``PriceSource``,
``SourceAnswer``, ``http_settings_from_env``) and the venue modules
(``BinanceSource``, URLs and environment variables). Add nothing here.
"""

from __future__ import annotations

from hedger.live.venues import (
    builtin_source_keys,
    default_sources,
    make_source,
)
from hedger.live.venues.base import (
    ENV_RETRIES,
    ENV_TIMEOUT,
    PriceSource,
    SourceAnswer,
    http_settings_from_env,
)
from hedger.live.venues.binance import FUTURES as _BINANCE_FUTURES
from hedger.live.venues.binance import SPOT as _BINANCE_SPOT
from hedger.live.venues.binance import BinanceSource
from hedger.live.venues.coinbase import SPOT as _COINBASE_SPOT
from hedger.live.venues.coinbase import CoinbaseSource
from hedger.live.venues.okx import MARKET_DATA as _OKX_MARKET_DATA
from hedger.live.venues.okx import OkxSource

BINANCE_URL = _BINANCE_SPOT.default_url
BINANCE_FUTURES_URL = _BINANCE_FUTURES.default_url
COINBASE_URL = _COINBASE_SPOT.default_url
OKX_URL = _OKX_MARKET_DATA.default_url

ENV_BINANCE_URL = _BINANCE_SPOT.env_var
ENV_BINANCE_FUTURES_URL = _BINANCE_FUTURES.env_var
ENV_COINBASE_URL = _COINBASE_SPOT.env_var
ENV_OKX_URL = _OKX_MARKET_DATA.env_var

BUILTIN_SOURCES = builtin_source_keys()

__all__ = [
    "BINANCE_FUTURES_URL",
    "BINANCE_URL",
    "BUILTIN_SOURCES",
    "COINBASE_URL",
    "ENV_BINANCE_FUTURES_URL",
    "ENV_BINANCE_URL",
    "ENV_COINBASE_URL",
    "ENV_OKX_URL",
    "ENV_RETRIES",
    "ENV_TIMEOUT",
    "OKX_URL",
    "BinanceSource",
    "CoinbaseSource",
    "OkxSource",
    "PriceSource",
    "SourceAnswer",
    "default_sources",
    "http_settings_from_env",
    "make_source",
]
