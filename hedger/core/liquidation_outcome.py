"""Where a hedge is liquidated with a given collateral: a price, never, or at once.

One function for every place that shows a liquidation (the plan's words and
table, ``--json``, the margin card, the position card, ``hedger check``), so
one situation never gets two figures:

* **opening** a hedge (``opening=True``): the collateral must reach what the
  venue asks to open it (``MarginBreakdown.required_usd``). Below that the
  order is refused, or the position is liquidated as soon as it opens: that is
  what the words say, never a price on the wrong side of the entry.
* **holding** one (``opening=False``): the venue accepted it; it is liquidated
  when its equity falls to the maintenance margin. The price is measured from
  the entry with what is posted; whether today's price is already past it is
  for the caller to judge (``hedger check``: "past its liquidation price").

The price itself is ``hedger.core.margin.liquidation_of`` (the venue's formula,
its tier, fees). "none" is a position that cannot be liquidated (an inverse
short at 0.5x).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal, NamedTuple

from hedger.core.decimals import fmt_money
from hedger.core.liquidation import Side
from hedger.core.margin import MarginBreakdown, liquidation_of

LiquidationState = Literal["price", "none", "at_once"]
HUNDRED = Decimal(100)


class LiquidationOutcome(NamedTuple):
    """The liquidation of one position with one amount of collateral behind it."""

    state: LiquidationState
    # The liquidation price; "at once": the reference price (it goes there and then);
    # "none": None.
    price: Decimal | None
    reference: Decimal  # the price the move is measured from (entry, or today's futures price)
    side: Side
    collateral_usd: Decimal  # what backs it
    required_usd: Decimal  # what the venue asks to open it (or to keep it, past maintenance)
    venue: str

    @property
    def move(self) -> Decimal | None:
        """The move from the reference price to the liquidation (0.14 is +14 %)."""
        if self.state != "price" or self.price is None or not self.reference:
            return None
        return self.price / self.reference - 1

    @property
    def short_text(self) -> str:
        """``72,800.00 (+4.0 %)``, ``none`` or ``at once``: a table cell."""
        if self.state == "none":
            return "none"
        if self.state == "at_once":
            return "at once"
        assert self.price is not None
        move = self.move
        tail = "" if move is None else f" ({move * HUNDRED:+.1f} %)"
        return f"{fmt_money(self.price)}{tail}"

    @property
    def reason(self) -> str:
        """Why it is liquidated at once, or why never (empty for a price)."""
        return self.reason_for(f"{fmt_money(self.collateral_usd, 0)} USD of collateral")

    def reason_for(self, collateral: str) -> str:
        """``reason`` naming the collateral as the caller does ("the 5,000 USD you keep")."""
        if self.state == "none":
            return "it cannot be liquidated"
        if self.state == "price":
            return ""
        if self.collateral_usd >= self.required_usd:
            return (
                f"{self.venue}'s maintenance margin is above {collateral}: the position would "
                "be liquidated at once"
            )
        need = fmt_money(self.required_usd, 0)
        return (
            f"{collateral} is below {self.venue}'s initial margin of {need} USD: the position "
            "would be refused or liquidated at once"
        )

    @property
    def text(self) -> str:
        """``72,800.00 (+4.0 %)``; ``none: it cannot be liquidated``; ``at once: 5,000 USD
        is below CME's initial margin of 14,000 USD: ...``."""
        if self.state == "price":
            return self.short_text
        return f"{self.short_text}: {self.reason}"


def liquidation_outcome(
    margin: MarginBreakdown,
    price: Decimal,
    side: Side,
    collateral_usd: Decimal | None = None,
    *,
    opening: bool = True,
) -> LiquidationOutcome | None:
    """Where ``margin``'s position, at ``price``, is liquidated with ``collateral_usd``
    behind it (default: the posted initial margin). None when nothing is held."""
    if not margin.legs or price <= 0:
        return None
    usd = margin.initial_usd if collateral_usd is None else collateral_usd
    need = margin.required_usd
    venue = margin.venue
    if opening and usd < need:
        return LiquidationOutcome("at_once", price, price, side, usd, need, venue)
    liq = liquidation_of(margin, price, side, usd)
    if liq is None:
        return LiquidationOutcome("none", None, price, side, usd, need, venue)
    if opening and (liq <= price if side == "short" else liq >= price):
        # Maintenance above what is posted from the start (a contract's own figures
        # with maintenance over initial): gone as soon as it opens.
        return LiquidationOutcome("at_once", price, price, side, usd, need, venue)
    return LiquidationOutcome("price", liq, price, side, usd, need, venue)
