"""Synthetic but realistic daily closes for the analytics tabs' tests and screenshots.

Two years of BTC, ETH and SOL ending at the sample portfolio's prices (70,000,
3,500 and 150 USD): fat-tailed daily moves of crypto size (BTC about 2.6 % a
day, none beyond 12 %), ETH and SOL moving with BTC (betas of about 1.1 and
1.4) plus their own noise.
"""

from __future__ import annotations

import numpy as np

from hedger.core.analytics.series import NS_PER_DAY, PriceSeries
from hedger.store.history import HistoryStore

END = "2025-12-05"
#: symbol: (first close, last close, beta to BTC, own daily volatility)
COINS = {
    "BTC": (44_000.0, 70_000.0, 1.0, 0.0),
    "ETH": (2_300.0, 3_500.0, 1.1, 0.018),
    "SOL": (98.0, 150.0, 1.4, 0.03),
}


def _moves(rng: np.random.Generator, n: int, vol: float) -> np.ndarray:
    """Student-t daily moves (5 degrees of freedom: crypto's fat tails) with this volatility."""
    t = rng.standard_t(5, n) / np.sqrt(5 / 3)  # a t with 5 degrees of freedom has variance 5/3
    return np.clip(t * vol, -0.12, 0.12)


def realistic_closes(days: int = 730, seed: int = 14) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    market = _moves(rng, days, 0.026)
    out = {}
    for symbol, (first, last, beta, own) in COINS.items():
        steps = beta * market + (_moves(rng, days, own) if own else 0.0)
        walk = np.cumsum(steps)
        # Bend the walk to end at the sample's price: the plan and the history agree.
        walk += np.linspace(0.0, np.log(last / first) - walk[-1], days)
        out[symbol] = first * np.exp(walk)
    return out


def store_histories(
    closes: dict[str, np.ndarray] | None = None, end: str = END, source: str = "Binance"
) -> HistoryStore:
    """Write the closes (default: ``realistic_closes()``) into the data folder's store."""
    closes = closes if closes is not None else realistic_closes()
    store = HistoryStore()
    last = int(np.datetime64(end, "ns").astype(np.int64))
    for symbol, values in closes.items():
        ts = last - np.arange(values.size - 1, -1, -1, dtype=np.int64) * NS_PER_DAY
        store.merge(PriceSeries(symbol, ts, values, (f"{source} {symbol}USDT 1d",)))
    return store
