"""Daily volatility from a stored price history, for the leverage warning.

The standard deviation (``ddof`` 1) of daily log returns between the last
prices of consecutive UTC days, over the last ``lookback_days`` days of the
history. Fewer than ``MIN_RETURNS`` daily returns give None: too little
history to say, and the caller falls back to ``hedger.core.leverage``'s
documented default.
"""

from __future__ import annotations

import math

import numpy as np

from hedger.core.analytics.series import NS_PER_DAY, PriceSeries

LOOKBACK_DAYS = 90
MIN_RETURNS = 20


def daily_volatility(series: PriceSeries, lookback_days: int = LOOKBACK_DAYS) -> float | None:
    """Daily log-return volatility of ``series`` (0.04 is 4 % a day), or None."""
    ts, closes = series.resample_last(NS_PER_DAY)
    if ts.size < 2:
        return None
    keep = ts >= ts[-1] - lookback_days * NS_PER_DAY
    closes = closes[keep]
    if closes.size < MIN_RETURNS + 1 or not bool(np.all(closes > 0)):
        return None
    returns = np.diff(np.log(closes))
    vol = float(np.std(returns, ddof=1))
    return vol if math.isfinite(vol) and vol > 0 else None
