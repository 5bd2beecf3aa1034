"""Collateral that keeps a hedge open through a move, and the leverage one day allows.

A short hedge loses as the price rises. To stay open through a rally of
``X`` it needs, at the moved price ``P1 = P0·(1+X)`` (domain.md §5):

* linear, ``q`` coins: ``q·P0·X`` of loss plus the maintenance margin at
  ``P1`` (``mm·q·P1`` less the tier's deduction, or the fixed USD amount),
  plus the fee to close where the venue counts it. 0.5 BTC at 70,000, 30 %,
  mm 0.5 %: 10,500 + 227.50 = 10,727.50 USD.
* inverse, ``v`` USD of face value: the same in coin, ``v·(1/P0 − 1/P1)`` of
  loss plus ``mm·v/P1``; shown with its USD value at today's price.

A long hedge (of a short book) is the mirror image for a fall of ``X``.

``max_safe_leverage`` applies the same sum to a one-day move of ``sigmas``
daily standard deviations: above that leverage the initial margin alone does
not carry the hedge through such a day.
"""

from __future__ import annotations

from decimal import ROUND_FLOOR, Decimal
from functools import lru_cache
from typing import NamedTuple

from hedger.core.decimals import fmt_decimal, fmt_money
from hedger.core.liquidation import Rule, Side
from hedger.core.liquidation_outcome import LiquidationOutcome, liquidation_outcome
from hedger.core.margin import MarginBreakdown, hedge_units

ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)
DEFAULT_RALLY = Decimal("0.30")
MAX_RALLY = Decimal(10)
# A long hedge protects against a fall; a fall of 100 % or more has no price.
MAX_FALL = Decimal("0.99")
SIGMAS = 3
MAX_SAFE = Decimal(200)


class CollateralPlan(NamedTuple):
    """How much collateral keeps one hedge option open through a move."""

    side: Side
    kind: str
    move: Decimal  # the rally (short) or fall (long), a fraction
    entry: Decimal
    moved_price: Decimal
    loss: Decimal  # at the moved price: USD (linear) or coin (inverse)
    maintenance: Decimal  # at the moved price, same unit
    fee: Decimal  # to close, where the venue counts it; same unit
    to_open_usd: Decimal  # the posted initial margin
    posted_usd: Decimal | None = None  # what the user says they will keep
    posted_liquidation: Decimal | None = None  # liquidation with that collateral (None: never)
    coin: str = "BTC"
    # The same liquidation in words: a price, none, or at once (below what opening needs).
    posted_outcome: LiquidationOutcome | None = None

    @property
    def needed(self) -> Decimal:
        """Collateral that survives the move, in USD (linear) or coin (inverse)."""
        return self.loss + self.maintenance + self.fee

    @property
    def needed_usd(self) -> Decimal:
        """``needed`` in USD: an inverse hedge's coin valued at today's price."""
        return self.needed * self.entry if self.kind == "inverse" else self.needed

    @property
    def keep_usd(self) -> Decimal:
        """What to keep ready: enough to open and to survive the move."""
        return max(self.needed_usd, self.to_open_usd)

    @property
    def posted_covers(self) -> bool | None:
        if self.posted_usd is None:
            return None
        return self.posted_usd >= self.needed_usd and self.posted_usd >= self.to_open_usd

    @property
    def words(self) -> str:
        what = "rally" if self.side == "short" else "fall"
        move = f"{fmt_decimal(self.move * HUNDRED, 1)} %"
        if self.kind == "inverse":
            amount = (
                f"{fmt_decimal(self.needed, 6)} {self.coin} "
                f"(about {fmt_money(self.needed_usd, 0)} USD at today's price)"
            )
            parts = (
                f"loss {fmt_decimal(self.loss, 6)} + maintenance "
                f"{fmt_decimal(self.maintenance, 6)} {self.coin}"
            )
        else:
            amount = f"{fmt_money(self.needed_usd, 2)} USD"
            parts = f"loss {fmt_money(self.loss, 2)} + maintenance {fmt_money(self.maintenance, 2)}"
        if self.fee:
            parts += f" + fee to close {fmt_decimal(self.fee, 6 if self.kind == 'inverse' else 2)}"
        text = (
            f"To stay open through a {move} {what} (to {fmt_money(self.moved_price, 0)}), keep "
            f"{amount} as collateral ({parts})."
        )
        if self.to_open_usd > self.needed_usd:
            text += (
                f" Opening it takes {fmt_money(self.to_open_usd, 0)} USD of margin, more than "
                f"that: keep at least {fmt_money(self.keep_usd, 0)} USD."
            )
        if self.posted_usd is not None:
            text += f" {self.posted_words}."
        return text

    @property
    def posted_words(self) -> str:
        """``With the 20,000 USD you keep, liquidation near 72,800``, ``... it cannot be
        liquidated``, or why that collateral would be liquidated at once."""
        kept = f"the {fmt_money(self.posted_usd or ZERO, 0)} USD you keep"
        outcome = self.posted_outcome
        if outcome is not None and outcome.state == "at_once":
            text = outcome.reason_for(kept)
            return text[:1].upper() + text[1:]
        liq = self.posted_liquidation
        where = "it cannot be liquidated" if liq is None else f"liquidation near {liq:,.0f}"
        return f"With {kept}, {where}"


def collateral_plan(
    margin: MarginBreakdown,
    entry: Decimal,
    side: Side,
    move: Decimal = DEFAULT_RALLY,
    posted_usd: Decimal | None = None,
) -> CollateralPlan | None:
    """The collateral that keeps ``margin``'s position open through ``move``; None
    when the option trades nothing."""
    if not margin.legs or entry <= 0:
        return None
    first = margin.legs[0].contract
    kind = first.kind
    move = min(move, MAX_FALL) if side == "long" else move
    moved = entry * (ONE + move) if side == "short" else entry * (ONE - move)
    units = hedge_units(margin)
    loss, maint, fee = _at_moved(margin, kind, units, entry, moved, side)
    outcome = None
    if posted_usd is not None:
        outcome = liquidation_outcome(margin, entry, side, posted_usd)
    return CollateralPlan(
        side=side,
        kind=kind,
        move=move,
        entry=entry,
        moved_price=moved,
        loss=loss,
        maintenance=maint,
        fee=fee,
        to_open_usd=margin.initial_usd,
        posted_usd=posted_usd,
        posted_liquidation=None if outcome is None else outcome.price,
        coin=first.underlying,
        posted_outcome=outcome,
    )


def _at_moved(
    margin: MarginBreakdown,
    kind: str,
    units: Decimal,
    entry: Decimal,
    moved: Decimal,
    side: Side,
) -> tuple[Decimal, Decimal, Decimal]:
    """(loss, maintenance, fee) at the moved price, in USD or coin (inverse)."""
    if kind == "inverse":
        loss = abs(units * (ONE / entry - ONE / moved))
    else:
        loss = units * abs(moved - entry)
    maint = ZERO
    fee = ZERO
    for p in margin.legs:
        c = p.contract
        leg_units = p.contracts * c.size
        # Value at the moved price: USD for linear, coin for inverse.
        value = leg_units / moved if kind == "inverse" else leg_units * moved
        if p.fixed:
            maint += p.maintenance_usd / moved if kind == "inverse" else p.maintenance_usd
        else:
            maint += max(p.maintenance_rate * value - p.deduction, ZERO)
        if c.liquidation_fee:
            fee += c.fee_rate * value
    return loss, maint, fee


# Plans ask the same few (volatility, side) pairs again and again; Decimal exp is slow.
@lru_cache(maxsize=256)
def one_day_move(daily_vol: Decimal, side: Side, sigmas: int = SIGMAS) -> Decimal:
    """The ``sigmas``-standard-deviation one-day move against the hedge, as a simple
    return from a daily volatility of log returns: up ``e^{kσ} − 1`` for a short,
    down ``1 − e^{−kσ}`` for a long."""
    k = daily_vol * sigmas
    return k.exp() - ONE if side == "short" else ONE - (-k).exp()


@lru_cache(maxsize=1024)
def max_safe_leverage(
    daily_vol: Decimal,
    maintenance_rate: Decimal,
    kind: str,
    side: Side = "short",
    rule: Rule = "entry",
    sigmas: int = SIGMAS,
) -> Decimal:
    """The highest leverage whose liquidation price (``hedger.core.liquidation``, the
    venue's ``rule``) lies beyond a one-day ``sigmas``-sigma move, to one decimal down.

    Solving the liquidation formulas for 1/L at a move ``m`` (short; a long mirrors):
    linear entry ``m + mm``, linear mark ``m + mm·(1+m)``, inverse entry
    ``m/(1+m) + mm``, inverse mark ``(m + mm)/(1+m)``.
    """
    m = one_day_move(daily_vol, side, sigmas)
    moved = ONE + m if side == "short" else ONE - m
    if kind == "inverse":
        loss = abs(ONE - ONE / moved)
        needed = loss + maintenance_rate if rule == "entry" else loss + maintenance_rate / moved
    else:
        needed = m + maintenance_rate if rule == "entry" else m + maintenance_rate * moved
    if needed <= 0:
        return MAX_SAFE
    return min(MAX_SAFE, (ONE / needed).quantize(Decimal("0.1"), rounding=ROUND_FLOOR))
