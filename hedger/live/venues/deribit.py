"""Deribit: catalog venue DERIBIT (BTC-PERPETUAL, inverse, 10 USD).

Hedger has no built-in Deribit price source: a Deribit hedge's futures price
is the USDT-margined perpetual of the price source asked (by default
Binance's, then OKX's), labelled with its instrument. Through ccxt,
``ccxt:deribit`` gives perpetual prices, and ``hedger prices contracts
deribit`` compares the catalog's sizes with its markets.
"""

from __future__ import annotations

from hedger.live.venues.base import Venue


class DeribitVenue(Venue):
    key = "deribit"
    name = "Deribit"
    catalog_codes = ("DERIBIT",)
    ccxt_market_ids = ("deribit",)
    ccxt_price_id = "deribit"
