"""Orders in each venue's own terms: what to type into its order form.

A venue's order form takes a number of contracts (CME, OKX, Binance COIN-M),
a coin quantity (Binance and Bybit USDT perpetuals) or a USD amount (Deribit,
Bybit and Kraken inverse), in steps of ``quantity_step`` from ``min_quantity``
(both in that unit, ``hedger.core.catalog.Contract``). Hedger counts whole
*lots*, one step each, so every order it proposes is on the venue's step:

* a lot is ``lot_contracts`` contracts (0.01 on OKX swaps, 1 almost everywhere);
* it hedges ``lot_units`` coins (linear) or USD of face value (inverse);
* the order quantity is ``lots × quantity_step`` in the order unit.

``check_quantity`` checks any quantity (typed by a person, or a plan's) against
the step, the minimum and the minimum order value, and names the nearest
valid order. Everything is Decimal.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import TYPE_CHECKING, Literal, NamedTuple

from hedger.core.decimals import fmt_decimal, fmt_money

if TYPE_CHECKING:
    from hedger.core.catalog import Contract

OrderSide = Literal["sell", "buy"]


def unit_size(contract: Contract) -> Decimal:
    """Coins (linear) or USD (inverse) per unit of the order form."""
    return Decimal(1) if contract.order_unit == "contracts" else contract.size


def lot_contracts(contract: Contract) -> Decimal:
    """Contracts in one order step: 0.01 for OKX swaps, 1 for most others."""
    if contract.order_unit == "contracts":
        return contract.quantity_step
    return contract.quantity_step / contract.size


def lot_units(contract: Contract) -> Decimal:
    """Coins (linear) or USD face (inverse) hedged by one order step."""
    if contract.order_unit == "contracts":
        return contract.quantity_step * contract.size
    return contract.quantity_step


def whole(value: Decimal) -> Decimal:
    """``value`` without a trailing exponent or zeros: 38.60 -> 38.6, 5.0 -> 5."""
    if value == value.to_integral_value():
        return Decimal(int(value))
    return value.normalize()


def contracts_of(contract: Contract, lots: int) -> Decimal:
    lot = lot_contracts(contract)
    # Whole-contract lots are the common case of every plan: skip the normalising.
    return Decimal(lots) if lot == 1 else whole(lots * lot)


def quantity_of(contract: Contract, lots: int) -> Decimal:
    """The order-form quantity for ``lots`` steps."""
    step = contract.quantity_step
    return Decimal(lots) if step == 1 else whole(lots * step)


def unit_label(contract: Contract, quantity: Decimal | None = None) -> str:
    """``BTC``, ``USD`` or ``contracts`` (``contract`` for exactly one)."""
    if contract.order_unit == "coin":
        return contract.underlying
    if contract.order_unit == "usd":
        return "USD"
    return "contract" if quantity == 1 else "contracts"


def quantity_text(contract: Contract, quantity: Decimal) -> str:
    """``0.386 BTC``, ``37,440 USD``, ``38.6 contracts``."""
    return f"{_grouped(quantity)} {unit_label(contract, quantity)}"


def _grouped(value: Decimal) -> str:
    text = fmt_decimal(value)
    head, dot, tail = text.partition(".")
    sign = "-" if head.startswith("-") else ""
    head = head.lstrip("-")
    return f"{sign}{int(head):,}{dot}{tail}"


class OrderTicket(NamedTuple):
    """One line of an order: what to type into the venue's form for one contract."""

    contract: Contract
    side: OrderSide
    lots: int
    quantity: Decimal  # in the order unit
    contracts: Decimal
    notional_usd: Decimal  # at the price the ticket was made for
    problems: tuple[str, ...] = ()  # below the minimum, off the step, below the minimum value
    nearest: Decimal | None = None  # the nearest valid quantity, when there are problems

    @property
    def unit(self) -> str:
        return unit_label(self.contract, self.quantity)

    @property
    def order_unit(self) -> str:
        return self.contract.order_unit

    @property
    def step(self) -> Decimal:
        return self.contract.quantity_step

    @property
    def minimum(self) -> Decimal:
        return minimum_quantity(self.contract)

    @property
    def valid(self) -> bool:
        return not self.problems

    @property
    def quantity_text(self) -> str:
        return quantity_text(self.contract, self.quantity)

    @property
    def copy_text(self) -> str:
        """Exactly what goes into the order form's quantity field: ``0.386``, ``37440``."""
        return fmt_decimal(self.quantity)

    @property
    def nearest_text(self) -> str | None:
        return None if self.nearest is None else quantity_text(self.contract, self.nearest)

    @property
    def text(self) -> str:
        """``Sell 0.386 BTC of Binance BTCUSDT perpetual (USD-M) (386 contracts of 0.001 BTC)``."""
        verb = "Sell" if self.side == "sell" else "Buy"
        return f"{verb} {self.body}"

    @property
    def body(self) -> str:
        """The order without its verb: ``5 contracts of CME Micro Bitcoin (MBT) (0.5 BTC)``."""
        return f"{self.quantity_text} of {self.contract.name} ({self.detail})"

    @property
    def detail(self) -> str:
        """The same order in the other terms: coins for a count, a count for an amount."""
        c = self.contract
        if c.order_unit == "contracts":
            units = self.contracts * c.size
            unit = "USD" if c.kind == "inverse" else c.underlying
            return f"{_grouped(whole(units))} {unit}"
        size = f"{fmt_decimal(c.size)} {'USD' if c.kind == 'inverse' else c.underlying}"
        noun = "contract" if self.contracts == 1 else "contracts"
        return f"{_grouped(self.contracts)} {noun} of {size}"


def minimum_quantity(contract: Contract) -> Decimal:
    return contract.min_quantity if contract.min_quantity is not None else contract.quantity_step


def lot_notional(contract: Contract, price: Decimal) -> Decimal:
    units = lot_units(contract)
    return units if contract.kind == "inverse" else units * price


def min_lots(contract: Contract, price: Decimal) -> int:
    """The fewest lots the venue accepts: its minimum quantity and minimum order value."""
    if contract.min_notional is None and (
        contract.min_quantity is None or contract.min_quantity <= contract.quantity_step
    ):
        return 1
    by_qty = _ceil(minimum_quantity(contract) / contract.quantity_step)
    if contract.min_notional is None or price <= 0:
        return max(by_qty, 1)
    by_value = _ceil(contract.min_notional / lot_notional(contract, price))
    return max(by_qty, by_value, 1)


def _ceil(value: Decimal) -> int:
    return int(value.to_integral_value(rounding=ROUND_CEILING))


def _floor(value: Decimal) -> int:
    return int(value.to_integral_value(rounding=ROUND_FLOOR))


def ticket(contract: Contract, lots: int, side: OrderSide, price: Decimal) -> OrderTicket:
    """The order for ``lots`` steps of ``contract`` at ``price`` (the futures price)."""
    if lots >= min_lots(contract, price):
        # On the step by construction and above the minimum: nothing to check.
        units = lots * lot_units(contract)
        notional = units if contract.kind == "inverse" else units * price
        quantity = quantity_of(contract, lots)
        return OrderTicket(contract, side, lots, quantity, contracts_of(contract, lots), notional)
    return check_quantity(contract, quantity_of(contract, lots), side, price)


def check_quantity(
    contract: Contract, quantity: Decimal, side: OrderSide, price: Decimal
) -> OrderTicket:
    """``quantity`` (in the contract's order unit) checked against the venue's step,
    minimum and minimum order value, with the nearest valid order if it fails."""
    step = contract.quantity_step
    exact_lots = quantity / step
    lots = _floor(exact_lots)
    problems: list[str] = []
    nearest_lots: int | None = None
    label = contract.short_label
    if exact_lots != lots:
        down, up = lots, lots + 1
        nearest_lots = down if exact_lots - down <= up - exact_lots else up
        problems.append(
            f"{label}: {quantity_text(contract, quantity)} is not a multiple of the step "
            f"{quantity_text(contract, step)}"
        )
    smallest = min_lots(contract, price)
    check = nearest_lots if nearest_lots is not None else lots
    if quantity > 0 and check < smallest:
        problems.append(_below_minimum(contract, quantity, price))
        nearest_lots = smallest
    if contract.order_unit == "contracts":
        contracts = whole(quantity)
    else:
        contracts = whole(quantity / contract.size)
    units = contracts * contract.size
    notional = units if contract.kind == "inverse" else units * price
    return OrderTicket(
        contract=contract,
        side=side,
        lots=lots,
        quantity=whole(quantity),
        contracts=contracts,
        notional_usd=notional,
        problems=tuple(problems),
        nearest=None if nearest_lots is None else quantity_of(contract, nearest_lots),
    )


def _below_minimum(contract: Contract, quantity: Decimal, price: Decimal) -> str:
    label = contract.short_label
    minimum = minimum_quantity(contract)
    if quantity < minimum:
        return (
            f"{label}: {quantity_text(contract, quantity)} is below the venue's minimum order "
            f"of {quantity_text(contract, minimum)}"
        )
    units = quantity / unit_size(contract) * contract.size
    value = units if contract.kind == "inverse" else units * price
    return (
        f"{label}: an order of {quantity_text(contract, quantity)} ({fmt_money(value)} "
        f"{contract.quote}) is below the venue's minimum order value of "
        f"{fmt_money(contract.min_notional or Decimal(0), 0)} {contract.quote}"
    )


def nearest_words(t: OrderTicket) -> str | None:
    """``the nearest valid order is 0.002 BTC`` when the ticket has problems."""
    if t.nearest is None:
        return None
    return f"the nearest valid order is {quantity_text(t.contract, t.nearest)}"
