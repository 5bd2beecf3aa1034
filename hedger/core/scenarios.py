"""Scenario grid: portfolio value against a move of one underlying (numpy).

Money stays Decimal in plans; here we convert once to float64 because the
grid only feeds charts and simulations, where 1e-12 relative error is moot.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from hedger.core.planner import HedgeOption, Plan, UnderlyingPlan

FloatArray = npt.NDArray[np.float64]


def default_moves(points: int = 101, low: float = -0.5, high: float = 0.5) -> FloatArray:
    return np.linspace(low, high, points)


@dataclass(frozen=True)
class OptionPath:
    name: str
    pnl: FloatArray  # futures P&L in USD at each move
    value: FloatArray  # portfolio value hedged by this option
    liquidation_move: float | None  # move at which the futures position is closed


@dataclass(frozen=True)
class Scenario:
    underlying: str
    moves: FloatArray  # fractional moves of the underlying, e.g. -0.1
    prices: FloatArray  # underlying futures price at each move
    unhedged: FloatArray  # portfolio value, no hedge
    options: dict[str, OptionPath]
    recommended: str | None
    base_value: float

    @property
    def hedged(self) -> FloatArray:
        """Value hedged by the recommended option (unhedged if none)."""
        if self.recommended and self.recommended in self.options:
            return self.options[self.recommended].value
        return self.unhedged


def holdings_value(u: UnderlyingPlan, moves: FloatArray) -> FloatArray:
    """Value of the holdings mapped to ``u`` after each move.

    Each holding moves beta times the underlying; a price cannot go below
    zero. That makes the value piecewise linear in the move: at a move m a
    holding counts in full while 1 + beta*m > 0 and not at all after. With
    the betas sorted, the holdings still priced above zero at m are a prefix
    (m < 0) or a suffix (m > 0) of that order, so prefix sums of value and
    value*beta give the exact total per move without a holdings x moves
    matrix: a book where every holding has its own beta costs one sort.
    """
    groups = u.beta_groups
    n = len(groups)
    if n == 0:
        return np.zeros_like(moves)
    # float() of a Decimal is most of the cost here; map() keeps it in C.
    beta_list, value_list = zip(*groups, strict=True)
    betas = np.fromiter(map(float, beta_list), np.float64, n)
    values = np.fromiter(map(float, value_list), np.float64, n)
    order = np.argsort(betas, kind="stable")
    betas = betas[order]
    values = values[order]
    cum_v = np.concatenate(([0.0], np.cumsum(values)))
    cum_vb = np.concatenate(([0.0], np.cumsum(values * betas)))
    total_v, total_vb = cum_v[-1], cum_vb[-1]
    nonzero = moves != 0
    # 1 + beta*m > 0  <=>  beta > -1/m (m > 0), beta < -1/m (m < 0).
    threshold = np.where(nonzero, -1.0 / np.where(nonzero, moves, 1.0), 0.0)
    up = np.searchsorted(betas, threshold, side="right")  # first beta still above zero
    down = np.searchsorted(betas, threshold, side="left")  # past the last one
    rising = (total_v - cum_v[up]) + moves * (total_vb - cum_vb[up])
    falling = cum_v[down] + moves * cum_vb[down]
    flat = total_v + moves * total_vb
    out: FloatArray = np.where(moves > 0, rising, np.where(moves < 0, falling, flat))
    return out


def futures_pnl(
    option: HedgeOption, price: float, moves: FloatArray
) -> tuple[FloatArray, float | None]:
    """USD P&L of an option's futures position and its liquidation move."""
    sign = -1.0 if option.side == "short" else 1.0
    p1 = price * (1.0 + moves)
    if option.kind == "inverse":
        face = float(option.hedged_units)
        # Inverse P&L accrues in coin: face * (1/P0 - 1/P1) for a long; value
        # it in USD at the new price. A price of zero has no USD value.
        with np.errstate(divide="ignore", invalid="ignore"):
            coin = face * (1.0 / price - np.where(p1 > 0, 1.0 / p1, 0.0))
        pnl = sign * np.where(p1 > 0, coin * p1, 0.0)
    else:
        units = float(option.hedged_units)
        pnl = sign * units * (p1 - price)
    liq_move: float | None = None
    if option.liquidation_price is not None and option.contracts:
        liq_move = float(option.liquidation_price) / price - 1.0
        # Past liquidation the position is gone: its loss stops growing.
        liq_pnl = _pnl_at(option, price, liq_move, sign)
        beyond = moves >= liq_move if option.side == "short" else moves <= liq_move
        pnl = np.where(beyond, liq_pnl, pnl)
    return pnl, liq_move


def _pnl_at(option: HedgeOption, price: float, move: float, sign: float) -> float:
    p1 = price * (1.0 + move)
    if option.kind == "inverse":
        face = float(option.hedged_units)
        return sign * (face * (1.0 / price - 1.0 / p1) * p1) if p1 > 0 else 0.0
    return sign * float(option.hedged_units) * (p1 - price)


def scenario_for(plan: Plan, underlying: str, moves: FloatArray | None = None) -> Scenario:
    u = plan.underlying(underlying)
    if u is None:
        raise KeyError(underlying)
    grid = default_moves() if moves is None else np.asarray(moves, dtype=np.float64)
    others = float(plan.total_value_usd - u.value_usd)
    unhedged = holdings_value(u, grid) + others
    price = float(u.futures_price) if u.futures_price else 0.0
    paths: dict[str, OptionPath] = {}
    if price > 0:
        for opt in u.options:
            pnl, liq = futures_pnl(opt, price, grid)
            paths[opt.name] = OptionPath(opt.name, pnl, unhedged + pnl, liq)
    return Scenario(
        underlying=u.underlying,
        moves=grid,
        prices=price * (1.0 + grid),
        unhedged=unhedged,
        options=paths,
        recommended=u.recommended,
        base_value=float(plan.total_value_usd),
    )


def scenarios(plan: Plan, moves: FloatArray | None = None) -> dict[str, Scenario]:
    return {u.underlying: scenario_for(plan, u.underlying, moves) for u in plan.underlyings}
