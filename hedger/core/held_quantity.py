"""Held quantities in the venue's own unit and in contracts, checked against its step.

A ``Position`` keeps a signed number of the catalog contract's *contracts*.
A venue's screen shows a position in its order unit: Binance and Bybit USDT
perpetuals in coin ("-0.600 BTC"), Deribit, Bybit and Kraken inverse in USD
("-30,000 USD"), CME, OKX and Binance COIN-M in contracts. A Binance user who
types "0.6" means 0.6 BTC, which is 600 contracts of 0.001 BTC: so a quantity
always travels with its unit, and a bare number on a venue whose unit is not
contracts is refused with both readings rather than guessed.

``to_contracts`` converts; ``check_held`` refuses zero and quantities off the
venue's step or below its minimum, naming the nearest valid one; ``held_text``
writes ``-0.6 BTC (600 contracts)``.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Literal

from hedger.core.decimals import DecimalParseError, fmt_decimal, parse_decimal
from hedger.core.orders import lot_contracts, minimum_quantity, whole

if TYPE_CHECKING:
    from hedger.core.catalog import Contract

HeldUnit = Literal["contracts", "coin", "usd"]
ZERO = Decimal(0)
_SUFFIX = re.compile(r"^\s*(?P<number>[^A-Za-z]*?)\s*(?P<unit>[A-Za-z]+)?\s*$")


class HeldQuantityError(ValueError):
    """A held quantity the venue could not hold, or whose unit is unclear; one line."""


def grouped(value: Decimal) -> str:
    """``-30,000``, ``0.0006``: thousands grouped, decimals as they are."""
    text = fmt_decimal(value)
    head, dot, tail = text.partition(".")
    sign = "-" if head.startswith("-") else ""
    return f"{sign}{int(head.lstrip('-')):,}{dot}{tail}"


def venue_unit(contract: Contract) -> HeldUnit:
    """The unit the venue's screen shows a position in (its order unit)."""
    return contract.order_unit


def unit_name(contract: Contract, unit: HeldUnit, quantity: Decimal | None = None) -> str:
    """``BTC``, ``USD``, ``contracts`` (``contract`` for exactly one)."""
    if unit == "coin":
        return contract.underlying
    if unit == "usd":
        return "USD"
    return "contract" if quantity is not None and abs(quantity) == 1 else "contracts"


def read_unit(contract: Contract, text: str) -> HeldUnit:
    """``contracts``, ``BTC``/``coin`` or ``USD`` as one of the units the contract
    can be held in; HeldQuantityError naming the ones it can."""
    word = text.strip().lower()
    if word in ("contract", "contracts", "ct", "cts"):
        return "contracts"
    if word in ("coin", contract.underlying.lower()) and contract.kind == "linear":
        return "coin"
    if word == "usd" and contract.kind == "inverse":
        return "usd"
    raise HeldQuantityError(
        f"{contract.id} is held in {' or '.join(units_of(contract))}, not {text.strip()!r}"
    )


def units_of(contract: Contract) -> tuple[str, ...]:
    """The units a position on ``contract`` can be given in, the venue's first."""
    own = "USD" if contract.kind == "inverse" else contract.underlying
    if contract.order_unit == "contracts":
        return ("contracts", own)
    return (own, "contracts")


def to_contracts(contract: Contract, quantity: Decimal, unit: HeldUnit) -> Decimal:
    """``quantity`` in ``unit`` as contracts of ``contract`` (exact: no rounding)."""
    if unit == "contracts":
        return whole(quantity) if quantity else ZERO
    if (unit == "coin") != (contract.kind == "linear"):
        raise HeldQuantityError(
            f"{contract.id} is held in {' or '.join(units_of(contract))}, "
            f"not {'coin' if unit == 'coin' else 'USD'}"
        )
    contracts = quantity / contract.size
    return whole(contracts) if contracts else ZERO


def in_unit(contract: Contract, contracts: Decimal, unit: HeldUnit) -> Decimal:
    """``contracts`` of ``contract`` in ``unit`` (coins, USD of face, or contracts)."""
    if unit == "contracts":
        return contracts
    value = contracts * contract.size
    return whole(value) if value else ZERO


def held_text(contract: Contract, contracts: Decimal, *, signed: bool = True) -> str:
    """``-0.6 BTC (600 contracts)``, ``-30,000 USD (3,000 contracts)``, ``-3 contracts``
    (``0.3 BTC`` beside CME's): the venue's unit first, the other beside it."""
    shown = contracts if signed else abs(contracts)
    unit = venue_unit(contract)
    count = f"{grouped(shown)} {unit_name(contract, 'contracts', shown)}"
    if unit == "contracts":
        other: HeldUnit = "usd" if contract.kind == "inverse" else "coin"
        value = in_unit(contract, shown, other)
        return f"{count} ({grouped(value)} {unit_name(contract, other)})"
    value = in_unit(contract, shown, unit)
    return f"{grouped(value)} {unit_name(contract, unit)} ({count})"


def venue_text(contract: Contract, contracts: Decimal) -> str:
    """The position as the venue's screen shows it: ``-0.6 BTC``, ``-30,000 USD``,
    ``-3 contracts``."""
    unit = venue_unit(contract)
    return f"{grouped(in_unit(contract, contracts, unit))} {unit_name(contract, unit, contracts)}"


def check_held(contract: Contract, contracts: Decimal) -> Decimal:
    """``contracts`` if the venue can hold it: not zero, a whole number of its steps,
    at least its minimum; else HeldQuantityError with the nearest valid quantity."""
    if contracts == 0:
        raise HeldQuantityError(
            f"{contract.id}: a position of 0 is no position (negative for a short, e.g. "
            f"{held_text(contract, -lot_contracts(contract))}); remove it instead"
        )
    step = lot_contracts(contract)
    smallest = _min_contracts(contract)
    lots = contracts / step
    on_step = lots == lots.to_integral_value()
    if on_step and abs(contracts) >= smallest:
        return contracts
    nearest = (lots.to_integral_value(rounding=ROUND_HALF_UP) * step) if lots else ZERO
    sign = Decimal(1) if contracts > 0 else Decimal(-1)
    if abs(nearest) < smallest:
        nearest = sign * smallest
    shown = held_text(contract, contracts)
    if not on_step:
        step_text = held_text(contract, step, signed=False)
        why = f"is not a whole number of the venue's steps of {step_text}"
    else:
        why = f"is below the venue's minimum of {held_text(contract, smallest, signed=False)}"
    raise HeldQuantityError(
        f"{contract.id}: {shown} {why}; the nearest valid position is "
        f"{held_text(contract, whole(nearest))}"
    )


def _min_contracts(contract: Contract) -> Decimal:
    """The venue's minimum order quantity, in contracts."""
    minimum = minimum_quantity(contract)
    if contract.order_unit == "contracts":
        return minimum
    return minimum / contract.size


def parse_held(
    contract: Contract,
    text: str | Decimal,
    unit: HeldUnit | None = None,
    *,
    what: str = "quantity",
) -> Decimal:
    """A held quantity typed by a person: ``-0.6 BTC``, ``-30000 USD``, ``-3 contracts``,
    or a bare number in ``unit``; checked against the venue's step. A bare number with
    no ``unit`` is read as contracts only where the venue's unit is contracts: elsewhere
    it is refused with both readings."""
    number_text, unit_text = _split(text)
    try:
        number = parse_decimal(number_text, what=what)
    except DecimalParseError as exc:
        raise HeldQuantityError(str(exc)) from None
    if unit_text is not None:
        unit = read_unit(contract, unit_text)
    if unit is None:
        if contract.order_unit != "contracts":
            raise HeldQuantityError(ambiguous(contract, number))
        unit = "contracts"
    return check_held(contract, to_contracts(contract, number, unit))


def _split(text: str | Decimal) -> tuple[str | Decimal, str | None]:
    if isinstance(text, Decimal):
        return text, None
    m = _SUFFIX.match(text)
    if m is None or not m.group("number").strip():
        return text, None
    return m.group("number").strip(), m.group("unit")


def ambiguous(contract: Contract, number: Decimal) -> str:
    """Both readings of a bare number on a venue whose unit is not contracts."""
    own = venue_unit(contract)
    n = fmt_decimal(number)
    as_own = to_contracts(contract, number, own)
    as_count = in_unit(contract, number, own)
    return (
        f"{contract.id}: say which unit {n} is in: {n} {unit_name(contract, own)}, the "
        f"venue's unit (= {grouped(as_own)} contracts), or {n} contracts "
        f"(= {grouped(as_count)} {unit_name(contract, own)})"
    )
