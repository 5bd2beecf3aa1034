"""Beta, correlation and the minimum-variance hedge ratio from price history.

For a holding S hedged with underlying F (domain.md §3):

* beta: slope of the least-squares regression of S returns on F returns;
* correlation ρ and the return volatilities σS, σF;
* h* = ρ·σS/σF, the minimum-variance hedge ratio (algebraically the same
  slope, computed here from its textbook formula as a cross-check);
* hedge effectiveness ρ², the share of S's variance the hedge removes.

Returns are simple returns between the last closes of consecutive common
intervals (hour, day or week), so series of different granularity or with
gaps line up on the same moments.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

import numpy as np

from hedger.core.analytics.links import AnalyticsError, link_portfolio
from hedger.core.analytics.series import (
    NS_PER_DAY,
    NS_PER_HOUR,
    NS_PER_WEEK,
    NS_PER_YEAR,
    FloatArray,
    IntArray,
    PriceSeries,
)
from hedger.core.catalog import Catalog
from hedger.core.models import MAX_BETA, Portfolio

Interval = Literal["hour", "day", "week"]
INTERVAL_NS: dict[str, int] = {"hour": NS_PER_HOUR, "day": NS_PER_DAY, "week": NS_PER_WEEK}
INTERVAL_NAMES: dict[str, str] = {"hour": "hourly", "day": "daily", "week": "weekly"}
MIN_OBSERVATIONS = 10


@dataclass(frozen=True)
class Window:
    """The stretch of history an estimate uses."""

    lookback_days: int | None = 365  # None: all common history
    interval: Interval = "day"
    end_ns: int | None = None  # None: the last common time

    def describe(self) -> str:
        span = "all history" if self.lookback_days is None else f"last {self.lookback_days} days"
        return f"{INTERVAL_NAMES[self.interval]} returns, {span}"


@dataclass(frozen=True)
class AlignedReturns:
    timestamps: IntArray  # end of each return interval
    first: FloatArray
    second: FloatArray


@dataclass(frozen=True)
class PairEstimate:
    observations: int
    first_ns: int
    last_ns: int
    interval: Interval
    beta: float
    correlation: float
    sigma_s: float  # std of the holding's returns per interval
    sigma_f: float  # std of the hedge series' returns per interval
    hedge_ratio: float  # h* = ρ·σS/σF
    effectiveness: float  # ρ²

    @property
    def periods_per_year(self) -> float:
        return NS_PER_YEAR / INTERVAL_NS[self.interval]

    @property
    def sigma_s_annual(self) -> float:
        return self.sigma_s * math.sqrt(self.periods_per_year)

    @property
    def sigma_f_annual(self) -> float:
        return self.sigma_f * math.sqrt(self.periods_per_year)


def aligned_returns(a: PriceSeries, b: PriceSeries, window: Window) -> AlignedReturns:
    """Simple returns of both series over the intervals where both have a close."""
    step = INTERVAL_NS[window.interval]
    ta, pa = a.resample_last(step)
    tb, pb = b.resample_last(step)
    common, ia, ib = np.intersect1d(ta, tb, assume_unique=True, return_indices=True)
    pa, pb = pa[ia], pb[ib]
    if common.size:
        end = int(common[-1]) if window.end_ns is None else min(window.end_ns, int(common[-1]))
        lo = (
            0
            if window.lookback_days is None
            else int(np.searchsorted(common, end - window.lookback_days * NS_PER_DAY, "left"))
        )
        hi = int(np.searchsorted(common, end, "right"))
        common, pa, pb = common[lo:hi], pa[lo:hi], pb[lo:hi]
    if common.size < 2:
        empty = np.empty(0, dtype=np.float64)
        return AlignedReturns(np.empty(0, dtype=np.int64), empty, empty)
    return AlignedReturns(common[1:], pa[1:] / pa[:-1] - 1.0, pb[1:] / pb[:-1] - 1.0)


def estimate_pair(holding: PriceSeries, hedge: PriceSeries, window: Window) -> PairEstimate:
    """Regression of ``holding`` returns on ``hedge`` returns; AnalyticsError if too little."""
    r = aligned_returns(holding, hedge, window)
    n = int(r.first.size)
    if n < MIN_OBSERVATIONS:
        raise AnalyticsError(
            f"{holding.symbol} and {hedge.symbol} share only {n} {INTERVAL_NAMES[window.interval]} "
            f"returns in the window; at least {MIN_OBSERVATIONS} are needed"
        )
    s, f = r.first, r.second
    sigma_s = float(np.std(s, ddof=1))
    sigma_f = float(np.std(f, ddof=1))
    if sigma_f == 0.0:
        raise AnalyticsError(f"{hedge.symbol} did not move in the window: no beta can be fitted")
    cov = float(np.sum((s - s.mean()) * (f - f.mean())) / (n - 1))
    beta = cov / (sigma_f * sigma_f)
    rho = cov / (sigma_s * sigma_f) if sigma_s > 0 else 0.0
    rho = max(-1.0, min(1.0, rho))
    return PairEstimate(
        observations=n,
        first_ns=int(r.timestamps[0]),
        last_ns=int(r.timestamps[-1]),
        interval=window.interval,
        beta=beta,
        correlation=rho,
        sigma_s=sigma_s,
        sigma_f=sigma_f,
        hedge_ratio=rho * sigma_s / sigma_f,
        effectiveness=rho * rho,
    )


@dataclass(frozen=True)
class HoldingEstimate:
    row: int  # index in portfolio.holdings
    symbol: str
    underlying: str
    hedge_series: str
    user_beta: Decimal | None
    estimate: PairEstimate | None
    problem: str | None = None

    @property
    def suggested_beta(self) -> Decimal | None:
        """The estimate as a beta the editor accepts: 2 decimals, within the model's limits."""
        if self.estimate is None or not math.isfinite(self.estimate.beta):
            return None
        value = Decimal(f"{self.estimate.beta:.2f}")
        value = max(-MAX_BETA, min(MAX_BETA, value))
        return Decimal(0) if value == 0 else value

    @property
    def differs(self) -> bool:
        """The suggestion differs from what the user has (unset counts as 1)."""
        s = self.suggested_beta
        current = Decimal(1) if self.user_beta is None else self.user_beta
        return s is not None and s != current


def estimate_holdings(
    portfolio: Portfolio,
    catalog: Catalog,
    histories: Mapping[str, PriceSeries],
    window: Window,
    hedge_series: Mapping[str, str] | None = None,
) -> list[HoldingEstimate]:
    """One estimate (or the reason there is none) per non-cash holding."""
    links = link_portfolio(portfolio, catalog, frozenset(histories), hedge_series)
    out: list[HoldingEstimate] = []
    for link in links.holdings:
        h = link.holding
        problem: str | None = None
        estimate: PairEstimate | None = None
        if h.symbol == link.hedge_series:
            problem = f"{h.symbol} is the hedge series itself (beta 1)"
        elif link.own_series is None:
            problem = f"no price history for {h.symbol}"
        elif link.hedge_series not in histories:
            problem = f"no price history for {link.hedge_series}"
        else:
            try:
                estimate = estimate_pair(histories[h.symbol], histories[link.hedge_series], window)
            except AnalyticsError as exc:
                problem = str(exc)
        out.append(
            HoldingEstimate(
                row=link.row,
                symbol=h.symbol,
                underlying=link.underlying,
                hedge_series=link.hedge_series,
                user_beta=h.beta,
                estimate=estimate,
                problem=problem,
            )
        )
    return out
