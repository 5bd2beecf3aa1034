"""The ways to hedge one underlying: each contract size alone, and the best mix.

Counts are whole *lots*, one order step of the venue each
(``hedger.core.orders``): whole contracts on CME, 0.01 contract on OKX swaps,
0.001 BTC on Binance. Every option carries its order in the venue's own terms
(``orders``), its margin as the venue defines it (``margin``), where it is
liquidated (None: it cannot be) and the collateral that carries it through
a rally (``collateral``).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Literal, NamedTuple

from hedger.core.catalog import Contract
from hedger.core.collateral import DEFAULT_RALLY, CollateralPlan, collateral_plan
from hedger.core.decimals import fmt_decimal, fmt_money
from hedger.core.liquidation_outcome import LiquidationOutcome, liquidation_outcome
from hedger.core.margin import MarginBreakdown, margin_for
from hedger.core.models import AccountClass, MarginMode, Rounding
from hedger.core.orders import (
    OrderSide,
    OrderTicket,
    contracts_of,
    lot_units,
    min_lots,
    nearest_words,
    ticket,
)
from hedger.core.sizing import SizingError, best_mix, round_count

Side = Literal["short", "long"]

LIQUIDATION_NEAR = Decimal("0.20")
# An over-hedge is worth a warning above this share of the target (percent).
OVER_HEDGE_PCT = Decimal("0.5")
HUNDRED = Decimal(100)
ZERO = Decimal(0)


class Leg(NamedTuple):
    contract: Contract
    contracts: Decimal  # lots × contracts per lot: 38.6 on OKX, whole elsewhere
    lots: int = 0  # whole order steps


class MarginSettings(NamedTuple):
    """How the margin of an option is judged (from the portfolio's hedge settings)."""

    account: AccountClass = "retail"
    mode: MarginMode = "isolated"
    rally: Decimal = DEFAULT_RALLY
    collateral_usd: Decimal | None = None  # what the user keeps behind the hedge


class HedgeOption(NamedTuple):
    """One way to hedge an underlying: a tier on its own, or the mix."""

    name: str  # standard | mini | micro | nano | mix
    side: Side
    legs: tuple[Leg, ...]
    exact_contracts: Decimal | None  # fractional count before rounding (single tier)
    hedged_units: Decimal  # coins for linear, USD face for inverse
    hedged_usd: Decimal
    residual_usd: Decimal  # target - hedged (positive: under-hedged), by rounding only
    residual_pct: Decimal  # of target
    initial_margin_usd: Decimal  # posted: the larger of notional / leverage and the venue's
    fee_usd: Decimal
    # None: no position, or it cannot be liquidated; the futures price when the
    # collateral kept cannot open it (liquidated at once: ``liquidation`` says why).
    liquidation_price: Decimal | None
    warnings: tuple[str, ...] = ()
    orders: tuple[OrderTicket, ...] = ()  # one per leg that trades
    margin: MarginBreakdown | None = None
    # Exposure the settings leave out (exposure − target), and the words for why.
    untargeted_usd: Decimal = ZERO
    target_basis: str = ""
    # What the collateral plan needs (built when asked: a plan has many options).
    futures_price: Decimal = ZERO
    rally: Decimal = DEFAULT_RALLY
    collateral_usd: Decimal | None = None  # what the user keeps behind the hedge
    # Where it is liquidated with that collateral (else the posted margin), in words too.
    liquidation: LiquidationOutcome | None = None
    # When no whole lot fits but the family's smallest contract could hedge some of it:
    # the smallest order the venue accepts (the nearest valid order).
    smallest_order: OrderTicket | None = None

    @property
    def collateral(self) -> CollateralPlan | None:
        """The collateral that keeps this hedge open through ``rally``; None if it
        trades nothing."""
        if self.margin is None or not self.orders:
            return None
        return collateral_plan(
            self.margin, self.futures_price, self.side, self.rally, self.collateral_usd
        )

    @property
    def contracts(self) -> Decimal:
        return sum((leg.contracts for leg in self.legs), ZERO)

    @property
    def kind(self) -> str:
        return self.legs[0].contract.kind if self.legs else "linear"

    @property
    def order(self) -> OrderTicket | None:
        """The order when it is one line (every single tier, and most mixes)."""
        return self.orders[0] if len(self.orders) == 1 else None

    @property
    def can_liquidate(self) -> bool:
        return self.liquidation_price is not None

    @property
    def trades(self) -> bool:
        return bool(self.orders)

    def order_text(self, leverage: Decimal | None = None) -> str:
        """What to place, in the venue's terms, and what it leaves unhedged and why."""
        if not self.orders:
            left = fmt_money(self.residual_usd, 0)
            smallest = self.smallest_order
            nearest = (
                ""
                if smallest is None
                else f"; the smallest order the venue accepts is {smallest.quantity_text} "
                f"({fmt_money(smallest.notional_usd, 0)} USD)"
            )
            return f"No {self.name} contract fits: {left} USD stays unhedged{nearest}" + (
                self._untargeted_words()
            )
        verb = "Sell" if self.side == "short" else "Buy"
        parts = " + ".join(t.body for t in self.orders)
        residual = self.residual_usd
        left_txt = (
            f"{fmt_money(residual, 0)} USD left unhedged by rounding"
            if residual >= 0
            else f"over-hedged by {fmt_money(-residual, 0)} USD by rounding"
        )
        return (
            f"{verb} {parts} — hedges {fmt_money(self.hedged_usd, 0)} USD, {left_txt}"
            f"{self._untargeted_words()}, {self._margin_words(leverage)}"
        )

    def _untargeted_words(self) -> str:
        if self.untargeted_usd <= 0 or not self.target_basis:
            return ""
        return f"; {fmt_money(self.untargeted_usd, 0)} USD not targeted by {self.target_basis}"

    def _margin_words(self, leverage: Decimal | None) -> str:
        m = self.margin
        margin = fmt_money(self.initial_margin_usd, 0)
        if m is not None and m.rule == "venue":
            return (
                f"{margin} USD margin ({m.venue}'s requirement; "
                f"{fmt_decimal(m.leverage)}x would be {fmt_money(m.by_leverage_usd, 0)})"
            )
        lev = leverage if leverage is not None else (m.leverage if m is not None else None)
        return f"{margin} USD margin" + (f" at {fmt_decimal(lev)}x" if lev is not None else "")


def build_options(
    target_usd: Decimal,
    contracts: Sequence[Contract],
    futures_price: Decimal,
    rounding: Rounding,
    leverage: Decimal,
    side: Side = "short",
    margin: MarginSettings | None = None,
) -> list[HedgeOption]:
    """Options for hedging a USD magnitude with a family (contracts largest first)."""
    if futures_price <= 0:
        raise SizingError("futures price must be positive")
    if leverage <= 0:
        raise SizingError("leverage must be positive")
    settings = margin or MarginSettings()
    kind = contracts[0].kind
    target_units = target_usd if kind == "inverse" else target_usd / futures_price
    tier_counts: dict[str, int] = {}
    for c in contracts:
        tier_counts[c.tier] = tier_counts.get(c.tier, 0) + 1
    args = (target_usd, futures_price, leverage, side, settings)
    options: list[HedgeOption] = []
    for c in contracts:
        exact = target_units / c.size
        n = round_count(target_units / lot_units(c), rounding)
        name = c.tier if tier_counts[c.tier] == 1 else f"{c.tier} {c.symbol}"
        options.append(_option(name, [(c, n)], exact, *args))
    if len(contracts) > 1:
        options.append(_option("mix", _mix(target_units, contracts, rounding), None, *args))
    # Nothing in the family fits (the mix, or a family of one contract, trades nothing):
    # name the nearest valid order, the smallest the venue takes of its smallest contract.
    last = options[-1]
    if not last.orders and target_usd > 0:
        c = min(contracts, key=lot_units)
        smallest = ticket(
            c, min_lots(c, futures_price), "sell" if side == "short" else "buy", futures_price
        )
        options[-1] = last._replace(smallest_order=smallest)
    return options


def _mix(
    target_units: Decimal, contracts: Sequence[Contract], rounding: Rounding
) -> list[tuple[Contract, int]]:
    """Lots per contract of the best mix (contracts in the family's order)."""
    lots = [lot_units(c) for c in contracts]
    order = sorted(range(len(contracts)), key=lambda i: lots[i], reverse=True)
    counts = best_mix(target_units, [lots[i] for i in order], rounding)
    by_index = dict(zip(order, counts, strict=True))
    return [(c, by_index[i]) for i, c in enumerate(contracts)]


def _option(
    name: str,
    lot_legs: list[tuple[Contract, int]],
    exact: Decimal | None,
    target_usd: Decimal,
    price: Decimal,
    leverage: Decimal,
    side: Side,
    settings: MarginSettings,
) -> HedgeOption:
    # One pass over the legs (plans build many options: this is their hot path).
    kind = lot_legs[0][0].kind
    order_side: OrderSide = "sell" if side == "short" else "buy"
    legs: list[Leg] = []
    orders: list[OrderTicket] = []
    units = fee = ZERO
    for c, n in lot_legs:
        legs.append(Leg(c, contracts_of(c, n), n))
        if n:
            leg_units = n * lot_units(c)
            units += leg_units
            fee += (leg_units if kind == "inverse" else leg_units * price) * c.fee_rate
            orders.append(ticket(c, n, order_side, price))
    hedged = units if kind == "inverse" else units * price
    residual = target_usd - hedged
    pct = (residual / target_usd * HUNDRED) if target_usd else ZERO
    margin = margin_for(lot_legs, price, leverage, account=settings.account, mode=settings.mode)
    outcome: LiquidationOutcome | None = None
    warnings: list[str] = []
    if orders:
        outcome = liquidation_outcome(margin, price, side, settings.collateral_usd)
        smallest = min(lot_units(c) * (1 if kind == "inverse" else price) for c, _ in lot_legs)
        warnings = _warnings(
            orders, margin, outcome, price, (target_usd, hedged, smallest), side, settings
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
        initial_margin_usd=margin.initial_usd,
        fee_usd=fee,
        liquidation_price=None if outcome is None else outcome.price,
        warnings=tuple(warnings),
        orders=tuple(orders),
        margin=margin,
        futures_price=price,
        rally=settings.rally,
        collateral_usd=settings.collateral_usd,
        liquidation=outcome,
    )


def _warnings(
    orders: Sequence[OrderTicket],
    margin: MarginBreakdown,
    outcome: LiquidationOutcome | None,
    price: Decimal,
    sizes: tuple[Decimal, Decimal, Decimal],
    side: Side,
    settings: MarginSettings,
) -> list[str]:
    """``sizes``: the target, what the option hedges and its smallest lot, in USD."""
    target_usd, hedged, smallest_lot = sizes
    out: list[str] = []
    liq = outcome.price if outcome is not None and outcome.state == "price" else None
    if outcome is not None and outcome.state == "at_once":
        kept = settings.collateral_usd
        what = "the posted margin" if kept is None else f"the {fmt_money(kept, 0)} USD you keep"
        reason = outcome.reason_for(what)
        out.append(reason[:1].upper() + reason[1:])
    if liq is not None:
        move = abs(liq - price) / price
        if move <= LIQUIDATION_NEAR:
            out.append(
                f"Liquidation near {liq:,.0f} USD is only {move * HUNDRED:.1f} % away from "
                f"{price:,.0f}: a move that size closes the hedge when you need it"
            )
    if (
        target_usd
        and hedged > target_usd
        and _over_hedge_matters(hedged - target_usd, target_usd, smallest_lot)
    ):
        out.append(_over_hedged(hedged, target_usd, side))
    if margin.rule == "venue":
        out.append(margin.words)
    for t in orders:
        nearest = nearest_words(t)
        for problem in t.problems:
            out.append(f"{problem}; {nearest}" if nearest else problem)
    out.extend(margin.notes)
    collateral = settings.collateral_usd
    if collateral is not None and margin.required_usd <= collateral < margin.initial_usd:
        out.append(
            f"The {fmt_money(collateral, 0)} USD you keep is less than the "
            f"{fmt_money(margin.initial_usd, 0)} USD margin your {fmt_decimal(margin.leverage)}x "
            f"asks; {margin.venue} accepts it (its minimum is "
            f"{fmt_money(margin.required_usd, 0)} USD), and the liquidation is for "
            f"{fmt_money(collateral, 0)} USD"
        )
    return out


def _over_hedge_matters(over_usd: Decimal, target_usd: Decimal, smallest_lot: Decimal) -> bool:
    """Over by more than OVER_HEDGE_PCT of the target, or by more than one smallest lot.

    Whole contracts rarely land on the target exactly: a few dollars over (a
    fraction of the smallest contract) is the rounding working, not news.
    Past one smallest lot the excess pays more in fees than that contract
    does, and one contract fewer would still cover the target.
    """
    return over_usd * HUNDRED > target_usd * OVER_HEDGE_PCT or over_usd > smallest_lot


def _over_hedged(hedged: Decimal, target_usd: Decimal, side: Side) -> str:
    over = (hedged / target_usd - 1) * HUNDRED
    # Whole percent hides small over-hedges ("by 0 %"); keep one decimal there.
    if over >= 10:
        shown = f"{over:.0f}"
    elif over >= Decimal("0.1"):
        shown = f"{over:.1f}"
    else:
        shown = "less than 0.1"
    direction = "rise" if side == "short" else "fall"
    return f"Over-hedged by {shown} %: a {direction} now loses money overall"


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
