"""How much leverage one bad day allows: the leverage warning of the plan and the app.

A hedge at leverage ``L`` is liquidated by a move of roughly ``1/L`` minus the
maintenance rate. The warning fires above the leverage where a one-day move
of three daily standard deviations reaches the liquidation price
(``hedger.core.collateral.max_safe_leverage``).

The daily volatility comes from stored price history where there is one
(``hedger.services.leverage``: the standard deviation of daily log returns
of the last 90 days). Without history Hedger uses ``DEFAULT_DAILY_VOLS``:
4 % a day for BTC (about 76 % a year: the conservative end of its realised
volatility, which Glassnode put at 40–55 % a year in 2023–24 and at
120–150 % at the 2017 peak), 5 % for ETH (historically about 1.2× BTC's) and
8 % for any other coin (smaller coins swing more). So with the defaults a
linear BTC hedge warns above about 7.5x.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import NamedTuple

from hedger.core.catalog import Contract
from hedger.core.collateral import SIGMAS, max_safe_leverage, one_day_move
from hedger.core.decimals import fmt_decimal
from hedger.core.liquidation import Rule, Side
from hedger.core.margin_tiers import table_for
from hedger.core.models import AccountClass

DEFAULT_DAILY_VOLS: Mapping[str, Decimal] = {"BTC": Decimal("0.04"), "ETH": Decimal("0.05")}
OTHER_DAILY_VOL = Decimal("0.08")
DEFAULT_VOL_SOURCE = "Hedger's default"
HUNDRED = Decimal(100)


def default_daily_vol(underlying: str) -> Decimal:
    return DEFAULT_DAILY_VOLS.get(underlying, OTHER_DAILY_VOL)


class LeverageAdvice(NamedTuple):
    """The most leverage one bad day allows for a hedge, and whether the asked one is above."""

    underlying: str
    leverage: Decimal  # asked
    max_safe: Decimal
    daily_vol: Decimal
    vol_source: str  # "Hedger's default" or "BTC history, 90 days"
    move: Decimal  # the one-day move against the hedge, a fraction
    side: Side

    @property
    def too_high(self) -> bool:
        return self.leverage > self.max_safe

    @property
    def words(self) -> str:
        sign = "+" if self.side == "short" else "−"
        move = f"{sign}{fmt_decimal(self.move * HUNDRED, 1)} %"
        vol = f"{fmt_decimal(self.daily_vol * HUNDRED, 1)} % daily volatility, {self.vol_source}"
        if not self.too_high:
            return (
                f"Leverage {fmt_decimal(self.leverage)}x is within one bad day: up to "
                f"{fmt_decimal(self.max_safe)}x a one-day {SIGMAS}-sigma move of "
                f"{self.underlying} ({move}, {vol}) stays short of liquidation."
            )
        return (
            f"Leverage {fmt_decimal(self.leverage)}x: a one-day {SIGMAS}-sigma move of "
            f"{self.underlying} ({move}, from a {vol}) reaches liquidation; at most "
            f"{fmt_decimal(self.max_safe)}x keeps such a day away from it."
        )


def maintenance_of(contract: Contract, account: AccountClass = "retail") -> tuple[Decimal, Rule]:
    """The smallest position's maintenance rate and the venue's valuation rule."""
    table = table_for(contract.margin_tables, account)
    rate = (
        table.tiers[0].maintenance_rate if table is not None else contract.maintenance_margin_rate
    )
    return rate, contract.liquidation


def leverage_advice(
    underlying: str,
    leverage: Decimal,
    contracts: list[Contract],
    side: Side = "short",
    daily_vol: Decimal | None = None,
    vol_source: str = DEFAULT_VOL_SOURCE,
    account: AccountClass = "retail",
) -> LeverageAdvice | None:
    """Advice for hedging ``underlying`` with ``contracts`` (a family) at ``leverage``;
    the strictest contract of the family decides. None without contracts."""
    if not contracts:
        return None
    vol = default_daily_vol(underlying) if daily_vol is None else daily_vol
    source = vol_source if daily_vol is not None else DEFAULT_VOL_SOURCE
    safest: Decimal | None = None
    for c in contracts:
        rate, rule = maintenance_of(c, account)
        limit = max_safe_leverage(vol, rate, c.kind, side, rule)
        safest = limit if safest is None else min(safest, limit)
    assert safest is not None
    move = one_day_move(vol, side)
    return LeverageAdvice(underlying, leverage, safest, vol, source, move, side)
