"""Hedge plans: exposure per underlying and the contract options to hedge it."""

from __future__ import annotations

from collections.abc import Container, Mapping, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from operator import mul
from typing import Literal, NamedTuple

from hedger.core.catalog import Catalog, CatalogError, Contract, Family
from hedger.core.collateral import DEFAULT_RALLY
from hedger.core.decimals import fmt_money
from hedger.core.freshness import ExpiryStyle, FuturesPriceCheck, check_futures_price
from hedger.core.held_positions import family_of_held, positions_on
from hedger.core.leverage import LeverageAdvice, leverage_advice
from hedger.core.liquidation import liquidation_price, liquidation_text
from hedger.core.models import STABLECOINS as _STABLES
from hedger.core.models import Holding, MarginMode, Portfolio, Position, Rounding
from hedger.core.options import (
    LIQUIDATION_NEAR,
    HedgeOption,
    Leg,
    MarginSettings,
    Side,
    build_options,
    recommend,
)
from hedger.core.position_gap import GapSettings, PositionGap, position_gap
from hedger.core.sizing import SizingError

__all__ = [
    "FALLBACK_UNDERLYING",
    "HIGH_LEVERAGE",
    "LIQUIDATION_NEAR",
    "HedgeOption",
    "Leg",
    "MarginSettings",
    "Plan",
    "PlanTotals",
    "Side",
    "UnderlyingPlan",
    "build_options",
    "hedgeable_underlyings",
    "liquidation_price",
    "liquidation_text",
    "plan_portfolio",
    "recommend",
    "resolve_underlying",
    "route",
]

# Daily volatility and where it came from, per underlying (hedger.services.leverage).
DailyVols = Mapping[str, tuple[Decimal, str]]
# Held positions of one underlying, each with its catalog contract.
Held = Sequence[tuple[Position, Contract | None]]

FALLBACK_UNDERLYING = "BTC"
HUNDRED = Decimal(100)
# Still the position-sizing tab's line for "high"; the plan's own leverage
# warning is the one-bad-day rule of hedger.core.leverage.
HIGH_LEVERAGE = Decimal(10)
TargetSource = Literal["ratio", "usd"]


# The plan's records are NamedTuples, not frozen dataclasses: each dataclass
# costs 1-2 ms to create at import, and `hedger plan` is a short-lived process
# whose start-up is budgeted. They are immutable, compare by value and are
# never built outside this module.


class UnderlyingPlan(NamedTuple):
    underlying: str
    family: Family | None
    futures_price: Decimal | None
    futures_price_from_spot: bool
    ratio: Decimal
    rounding: Rounding
    leverage: Decimal
    holdings: int
    value_usd: Decimal  # market value of the holdings mapped here
    exposure_usd: Decimal  # beta-weighted, signed
    target_usd: Decimal  # ratio * exposure, signed
    # (beta, value_usd) per distinct beta, in first-seen order: sorting
    # 10,000 Decimal betas would cost more than the rest of the plan.
    beta_groups: tuple[tuple[Decimal, Decimal], ...]
    assumed_beta_symbols: tuple[str, ...]
    options: tuple[HedgeOption, ...] = ()
    recommended: str | None = None
    warnings: tuple[str, ...] = ()
    problem: str | None = None
    # What sets the target: the ratio, or a dollar amount (target_setting_usd).
    target_source: TargetSource = "ratio"
    target_setting_usd: Decimal | None = None
    spot_price: Decimal | None = None
    futures_check: FuturesPriceCheck | None = None
    margin_mode: MarginMode = "isolated"
    rally: Decimal = DEFAULT_RALLY
    collateral_usd: Decimal | None = None
    leverage_advice: LeverageAdvice | None = None
    # The held hedge and the orders to the target: set when the portfolio
    # holds futures positions (anywhere), None otherwise.
    position_gap: PositionGap | None = None

    @property
    def untargeted_usd(self) -> Decimal:
        """Exposure the settings leave out: |exposure| − |target| (negative: over-targeted)."""
        return abs(self.exposure_usd) - abs(self.target_usd)

    @property
    def target_basis(self) -> str:
        """``your 50 % ratio`` or ``your 1,500 USD target``: what sets the target."""
        if self.target_source == "usd" and self.target_setting_usd is not None:
            return f"your {fmt_money(self.target_setting_usd, 0)} USD target"
        return f"your {fmt_money(self.ratio * HUNDRED, 0)} % ratio"

    @property
    def side(self) -> Side:
        return "long" if self.target_usd < 0 else "short"

    def option(self, name: str) -> HedgeOption | None:
        for o in self.options:
            if o.name == name:
                return o
        return None

    @property
    def recommended_option(self) -> HedgeOption | None:
        return self.option(self.recommended) if self.recommended else None


class PlanTotals(NamedTuple):
    """Sums over underlyings, as magnitudes.

    Options hedge a magnitude (a long book is hedged short, a short book
    long), so hedged and residual are unsigned; exposure and target are
    summed the same way to stay comparable with them. The recommended option
    of each underlying counts; an underlying without one is all residual.
    """

    exposure_usd: Decimal
    target_usd: Decimal
    hedged_usd: Decimal
    residual_usd: Decimal
    initial_margin_usd: Decimal


class HeldTotals(NamedTuple):
    """What the futures already held do, summed like PlanTotals (magnitudes):
    the part of the target they hedge and what is left."""

    hedged_usd: Decimal
    residual_usd: Decimal


class Plan(NamedTuple):
    portfolio: str
    ratio: Decimal
    rounding: Rounding
    leverage: Decimal
    underlyings: tuple[UnderlyingPlan, ...]
    totals: PlanTotals
    other_value_usd: Decimal  # stablecoins: constant under any move
    total_value_usd: Decimal

    def underlying(self, name: str) -> UnderlyingPlan | None:
        for u in self.underlyings:
            if u.underlying == name:
                return u
        return None

    @property
    def problems(self) -> list[str]:
        return [f"{u.underlying}: {u.problem}" for u in self.underlyings if u.problem]

    @property
    def held_totals(self) -> HeldTotals | None:
        """The held hedge over every underlying; None when no futures are held.

        Totals of the recommended options describe a hedge opened from zero;
        with positions held, these are what protects the book now."""
        gaps = [u.position_gap for u in self.underlyings]
        if not any(g is not None and g.holds_anything for g in gaps):
            return None
        hedged = residual = Decimal(0)
        for u, g in zip(self.underlyings, gaps, strict=True):
            if g is None:
                residual += abs(u.target_usd)
                continue
            hedged += g.current_hedged_usd
            residual += g.current_residual_usd
        return HeldTotals(hedged, residual)


def route(symbol: str, hedge_with: str | None, hedgeable: Container[str]) -> str:
    """The underlying whose futures hedge a holding: the one chosen, else the
    coin itself when it has a contract family, else BTC."""
    if hedge_with is not None:
        return hedge_with
    return symbol if symbol in hedgeable else FALLBACK_UNDERLYING


def hedgeable_underlyings(catalog: Catalog, families: Mapping[str, str]) -> frozenset[str]:
    """Coins with a contract family: the catalog's, or one the portfolio names."""
    return catalog.underlyings | families.keys()


def resolve_underlying(h: Holding, catalog: Catalog, families: dict[str, str]) -> tuple[str, bool]:
    """(underlying, beta_assumed) for a holding."""
    target = route(h.symbol, h.hedge_with, hedgeable_underlyings(catalog, families))
    return target, target != h.symbol and h.beta is None


class _Acc:
    """Sums for one underlying."""

    __slots__ = ("assumed", "betas", "exposure", "holdings", "spot_price", "value")

    def __init__(
        self,
        holdings: int,
        betas: dict[Decimal, Decimal],
        assumed: list[str],
        spot_price: Decimal | None,
    ) -> None:
        self.holdings = holdings
        self.betas = betas
        self.assumed = assumed
        self.spot_price = spot_price
        # sum() and map() over the distinct betas stay in C: a Python loop
        # costs several times as much on a book where every holding has its
        # own beta. (beta x value is exact for beta 1.)
        self.value: Decimal = sum(betas.values(), Decimal(0))
        self.exposure: Decimal = sum(map(mul, betas.keys(), betas.values()), Decimal(0))


def plan_portfolio(
    portfolio: Portfolio,
    catalog: Catalog,
    *,
    daily_vols: DailyVols | None = None,
    gaps: bool = False,
    now: datetime | None = None,
) -> Plan:
    """The hedge plan of ``portfolio``. ``daily_vols``: measured daily volatility
    per underlying for the leverage warning (default: ``hedger.core.leverage``'s).
    Each underlying gets its ``position_gap`` when the portfolio holds futures
    positions, or always with ``gaps``. ``now``: the time a fetched futures price's
    age is judged at (None: not judged; ``hedger.core.freshness``)."""
    settings = portfolio.hedge
    # route() inlined (same rule): this is the hot loop of a plan
    # (10,000 holdings, possibly each with its own symbol and beta).
    hedgeable = hedgeable_underlyings(catalog, settings.families)
    one = Decimal(1)
    zero = Decimal(0)
    cash: list[Decimal] = []
    betas_by: dict[str, dict[Decimal, Decimal]] = {}
    counts: dict[str, int] = {}
    assumed_by: dict[str, dict[str, None]] = {}  # ordered set, first seen first
    spot: dict[str, Decimal] = {}
    stables, fallback = _STABLES, FALLBACK_UNDERLYING
    for h in portfolio.holdings:
        # Fields straight from the model's __dict__ (where pydantic keeps
        # them): a fifth faster than attribute access in this loop.
        d = h.__dict__
        symbol = d["symbol"]
        value = d["quantity"] * d["price"]
        if symbol in stables:
            cash.append(value)
            continue
        under = d["hedge_with"]
        if under is None:
            under = symbol if symbol in hedgeable else fallback
        beta = d["beta"]
        if beta is None:
            beta = one
            if under != symbol:
                assumed_by.setdefault(under, {})[symbol] = None
        try:
            betas = betas_by[under]
        except KeyError:
            betas = betas_by[under] = {}
            counts[under] = 0
        old = betas.get(beta)
        betas[beta] = value if old is None else old + value
        counts[under] += 1
        if symbol == under and under not in spot:
            spot[under] = d["price"]

    acc = {
        u: _Acc(counts[u], betas, list(assumed_by.get(u, ())), spot.get(u))
        for u, betas in betas_by.items()
    }
    held_by: dict[str, list[tuple[Position, Contract | None]]] | None = None
    if portfolio.positions or gaps:
        held_by, _unknown = positions_on(portfolio.positions, catalog)
        for u in held_by:
            if u not in acc:  # a futures position with no holding: exposure all the same
                acc[u] = _Acc(0, {}, [], None)
    other = sum(cash, zero)
    vols = daily_vols or {}
    plans = [
        _plan_underlying(u, a, portfolio, catalog, vols.get(u), _held(held_by, u), now)
        for u, a in sorted(acc.items())
    ]
    totals = _totals(plans)
    return Plan(
        portfolio=portfolio.name,
        ratio=settings.ratio,
        rounding=settings.rounding,
        leverage=settings.leverage,
        underlyings=tuple(plans),
        totals=totals,
        other_value_usd=other,
        total_value_usd=other + sum((a.value for a in acc.values()), Decimal(0)),
    )


def _plan_underlying(
    under: str,
    a: _Acc,
    portfolio: Portfolio,
    catalog: Catalog,
    vol: tuple[Decimal, str] | None,
    held: Held | None = None,
    now: datetime | None = None,
) -> UnderlyingPlan:
    """``held``: the underlying's positions when the portfolio holds any (else None)."""
    settings = portfolio.hedge
    ratio, rounding, leverage = settings.for_underlying(under)
    target_usd, collateral, mode = settings.extras_for(under)
    if target_usd is None:
        target = ratio * a.exposure
    else:
        target = target_usd if a.exposure > 0 else -target_usd if a.exposure < 0 else Decimal(0)
    fprice = settings.futures_prices.get(under)
    from_spot = False
    if fprice is None and a.spot_price is not None:
        fprice, from_spot = a.spot_price, True
    base: dict[str, object] = dict(
        underlying=under,
        futures_price=fprice,
        futures_price_from_spot=from_spot,
        ratio=ratio,
        rounding=rounding,
        leverage=leverage,
        holdings=a.holdings,
        value_usd=a.value,
        exposure_usd=a.exposure,
        target_usd=target,
        beta_groups=tuple(a.betas.items()),
        assumed_beta_symbols=tuple(a.assumed),
        target_source="ratio" if target_usd is None else "usd",
        target_setting_usd=target_usd,
        spot_price=a.spot_price,
        margin_mode=mode,
        rally=settings.rally,
        collateral_usd=collateral,
    )
    family = _family(under, portfolio, catalog, held)
    if isinstance(family, str):
        return _problem(under, a, base, None, family)
    if family.underlying != under:
        problem = f"family {family.id} hedges {family.underlying}, not {under}"
        return _problem(under, a, base, family, problem)
    contracts = catalog.family_contracts(family.id)
    check = _futures_check(under, portfolio, a.spot_price, contracts, now)
    side: Side = "long" if target < 0 else "short"
    daily_vol, vol_source = vol if vol is not None else (None, "")
    base["futures_check"] = check
    base["leverage_advice"] = leverage_advice(
        under, leverage, contracts, side, daily_vol, vol_source, settings.account
    )
    if fprice is None:
        problem = f"no price for {under}: add a futures price or a {under} holding"
        return _problem(under, a, base, family, problem)
    margin = MarginSettings(settings.account, mode, settings.rally, collateral)
    try:
        options = build_options(abs(target), contracts, fprice, rounding, leverage, side, margin)
    except SizingError as exc:
        return _problem(under, a, base, family, str(exc))
    base["warnings"] = tuple(_underlying_warnings(under, a, family, base))
    untargeted = abs(a.exposure) - abs(target)
    basis = _target_basis(target_usd, ratio)
    options = [o._replace(untargeted_usd=untargeted, target_basis=basis) for o in options]
    if held is not None:
        gap_settings = GapSettings(rounding, leverage, settings.account, mode)
        base["position_gap"] = position_gap(
            under, target, contracts, family, held, fprice, gap_settings
        )
    return UnderlyingPlan(
        family=family,
        options=tuple(options),
        recommended=recommend(options),
        **base,  # type: ignore[arg-type]
    )


def _held(held_by: Mapping[str, Held] | None, under: str) -> Held | None:
    return None if held_by is None else held_by.get(under, [])


def _futures_check(
    under: str,
    portfolio: Portfolio,
    spot: Decimal | None,
    contracts: Sequence[Contract],
    now: datetime | None,
) -> FuturesPriceCheck:
    """Where the futures price comes from and whether it looks stale (core.freshness)."""
    perpetual = all(c.expiry == "perpetual" for c in contracts)
    expiry: ExpiryStyle = "perpetual" if perpetual else "dated"
    max_age = timedelta(hours=portfolio.drift.price_max_age_hours)
    return check_futures_price(under, portfolio.hedge, portfolio.quotes, spot, expiry, now, max_age)


def _family(under: str, portfolio: Portfolio, catalog: Catalog, held: Held | None) -> Family | str:
    """The family chosen for ``under``, else the one of a contract held on it, else the
    default; or why there is none."""
    family_id = (
        portfolio.hedge.families.get(under)
        or (family_of_held(held, catalog) if held else None)
        or catalog.default_family_for(under)
    )
    if family_id is None:
        return f"no futures family for {under}"
    try:
        return catalog.family(family_id)
    except CatalogError as exc:
        return str(exc)


def _problem(
    under: str, a: _Acc, base: dict[str, object], family: Family | None, problem: str
) -> UnderlyingPlan:
    # Warnings about the inputs hold even when no option can be built.
    base["warnings"] = tuple(_underlying_warnings(under, a, family, base))
    return UnderlyingPlan(family=family, problem=problem, **base)  # type: ignore[arg-type]


def _target_basis(target_usd: Decimal | None, ratio: Decimal) -> str:
    if target_usd is not None:
        return f"your {fmt_money(target_usd, 0)} USD target"
    return f"your {fmt_money(ratio * HUNDRED, 0)} % ratio"


def _underlying_warnings(
    under: str, a: _Acc, family: Family | None, base: Mapping[str, object]
) -> list[str]:
    out: list[str] = []
    ratio = base["ratio"]
    target = base["target_usd"]
    assert isinstance(ratio, Decimal) and isinstance(target, Decimal)
    move = "rise" if target >= 0 else "fall"
    if base["target_source"] == "usd":
        if abs(target) > abs(a.exposure):
            out.append(
                f"Target {fmt_money(abs(target), 0)} USD is above the "
                f"{fmt_money(abs(a.exposure), 0)} USD exposure: the hedge is larger than the "
                f"exposure, so a {move} loses money overall"
            )
    elif ratio > 1:
        out.append(
            f"Hedge ratio {ratio * HUNDRED:.0f} % is above 100 %: the hedge is larger than "
            f"the exposure, so a {move} loses money overall"
        )
    check = base.get("futures_check")
    if isinstance(check, FuturesPriceCheck):
        out.extend(check.findings)
    advice = base.get("leverage_advice")
    if isinstance(advice, LeverageAdvice) and advice.too_high:
        out.append(advice.words)
    if a.assumed:
        names = ", ".join(a.assumed)
        out.append(
            f"Cross-hedge on an assumed beta of 1: {names} hedged with {under} "
            "futures; set a beta for a better hedge"
        )
    if family is not None and family.notes:
        out.append(family.notes)
    return out


def _totals(plans: Sequence[UnderlyingPlan]) -> PlanTotals:
    zero = Decimal(0)
    exposure = target = hedged = residual = margin = zero
    for u in plans:
        exposure += abs(u.exposure_usd)
        target += abs(u.target_usd)
        opt = u.recommended_option
        if opt is not None:
            hedged += opt.hedged_usd
            residual += opt.residual_usd
            margin += opt.initial_margin_usd
        else:
            residual += abs(u.target_usd)
    return PlanTotals(exposure, target, hedged, residual, margin)
