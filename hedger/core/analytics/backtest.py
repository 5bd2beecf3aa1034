"""How the current hedge would have done: hedged versus unhedged value over history.

The holdings' quantities are held fixed. The hedge is the plan's recommended
option per underlying, either held fixed for the whole period or re-sized at
each week or month start (the same tier choice, for the exposure at that
moment's prices). Futures are valued from the hedge series' history:

* linear: P&L = signed coins × (F − F_open);
* inverse (face value C USD): P&L in coin C·(1/F_open − 1/F), worth
  C·(F/F_open − 1) USD at F for a long, the opposite for a short (domain §3).
  Inverse P&L is counted in USD at each re-sizing.

Fees are the contracts' fee rate on each traded notional (opening and every
re-sizing). With ``model_liquidation`` a position whose price reaches the
liquidation price (isolated margin, no top-up) is closed there and stays
closed until the next re-sizing. Funding payments of perpetuals are not
modelled. Holdings without their own history start at today's value and
move ``beta`` times their hedge series' returns (``links.proxy_factor``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

import numpy as np
import numpy.typing as npt

from hedger.core.analytics.links import (
    AnalyticsError,
    HoldingLink,
    PortfolioLinks,
    link_portfolio,
    proxy_factor,
    require_series,
)
from hedger.core.analytics.series import (
    NS_PER_DAY,
    NS_PER_YEAR,
    FloatArray,
    IntArray,
    PriceSeries,
    ns_to_iso,
)
from hedger.core.catalog import Catalog, Contract
from hedger.core.models import Portfolio
from hedger.core.planner import (
    HedgeOption,
    Plan,
    Side,
    UnderlyingPlan,
    build_options,
    liquidation_price,
    recommend,
)
from hedger.core.sizing import SizingError

Rebalance = Literal["none", "weekly", "monthly"]
REBALANCES: tuple[Rebalance, ...] = ("none", "weekly", "monthly")
MAX_EVENTS = 500
MIN_POINTS = 2


@dataclass(frozen=True)
class BacktestConfig:
    start_ns: int | None = None
    end_ns: int | None = None
    rebalance: Rebalance = "none"
    model_liquidation: bool = True
    include_fees: bool = True
    interval_ns: int | None = None  # None: every price point


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


@dataclass(frozen=True)
class BacktestEvent:
    ns: int
    underlying: str
    kind: Literal["open", "resize", "liquidation"]
    text: str


@dataclass(frozen=True)
class UnderlyingResult:
    underlying: str
    hedge_series: str
    option: str | None  # plan option used, None when nothing hedges it
    opening: str  # "3 × MBT" or "no hedge"
    pnl_usd: float  # futures P&L before fees at the end
    fees_usd: float
    liquidations: int
    resizes: int


@dataclass(frozen=True)
class BacktestResult:
    timestamps: IntArray
    unhedged: FloatArray
    hedged: FloatArray
    hedge_pnl: FloatArray  # futures P&L of all hedges, before fees
    fees: FloatArray  # cumulative fees paid
    unhedged_figures: Figures
    hedged_figures: Figures
    underlyings: tuple[UnderlyingResult, ...]
    events: tuple[BacktestEvent, ...]
    proxied: tuple[str, ...]
    notes: tuple[str, ...] = field(default=())

    @property
    def net_hedge_pnl(self) -> FloatArray:
        out: FloatArray = self.hedge_pnl - self.fees
        return out


def run_backtest(
    portfolio: Portfolio,
    plan: Plan,
    catalog: Catalog,
    histories: Mapping[str, PriceSeries],
    config: BacktestConfig | None = None,
    hedge_series: Mapping[str, str] | None = None,
) -> BacktestResult:
    config = config or BacktestConfig()
    links = link_portfolio(portfolio, catalog, frozenset(histories), hedge_series)
    if not links.holdings:
        raise AnalyticsError("nothing to backtest: the portfolio has no holdings with market risk")
    series = require_series(links, histories)
    if config.interval_ns is not None:
        series = {k: _resampled(v, config.interval_ns) for k, v in series.items()}
    timeline, notes = _timeline(links, series, config)
    prices = {sym: s.asof(timeline)[0] for sym, s in series.items()}
    unhedged = _holdings_value(links, prices, timeline.size) + float(links.cash_usd)
    boundaries = _boundaries(timeline, config.rebalance)
    pnl_total = np.zeros(timeline.size, dtype=np.float64)
    fee_steps = np.zeros(timeline.size, dtype=np.float64)
    events: list[BacktestEvent] = []
    results: list[UnderlyingResult] = []
    for u in plan.underlyings:
        u_links = links.for_underlying(u.underlying)
        if not u_links:
            continue
        hs = u_links[0].hedge_series
        hedge = _UnderlyingHedge(u, catalog, u_links, prices, prices[hs], config)
        res = hedge.run(timeline, boundaries, pnl_total, fee_steps, events)
        results.append(res)
        if u.problem:
            notes.append(f"{u.underlying} is not hedged: {u.problem}.")
    fees = np.cumsum(fee_steps)
    hedged = unhedged + pnl_total - fees
    events.sort(key=lambda e: e.ns)
    day_index = _DayIndex(timeline)
    return BacktestResult(
        timestamps=timeline,
        unhedged=unhedged,
        hedged=hedged,
        hedge_pnl=pnl_total,
        fees=fees,
        unhedged_figures=figures_for(day_index, unhedged, float(unhedged[0])),
        hedged_figures=figures_for(day_index, hedged, float(unhedged[0])),
        underlyings=tuple(results),
        events=tuple(events[:MAX_EVENTS]),
        proxied=links.proxied,
        notes=tuple(notes),
    )


# --------------------------------------------------------------------------- timeline


def _resampled(s: PriceSeries, interval_ns: int) -> PriceSeries:
    ts, px = s.resample_last(interval_ns)
    return PriceSeries(s.symbol, ts, px, s.sources)


def _timeline(
    links: PortfolioLinks, series: Mapping[str, PriceSeries], config: BacktestConfig
) -> tuple[IntArray, list[str]]:
    hedge_syms = sorted({h.hedge_series for h in links.holdings})
    notes: list[str] = []
    first_common = max(int(series[s].timestamps[0]) for s in series)
    last_common = min(int(series[s].timestamps[-1]) for s in series)
    start = first_common if config.start_ns is None else max(config.start_ns, first_common)
    end = last_common if config.end_ns is None else min(config.end_ns, last_common)
    # Notes compare days: a date picker's end of day is not "cut short".
    if config.start_ns is not None and start // NS_PER_DAY > config.start_ns // NS_PER_DAY:
        latest = max(series, key=lambda s: int(series[s].timestamps[0]))
        notes.append(
            f"Starts {ns_to_iso(start, date_only=True)}, when the {latest} history begins."
        )
    if config.end_ns is not None and end // NS_PER_DAY < config.end_ns // NS_PER_DAY:
        earliest = min(series, key=lambda s: int(series[s].timestamps[-1]))
        notes.append(f"Ends {ns_to_iso(end, date_only=True)}, when the {earliest} history ends.")
    if start >= end:
        raise AnalyticsError(
            "the price histories do not overlap in the chosen period; "
            f"common history runs {ns_to_iso(first_common, date_only=True)} to "
            f"{ns_to_iso(last_common, date_only=True)}"
        )
    parts = [series[s].between(start, end).timestamps for s in hedge_syms]
    timeline = parts[0] if len(parts) == 1 else np.unique(np.concatenate(parts))
    if timeline.size < MIN_POINTS:
        raise AnalyticsError("fewer than 2 price points in the chosen period")
    return timeline, notes


def _holdings_value(links: PortfolioLinks, prices: Mapping[str, FloatArray], n: int) -> FloatArray:
    total = np.zeros(n, dtype=np.float64)
    own_qty: dict[str, float] = {}
    proxies: dict[tuple[str, float], float] = {}
    for h in links.holdings:
        if h.own_series is not None:
            own_qty[h.own_series] = own_qty.get(h.own_series, 0.0) + float(h.holding.quantity)
        else:
            key = (h.hedge_series, float(h.beta))
            proxies[key] = proxies.get(key, 0.0) + float(h.value)
    for sym, qty in own_qty.items():
        total += qty * prices[sym]
    for (sym, beta), value in proxies.items():
        path = prices[sym]
        total += value * proxy_factor(path / path[0], beta)
    return total


def _boundaries(timeline: IntArray, rebalance: Rebalance) -> IntArray:
    """Indices where a hedge is (re)opened: the start, then each week/month start."""
    if rebalance == "none":
        return np.zeros(1, dtype=np.int64)
    # Work on day starts only: far fewer than the points of an intraday file.
    day_start, d = day_starts(timeline)
    if rebalance == "weekly":
        # 1970-01-01 was a Thursday: +3 makes weeks start on Monday.
        bucket = (d + 3) // 7
    else:
        bucket = d.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    change = np.flatnonzero(bucket[1:] != bucket[:-1]) + 1
    return np.concatenate([[0], day_start[change]]).astype(np.int64)


# --------------------------------------------------------------------------- hedge


@dataclass
class _Position:
    counts: list[int]
    side: Side

    @property
    def active(self) -> bool:
        return any(self.counts)


class _UnderlyingHedge:
    def __init__(
        self,
        u: UnderlyingPlan,
        catalog: Catalog,
        links: list[HoldingLink],
        prices: Mapping[str, FloatArray],
        futures: FloatArray,
        config: BacktestConfig,
    ) -> None:
        self.u = u
        self.links = links
        self.prices = prices
        self.futures = futures
        self.config = config
        self.option = u.recommended_option
        self.contracts: list[Contract] = (
            catalog.family_contracts(u.family.id) if u.family is not None else []
        )
        self.kind = self.contracts[0].kind if self.contracts else "linear"

    def run(
        self,
        timeline: IntArray,
        boundaries: IntArray,
        pnl_total: FloatArray,
        fee_steps: FloatArray,
        events: list[BacktestEvent],
    ) -> UnderlyingResult:
        u = self.u
        hs = self.links[0].hedge_series
        if self.option is None or not self.contracts or not self.option.contracts:
            return UnderlyingResult(u.underlying, hs, None, "no hedge", 0.0, 0.0, 0, 0)
        base = 0.0
        final = 0.0
        fees_total = 0.0
        liquidations = resizes = 0
        held = _Position([0] * len(self.contracts), self.option.side)
        opening = _legs_text(self.option)
        n = timeline.size
        bounds = [int(b) for b in boundaries] + [n - 1]
        fixed = self.config.rebalance == "none"
        for k in range(len(bounds) - 1):
            a, b = bounds[k], bounds[k + 1]
            last_segment = k == len(bounds) - 2
            f_open = float(self.futures[a])
            if fixed:
                want = _Position(self._counts_of(self.option), self.option.side)
            else:
                want = self._resize(a, f_open)
            fee = self._fee(held, want, f_open)
            if fee:
                fee_steps[a] += fee
                fees_total += fee
            if k == 0:
                events.append(
                    BacktestEvent(
                        int(timeline[a]), u.underlying, "open", f"{u.underlying}: {opening}"
                    )
                )
            elif want.counts != held.counts:
                resizes += 1
                events.append(
                    BacktestEvent(
                        int(timeline[a]),
                        u.underlying,
                        "resize",
                        f"{u.underlying}: resized to {self._counts_text(want)}",
                    )
                )
            held = want
            stop = n if last_segment else b + 1
            path = self.futures[a:stop]
            pnl, liq_at = self._segment_pnl(held, f_open, path)
            if last_segment:
                pnl_total[a:n] += base + pnl
                final = base + float(pnl[-1])
            else:
                pnl_total[a:b] += base + pnl[:-1]
                base += float(pnl[-1])
            if liq_at is not None:
                liquidations += 1
                near = self._liq_price(held, f_open)
                events.append(
                    BacktestEvent(
                        int(timeline[a + liq_at]),
                        u.underlying,
                        "liquidation",
                        f"{u.underlying}: hedge liquidated near {near:,.0f}",
                    )
                )
                held = _Position([0] * len(self.contracts), held.side)
        return UnderlyingResult(
            underlying=u.underlying,
            hedge_series=hs,
            option=self.option.name,
            opening=opening,
            pnl_usd=final,
            fees_usd=fees_total,
            liquidations=liquidations,
            resizes=resizes,
        )

    # -- pieces --------------------------------------------------------------
    def _counts_of(self, option: HedgeOption) -> list[int]:
        by_id = {leg.contract.id: leg.contracts for leg in option.legs}
        return [by_id.get(c.id, 0) for c in self.contracts]

    def _counts_text(self, pos: _Position) -> str:
        parts = [
            f"{n:,} × {c.symbol}" for n, c in zip(pos.counts, self.contracts, strict=True) if n
        ]
        return " + ".join(parts) if parts else "no contracts"

    def _resize(self, i: int, f_now: float) -> _Position:
        exposure = Decimal(0)
        for h in self.links:
            if h.own_series is not None:
                value = float(h.holding.quantity) * float(self.prices[h.own_series][i])
            else:
                path = self.prices[h.hedge_series]
                ratio = np.array([path[i] / path[0]])
                value = float(h.value) * float(proxy_factor(ratio, float(h.beta))[0])
            exposure += Decimal(repr(value)) * h.beta
        target = self.u.ratio * exposure
        side: Side = "long" if target < 0 else "short"
        try:
            options = build_options(
                abs(target),
                self.contracts,
                Decimal(repr(f_now)),
                self.u.rounding,
                self.u.leverage,
                side,
            )
        except SizingError:
            return _Position([0] * len(self.contracts), side)
        assert self.option is not None
        chosen = next((o for o in options if o.name == self.option.name), None)
        if chosen is None:
            name = recommend(options)
            chosen = next(o for o in options if o.name == name)
        return _Position(self._counts_of(chosen), side)

    def _fee(self, old: _Position, new: _Position, price: float) -> float:
        if not self.config.include_fees:
            return 0.0
        fee = 0.0
        for c, n_old, n_new in zip(self.contracts, old.counts, new.counts, strict=True):
            s_old = n_old if old.side == new.side else -n_old
            traded = abs(n_new - s_old)
            if traded:
                notional = float(c.size) if c.kind == "inverse" else float(c.size) * price
                fee += traded * notional * float(c.fee_rate)
        return fee

    def _units(self, pos: _Position) -> float:
        units = sum(n * float(c.size) for n, c in zip(pos.counts, self.contracts, strict=True))
        return units if pos.side == "long" else -units

    def _liq_price(self, pos: _Position, f_open: float) -> float:
        active = [c for n, c in zip(pos.counts, self.contracts, strict=True) if n]
        mm = max(c.maintenance_margin_rate for c in active) if active else Decimal(0)
        return float(
            liquidation_price(Decimal(repr(f_open)), self.u.leverage, mm, pos.side, self.kind)
        )

    def _segment_pnl(
        self, pos: _Position, f_open: float, path: FloatArray
    ) -> tuple[FloatArray, int | None]:
        units = self._units(pos)
        if units == 0.0:
            return np.zeros(path.size, dtype=np.float64), None
        pnl = _pnl(self.kind, units, f_open, path)
        if not self.config.model_liquidation:
            return pnl, None
        liq = self._liq_price(pos, f_open)
        crossed: npt.NDArray[np.bool_] = path >= liq if pos.side == "short" else path <= liq
        if not bool(crossed.any()):
            return pnl, None
        j = int(np.argmax(crossed))
        at_liq = float(_pnl(self.kind, units, f_open, np.array([liq]))[0])
        pnl[j:] = at_liq
        return pnl, j


def _pnl(kind: str, units: float, f_open: float, path: FloatArray) -> FloatArray:
    """USD P&L of ``units`` (signed: coins, or USD face for inverse) opened at ``f_open``."""
    if kind == "inverse":
        out: FloatArray = units * (path / f_open - 1.0)
        return out
    out = units * (path - f_open)
    return out


def _legs_text(option: HedgeOption) -> str:
    verb = "short" if option.side == "short" else "long"
    parts = [f"{leg.contracts:,} × {leg.contract.symbol}" for leg in option.legs if leg.contracts]
    return f"{verb} {' + '.join(parts)}" if parts else "no contracts"


# --------------------------------------------------------------------------- figures


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
    return figures_for(_DayIndex(timestamps), values, start_value)


class _DayIndex:
    """Where each UTC day's last point is, shared by the figures of several lines."""

    def __init__(self, timestamps: IntArray) -> None:
        starts, days = day_starts(timestamps)
        self.last = np.append(starts[1:] - 1, timestamps.size - 1)
        self.day_ns = days * NS_PER_DAY
        head = timestamps[: min(timestamps.size, 100_001)]
        # The median step of a sample is enough to tell minutes from days.
        self.step = float(np.median(np.diff(head))) if head.size > 1 else float(NS_PER_DAY)


def figures_for(days: _DayIndex, values: FloatArray, start_value: float) -> Figures:
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


def _volatility(days: _DayIndex, values: FloatArray, closes: FloatArray) -> float:
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


def _volatility_usd(days: _DayIndex, values: FloatArray, closes: FloatArray) -> float:
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


def _worst_day(days: _DayIndex, values: FloatArray, closes: FloatArray) -> tuple[float, int | None]:
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
    days: _DayIndex, values: FloatArray, closes: FloatArray
) -> tuple[float, int | None]:
    if not closes.size:
        return math.nan, None
    prev = np.concatenate([values[:1], closes[:-1]])
    change = closes - prev
    i = int(np.argmin(change))
    return float(change[i]), int(days.day_ns[i])
