"""The hedge already held: its value, and the orders that take it to the plan's target.

A held position is ``quantity`` contracts (negative: short) of a catalog
contract. Per underlying, positions on the plan's family are the hedge the
orders adjust; positions on another family of the same underlying (or on a
contract the catalog does not know) still count as exposure covered, and are
labelled so.

The target is the plan's: the whole-lot position that best hedges the target
(``best_mix``, the rounding policy) less what other families already cover.
The gap from the held position to it becomes orders in each venue's own terms
(``hedger.core.orders``), on the contracts already held first:

* ``add`` — more of the same side ("Sell 2 more contracts of ... MBT");
* ``reduce`` — part of a position ("Buy back 0.05 BTC of Binance ...");
* ``close`` — all of it;
* ``flip`` — past zero to the other side in one order;
* ``open`` — a contract not held yet.

Positions on another family that already hedge more than the target are
bought back on their own venue ("Buy back 0.5 BTC of Binance ...") rather
than offset by an opposite position on the plan's family; when the family's
position has to change too, the words say both orders are needed.

The margin is that of the combined position after the orders, against what is
posted behind the held positions plus their P&L at today's futures price. Its
liquidation is "after the orders" and, when collateral has to be added,
"after adding X USD"; the liquidation of each position *as held* is
``hedger.core.held_positions.position_liquidation`` (what ``hedger check``
says).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Literal, NamedTuple

from hedger.core.decimals import fmt_money
from hedger.core.held_positions import (
    HeldLine,
    as_held_liquidations,
    count_text,
    family_of_held,
    held_lines,
    held_liquidation_words,
    position_liquidation,
    position_pnl,
    position_usd,
    positions_on,
    short_label,
)
from hedger.core.held_quantity import held_text
from hedger.core.liquidation import Side
from hedger.core.liquidation_outcome import LiquidationOutcome, liquidation_outcome
from hedger.core.margin import MarginBreakdown, margin_for
from hedger.core.models import AccountClass, MarginMode, Position, Rounding
from hedger.core.orders import (
    OrderSide,
    OrderTicket,
    check_quantity,
    lot_contracts,
    lot_units,
    nearest_words,
    ticket,
    whole,
)
from hedger.core.sizing import SizingError, best_mix

if TYPE_CHECKING:
    from hedger.core.catalog import Contract, Family

__all__ = [
    "GapOrder",
    "GapSettings",
    "HeldLine",
    "PositionGap",
    "family_of_held",
    "held_lines",
    "position_gap",
    "position_liquidation",
    "position_pnl",
    "position_usd",
    "positions_on",
    "short_label",
]

GapAction = Literal["open", "add", "reduce", "close", "flip"]
ZERO = Decimal(0)
ONE = Decimal(1)


class GapOrder(NamedTuple):
    """One order of the gap, on one contract, in the venue's own terms."""

    ticket: OrderTicket
    action: GapAction
    held: Decimal  # signed contracts held on this contract before
    after: Decimal  # signed contracts after
    on_family: bool = True  # False: a position of another family, bought back on its venue

    @property
    def change(self) -> Decimal:
        return self.after - self.held

    @property
    def problems(self) -> tuple[str, ...]:
        """Why the venue would refuse it, with the nearest order it accepts."""
        nearest = nearest_words(self.ticket)
        if not nearest:
            return self.ticket.problems
        return tuple(f"{p}; {nearest}" for p in self.ticket.problems)

    @property
    def verb(self) -> str:
        """``Sell``, ``Buy``, ``Buy back``: how the order's line starts."""
        if self.action in ("reduce", "close") and self.held < 0:
            return "Buy back"
        return "Sell" if self.ticket.side == "sell" else "Buy"

    @property
    def effect(self) -> str:
        """What it does to the position held: ``adds to the short of 3 contracts (0.3 BTC)``."""
        c = self.ticket.contract
        was = "short" if self.held < 0 else "long"
        held = count_text(c, self.held)
        if self.action == "add":
            return f"adds to the {was} of {held}"
        if self.action == "reduce":
            return f"reduces the {was} of {held} to {count_text(c, self.after)}"
        if self.action == "close":
            return f"closes the {was} of {held}"
        if self.action == "flip":
            now = "long" if self.after > 0 else "short"
            return f"closes the {was} of {held} and opens a {now} of {count_text(c, self.after)}"
        return "opens the position"

    @property
    def text(self) -> str:
        """The order as words: "Sell 2 more contracts of ...", "Buy back 0.05 BTC of ..."."""
        t = self.ticket
        c = t.contract
        qty = t.quantity_text
        verb = "Sell" if t.side == "sell" else "Buy"
        body = f"{c.name} ({t.detail})"
        venue = "" if self.on_family else " on its own venue (another family's position)"
        if self.action == "add":
            number, _, unit = qty.partition(" ")
            return f"{verb} {number} more {unit} of {body}"
        if self.action == "reduce":
            if self.held < 0:
                return f"Buy back {qty} of {body}{venue}: reduces the short"
            return f"Sell {qty} of {body}{venue}: reduces the long"
        if self.action == "close":
            back = "Buy back" if self.held < 0 else "Sell"
            return f"{back} all {qty} of {body}{venue}: closes the position"
        if self.action == "flip":
            return f"{verb} {qty} of {body}: {self.effect}"
        return f"{verb} {qty} of {body}"


class GapSettings(NamedTuple):
    rounding: Rounding
    leverage: Decimal
    account: AccountClass = "retail"
    mode: MarginMode = "isolated"


class PositionGap(NamedTuple):
    """The held hedge of one underlying, its target and the orders between them."""

    underlying: str
    futures_price: Decimal
    held: tuple[HeldLine, ...]  # on the plan's family
    other: tuple[HeldLine, ...]  # other families and unknown contracts: exposure, labelled
    current_usd: Decimal  # signed value of everything held (a short is negative)
    target_usd: Decimal  # signed value of the whole-lot target position (all families)
    orders: tuple[GapOrder, ...]
    after_usd: Decimal  # signed value after the orders (all families)
    exposure_target_usd: Decimal  # the plan's target (positive: a long book to hedge short)
    margin: MarginBreakdown | None  # of the combined position on the family after the orders
    pnl_usd: Decimal  # unrealised P&L of the held positions on the family
    posted_usd: Decimal  # collateral behind them (given, else the margin at their entry)
    posted_given: bool  # the positions say what is posted
    # Of the combined position after the orders, with what is posted plus P&L and, when
    # that falls short of its margin, the ``to_add_usd`` added (``liquidation`` says so).
    liquidation_price: Decimal | None
    problems: tuple[str, ...] = ()
    liquidation: LiquidationOutcome | None = None
    settings: GapSettings | None = None

    @property
    def hedged_usd(self) -> Decimal:
        """What the position after the orders hedges, in the target's direction."""
        return -self.after_usd if self.exposure_target_usd >= 0 else self.after_usd

    @property
    def current_hedged_usd(self) -> Decimal:
        return -self.current_usd if self.exposure_target_usd >= 0 else self.current_usd

    @property
    def residual_usd(self) -> Decimal:
        """Target less hedged after the orders (positive: under-hedged)."""
        return abs(self.exposure_target_usd) - self.hedged_usd

    @property
    def current_residual_usd(self) -> Decimal:
        return abs(self.exposure_target_usd) - self.current_hedged_usd

    @property
    def equity_usd(self) -> Decimal:
        return self.posted_usd + self.pnl_usd

    @property
    def to_add_usd(self) -> Decimal:
        """Collateral to add so the combined position has the margin it needs."""
        if self.margin is None:
            return ZERO
        return max(ZERO, self.margin.initial_usd - self.equity_usd)

    @property
    def holds_anything(self) -> bool:
        return bool(self.held or self.other)

    @property
    def both_legs(self) -> bool:
        """Orders on the plan's family and on another family's position: both needed."""
        return len({o.on_family for o in self.orders}) == 2

    @property
    def current_words(self) -> str:
        if not self.holds_anything:
            return "No futures position held"
        lines = [line.label for line in (*self.held, *self.other)]
        return f"Held: {'; '.join(lines)} = {_signed_usd(self.current_usd)} USD"

    @property
    def order_words(self) -> str:
        """Every order in one sentence, or why none is needed."""
        if not self.orders:
            if self.holds_anything:
                return "Nothing to trade: the held position is the target in whole contracts"
            return "Nothing to trade: no contract fits the target"
        text = "; ".join(o.text for o in self.orders)
        if self.both_legs:
            return f"Both orders are needed, one on each position: {text}"
        return text

    @property
    def margin_words(self) -> str:
        if self.margin is None:
            closed = {o.ticket.contract.id for o in self.orders if not o.on_family and not o.after}
            if any(line.position.contract not in closed for line in self.other):
                # Only this family's margin is counted here; another venue's stays.
                return (
                    "No margin on this family after the orders; the other family's position "
                    "stays on its own venue with its own margin."
                )
            return "No margin: nothing is held after the orders."
        if not self.held:
            return (
                f"The position after the orders needs {fmt_money(self.margin.initial_usd, 0)} "
                "USD of margin."
            )
        posted = "posted" if self.posted_given else "posted at your leverage (assumed)"
        text = (
            f"The combined position needs {fmt_money(self.margin.initial_usd, 0)} USD of margin; "
            f"{fmt_money(self.posted_usd, 0)} USD {posted} and "
            f"{_signed_usd(self.pnl_usd)} USD of P&L at {fmt_money(self.futures_price, 0)}"
        )
        add = self.to_add_usd
        text += f": add {fmt_money(add, 0)} USD." if add else ": enough."
        return text

    @property
    def after_label(self) -> str:
        """Which situation ``liquidation`` is: ``after the orders, with 910 USD added``."""
        parts = []
        if self.orders:
            parts.append("after the orders")
        add = self.to_add_usd
        if add and self.held:
            parts.append(f"with {fmt_money(add, 0)} USD added")
        elif self.held:
            parts.append("with what is posted")
        return ", ".join(parts) or "as held"

    @property
    def shows_after(self) -> bool:
        """The after-the-orders liquidation is a situation of its own (positions held, and
        orders or a top-up): else it is the position as held, or the plan's from zero,
        said once."""
        if self.margin is None or not self.holds_anything:
            return False
        return bool(self.orders) or self.to_add_usd > 0

    def as_held(self) -> list[tuple[HeldLine, LiquidationOutcome]]:
        """Each held position (all families) with its liquidation as held: what
        ``hedger check`` judges. Worked out when shown (a plan holds many gaps)."""
        s = self.settings or GapSettings("nearest", ONE)
        return as_held_liquidations((*self.held, *self.other), s.leverage, s.account)

    def liquidation_lines(self) -> list[str]:
        """The liquidation words, each a situation of its own: every position as held
        (``as held, CME:MBT -3 contracts ...: liquidated near ...``), then after the
        orders (``after the orders, with 910 USD added: ...``)."""
        out = []
        price = self.futures_price
        for line, outcome in self.as_held():
            out.append(
                f"as held, {short_label(line)}: {held_liquidation_words(line, outcome, price)}"
            )
        if self.shows_after and self.liquidation is not None:
            out.append(f"{self.after_label}: {_after_words(self.liquidation, price)}")
        return out


def _after_words(outcome: LiquidationOutcome, price: Decimal) -> str:
    if outcome.state != "price" or outcome.price is None:
        return outcome.text
    move = (outcome.price / price - 1) * 100
    return f"liquidated near {fmt_money(outcome.price, 0)} ({move:+.1f} %)"


def _signed_usd(value: Decimal) -> str:
    return ("+" if value > 0 else "") + fmt_money(value, 0)


# --------------------------------------------------------------------------- the gap


def position_gap(
    underlying: str,
    exposure_target_usd: Decimal,
    contracts: Sequence[Contract],
    family: Family,
    positions: Iterable[tuple[Position, Contract | None]],
    price: Decimal,
    settings: GapSettings,
) -> PositionGap:
    """The gap between the held positions and the target hedge of ``exposure_target_usd``
    (signed like the plan's target: positive is a long book, hedged short).

    ``contracts`` are the family's, largest first; ``price`` the futures price.
    """
    held, other = held_lines(positions, family, price)
    kind = contracts[0].kind
    lots = [lot_units(c) for c in contracts]
    problems: list[str] = []
    held_lots = _held_lots(held, contracts, problems)
    to_usd = ONE if kind == "inverse" else price
    current_units = sum((h * lot for h, lot in zip(held_lots, lots, strict=True)), ZERO)
    other_usd = sum((line.usd for line in other), ZERO)
    other_orders, other_after_usd = _reduce_others(
        other, exposure_target_usd, current_units * to_usd, price, settings.rounding
    )
    want_usd = -exposure_target_usd - other_after_usd
    try:
        target_counts = best_mix(abs(want_usd / to_usd), lots, settings.rounding)
    except SizingError as exc:
        target_counts = [0] * len(contracts)
        problems.append(str(exc))
    sign = -1 if want_usd < 0 else 1
    target_units = sign * sum((n * lot for n, lot in zip(target_counts, lots, strict=True)), ZERO)
    deltas = _deltas(target_units - current_units, held_lots, lots, settings.rounding)
    orders = tuple(
        _gap_order(c, held_lots[i], deltas[i], price)
        for i, c in enumerate(contracts)
        if deltas[i] != 0
    ) + tuple(other_orders)
    after_lots = [h + d for h, d in zip(held_lots, deltas, strict=True)]
    after_units = sum((a * lot for a, lot in zip(after_lots, lots, strict=True)), ZERO)
    margin = _combined_margin(contracts, after_lots, price, settings)
    posted, given = _posted(held, settings)
    pnl = sum((line.pnl_usd or ZERO for line in held), ZERO)
    outcome = None
    if margin is not None and after_units:
        side: Side = "short" if after_units < 0 else "long"
        # With what is posted and its P&L; topped up to the margin when that falls short
        # (``to_add_usd``: the words say "with X USD added").
        backing = max(posted + pnl, margin.initial_usd) if held else None
        outcome = liquidation_outcome(margin, price, side, backing, opening=not held)
    return PositionGap(
        underlying=underlying,
        futures_price=price,
        held=tuple(held),
        other=tuple(other),
        current_usd=current_units * to_usd + other_usd,
        target_usd=target_units * to_usd + other_after_usd,
        orders=orders,
        after_usd=after_units * to_usd + other_after_usd,
        exposure_target_usd=exposure_target_usd,
        margin=margin,
        pnl_usd=pnl,
        posted_usd=posted,
        posted_given=given,
        liquidation_price=None if outcome is None else outcome.price,
        problems=tuple(problems) + tuple(p for o in orders for p in o.problems),
        liquidation=outcome,
        settings=settings,
    )


def _reduce_others(
    other: Sequence[HeldLine],
    exposure_target_usd: Decimal,
    family_usd: Decimal,
    price: Decimal,
    rounding: Rounding,
) -> tuple[list[GapOrder], Decimal]:
    """Buy back (or sell) positions of other families that alone hedge more than the
    target, on their own contracts: the orders, and the other families' value after.

    Measured in the hedge's direction (a short hedges a long book): when the other
    families hold more than the target, the plan's family would have to take the
    opposite side to offset them. They are reduced instead, by what they and the
    family's own position hold over the target (so a family position stays as it is
    where it can), never by more than they hold."""
    other_usd = sum((line.usd for line in other), ZERO)
    h = -ONE if exposure_target_usd >= 0 else ONE  # sign of a hedging position
    target = abs(exposure_target_usd)
    others = other_usd * h
    if others <= target:
        return [], other_usd
    groups: dict[str, tuple[Contract, Decimal]] = {}
    for line in other:
        c = line.contract
        if c is None or line.position.quantity * h <= 0:
            continue  # unknown size, or not hedging: nothing to buy back
        _c, lots = groups.get(c.id, (c, ZERO))
        groups[c.id] = (c, lots + line.position.quantity / lot_contracts(c))
    reducible = sum((abs(n) * _lot_usd(c, price) for c, n in groups.values()), ZERO)
    remaining = min(reducible, max(others - target, others + family_usd * h - target))
    orders: list[GapOrder] = []
    for c, held in groups.values():
        if remaining <= 0:
            break
        lot_usd = _lot_usd(c, price)
        n = min(abs(held), _rounded(remaining / lot_usd, rounding))
        if n <= 0:
            continue
        delta = -h * n  # towards zero
        orders.append(_gap_order(c, held, delta, price)._replace(on_family=False))
        remaining -= n * lot_usd
        other_usd -= h * n * lot_usd
    return orders, other_usd


def _lot_usd(contract: Contract, price: Decimal) -> Decimal:
    units = lot_units(contract)
    return units if contract.kind == "inverse" else units * price


def _rounded(value: Decimal, rounding: Rounding) -> Decimal:
    mode = {"nearest": ROUND_HALF_UP, "down": ROUND_FLOOR, "up": ROUND_CEILING}[rounding]
    return value.to_integral_value(rounding=mode)


def _held_lots(
    held: Sequence[HeldLine], contracts: Sequence[Contract], problems: list[str]
) -> list[Decimal]:
    """Signed lots held per family contract (fractional when off the venue's step)."""
    index = {c.id: i for i, c in enumerate(contracts)}
    out = [ZERO] * len(contracts)
    for line in held:
        c = line.contract
        assert c is not None  # held lines are on the family
        lots = line.position.quantity / lot_contracts(c)
        if lots != lots.to_integral_value():
            step = held_text(c, lot_contracts(c), signed=False)
            problems.append(
                f"{c.short_label}: {held_text(c, line.position.quantity)} is not a whole "
                f"number of the venue's steps of {step}: correct the position"
            )
        out[index[c.id]] += lots
    return out


def _floor(value: Decimal) -> Decimal:
    return value.to_integral_value(rounding=ROUND_FLOOR)


def _deltas(
    gap: Decimal, held: Sequence[Decimal], lots: Sequence[Decimal], rounding: Rounding
) -> list[Decimal]:
    """Signed lots to trade per contract so the held lots move by ``gap`` units.

    Contracts held on the other side are bought back first (closing them
    whole when the gap passes zero); what remains opens with the best mix.
    """
    deltas = [ZERO] * len(lots)
    if gap == 0:
        return deltas
    d = ONE if gap > 0 else -ONE
    remaining = abs(gap)
    against = [i for i, h in enumerate(held) if h * d < 0]  # held on the side we move away from
    held_units = sum((abs(held[i]) * lots[i] for i in against), ZERO)
    if against and remaining >= held_units:
        for i in against:
            deltas[i] = -held[i]  # close every one
        remaining -= held_units
    elif against:
        remaining = _reduce(deltas, remaining, held, lots, against, d, rounding)
        d = -d  # what is left re-opens on the side held (an over-reduction)
    if remaining > 0:
        counts = best_mix(remaining, list(lots), rounding)
        for i, n in enumerate(counts):
            deltas[i] += d * n
    return deltas


def _reduce(
    deltas: list[Decimal],
    remaining: Decimal,
    held: Sequence[Decimal],
    lots: Sequence[Decimal],
    against: Sequence[int],
    d: Decimal,
    rounding: Rounding,
) -> Decimal:
    """Buy back (or sell) held lots, largest contracts first; the units over-reduced
    when a whole larger lot had to go (re-opened in smaller ones), else 0."""
    for i in against:  # contracts come largest first
        k = min(abs(held[i]), _floor(remaining / lots[i]))
        if k:
            deltas[i] += d * k
            remaining -= k * lots[i]
    if remaining <= 0:
        return ZERO
    # Part of a larger lot: take one more of the smallest held lot that covers it.
    left = [i for i in against if abs(held[i]) - abs(deltas[i]) > 0 and lots[i] >= remaining]
    if not left or rounding == "up":
        return ZERO  # stays held: a residual smaller than any held lot
    i = min(left, key=lambda j: lots[j])
    deltas[i] += d
    return lots[i] - remaining


def _gap_order(contract: Contract, held: Decimal, delta: Decimal, price: Decimal) -> GapOrder:
    side: OrderSide = "buy" if delta > 0 else "sell"
    lots = abs(delta)
    if lots == lots.to_integral_value():
        t = ticket(contract, int(lots), side, price)
    else:
        t = check_quantity(contract, whole(lots * contract.quantity_step), side, price)
    step = lot_contracts(contract)
    before, after = held * step, (held + delta) * step
    return GapOrder(
        t, _action(held, delta), whole(before) if before else ZERO, whole(after) if after else ZERO
    )


def _action(held: Decimal, delta: Decimal) -> GapAction:
    if held == 0:
        return "open"
    if held * delta > 0:
        return "add"
    if abs(delta) < abs(held):
        return "reduce"
    return "close" if abs(delta) == abs(held) else "flip"


def _combined_margin(
    contracts: Sequence[Contract], after: Sequence[Decimal], price: Decimal, s: GapSettings
) -> MarginBreakdown | None:
    legs = [(c, int(abs(a))) for c, a in zip(contracts, after, strict=True) if abs(a) >= 1]
    if not legs:
        return None
    return margin_for(legs, price, s.leverage, account=s.account, mode=s.mode)


def _posted(held: Sequence[HeldLine], s: GapSettings) -> tuple[Decimal, bool]:
    """Collateral behind the held positions: as given, else their margin at entry."""
    total = ZERO
    given = bool(held)
    for line in held:
        pos, c = line.position, line.contract
        if pos.collateral_usd is not None:
            total += pos.collateral_usd
            continue
        given = False
        assert c is not None
        lots = int(abs(pos.quantity / lot_contracts(c)))
        if lots:
            total += margin_for(
                [(c, lots)], pos.entry_price, s.leverage, account=s.account
            ).initial_usd
    return total, given
