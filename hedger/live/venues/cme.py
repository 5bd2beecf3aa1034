"""CME Group: catalog venue CME (BTC, MBT, BFF, ETH, MET; dated, cash-settled).

Hedger has no CME price source, and ccxt (crypto exchanges only) does not
cover CME. A CME hedge's futures price is the USDT-margined perpetual of the
price source asked (by default Binance's, then OKX's), labelled with its
instrument; dated futures trade at a basis to it (domain.md section 5).
"""

from __future__ import annotations

from hedger.live.venues.base import Venue


class CmeVenue(Venue):
    key = "cme"
    name = "CME"
    catalog_codes = ("CME",)
