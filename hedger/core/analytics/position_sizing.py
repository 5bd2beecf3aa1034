"""Position sizing: how many contracts keep the loss at the stop within a risk budget.

The article's rule (domain.md §3): risk a fixed share of equity per trade,

    contracts = floor((equity × risk_fraction) / (|entry − stop| × multiplier))

e.g. 1 % of 1,000 USD = 10 USD; a 0.01 BTC micro with a 1,000 USD stop
distance loses 10 USD, so 1 contract. For an inverse contract of face C USD
the loss at the stop is C·|entry − stop|/entry USD, so C/entry plays the
multiplier. All arithmetic is Decimal: a float floor would give 28 for 29.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_FLOOR, Decimal
from typing import Literal

from hedger.core.catalog import Contract
from hedger.core.liquidation import liquidation_price
from hedger.core.models import MAX_LEVERAGE
from hedger.core.planner import HIGH_LEVERAGE
from hedger.core.sizing import SizingError, best_mix

Side = Literal["long", "short"]
HUNDRED = Decimal(100)
# Above this share of equity per trade the rule stops being risk management.
HIGH_RISK_PERCENT = Decimal(5)


class PositionSizingError(ValueError):
    """Inputs that cannot be sized; the message is one line for the user."""


@dataclass(frozen=True)
class SizedLeg:
    contract: Contract
    contracts: int


@dataclass(frozen=True)
class SizedOption:
    """One way to take the trade: a single tier, or a mix of the family's sizes."""

    name: str  # tier name ("micro") or "mix"
    legs: tuple[SizedLeg, ...]
    loss_per_contract: Decimal | None  # single tier only
    loss_at_stop: Decimal  # what the stop really costs (fees excluded)
    fees: Decimal  # opening and closing at the contracts' fee rate
    notional: Decimal  # USD at entry
    margin: Decimal  # notional / leverage
    effective_leverage: Decimal  # notional / equity
    liquidation_price: Decimal | None
    risk_used_pct: Decimal  # loss_at_stop as % of the risk budget
    warnings: tuple[str, ...] = ()

    @property
    def contracts(self) -> int:
        return sum(leg.contracts for leg in self.legs)

    @property
    def loss_with_fees(self) -> Decimal:
        return self.loss_at_stop + self.fees

    def order_text(self) -> str:
        active = [leg for leg in self.legs if leg.contracts]
        if not active:
            return "no contract fits the risk budget"
        return " + ".join(f"{leg.contracts:,} × {leg.contract.name}" for leg in active)


@dataclass(frozen=True)
class SizingResult:
    equity: Decimal
    risk_percent: Decimal
    risk_usd: Decimal
    entry: Decimal
    stop: Decimal
    side: Side
    stop_distance: Decimal  # |entry - stop|
    stop_percent: Decimal  # of entry
    leverage: Decimal
    options: tuple[SizedOption, ...]
    recommended: str | None
    warnings: tuple[str, ...] = ()

    def option(self, name: str) -> SizedOption | None:
        return next((o for o in self.options if o.name == name), None)


def size_position(
    equity: Decimal,
    risk_percent: Decimal,
    entry: Decimal,
    stop: Decimal,
    contracts: Sequence[Contract],
    leverage: Decimal,
    *,
    include_fees: bool = False,
) -> SizingResult:
    """Contracts per tier (and the best mix) whose loss at the stop stays within the risk.

    ``contracts``: one family, any order. With ``include_fees`` the opening and
    closing fees count against the risk budget too.
    """
    _check(equity, risk_percent, entry, stop, leverage, contracts)
    risk = equity * risk_percent / HUNDRED
    side: Side = "long" if stop < entry else "short"
    distance = abs(entry - stop)
    family = sorted(contracts, key=lambda c: c.size, reverse=True)
    tier_counts: dict[str, int] = {}
    for c in family:
        tier_counts[c.tier] = tier_counts.get(c.tier, 0) + 1
    options: list[SizedOption] = []
    for c in family:
        scaled, scale = _scaled_loss_per_unit(c, entry, distance, include_fees)
        per = scaled * c.size / scale
        # risk*scale / (size*scaled) keeps the quotient exact where the
        # per-contract loss of an inverse contract is a repeating decimal.
        n = _floor(risk * scale / (c.size * scaled)) if scaled > 0 else 0
        name = c.tier if tier_counts[c.tier] == 1 else f"{c.tier} {c.symbol}"
        options.append(
            _option(name, [SizedLeg(c, n)], per, equity, risk, entry, stop, side, leverage)
        )
    kinds = {c.kind for c in family}
    if len(family) > 1 and len(kinds) == 1:
        mix = _mix(family, risk, entry, distance, include_fees)
        # A mix that is just one of the tiers adds a row and no information.
        if mix is not None and not _is_single_tier(mix, options):
            options.append(_option("mix", mix, None, equity, risk, entry, stop, side, leverage))
    recommended = _recommend(options)
    warnings: list[str] = []
    if risk_percent > HIGH_RISK_PERCENT:
        warnings.append(
            f"Risking {risk_percent.normalize():f} % of equity on one trade is aggressive; "
            "1-2 % is the usual rule"
        )
    if leverage > HIGH_LEVERAGE:
        warnings.append(
            f"Leverage {leverage.normalize():f}x is high: a {HUNDRED / leverage:.1f} % move "
            "against the position wipes out its margin"
        )
    return SizingResult(
        equity=equity,
        risk_percent=risk_percent,
        risk_usd=risk,
        entry=entry,
        stop=stop,
        side=side,
        stop_distance=distance,
        stop_percent=distance / entry * HUNDRED,
        leverage=leverage,
        options=tuple(options),
        recommended=recommended,
        warnings=tuple(warnings),
    )


def _is_single_tier(mix: list[SizedLeg], options: Sequence[SizedOption]) -> bool:
    active = [leg for leg in mix if leg.contracts]
    if not active:
        return True
    if len(active) > 1:
        return False
    leg = active[0]
    return any(
        o.legs[0].contract.id == leg.contract.id and o.legs[0].contracts == leg.contracts
        for o in options
    )


def _check(
    equity: Decimal,
    risk_percent: Decimal,
    entry: Decimal,
    stop: Decimal,
    leverage: Decimal,
    contracts: Sequence[Contract],
) -> None:
    if equity <= 0:
        raise PositionSizingError("equity must be above 0")
    if not 0 < risk_percent <= HUNDRED:
        raise PositionSizingError("risk must be above 0 % and at most 100 %")
    if entry <= 0 or stop <= 0:
        raise PositionSizingError("entry and stop prices must be above 0")
    if entry == stop:
        raise PositionSizingError("the stop must differ from the entry price")
    if not 0 < leverage <= MAX_LEVERAGE:
        raise PositionSizingError(f"leverage must be above 0 and at most {MAX_LEVERAGE}")
    if not contracts:
        raise PositionSizingError("no contracts to size")


def _scaled_loss_per_unit(
    c: Contract, entry: Decimal, distance: Decimal, fees: bool
) -> tuple[Decimal, Decimal]:
    """USD lost at the stop per unit of contract size, as (numerator, scale).

    Linear: per coin, scale 1. Inverse: per USD of face the loss is
    distance / entry; it is returned as (distance, entry) so callers divide once.
    """
    if c.kind == "inverse":
        fee = 2 * c.fee_rate * entry if fees else Decimal(0)
        return distance + fee, entry
    # Round trip: in at entry, out at the stop (close enough to entry for fees).
    fee = 2 * c.fee_rate * entry if fees else Decimal(0)
    return distance + fee, Decimal(1)


def _floor(value: Decimal) -> int:
    return int(value.to_integral_value(rounding=ROUND_FLOOR))


def _mix(
    family: list[Contract], risk: Decimal, entry: Decimal, distance: Decimal, fees: bool
) -> list[SizedLeg] | None:
    scaled, scale = max(
        (_scaled_loss_per_unit(c, entry, distance, fees) for c in family), key=lambda t: t[0]
    )
    if scaled <= 0:
        return None
    target_units = risk * scale / scaled
    try:
        counts = best_mix(target_units, [c.size for c in family], "down")
    except SizingError:
        return None
    return [SizedLeg(c, n) for c, n in zip(family, counts, strict=True)]


def _option(
    name: str,
    legs: list[SizedLeg],
    loss_per_contract: Decimal | None,
    equity: Decimal,
    risk: Decimal,
    entry: Decimal,
    stop: Decimal,
    side: Side,
    leverage: Decimal,
) -> SizedOption:
    loss, fees, notional = _totals(legs, entry, abs(entry - stop))
    active = [leg.contract for leg in legs if leg.contracts]
    liq: Decimal | None = None
    if active:
        mm = max(c.maintenance_margin_rate for c in active)
        first = active[0]
        fee = first.fee_rate if first.liquidation_fee else Decimal(0)
        # None: the position cannot be liquidated (an inverse short at 1x or less).
        liq = liquidation_price(
            entry, leverage, mm, side, first.kind, rule=first.liquidation, fee=fee
        )
    option = SizedOption(
        name=name,
        legs=tuple(legs),
        loss_per_contract=loss_per_contract,
        loss_at_stop=loss,
        fees=fees,
        notional=notional,
        margin=notional / leverage,
        effective_leverage=notional / equity,
        liquidation_price=liq,
        risk_used_pct=loss / risk * HUNDRED if risk > 0 else Decimal(0),
    )
    return replace(option, warnings=_warnings(option, equity, risk, entry, stop, side))


def _totals(
    legs: Sequence[SizedLeg], entry: Decimal, distance: Decimal
) -> tuple[Decimal, Decimal, Decimal]:
    """Loss at the stop, round-trip fees and notional at entry, all in USD."""
    loss = Decimal(0)
    fees = Decimal(0)
    notional = Decimal(0)
    for leg in legs:
        c = leg.contract
        units = leg.contracts * c.size
        if c.kind == "inverse":
            loss += units * distance / entry
            leg_notional = units
        else:
            loss += units * distance
            leg_notional = units * entry
        notional += leg_notional
        fees += 2 * leg_notional * c.fee_rate
    return loss, fees, notional


def _warnings(
    option: SizedOption,
    equity: Decimal,
    risk: Decimal,
    entry: Decimal,
    stop: Decimal,
    side: Side,
) -> tuple[str, ...]:
    """What the person should know before placing ``option``, most serious first."""
    liq = option.liquidation_price
    if not option.contracts:  # not one contract fits the budget
        if option.loss_per_contract is None:
            return ()
        return (
            f"One contract loses {option.loss_per_contract:,.2f} USD at the stop, more than the "
            f"{risk:,.2f} USD risk: use a smaller contract or a closer stop",
        )
    margin, loss, fees = option.margin, option.loss_at_stop, option.fees
    warnings: list[str] = []
    # The price meets whichever comes first on its way from the entry; a
    # position that cannot be liquidated (liq None) only meets the stop.
    liquidated_first = liq is not None and (liq >= stop if side == "long" else liq <= stop)
    if liquidated_first:
        warnings.append(
            f"Liquidation near {liq:,.0f} comes before the stop at {stop:,.0f}: "
            f"the loss would be the whole margin ({margin:,.2f} USD); lower the leverage"
        )
    if margin > equity:
        warnings.append(f"Margin {margin:,.2f} USD is more than the equity of {equity:,.2f} USD")
    eff = option.effective_leverage
    if eff > HIGH_LEVERAGE:
        warnings.append(
            f"The position is {eff:.1f}x the equity: a small gap past the stop costs a lot"
        )
    if loss + fees > risk:
        warnings.append(
            f"With fees (about {fees:,.2f} USD in and out) the loss is {loss + fees:,.2f} USD, "
            f"above the {risk:,.2f} USD risk"
        )
    for leg in option.legs:
        c = leg.contract
        if leg.contracts and c.min_notional is not None:
            leg_notional = c.notional_usd(entry) * leg.contracts
            if leg_notional < c.min_notional:
                warnings.append(
                    f"{c.short_label}: order of {leg_notional:,.2f} USD is below the venue "
                    f"minimum of {c.min_notional} USD"
                )
    return tuple(warnings)


def _recommend(options: Sequence[SizedOption]) -> str | None:
    """The option that uses most of the budget without exceeding it; fewer contracts on ties."""
    usable = [o for o in options if o.contracts > 0]
    if not usable:
        return None
    best = max(usable, key=lambda o: (o.loss_at_stop, -o.contracts))
    return best.name
