"""Monte Carlo of hedged and unhedged P&L over a horizon, with VaR and ES.

Daily log returns of every series involved (each holding with a history, and
each hedge series) are taken from the history window. Paths are drawn either

* ``normal``: jointly normal daily log returns with the window's volatilities
  and correlations (no drift unless asked), or
* ``bootstrap``: whole historical days resampled with replacement, which
  keeps fat tails and the day's cross-asset moves together.

Holdings without a history move ``beta`` times their hedge series. The hedge
is the plan's recommended option per underlying, held through the horizon;
with ``model_liquidation`` a path that reaches the plan's liquidation price
loses the margin there and carries no hedge afterwards; a hedge the plan shows
as impossible to liquidate (an inverse short at 1x or less) never is. Fees
are left out: the hedge is taken as already open.

Every result carries its seed: the same inputs and seed give the same numbers.
"""

from __future__ import annotations

import math
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

import numpy as np
import numpy.typing as npt

from hedger.core.analytics.links import (
    AnalyticsError,
    PortfolioLinks,
    link_portfolio,
    proxy_factor,
    require_series,
)
from hedger.core.analytics.series import NS_PER_DAY, FloatArray, IntArray, PriceSeries
from hedger.core.catalog import Catalog
from hedger.core.models import Portfolio
from hedger.core.planner import Plan

Method = Literal["normal", "bootstrap"]
METHODS: tuple[Method, ...] = ("normal", "bootstrap")
LEVELS = (0.95, 0.99)
MAX_HORIZON_DAYS = 92
MAX_SEED = 2**63 - 1  # what numpy's generators take; the CLI and the GUI accept the same
MAX_PATHS = 1_000_000
MIN_DAYS = 30
# Paths are drawn in blocks so memory stays bounded for any path count.
_BLOCK_VALUES = 12_000_000


@dataclass(frozen=True)
class RiskConfig:
    horizon_days: int = 7
    method: Method = "normal"
    paths: int = 10_000
    seed: int | None = None  # None: a fresh seed, reported in the result
    lookback_days: int | None = 365
    drift: bool = False  # normal method: include the window's mean return
    model_liquidation: bool = True


@dataclass(frozen=True)
class TailRisk:
    level: float  # 0.95 or 0.99
    var: float  # loss not exceeded with this probability (USD, positive = loss)
    es: float  # mean loss beyond the VaR (USD)


@dataclass(frozen=True)
class PnlSummary:
    mean: float
    std: float
    p_loss: float  # share of paths that lose money
    worst: float
    best: float
    tails: tuple[TailRisk, ...]

    def tail(self, level: float) -> TailRisk:
        return next(t for t in self.tails if abs(t.level - level) < 1e-9)


@dataclass(frozen=True)
class RiskResult:
    config: RiskConfig
    seed: int
    paths: int
    horizon_days: int
    method: Method
    observations: int  # historical days the parameters come from
    first_ns: int
    last_ns: int
    start_value: float
    unhedged_pnl: FloatArray
    hedged_pnl: FloatArray
    unhedged: PnlSummary
    hedged: PnlSummary
    liquidated_share: float  # share of paths in which some hedge was liquidated
    proxied: tuple[str, ...]
    notes: tuple[str, ...] = field(default=())


def validate_config(config: RiskConfig) -> None:
    if not 1 <= config.horizon_days <= MAX_HORIZON_DAYS:
        raise AnalyticsError(f"horizon must be 1 to {MAX_HORIZON_DAYS} days")
    if not 100 <= config.paths <= MAX_PATHS:
        raise AnalyticsError(f"paths must be 100 to {MAX_PATHS:,}")
    if config.method not in METHODS:
        raise AnalyticsError(f"method must be one of {', '.join(METHODS)}")
    if config.seed is not None and not 0 <= config.seed <= MAX_SEED:
        raise AnalyticsError(f"seed must be a whole number from 0 to {MAX_SEED}")
    if config.lookback_days is not None and config.lookback_days < MIN_DAYS:
        raise AnalyticsError(f"the history window must be at least {MIN_DAYS} days")


def new_seed() -> int:
    # Short enough to read out and type back in.
    return secrets.randbelow(10**9)


def daily_log_returns(
    series: Mapping[str, PriceSeries], lookback_days: int | None
) -> tuple[tuple[str, ...], FloatArray, IntArray]:
    """Daily log returns of every series over the days all of them have closes."""
    symbols = tuple(sorted(series))
    common: IntArray | None = None
    closes: dict[str, tuple[IntArray, FloatArray]] = {}
    for sym in symbols:
        ts, px = series[sym].resample_last(NS_PER_DAY)
        closes[sym] = (ts, px)
        common = ts if common is None else np.intersect1d(common, ts, assume_unique=True)
    assert common is not None
    if lookback_days is not None and common.size:
        common = common[common >= common[-1] - lookback_days * NS_PER_DAY]
    if common.size < 2:
        return symbols, np.empty((0, len(symbols))), np.empty(0, dtype=np.int64)
    cols = []
    for sym in symbols:
        ts, px = closes[sym]
        idx = np.searchsorted(ts, common)
        cols.append(np.diff(np.log(px[idx])))
    return symbols, np.column_stack(cols), common[1:]


# A holding without its own history, moving ``beta`` times its hedge series:
# (asset column, beta, USD value).
Proxy = tuple[int, float, float]
# A hedge held through the horizon:
# (asset column, kind, signed units, futures price, liquidation price / futures price, side).
HeldHedge = tuple[int, str, float, float, float, str]


def simulate_risk(
    portfolio: Portfolio,
    plan: Plan,
    catalog: Catalog,
    histories: Mapping[str, PriceSeries],
    config: RiskConfig | None = None,
    hedge_series: Mapping[str, str] | None = None,
) -> RiskResult:
    config = config or RiskConfig()
    validate_config(config)
    links = link_portfolio(portfolio, catalog, frozenset(histories), hedge_series)
    if not links.holdings:
        raise AnalyticsError("nothing to simulate: the portfolio has no holdings with market risk")
    series = require_series(links, histories)
    symbols, rets, days = daily_log_returns(series, config.lookback_days)
    if rets.shape[0] < MIN_DAYS:
        raise AnalyticsError(
            f"the histories share only {rets.shape[0]} daily returns in the window; "
            f"at least {MIN_DAYS} are needed ({', '.join(symbols)})"
        )
    col = {s: i for i, s in enumerate(symbols)}
    seed = new_seed() if config.seed is None else int(config.seed)
    own_value, proxies = _exposures(links, col)
    hedges = _held_hedges(plan, links, col)
    unhedged, hedged, liquidated = _simulate(
        rets, config, np.random.default_rng(seed), own_value, proxies, hedges
    )
    return RiskResult(
        config=config,
        seed=seed,
        paths=config.paths,
        horizon_days=config.horizon_days,
        method=config.method,
        observations=int(rets.shape[0]),
        first_ns=int(days[0]),
        last_ns=int(days[-1]),
        start_value=float(sum((h.value for h in links.holdings), Decimal(0)) + links.cash_usd),
        unhedged_pnl=unhedged,
        hedged_pnl=hedged,
        unhedged=summarise(unhedged),
        hedged=summarise(hedged),
        liquidated_share=liquidated / config.paths,
        proxied=links.proxied,
        notes=tuple(_notes(plan, links, config, int(rets.shape[0]))),
    )


def _exposures(links: PortfolioLinks, col: Mapping[str, int]) -> tuple[FloatArray, list[Proxy]]:
    """USD value per asset column that moves with it, and the holdings that follow a proxy."""
    own_value = np.zeros(len(col))
    proxies: list[Proxy] = []
    for h in links.holdings:
        value = float(h.value)
        if h.own_series is not None:
            own_value[col[h.own_series]] += value
        else:
            proxies.append((col[h.hedge_series], float(h.beta), value))
    return own_value, proxies


def _held_hedges(plan: Plan, links: PortfolioLinks, col: Mapping[str, int]) -> list[HeldHedge]:
    """The plan's recommended hedge per underlying, as the simulation holds it."""
    hedges: list[HeldHedge] = []
    for u in plan.underlyings:
        opt = u.recommended_option
        u_links = links.for_underlying(u.underlying)
        if opt is None or not opt.contracts or u.futures_price is None or not u_links:
            continue
        hs = u_links[0].hedge_series
        units = float(opt.hedged_units) * (-1.0 if opt.side == "short" else 1.0)
        f0 = float(u.futures_price)
        liq = opt.liquidation_price
        # A hedge that cannot be liquidated (an inverse short at 1x or less) never is.
        never = math.inf if opt.side == "short" else 0.0
        factor = never if liq is None else float(liq) / f0
        hedges.append((col[hs], opt.kind, units, f0, factor, opt.side))
    return hedges


def _simulate(
    rets: FloatArray,
    config: RiskConfig,
    rng: np.random.Generator,
    own_value: FloatArray,
    proxies: list[Proxy],
    hedges: list[HeldHedge],
) -> tuple[FloatArray, FloatArray, int]:
    """Unhedged and hedged P&L per path at the horizon, and how many paths liquidated."""
    k = rets.shape[1]
    steps = config.horizon_days
    mean = rets.mean(axis=0) if config.drift else np.zeros(k)
    chol: FloatArray | None = None
    if config.method == "normal":
        chol = _cholesky(np.atleast_2d(np.cov(rets, rowvar=False)))
    unhedged = np.empty(config.paths)
    hedged = np.empty(config.paths)
    liquidated = 0
    block = max(1, _BLOCK_VALUES // max(1, steps * k))
    done = 0
    need_path = config.model_liquidation and bool(hedges)
    while done < config.paths:
        m = min(block, config.paths - done)
        # Asset-major (k, paths, steps): every per-asset slice is contiguous.
        if chol is not None:
            z = rng.standard_normal((k, m, steps))
            # einsum: BLAS matmul with k = 2 or 3 columns is slow and thread-bound.
            logs = np.einsum("ij,jmn->imn", chol, z) + mean[:, None, None]
        else:
            logs = rets.T[:, rng.integers(0, rets.shape[0], size=(m, steps))]
        factor = np.exp(logs.sum(axis=2)).T  # (paths, k) price relative at the horizon
        pnl_u = (factor - 1.0) @ own_value
        for c, beta, value in proxies:
            pnl_u += value * (proxy_factor(factor[:, c], beta) - 1.0)
        pnl_h, hit_any = _hedged_pnl(pnl_u, logs, factor, hedges, need_path)
        unhedged[done : done + m] = pnl_u
        hedged[done : done + m] = pnl_h
        liquidated += int(hit_any.sum())
        done += m
    return unhedged, hedged, liquidated


def _hedged_pnl(
    pnl_u: FloatArray,
    logs: FloatArray,
    factor: FloatArray,
    hedges: list[HeldHedge],
    need_path: bool,
) -> tuple[FloatArray, npt.NDArray[np.bool_]]:
    """One block's P&L with the hedges, and which of its paths liquidated one."""
    pnl_h = pnl_u.copy()
    hit_any = np.zeros(pnl_u.shape[0], dtype=bool)
    for c, kind, units, f0, liq_factor, side in hedges:
        fut = factor[:, c]
        pnl = _hedge_pnl(kind, units, f0, fut)
        if need_path and math.isfinite(liq_factor) and liq_factor > 0:
            # Only the hedge series need whole paths: did they touch liquidation?
            cum = np.cumsum(logs[c], axis=1)
            log_liq = math.log(liq_factor)
            hit = cum.max(axis=1) >= log_liq if side == "short" else cum.min(axis=1) <= log_liq
            if bool(hit.any()):
                at_liq = _hedge_pnl(kind, units, f0, np.array([liq_factor]))[0]
                pnl = np.where(hit, at_liq, pnl)
                hit_any |= hit
        pnl_h += pnl
    return pnl_h, hit_any


def _notes(plan: Plan, links: PortfolioLinks, config: RiskConfig, observations: int) -> list[str]:
    notes = [
        f"{u.underlying} is not hedged: {u.problem}."
        for u in plan.underlyings
        if u.problem and links.for_underlying(u.underlying)
    ]
    if config.method == "normal" and not config.drift:
        notes.append("No drift: daily returns are centred on zero.")
    if config.method == "bootstrap" and observations < 250:
        notes.append(f"Bootstrap from only {observations} days: rare moves are under-represented.")
    return notes


def _hedge_pnl(kind: str, units: float, f0: float, factor: FloatArray) -> FloatArray:
    # factor = F_end / F0. Linear: units coins; inverse: units USD face.
    if kind == "inverse":
        out: FloatArray = units * (factor - 1.0)
        return out
    out = units * f0 * (factor - 1.0)
    return out


def _cholesky(cov: FloatArray) -> FloatArray:
    try:
        out: FloatArray = np.linalg.cholesky(cov).astype(np.float64)
        return out
    except np.linalg.LinAlgError:
        # Perfectly correlated series (the same asset twice): clip to PSD.
        w, v = np.linalg.eigh(cov)
        root: FloatArray = (v * np.sqrt(np.clip(w, 0.0, None))).astype(np.float64)
        return root


def summarise(pnl: FloatArray) -> PnlSummary:
    tails = []
    ordered = np.sort(pnl)
    n = ordered.size
    for level in LEVELS:
        # Historical-simulation convention: the loss at the (1-level) quantile,
        # ES the mean of the outcomes at or below it.
        # The small tolerance keeps 100 x 0.05 from rounding up to 6.
        k = max(1, math.ceil(n * (1.0 - level) - 1e-9))
        q = float(ordered[k - 1])
        tails.append(TailRisk(level, -q, -float(ordered[:k].mean())))
    return PnlSummary(
        mean=float(pnl.mean()),
        std=float(pnl.std(ddof=1)) if n > 1 else 0.0,
        p_loss=float(np.count_nonzero(pnl < 0) / n),
        worst=float(ordered[0]),
        best=float(ordered[-1]),
        tails=tuple(tails),
    )
