"""Kraken: catalog venue KRAKEN (Kraken Futures PI_XBTUSD, inverse, 1 USD).

Hedger has no built-in Kraken price source: a Kraken hedge's futures price is
the USDT-margined perpetual of the price source asked (by default Binance's,
then OKX's), labelled with its instrument. ccxt splits Kraken in two:
``kraken`` (spot, offered for prices as ``ccxt:kraken``) and
``krakenfutures``, whose markets list the catalog's contracts (``hedger
prices contracts krakenfutures``).
"""

from __future__ import annotations

from hedger.live.venues.base import Venue


class KrakenVenue(Venue):
    key = "kraken"
    name = "Kraken"
    catalog_codes = ("KRAKEN",)
    ccxt_market_ids = ("krakenfutures",)
    ccxt_price_id = "kraken"
