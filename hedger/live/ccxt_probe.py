"""Whether the optional ccxt extra is installed, without importing it.

Kept apart from ``ccxt_source`` because that module pulls in the network
stack (urllib, ssl), which the main window must not pay for at start-up just
to grey out a menu entry.
"""

from __future__ import annotations

import importlib.util
import sys


def ccxt_available() -> bool:
    """Whether ``import ccxt`` would work, without importing it (it is large)."""
    if "ccxt" in sys.modules:
        return sys.modules["ccxt"] is not None
    try:
        return importlib.util.find_spec("ccxt") is not None
    except (ImportError, ValueError):
        return False
