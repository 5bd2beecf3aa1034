"""Bybit: catalog venue BYBIT (BTCUSDT linear perpetual, BTCUSD inverse perpetual).

Hedger has no built-in Bybit price source: a Bybit hedge's futures price is
the USDT-margined perpetual of the price source asked (by default Binance's,
then OKX's), labelled with its instrument. Through ccxt, ``ccxt:bybit`` gives
spot and perpetual prices, and ``hedger prices contracts bybit`` compares the
catalog's sizes with its markets.
"""

from __future__ import annotations

from hedger.live.venues.base import Venue


class BybitVenue(Venue):
    key = "bybit"
    name = "Bybit"
    catalog_codes = ("BYBIT",)
    ccxt_market_ids = ("bybit",)
    ccxt_price_id = "bybit"
