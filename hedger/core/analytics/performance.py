"""Performance figures of a value over time: return, volatility, drawdown, worst day.

The backtest reports them for its hedged and unhedged lines. Percentages
need a positive starting value; the USD figures are defined for any book,
including a net-short one whose value starts at or below zero. Days are UTC
days; the volatility of intraday data is taken from its daily closes so it
compares with that of a daily file.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from hedger.core.analytics.series import NS_PER_DAY, NS_PER_YEAR, FloatArray, IntArray


@dataclass(frozen=True)
class Figures:
    start_value: float
    end_value: float
    total_return: float  # fraction of the start value
    volatility: float  # annualised, fraction
    max_drawdown: float  # fraction, <= 0
    worst_day: float  # fraction, the worst UTC day's change
    worst_day_ns: int | None
    # In USD: defined even when the percentages are not (a net-short book
    # whose value starts at or below zero has no meaningful "return").
    max_drawdown_usd: float = math.nan  # <= 0, largest fall from a previous high
    worst_day_usd: float = math.nan  # the worst UTC day's change
    worst_day_usd_ns: int | None = None
    volatility_usd: float = math.nan  # annualised std of the value's changes, USD

    @property
    def pnl_usd(self) -> float:
        return self.end_value - self.start_value

    @property
    def percentages_defined(self) -> bool:
        return math.isfinite(self.total_return)


def day_starts(timestamps: IntArray) -> tuple[IntArray, IntArray]:
    """Index of the first point of each UTC day that has points, and that day's number.

    Binary search per calendar day: much cheaper than dividing millions of
    timestamps when the points are minutes apart.
    """
    first = int(timestamps[0]) // NS_PER_DAY
    last = int(timestamps[-1]) // NS_PER_DAY
    if last - first + 1 > timestamps.size:
        # Sparse points (weekly data over decades): divide directly.
        days = timestamps // NS_PER_DAY
        idx = np.concatenate([[0], np.flatnonzero(days[1:] != days[:-1]) + 1]).astype(np.int64)
        return idx, days[idx]
    all_days = np.arange(first, last + 1, dtype=np.int64)
    idx = np.searchsorted(timestamps, all_days * NS_PER_DAY, side="left").astype(np.int64)
    idx[0] = 0
    keep = np.concatenate([idx[1:] != idx[:-1], [True]]) & (idx < timestamps.size)
    return idx[keep], all_days[keep]


def figures(timestamps: IntArray, values: FloatArray, start_value: float) -> Figures:
    return figures_for(DayIndex(timestamps), values, start_value)


class DayIndex:
    """Where each UTC day's last point is, shared by the figures of several lines."""

    def __init__(self, timestamps: IntArray) -> None:
        starts, days = day_starts(timestamps)
        self.last = np.append(starts[1:] - 1, timestamps.size - 1)
        self.day_ns = days * NS_PER_DAY
        head = timestamps[: min(timestamps.size, 100_001)]
        # The median step of a sample is enough to tell minutes from days.
        self.step = float(np.median(np.diff(head))) if head.size > 1 else float(NS_PER_DAY)


def figures_for(days: DayIndex, values: FloatArray, start_value: float) -> Figures:
    end = float(values[-1])
    total = end / start_value - 1.0 if start_value > 0 else math.nan
    closes = values[days.last]
    worst, worst_ns = _worst_day(days, values, closes)
    worst_usd, worst_usd_ns = _worst_day_usd(days, values, closes)
    return Figures(
        start_value=start_value,
        end_value=end,
        total_return=total,
        volatility=_volatility(days, values, closes),
        max_drawdown=_max_drawdown(values),
        worst_day=worst,
        worst_day_ns=worst_ns,
        max_drawdown_usd=_max_drawdown_usd(values),
        worst_day_usd=worst_usd,
        worst_day_usd_ns=worst_usd_ns,
        volatility_usd=_volatility_usd(days, values, closes),
    )


def _returns(values: FloatArray) -> FloatArray:
    prev = values[:-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        out: FloatArray = np.where(prev > 0, values[1:] / prev - 1.0, np.nan)
    return out


def _volatility(days: DayIndex, values: FloatArray, closes: FloatArray) -> float:
    if values.size < 3:
        return math.nan
    if days.step < NS_PER_DAY and closes.size >= 20:
        # Intraday data: daily returns, so the figure compares with daily files.
        r = _returns(closes)
        step = float(NS_PER_DAY)
    else:
        r = _returns(values)
        step = max(days.step, 1.0)
    if np.count_nonzero(np.isfinite(r)) < 2:
        return math.nan
    return float(np.nanstd(r, ddof=1) * math.sqrt(NS_PER_YEAR / step))


def _volatility_usd(days: DayIndex, values: FloatArray, closes: FloatArray) -> float:
    """Like ``_volatility`` but of the changes in USD, for books with no positive value."""
    if values.size < 3:
        return math.nan
    if days.step < NS_PER_DAY and closes.size >= 20:
        changes = np.diff(closes)
        step = float(NS_PER_DAY)
    else:
        changes = np.diff(values)
        step = max(days.step, 1.0)
    if np.count_nonzero(np.isfinite(changes)) < 2:
        return math.nan
    return float(np.nanstd(changes, ddof=1) * math.sqrt(NS_PER_YEAR / step))


def _max_drawdown(values: FloatArray) -> float:
    peak = np.maximum.accumulate(values)
    if float(peak[0]) > 0:
        # The running peak never falls, so it stays positive: divide in place.
        np.divide(values, peak, out=peak)
        return float(peak.min()) - 1.0
    with np.errstate(divide="ignore", invalid="ignore"):
        dd = np.where(peak > 0, values / peak - 1.0, np.nan)
    return float(np.nanmin(dd)) if np.isfinite(dd).any() else math.nan


def _worst_day(days: DayIndex, values: FloatArray, closes: FloatArray) -> tuple[float, int | None]:
    prev = np.concatenate([values[:1], closes[:-1]])
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where(prev > 0, closes / prev - 1.0, np.nan)
    if not np.isfinite(r).any():
        return math.nan, None
    i = int(np.nanargmin(r))
    return float(r[i]), int(days.day_ns[i])


def _max_drawdown_usd(values: FloatArray) -> float:
    if not values.size:
        return math.nan
    fall = values - np.maximum.accumulate(values)
    return float(fall.min())


def _worst_day_usd(
    days: DayIndex, values: FloatArray, closes: FloatArray
) -> tuple[float, int | None]:
    if not closes.size:
        return math.nan, None
    prev = np.concatenate([values[:1], closes[:-1]])
    change = closes - prev
    i = int(np.argmin(change))
    return float(change[i]), int(days.day_ns[i])
