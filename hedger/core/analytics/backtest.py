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
liquidation price (the plan's margin: isolated, or the collateral the user
keeps; no top-up) is closed there and stays closed until the next re-sizing;
a position that cannot be liquidated (an inverse short at 1x or less) never is.
Counts are whole lots computed in Decimal at every re-sizing, as in the plan.
With a ``carry`` (``hedger.core.analytics.funding``) perpetual hedges receive
or pay funding at each stored funding time and dated hedges roll on their
expiry calendar, paying fees on both legs. Holdings without their own history
start at today's value and move ``beta`` times their hedge series' returns
(``links.proxy_factor``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Literal

import numpy as np
import numpy.typing as npt

from hedger.core.analytics.funding import BacktestCarry, Segment, hedge_carry
from hedger.core.analytics.links import (
    AnalyticsError,
    HoldingLink,
    PortfolioLinks,
    link_portfolio,
    proxy_factor,
    require_series,
)
from hedger.core.analytics.performance import DayIndex, Figures, day_starts, figures_for
from hedger.core.analytics.series import NS_PER_DAY, FloatArray, IntArray, PriceSeries, ns_to_iso
from hedger.core.catalog import Catalog, Contract
from hedger.core.liquidation_outcome import liquidation_outcome
from hedger.core.margin import margin_for
from hedger.core.models import AccountClass, Portfolio
from hedger.core.options import MarginSettings
from hedger.core.orders import contracts_of, lot_units
from hedger.core.planner import (
    HedgeOption,
    Plan,
    Side,
    UnderlyingPlan,
    build_options,
    recommend,
)
from hedger.core.sizing import SizingError

Rebalance = Literal["none", "weekly", "monthly"]
EventKind = Literal["open", "resize", "liquidation"]
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
class BacktestEvent:
    ns: int
    underlying: str
    kind: EventKind
    text: str
    price: float | None = None  # a liquidation's price, for the words


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
    funding_usd: float = 0.0  # received (+) or paid (−), with a carry
    rolls: int = 0  # calendar rolls made, with a carry


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
    #: Cumulative funding received (+) or paid (−); None when not counted.
    funding: FloatArray | None = None

    @property
    def net_hedge_pnl(self) -> FloatArray:
        out: FloatArray = self.hedge_pnl - self.fees
        if self.funding is not None:
            out = out + self.funding
        return out

    @property
    def spot_pnl(self) -> float:
        """What the holdings gained or lost over the period, in USD."""
        return float(self.unhedged[-1] - self.unhedged[0])


def run_backtest(
    portfolio: Portfolio,
    plan: Plan,
    catalog: Catalog,
    histories: Mapping[str, PriceSeries],
    config: BacktestConfig | None = None,
    hedge_series: Mapping[str, str] | None = None,
    carry: BacktestCarry | None = None,
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
    funding_steps = np.zeros(timeline.size, dtype=np.float64) if carry is not None else None
    events: list[BacktestEvent] = []
    results: list[UnderlyingResult] = []
    for u in plan.underlyings:
        u_links = links.for_underlying(u.underlying)
        if not u_links:
            continue
        hs = u_links[0].hedge_series
        hedge = _UnderlyingHedge(
            u, catalog, u_links, prices, prices[hs], config, portfolio.hedge.account
        )
        res = hedge.run(timeline, boundaries, pnl_total, fee_steps, events)
        if carry is not None and funding_steps is not None and hedge.lead is not None:
            outcome = hedge_carry(hedge.lead, hedge.segments, timeline, prices[hs], carry)
            funding_steps += outcome.funding_steps
            fee_steps += outcome.roll_fee_steps
            notes.extend(outcome.notes)
            res = replace(
                res,
                fees_usd=res.fees_usd + float(outcome.roll_fee_steps.sum()),
                funding_usd=float(outcome.funding_steps.sum()),
                rolls=outcome.rolls,
            )
        results.append(res)
        if u.problem:
            notes.append(f"{u.underlying} is not hedged: {u.problem}.")
    fees = np.cumsum(fee_steps)
    funding = np.cumsum(funding_steps) if funding_steps is not None else None
    hedged = unhedged + pnl_total - fees
    if funding is not None:
        hedged += funding
    events.sort(key=lambda e: e.ns)
    day_index = DayIndex(timeline)
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
        funding=funding,
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
    counts: list[int]  # whole lots per contract of the family
    side: Side
    liquidation: Decimal | None = None  # None: cannot be liquidated

    @property
    def active(self) -> bool:
        return any(self.counts)


@dataclass
class _Tally:
    """One underlying's hedge so far: what it holds and what it has added up."""

    held: _Position
    base: float = 0.0  # P&L of the segments already closed
    final: float = 0.0  # P&L at the end, before fees
    fees: float = 0.0
    liquidations: int = 0
    resizes: int = 0
    segments: list[Segment] = field(default_factory=list)  # for funding and rolls


class _UnderlyingHedge:
    def __init__(
        self,
        u: UnderlyingPlan,
        catalog: Catalog,
        links: list[HoldingLink],
        prices: Mapping[str, FloatArray],
        futures: FloatArray,
        config: BacktestConfig,
        account: AccountClass = "retail",
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
        #: The contract whose funding or calendar applies, and the positions held.
        self.lead: Contract | None = None
        self.segments: list[Segment] = []
        self.account = account

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
        tally = _Tally(_Position([0] * len(self.contracts), self.option.side))
        self.segments = tally.segments
        self.lead = next((leg.contract for leg in self.option.legs if leg.contracts), None)
        opening = _legs_text(self.option)
        bounds = [int(b) for b in boundaries] + [timeline.size - 1]
        for k in range(len(bounds) - 1):
            a, b = bounds[k], bounds[k + 1]
            f_open = float(self.futures[a])
            want = self._target(a, f_open)
            fee = self._fee(tally.held, want, f_open)
            if fee:
                fee_steps[a] += fee
                tally.fees += fee
            if k == 0:
                events.append(self._event(int(timeline[a]), "open", opening))
            elif want.counts != tally.held.counts:
                tally.resizes += 1
                text = f"resized to {self._counts_text(want)}"
                events.append(self._event(int(timeline[a]), "resize", text))
            tally.held = want
            liq_at = self._hold(tally, f_open, a, b, k == len(bounds) - 2, pnl_total)
            if liq_at is not None:
                tally.liquidations += 1
                text = f"hedge liquidated near {tally.held.liquidation:,.0f}"
                at = float(tally.held.liquidation or 0) or None
                events.append(self._event(int(timeline[a + liq_at]), "liquidation", text, at))
                tally.held = _Position([0] * len(self.contracts), tally.held.side)
        return UnderlyingResult(
            underlying=u.underlying,
            hedge_series=hs,
            option=self.option.name,
            opening=opening,
            pnl_usd=tally.final,
            fees_usd=tally.fees,
            liquidations=tally.liquidations,
            resizes=tally.resizes,
        )

    def _target(self, i: int, f_now: float) -> _Position:
        """The position to hold from point ``i``: the plan's, or re-sized at that moment."""
        assert self.option is not None
        if self.config.rebalance == "none":
            counts = self._counts_of(self.option)
            side = self.option.side
            return _Position(counts, side, self._liquidation(counts, side, f_now))
        return self._resize(i, f_now)

    def _liquidation(self, counts: list[int], side: Side, f_open: float) -> Decimal | None:
        """Where the held lots, opened at ``f_open``, are liquidated (the plan's margin)."""
        price = Decimal(repr(f_open))
        legs = list(zip(self.contracts, counts, strict=True))
        u = self.u
        margin = margin_for(legs, price, u.leverage, account=self.account, mode=u.margin_mode)
        # The plan's rule (hedger.core.liquidation_outcome): collateral kept below what
        # the venue asks to open is liquidated at once, at the opening price.
        outcome = liquidation_outcome(margin, price, side, u.collateral_usd)
        return None if outcome is None else outcome.price

    def _hold(
        self, tally: _Tally, f_open: float, a: int, b: int, last: bool, pnl_total: FloatArray
    ) -> int | None:
        """Add the held position's P&L over points ``a`` to ``b`` (the last segment runs to
        the end); the offset from ``a`` where it was liquidated, if it was."""
        n = pnl_total.size
        path = self.futures[a : n if last else b + 1]
        pnl, liq_at = self._segment_pnl(tally.held, f_open, path)
        stop = a + liq_at if liq_at is not None else (n if last else b)
        tally.segments.append((a, stop, self._units(tally.held), self._fee_rate(tally.held)))
        if last:
            pnl_total[a:n] += tally.base + pnl
            tally.final = tally.base + float(pnl[-1])
        else:
            pnl_total[a:b] += tally.base + pnl[:-1]
            tally.base += float(pnl[-1])
        return liq_at

    def _event(
        self, ns: int, kind: EventKind, text: str, price: float | None = None
    ) -> BacktestEvent:
        return BacktestEvent(ns, self.u.underlying, kind, f"{self.u.underlying}: {text}", price)

    # -- pieces --------------------------------------------------------------
    def _counts_of(self, option: HedgeOption) -> list[int]:
        by_id = {leg.contract.id: leg.lots for leg in option.legs}
        return [by_id.get(c.id, 0) for c in self.contracts]

    def _counts_text(self, pos: _Position) -> str:
        parts = [
            f"{contracts_of(c, n):,} × {c.symbol}"
            for n, c in zip(pos.counts, self.contracts, strict=True)
            if n
        ]
        return " + ".join(parts) if parts else "no contracts"

    def _resize(self, i: int, f_now: float) -> _Position:
        # Decimal from the shortest repr of each float price: 0.29 BTC at any price
        # stays 0.29 BTC of target (float 0.29 × price / price gives 0.28999...).
        u = self.u
        exposure = Decimal(0)
        for h in self.links:
            if h.own_series is not None:
                price = Decimal(repr(float(self.prices[h.own_series][i])))
                value = h.holding.quantity * price
            else:
                path = self.prices[h.hedge_series]
                ratio = np.array([path[i] / path[0]])
                factor = Decimal(repr(float(proxy_factor(ratio, float(h.beta))[0])))
                value = h.value * factor
            exposure += value * h.beta
        if u.target_source == "usd" and u.target_setting_usd is not None:
            target = u.target_setting_usd if exposure >= 0 else -u.target_setting_usd
        else:
            target = u.ratio * exposure
        side: Side = "long" if target < 0 else "short"
        margin = MarginSettings(self.account, u.margin_mode, u.rally, u.collateral_usd)
        try:
            options = build_options(
                abs(target),
                self.contracts,
                Decimal(repr(f_now)),
                u.rounding,
                u.leverage,
                side,
                margin,
            )
        except SizingError:
            return _Position([0] * len(self.contracts), side)
        assert self.option is not None
        chosen = next((o for o in options if o.name == self.option.name), None)
        if chosen is None:
            name = recommend(options)
            chosen = next(o for o in options if o.name == name)
        return _Position(self._counts_of(chosen), side, chosen.liquidation_price)

    def _fee(self, old: _Position, new: _Position, price: float) -> float:
        if not self.config.include_fees:
            return 0.0
        fee = 0.0
        for c, n_old, n_new in zip(self.contracts, old.counts, new.counts, strict=True):
            s_old = n_old if old.side == new.side else -n_old
            traded = abs(n_new - s_old)
            if traded:
                lot = float(lot_units(c))
                notional = lot if c.kind == "inverse" else lot * price
                fee += traded * notional * float(c.fee_rate)
        return fee

    def _fee_rate(self, pos: _Position) -> float:
        """The legs' fee rate weighted by size (for roll fees)."""
        sizes = [n * float(lot_units(c)) for n, c in zip(pos.counts, self.contracts, strict=True)]
        total = sum(sizes)
        if not total:
            return 0.0
        rates = [float(c.fee_rate) for c in self.contracts]
        return sum(s * r for s, r in zip(sizes, rates, strict=True)) / total

    def _units(self, pos: _Position) -> float:
        units = sum(
            n * float(lot_units(c)) for n, c in zip(pos.counts, self.contracts, strict=True)
        )
        return units if pos.side == "long" else -units

    def _segment_pnl(
        self, pos: _Position, f_open: float, path: FloatArray
    ) -> tuple[FloatArray, int | None]:
        units = self._units(pos)
        if units == 0.0:
            return np.zeros(path.size, dtype=np.float64), None
        pnl = _pnl(self.kind, units, f_open, path)
        if not self.config.model_liquidation or pos.liquidation is None:
            return pnl, None
        liq = float(pos.liquidation)
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
