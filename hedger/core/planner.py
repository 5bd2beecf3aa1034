"""Hedge plans: exposure per underlying and the contract options to hedge it."""

from __future__ import annotations

from collections.abc import Container, Mapping, Sequence
from decimal import Decimal
from operator import mul
from typing import Literal, NamedTuple

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


# The plan's records are NamedTuples, not frozen dataclasses: each dataclass
# costs 1-2 ms to create at import, and `hedger plan` is a short-lived process
# whose start-up is budgeted. They are immutable, compare by value and are
# never built outside this module.


class Leg(NamedTuple):
    contract: Contract
    contracts: int


class HedgeOption(NamedTuple):
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


def plan_portfolio(portfolio: Portfolio, catalog: Catalog) -> Plan:
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
    other = sum(cash, zero)
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
        beta_groups=tuple(a.betas.items()),
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
    """Smallest residual, then fewest contracts, then least margin.

    On a full tie the mix wins: it is the plan's best combination by
    definition, and when it happens to use one size it is that tier's order
    exactly. Preferring it keeps the recommendation from flipping between
    "micro" and "mix" as the book changes by a contract or two.
    """
    if not options:
        return None
    best = min(
        options,
        key=lambda o: (abs(o.residual_usd), o.contracts, o.initial_margin_usd, o.name != "mix"),
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
