"""TEMPORARY re-exports: the ccxt price source now lives in ``hedger.live.venues.ccxt``.

Kept only for callers not yet moved (``hedger/live/cli.py``,
``hedger/ui/contracts_dialog.py``); delete it when they import from
``hedger.live.venues.ccxt``. Add nothing here.
"""

from __future__ import annotations

from hedger.live.venues.ccxt import INSTALL_HINT, SPOT_QUOTES, CcxtSource, load_ccxt

__all__ = ["INSTALL_HINT", "SPOT_QUOTES", "CcxtSource", "load_ccxt"]
