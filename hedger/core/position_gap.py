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

The margin is that of the combined position after the orders, against what is
posted behind the held positions plus their P&L at today's futures price.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import ROUND_FLOOR, Decimal
from typing import TYPE_CHECKING, Literal, NamedTuple

from hedger.core.decimals import fmt_decimal, fmt_money
from hedger.core.liquidation import Side
from hedger.core.margin import MarginBreakdown, liquidation_of, margin_for
from hedger.core.models import AccountClass, MarginMode, Position, Rounding
from hedger.core.orders import (
    OrderSide,
    OrderTicket,
    check_quantity,
    lot_contracts,
    lot_units,
    ticket,
    whole,
)
from hedger.core.sizing import SizingError, best_mix

if TYPE_CHECKING:
    from hedger.core.catalog import Catalog, Contract, Family

GapAction = Literal["open", "add", "reduce", "close", "flip"]
ZERO = Decimal(0)
ONE = Decimal(1)


class HeldLine(NamedTuple):
    """One held position, valued at today's futures price."""

    position: Position
    contract: Contract | None  # None: not in the catalog
    on_family: bool  # on the plan's family: the orders adjust it
    usd: Decimal  # signed hedge value (a short is negative)
    pnl_usd: Decimal | None  # unrealised, at the futures price; None when unknown

    @property
    def label(self) -> str:
        """``-3 contracts of CME Micro Bitcoin (MBT)``, marked when it is another family's."""
        pos = self.position
        c = self.contract
        name = c.name if c is not None else pos.contract
        side = "short" if pos.quantity < 0 else "long"
        text = f"{side} {_count(pos.quantity)} of {name}"
        if pos.account:
            text += f" ({pos.account})"
        if c is None:
            return text + " — not in the catalog, counted at its entry price"
        if not self.on_family:
            return text + " — another family: counted as exposure covered, not adjusted"
        return text


def short_label(line: HeldLine) -> str:
    """``−4 CME:MBT (IBKR)``; another family's marked ``counted, not adjusted``."""
    pos = line.position
    text = f"{fmt_decimal(pos.quantity)} {pos.contract}"
    if pos.account:
        text += f" ({pos.account})"
    if line.contract is None:
        return text + " — not in the catalog"
    return text if line.on_family else text + " — another family: counted, not adjusted"


class GapOrder(NamedTuple):
    """One order of the gap, on one contract, in the venue's own terms."""

    ticket: OrderTicket
    action: GapAction
    held: Decimal  # signed contracts held on this contract before
    after: Decimal  # signed contracts after

    @property
    def change(self) -> Decimal:
        return self.after - self.held

    @property
    def problems(self) -> tuple[str, ...]:
        return self.ticket.problems

    @property
    def text(self) -> str:
        """The order as words: "Sell 2 more contracts of ...", "Buy back 0.05 BTC of ..."."""
        t = self.ticket
        c = t.contract
        qty = t.quantity_text
        verb = "Sell" if t.side == "sell" else "Buy"
        body = f"{c.name} ({t.detail})"
        if self.action == "add":
            number, _, unit = qty.partition(" ")
            return f"{verb} {number} more {unit} of {body}"
        if self.action == "reduce":
            if self.held < 0:
                return f"Buy back {qty} of {body}: reduces the short"
            return f"Sell {qty} of {body}: reduces the long"
        if self.action == "close":
            back = "Buy back" if self.held < 0 else "Sell"
            return f"{back} all {qty} of {body}: closes the position"
        if self.action == "flip":
            was = "short" if self.held < 0 else "long"
            now = "long" if self.after > 0 else "short"
            return (
                f"{verb} {qty} of {body}: closes the {was} of {_count(self.held)} "
                f"and opens a {now} of {_count(self.after)}"
            )
        return f"{verb} {qty} of {body}"


def _count(contracts: Decimal) -> str:
    n = abs(contracts)
    return f"{fmt_decimal(n)} contract" + ("" if n == 1 else "s")


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
    liquidation_price: Decimal | None  # of the combined position with what is posted
    problems: tuple[str, ...] = ()

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
        return "; ".join(o.text for o in self.orders)

    @property
    def margin_words(self) -> str:
        if self.margin is None:
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


def _signed_usd(value: Decimal) -> str:
    return ("+" if value > 0 else "") + fmt_money(value, 0)


# --------------------------------------------------------------------------- valuation


def position_usd(contract: Contract, quantity: Decimal, price: Decimal) -> Decimal:
    """Signed USD value of ``quantity`` contracts at ``price``."""
    units = quantity * contract.size
    return units if contract.kind == "inverse" else units * price


def position_pnl(contract: Contract, position: Position, price: Decimal) -> Decimal:
    """Unrealised P&L in USD at ``price``: linear ``q·(P − P0)``; inverse, in coin
    ``q·(1/P0 − 1/P)`` valued at ``P``."""
    units = position.quantity * contract.size
    if contract.kind == "inverse":
        return units * (ONE / position.entry_price - ONE / price) * price
    return units * (price - position.entry_price)


def held_lines(
    positions: Iterable[tuple[Position, Contract | None]],
    family: Family | None,
    price: Decimal,
) -> tuple[list[HeldLine], list[HeldLine]]:
    """(on the family, the others) with their values at ``price``."""
    members = frozenset(family.contracts) if family is not None else frozenset()
    held: list[HeldLine] = []
    other: list[HeldLine] = []
    for pos, c in positions:
        if c is None:
            # Unknown size: the entry notional is the best stand-in there is.
            line = HeldLine(pos, None, False, pos.quantity * pos.entry_price, None)
            other.append(line)
            continue
        line = HeldLine(
            pos,
            c,
            c.id in members,
            position_usd(c, pos.quantity, price),
            position_pnl(c, pos, price),
        )
        (held if line.on_family else other).append(line)
    return held, other


# --------------------------------------------------------------------------- the gap


class GapSettings(NamedTuple):
    rounding: Rounding
    leverage: Decimal
    account: AccountClass = "retail"
    mode: MarginMode = "isolated"


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
    other_usd = sum((line.usd for line in other), ZERO)
    want_usd = -exposure_target_usd - other_usd
    to_units = ONE if kind == "inverse" else ONE / price
    lots = [lot_units(c) for c in contracts]
    problems: list[str] = []
    try:
        target_counts = best_mix(abs(want_usd * to_units), lots, settings.rounding)
    except SizingError as exc:
        target_counts = [0] * len(contracts)
        problems.append(str(exc))
    sign = -1 if want_usd < 0 else 1
    target_units = sign * sum((n * lot for n, lot in zip(target_counts, lots, strict=True)), ZERO)
    held_lots = _held_lots(held, contracts, problems)
    current_units = sum((h * lot for h, lot in zip(held_lots, lots, strict=True)), ZERO)
    deltas = _deltas(target_units - current_units, held_lots, lots, settings.rounding)
    orders = tuple(
        _gap_order(c, held_lots[i], deltas[i], price)
        for i, c in enumerate(contracts)
        if deltas[i] != 0
    )
    after_lots = [h + d for h, d in zip(held_lots, deltas, strict=True)]
    to_usd = ONE if kind == "inverse" else price
    after_units = sum((a * lot for a, lot in zip(after_lots, lots, strict=True)), ZERO)
    margin = _combined_margin(contracts, after_lots, price, settings)
    posted, given = _posted(held, settings)
    pnl = sum((line.pnl_usd or ZERO for line in held), ZERO)
    liq = None
    if margin is not None and after_units:
        side: Side = "short" if after_units < 0 else "long"
        liq = liquidation_of(margin, price, side, max(posted + pnl, margin.initial_usd))
    return PositionGap(
        underlying=underlying,
        futures_price=price,
        held=tuple(held),
        other=tuple(other),
        current_usd=current_units * to_usd + other_usd,
        target_usd=target_units * to_usd + other_usd,
        orders=orders,
        after_usd=after_units * to_usd + other_usd,
        exposure_target_usd=exposure_target_usd,
        margin=margin,
        pnl_usd=pnl,
        posted_usd=posted,
        posted_given=given,
        liquidation_price=liq,
        problems=tuple(problems) + tuple(p for o in orders for p in o.problems),
    )


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
            problems.append(
                f"{c.short_label}: {fmt_decimal(line.position.quantity)} contracts is not a "
                f"whole number of the venue's steps ({fmt_decimal(lot_contracts(c))} contract)"
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


def positions_on(
    positions: Iterable[Position], catalog: Catalog
) -> tuple[dict[str, list[tuple[Position, Contract | None]]], list[Position]]:
    """Positions by the underlying of their catalog contract, and those on a
    contract the catalog does not know (their underlying is unknown)."""
    out: dict[str, list[tuple[Position, Contract | None]]] = {}
    unknown: list[Position] = []
    contracts: Mapping[str, Contract] = catalog.contracts
    for pos in positions:
        c = contracts.get(pos.contract)
        if c is None:
            unknown.append(pos)
        else:
            out.setdefault(c.underlying, []).append((pos, c))
    return out, unknown


def family_of_held(
    held: Sequence[tuple[Position, Contract | None]], catalog: Catalog
) -> str | None:
    """The first catalog family listing a held contract (the family a position-only
    underlying, or one without a chosen family, is adjusted in)."""
    for _pos, c in held:
        if c is None:
            continue
        for f in catalog.families.values():
            if c.id in f.contracts:
                return f.id
    return None
