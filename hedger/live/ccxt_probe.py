"""TEMPORARY re-export: ``ccxt_available`` now lives in ``hedger.live.venues.ccxt``.

Kept only for ``hedger/ui/live_prices.py`` and ``hedger/ui/contracts_dialog.py``;
delete it when they import from ``hedger.live.venues.ccxt`` (which is as light:
it loads neither ccxt nor the network stack). Add nothing here.
"""

from __future__ import annotations

from hedger.live.venues.ccxt import ccxt_available

__all__ = ["ccxt_available"]
