"""GENERIC: the catalog's example families (1 / 0.1 / 0.01 BTC and the ETH equivalent).

Not a venue anyone trades on: the contracts illustrate how contract size
changes a hedge (domain.md section 1). Their futures price is the
USDT-margined perpetual of the price source asked, labelled with its
instrument.
"""

from __future__ import annotations

from hedger.live.venues.base import Venue


class GenericVenue(Venue):
    key = "generic"
    name = "Example contracts"
    catalog_codes = ("GENERIC",)
