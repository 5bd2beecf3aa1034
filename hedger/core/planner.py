"""Hedge plans: exposure per underlying and the contract options to hedge it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from hedger.core.catalog import Catalog, CatalogError, Contract, Family
from hedger.core.decimals import fmt_decimal, fmt_money
from hedger.core.models import STABLECOINS as _STABLES
from hedger.core.models import Holding, Portfolio, Rounding
from hedger.core.sizing import SizingError, best_mix, round_count

Side = Literal["short", "long"]

HIGH_LEVERAGE = Decimal(10)
LIQUIDATION_NEAR = Decimal("0.20")
FALLBACK_UNDERLYING = "BTC"
HUNDRED = Decimal(100)


@dataclass(frozen=True, slots=True)
class Leg:
    contract: Contract
    contracts: int


@dataclass(frozen=True, slots=True)
class HedgeOption:
    """One way to hedge an underlying: a tier on its own, or the mix."""

    name: str  # standard | mini | micro | nano | mix
    side: Side
    legs: tuple[Leg, ...]
    exact_contracts: Decimal | None  # fractional count before rounding (single tier)
    hedged_units: Decimal  # coins for linear, USD face for inverse
    hedged_usd: Decimal
    residual_usd: Decimal  # target - hedged (positive: under-hedged)
    residual_pct: Decimal  # of target
    initial_margin_usd: Decimal
    fee_usd: Decimal
    liquidation_price: Decimal | None
    warnings: tuple[str, ...] = ()

    @property
    def contracts(self) -> int:
        return sum(leg.contracts for leg in self.legs)

    @property
    def kind(self) -> str:
        return self.legs[0].contract.kind if self.legs else "linear"

    def order_text(self, leverage: Decimal) -> str:
        active = [leg for leg in self.legs if leg.contracts]
        if not active:
            return (
                f"No {self.name} contract fits: "
                f"{fmt_money(self.residual_usd, 0)} USD stays unhedged"
            )
        verb = "Short" if self.side == "short" else "Buy"
        parts = " + ".join(f"{leg.contracts:,} × {leg.contract.name}" for leg in active)
        left = self.residual_usd
        left_txt = (
            f"{fmt_money(left, 0)} USD left unhedged"
            if left >= 0
            else f"over-hedged by {fmt_money(-left, 0)} USD"
        )
        return (
            f"{verb} {parts} — hedges {fmt_money(self.hedged_usd, 0)} USD, {left_txt}, "
            f"{fmt_money(self.initial_margin_usd, 0)} USD margin at {fmt_decimal(leverage)}x"
        )


@dataclass(frozen=True, slots=True)
class UnderlyingPlan:
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
    beta_groups: tuple[tuple[Decimal, Decimal], ...]  # (beta, value_usd)
    assumed_beta_symbols: tuple[str, ...]
    options: tuple[HedgeOption, ...] = ()
    recommended: str | None = None
    warnings: tuple[str, ...] = ()
    problem: str | None = None

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


@dataclass(frozen=True, slots=True)
class PlanTotals:
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


@dataclass(frozen=True, slots=True)
class Plan:
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


def liquidation_price(
    entry: Decimal, leverage: Decimal, maintenance_rate: Decimal, side: Side, kind: str
) -> Decimal:
    """Approximate liquidation price (isolated margin, fees ignored).

    Linear short: entry * (1 + 1/L - mm). Inverse contracts lose margin in
    coin, so the same loss share is reached at entry / (1 - 1/L + mm).
    """
    cushion = 1 / leverage - maintenance_rate
    if kind == "inverse":
        denom = 1 - cushion if side == "short" else 1 + cushion
        return entry / denom if denom > 0 else Decimal(0)
    factor = 1 + cushion if side == "short" else 1 - cushion
    return max(entry * factor, Decimal(0))


def resolve_underlying(h: Holding, catalog: Catalog, families: dict[str, str]) -> tuple[str, bool]:
    """(underlying, beta_assumed) for a holding."""
    if h.hedge_with is not None:
        target = h.hedge_with
    elif h.symbol in families or catalog.families_for(h.symbol):
        target = h.symbol
    else:
        target = FALLBACK_UNDERLYING
    assumed = target != h.symbol and h.beta is None
    return target, assumed


@dataclass
class _Acc:
    holdings: int = 0
    value: Decimal = Decimal(0)
    exposure: Decimal = Decimal(0)
    betas: dict[Decimal, Decimal] = field(default_factory=dict)
    assumed: list[str] = field(default_factory=list)
    spot_price: Decimal | None = None


def plan_portfolio(portfolio: Portfolio, catalog: Catalog) -> Plan:
    settings = portfolio.hedge
    families = dict(settings.families)
    # Pass 1 touches each holding once with the least work possible (one
    # multiply, one add): a 10,000-holding book has few distinct
    # (symbol, hedge_with, beta) groups, and routing is done per group.
    # Groups keep first-seen order, so "first holding" rules still hold.
    groups: dict[tuple[str, str | None, Decimal | None], list[Any]] = {}
    for h in portfolio.holdings:
        key = (h.symbol, h.hedge_with, h.beta)
        value = h.quantity * h.price
        g = groups.get(key)
        if g is None:
            groups[key] = [value, 1, h]
        else:
            g[0] += value
            g[1] += 1

    acc: dict[str, _Acc] = {}
    other = Decimal(0)
    one = Decimal(1)
    for (symbol, _, beta_given), (value, count, first) in groups.items():
        if symbol in _STABLES:
            other += value
            continue
        under, assumed = resolve_underlying(first, catalog, families)
        a = acc.get(under)
        if a is None:
            a = acc[under] = _Acc()
        beta = one if beta_given is None else beta_given
        a.holdings += count
        a.value += value
        a.exposure += value if beta == one else value * beta
        a.betas[beta] = a.betas.get(beta, Decimal(0)) + value
        if assumed and symbol not in a.assumed:
            a.assumed.append(symbol)
        if symbol == under and a.spot_price is None:
            a.spot_price = first.price

    plans = [_plan_underlying(u, a, portfolio, catalog) for u, a in sorted(acc.items())]
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


def _plan_underlying(under: str, a: _Acc, portfolio: Portfolio, catalog: Catalog) -> UnderlyingPlan:
    settings = portfolio.hedge
    ratio, rounding, leverage = settings.for_underlying(under)
    target = ratio * a.exposure
    fprice = settings.futures_prices.get(under)
    from_spot = False
    if fprice is None and a.spot_price is not None:
        fprice, from_spot = a.spot_price, True
    base = dict(
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
        beta_groups=tuple(sorted(a.betas.items())),
        assumed_beta_symbols=tuple(a.assumed),
        # Warnings about the inputs hold even when no option can be built.
        warnings=tuple(_underlying_warnings(under, a, None, ratio, leverage, target)),
    )
    family_id = settings.families.get(under) or catalog.default_family_for(under)
    if family_id is None:
        return UnderlyingPlan(family=None, problem=f"no futures family for {under}", **base)  # type: ignore[arg-type]
    try:
        family = catalog.family(family_id)
    except CatalogError as exc:
        return UnderlyingPlan(family=None, problem=str(exc), **base)  # type: ignore[arg-type]
    if family.underlying != under:
        return UnderlyingPlan(
            family=family,
            problem=f"family {family.id} hedges {family.underlying}, not {under}",
            **base,  # type: ignore[arg-type]
        )
    if fprice is None:
        return UnderlyingPlan(
            family=family,
            problem=f"no price for {under}: add a futures price or a {under} holding",
            **base,  # type: ignore[arg-type]
        )
    contracts = catalog.family_contracts(family.id)
    side: Side = "long" if target < 0 else "short"
    try:
        options = build_options(abs(target), contracts, fprice, rounding, leverage, side)
    except SizingError as exc:
        return UnderlyingPlan(family=family, problem=str(exc), **base)  # type: ignore[arg-type]
    rec = recommend(options)
    base["warnings"] = tuple(_underlying_warnings(under, a, family, ratio, leverage, target))
    return UnderlyingPlan(
        family=family,
        options=tuple(options),
        recommended=rec,
        **base,  # type: ignore[arg-type]
    )


def build_options(
    target_usd: Decimal,
    contracts: Sequence[Contract],
    futures_price: Decimal,
    rounding: Rounding,
    leverage: Decimal,
    side: Side = "short",
) -> list[HedgeOption]:
    """Options for hedging a USD magnitude with a family (contracts largest first)."""
    if futures_price <= 0:
        raise SizingError("futures price must be positive")
    if leverage <= 0:
        raise SizingError("leverage must be positive")
    kind = contracts[0].kind
    target_units = target_usd if kind == "inverse" else target_usd / futures_price
    tier_counts: dict[str, int] = {}
    for c in contracts:
        tier_counts[c.tier] = tier_counts.get(c.tier, 0) + 1
    options: list[HedgeOption] = []
    for c in contracts:
        exact = target_units / c.size
        n = round_count(exact, rounding)
        name = c.tier if tier_counts[c.tier] == 1 else f"{c.tier} {c.symbol}"
        options.append(_option(name, [Leg(c, n)], exact, target_usd, futures_price, leverage, side))
    if len(contracts) > 1:
        counts = best_mix(target_units, [c.size for c in contracts], rounding)
        legs = [Leg(c, n) for c, n in zip(contracts, counts, strict=True)]
        options.append(_option("mix", legs, None, target_usd, futures_price, leverage, side))
    return options


def _option(
    name: str,
    legs: list[Leg],
    exact: Decimal | None,
    target_usd: Decimal,
    price: Decimal,
    leverage: Decimal,
    side: Side,
) -> HedgeOption:
    units = sum((leg.contracts * leg.contract.size for leg in legs), Decimal(0))
    kind = legs[0].contract.kind
    hedged = units if kind == "inverse" else units * price
    residual = target_usd - hedged
    pct = (residual / target_usd * HUNDRED) if target_usd else Decimal(0)
    margin = hedged / leverage
    fee = sum(
        (leg.contract.notional_usd(price) * leg.contracts * leg.contract.fee_rate for leg in legs),
        Decimal(0),
    )
    active = [leg for leg in legs if leg.contracts]
    liq: Decimal | None = None
    warnings: list[str] = []
    if active:
        mm = max(leg.contract.maintenance_margin_rate for leg in active)
        liq = liquidation_price(price, leverage, mm, side, kind)
        move = abs(liq - price) / price
        if move <= LIQUIDATION_NEAR:
            warnings.append(
                f"Liquidation near {liq:,.0f} USD is only {move * HUNDRED:.1f} % away from "
                f"{price:,.0f}: a move that size closes the hedge when you need it"
            )
        if target_usd and hedged > target_usd:
            over = (hedged / target_usd - 1) * HUNDRED
            # Whole percent hides small over-hedges ("by 0 %"); keep one decimal there.
            if over >= 10:
                shown = f"{over:.0f}"
            elif over >= Decimal("0.1"):
                shown = f"{over:.1f}"
            else:
                shown = "less than 0.1"
            direction = "rise" if side == "short" else "fall"
            warnings.append(f"Over-hedged by {shown} %: a {direction} now loses money overall")
        for leg in active:
            c = leg.contract
            max_lev = (1 / c.initial_margin_rate) if c.initial_margin_rate else None
            if max_lev is not None and leverage > max_lev:
                warnings.append(
                    f"{c.short_label} usually needs {c.initial_margin_rate * HUNDRED:.0f} % "
                    f"initial margin (about {max_lev:.1f}x at most); check your broker"
                )
            if c.min_notional is not None:
                notional = c.notional_usd(price) * leg.contracts
                if notional < c.min_notional:
                    warnings.append(
                        f"{c.short_label}: order of {notional:,.2f} USD is below the "
                        f"venue minimum of {c.min_notional} USD"
                    )
    elif target_usd > 0:
        warnings.append("No whole contract fits: the exposure stays unhedged")
    return HedgeOption(
        name=name,
        side=side,
        legs=tuple(legs),
        exact_contracts=exact,
        hedged_units=units,
        hedged_usd=hedged,
        residual_usd=residual,
        residual_pct=pct,
        initial_margin_usd=margin,
        fee_usd=fee,
        liquidation_price=liq,
        warnings=tuple(warnings),
    )


def recommend(options: Sequence[HedgeOption]) -> str | None:
    """Smallest residual, then fewest contracts, then least margin."""
    if not options:
        return None
    best = min(
        options,
        key=lambda o: (abs(o.residual_usd), o.contracts, o.initial_margin_usd),
    )
    return best.name


def _underlying_warnings(
    under: str,
    a: _Acc,
    family: Family | None,
    ratio: Decimal,
    leverage: Decimal,
    target: Decimal,
) -> list[str]:
    out: list[str] = []
    if ratio > 1:
        move = "rise" if target >= 0 else "fall"
        out.append(
            f"Hedge ratio {ratio * HUNDRED:.0f} % is above 100 %: the hedge is larger than "
            f"the exposure, so a {move} loses money overall"
        )
    if leverage > HIGH_LEVERAGE:
        out.append(
            f"Leverage {leverage}x is high: a {100 / leverage:.1f} % move against the "
            "futures position wipes out its margin"
        )
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
