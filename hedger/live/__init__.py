"""Live market prices: key-less public venue endpoints, validation and refresh.

Pure Python on the standard library (urllib): no Qt here, and nothing beyond
Hedger's own dependencies. What Hedger knows about each venue lives in one
module of ``hedger.live.venues``, listed by that package's registry.
``ccxt`` is an optional extra (``hedger[live]``) loaded only when a ccxt
source is used.
"""

# Submodules are imported where used: the holdings table only needs
# ``hedger.live.age`` and must not pay for urllib/ssl at start-up.
