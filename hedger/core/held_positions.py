"""The futures positions held on an underlying: their value, P&L and liquidation as held.

A held position is ``quantity`` contracts (negative: short) of a catalog
contract; its words give it in the venue's own unit first ("short 0.6 BTC
(600 contracts) of Binance BTCUSDT", ``hedger.core.held_quantity``).
Positions on the plan's family are the hedge the orders adjust; positions on
another family of the same underlying (or on a contract the catalog does not
know) still count as exposure covered, and are labelled so.

``position_liquidation`` is where one held position is liquidated with the
collateral it says is posted (else the margin at its entry at the portfolio's
leverage): ``hedger check``, the plan and the position card all use it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, NamedTuple

from hedger.core.decimals import fmt_decimal, fmt_money
from hedger.core.held_quantity import held_text
from hedger.core.liquidation import Side
from hedger.core.liquidation_outcome import LiquidationOutcome, liquidation_outcome
from hedger.core.margin import margin_for
from hedger.core.models import AccountClass, Position
from hedger.core.orders import lot_contracts

if TYPE_CHECKING:
    from hedger.core.catalog import Catalog, Contract, Family

ZERO = Decimal(0)
ONE = Decimal(1)


def count_text(contract: Contract | None, contracts: Decimal) -> str:
    """``0.6 BTC (600 contracts)``, ``3 contracts (0.3 BTC)``: unsigned, the venue's
    unit first; plain contracts for a contract the catalog does not know."""
    if contract is None:
        n = abs(contracts)
        return f"{fmt_decimal(n)} contract" + ("" if n == 1 else "s")
    return held_text(contract, contracts, signed=False)


class HeldLine(NamedTuple):
    """One held position, valued at today's futures price."""

    position: Position
    contract: Contract | None  # None: not in the catalog
    on_family: bool  # on the plan's family: the orders adjust it
    usd: Decimal  # signed hedge value (a short is negative)
    pnl_usd: Decimal | None  # unrealised, at the futures price; None when unknown

    @property
    def label(self) -> str:
        """``short 3 contracts (0.3 BTC) of CME Micro Bitcoin (MBT)``, marked when it is
        another family's."""
        pos = self.position
        c = self.contract
        name = c.name if c is not None else pos.contract
        side = "short" if pos.quantity < 0 else "long"
        text = f"{side} {count_text(c, pos.quantity)} of {name}"
        if pos.account:
            text += f" ({pos.account})"
        if c is None:
            return text + " — not in the catalog, counted at its entry price"
        if not self.on_family:
            return text + " — another family: counted as exposure covered"
        return text


def short_label(line: HeldLine) -> str:
    """``CME:MBT −3 contracts (−0.3 BTC) (IBKR)``; another family's marked."""
    pos = line.position
    c = line.contract
    amount = held_text(c, pos.quantity) if c is not None else fmt_decimal(pos.quantity)
    text = f"{pos.contract} {amount}"
    if pos.account:
        text += f" ({pos.account})"
    if c is None:
        return text + " — not in the catalog"
    return text if line.on_family else text + " — another family"


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


def position_liquidation(
    pos: Position,
    contract: Contract,
    leverage: Decimal,
    account: AccountClass = "retail",
) -> LiquidationOutcome | None:
    """Where one held position is liquidated, with the collateral it says is posted
    (else the margin at its entry at ``leverage``); measured from its entry price."""
    lots = int(abs(pos.quantity / lot_contracts(contract)))
    if not lots:
        return None
    margin = margin_for(
        [(contract, lots)], pos.entry_price, leverage, account=account, mode=pos.margin_mode
    )
    side: Side = "short" if pos.quantity < 0 else "long"
    return liquidation_outcome(margin, pos.entry_price, side, pos.collateral_usd, opening=False)


def as_held_liquidations(
    lines: Sequence[HeldLine], leverage: Decimal, account: AccountClass = "retail"
) -> list[tuple[HeldLine, LiquidationOutcome]]:
    """Each catalog position of ``lines`` with its liquidation as held (None ones left out)."""
    out: list[tuple[HeldLine, LiquidationOutcome]] = []
    for line in lines:
        if line.contract is None:
            continue
        outcome = position_liquidation(line.position, line.contract, leverage, account)
        if outcome is not None:
            out.append((line, outcome))
    return out


def held_liquidation_words(line: HeldLine, outcome: LiquidationOutcome, price: Decimal) -> str:
    """``liquidated near 70,827 (+0.5 % from 70,500), with 8,000 USD posted``: measured
    from today's futures ``price``; "past its liquidation price" once beyond it."""
    pos = line.position
    posted = (
        f"{fmt_money(pos.collateral_usd, 0)} USD posted"
        if pos.collateral_usd is not None
        else "the margin at your leverage posted (assumed)"
    )
    if outcome.state == "none":
        return f"cannot be liquidated, with {posted}"
    liq = outcome.price
    assert liq is not None
    short = pos.quantity < 0
    room = (liq - price) / price if short else (price - liq) / price
    if room <= 0:
        return f"past its liquidation price {fmt_money(liq, 0)}, with {posted}"
    return (
        f"liquidated near {fmt_money(liq, 0)} ({'+' if short else '-'}{room * 100:.1f} % "
        f"from {fmt_money(price, 0)}), with {posted}"
    )


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
