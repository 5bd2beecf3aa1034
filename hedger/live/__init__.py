"""Live market prices: key-less public venue endpoints, validation and refresh.

Pure Python on the standard library (urllib): no Qt here, and nothing beyond
Hedger's own dependencies. ``ccxt`` is an optional extra (``hedger[live]``)
loaded only when a ccxt source is used.
"""

from hedger.live.http import PriceSourceError
from hedger.live.refresh import (
    FetchReport,
    PriceChange,
    RefreshResult,
    apply_quotes,
    fetch_quotes,
    refresh_portfolio,
)
from hedger.live.sources import PriceSource, SourceAnswer, default_sources, make_source

__all__ = [
    "FetchReport",
    "PriceChange",
    "PriceSource",
    "PriceSourceError",
    "RefreshResult",
    "SourceAnswer",
    "apply_quotes",
    "default_sources",
    "fetch_quotes",
    "make_source",
    "refresh_portfolio",
]
