"""The margin a venue asks for a hedge, and where that hedge is liquidated.

Posted initial margin is ``notional / leverage``, but never below what the
venue requires (domain.md §5):

* a rate of the notional (``initial_margin_rate``: 1 / the maximum leverage);
* a fixed USD amount per contract (``initial_margin_usd``: CME and brokers
  set these; the user enters their broker's figure);
* the tier of the venue's margin table the position's size falls in
  (``hedger.core.margin_tiers``: Binance brackets, Bybit risk limits, Kraken
  levels, Deribit's size-dependent formula).

``margin_for`` says which of the two applies and why, in words. The
maintenance margin comes from the same source (rate, fixed USD or tier, less
the tier's deduction) and gives the liquidation price
(``hedger.core.liquidation``) for the collateral backing the position: the
posted initial margin in isolated mode, or the collateral the user says they
will keep (isolated or cross).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Literal, NamedTuple

from hedger.core.decimals import fmt_decimal, fmt_money
from hedger.core.liquidation import Rule, Side, liquidation_for_collateral
from hedger.core.margin_tiers import MarginTable, MarginTier, table_for
from hedger.core.models import AccountClass as Account
from hedger.core.models import MarginMode
from hedger.core.orders import contracts_of, lot_units

if TYPE_CHECKING:
    from hedger.core.catalog import Contract

ZERO = Decimal(0)
HUNDRED = Decimal(100)
# A contract with a fixed USD initial margin but no maintenance figure: CME Clearing's
# speculators' initial margin is 110 % of maintenance (advisory 23-376), so maintenance
# is taken as initial / 1.1, and the words say so.
INITIAL_OVER_MAINTENANCE = Decimal("1.1")
# Perpetual venues raise their rates with the position's size. Where Hedger has no
# tier table for a contract it uses one rate at any size; past the smallest first tier
# of the tables it ships (Binance and Bybit BTCUSDT: 300,000 USDT,
# resources/margin_tiers.json) the venue most likely asks more, and the words say so.
UNTIERED_ABOVE_USD = Decimal(300_000)


def venue_name(contract: Contract) -> str:
    """``CME``, ``OKX``, ``Binance``, ``Bybit``: how the words name a venue."""
    v = contract.venue
    if len(v) <= 4 and v.isalpha() and contract.user_defined:
        return v.upper()  # a broker's code the user gave: IBKR, not Ibkr
    return v.upper() if len(v) <= 3 else v.capitalize()


def pct(rate: Decimal) -> str:
    """A rate as words: 0.4 -> ``40 %``, 0.0067 -> ``0.67 %``."""
    value = rate * HUNDRED
    places = 0 if value >= 10 or value == value.to_integral_value() else 2
    return f"{fmt_decimal(value, places)} %"


class LegMargin(NamedTuple):
    """What the venue asks for one leg of a hedge."""

    contract: Contract
    contracts: Decimal
    notional_usd: Decimal  # at entry
    required_usd: Decimal  # the venue's initial requirement
    maintenance_rate: Decimal  # rate of the notional (0 when fixed USD)
    maintenance_usd: Decimal  # at entry: rate × notional − deduction, or fixed USD
    deduction: Decimal  # in USD (linear) or coin (inverse)
    initial_rate: Decimal  # the rate asked (the USD per contract over the notional if fixed)
    table: MarginTable | None = None
    tier: int | None = None  # index into table.tiers
    beyond_table: bool = False  # bigger than the last tier the data knows
    derived_maintenance: bool = False  # fixed USD initial, maintenance taken as initial / 1.1
    untiered: bool = False  # a large perpetual position without a tier table

    @property
    def fixed(self) -> bool:
        return self.contract.maintenance_margin_usd is not None or self.derived_maintenance

    @property
    def basis_text(self) -> str:
        """How the venue sets it, in words (built when shown: plans build many legs)."""
        c = self.contract
        if c.initial_margin_usd is not None:
            return f"{fmt_money(c.initial_margin_usd, 2)} USD per contract"
        if self.table is not None and self.tier is not None:
            return _tier_text(
                c.underlying, self.table, self.tier, self.initial_rate, self.maintenance_rate
            )
        return f"{pct(self.initial_rate)} of the notional"


class MarginBreakdown(NamedTuple):
    """The margin of one hedge option and which rule sets it."""

    notional_usd: Decimal
    leverage: Decimal  # what the user asked
    by_leverage_usd: Decimal  # notional / leverage
    required_usd: Decimal  # what the venue asks
    initial_usd: Decimal  # posted: the larger of the two
    rule: Literal["leverage", "venue"]
    maintenance_usd: Decimal  # at entry
    legs: tuple[LegMargin, ...]
    mode: MarginMode = "isolated"

    @property
    def max_leverage(self) -> Decimal | None:
        """The venue's limit: notional / what it requires."""
        return self.notional_usd / self.required_usd if self.required_usd else None

    @property
    def effective_leverage(self) -> Decimal | None:
        return self.notional_usd / self.initial_usd if self.initial_usd else None

    @property
    def venue(self) -> str:
        return venue_name(self.legs[0].contract) if self.legs else "the venue"

    @property
    def basis_text(self) -> str:
        texts = list(dict.fromkeys(leg.basis_text for leg in self.legs))
        return "; ".join(texts)

    @property
    def words(self) -> str:
        """One sentence: the margin, which rule applies, and the other figure."""
        lev = fmt_decimal(self.leverage)
        if not self.legs or not self.notional_usd:
            return "No margin: no contract is traded."
        if self.rule == "venue":
            cap = self.max_leverage
            at_most = f"; at most {fmt_decimal(cap, 1)}x" if cap is not None else ""
            return (
                f"Margin {fmt_money(self.initial_usd, 0)} USD: {self.venue} asks "
                f"{self.basis_text}, more than {fmt_money(self.notional_usd, 0)} / {lev}x = "
                f"{fmt_money(self.by_leverage_usd, 0)} USD{at_most}."
            )
        return (
            f"Margin {fmt_money(self.initial_usd, 0)} USD: the "
            f"{fmt_money(self.notional_usd, 0)} USD notional at your {lev}x; {self.venue} asks "
            f"at least {fmt_money(self.required_usd, 0)} USD ({self.basis_text})."
        )

    @property
    def sources(self) -> tuple[str, ...]:
        out: dict[str, None] = {}
        for leg in self.legs:
            c = leg.contract
            if leg.table is not None:
                out[f"{c.id}: {leg.table.source} (as of {leg.table.as_of})"] = None
            elif c.margin_source:
                out[f"{c.id}: {c.margin_source}"] = None
        return tuple(out)

    @property
    def notes(self) -> tuple[str, ...]:
        """Warnings about the data: sizes beyond the known tiers, table notes."""
        out: list[str] = []
        for leg in self.legs:
            c = leg.contract
            if leg.beyond_table and leg.table is not None:
                out.append(
                    f"{c.short_label}: the position is bigger than the margin tiers "
                    f"Hedger knows; {venue_name(c)} asks more there — check its tiers"
                )
            if leg.untiered:
                out.append(
                    f"{c.short_label}: Hedger has no tier table for this contract, so its "
                    f"margin and liquidation use one rate ({pct(leg.initial_rate)} initial, "
                    f"{pct(leg.maintenance_rate)} maintenance) at any size; above "
                    f"{fmt_money(UNTIERED_ABOVE_USD, 0)} USD venues ask more, and this "
                    f"position is {fmt_money(leg.notional_usd, 0)} USD — check "
                    f"{venue_name(c)}'s position tiers"
                )
            if leg.derived_maintenance and c.initial_margin_usd is not None:
                per = c.initial_margin_usd / INITIAL_OVER_MAINTENANCE
                out.append(
                    f"{c.short_label}: no maintenance margin is given with the "
                    f"{fmt_money(c.initial_margin_usd, 2)} USD initial margin per contract; "
                    f"Hedger takes initial / 1.1 = {fmt_money(per, 2)} USD (CME's ratio for "
                    "speculators): give your broker's figure"
                )
        return tuple(out)


def size_in_basis(
    contract: Contract, table: MarginTable, contracts: Decimal, notional: Decimal, price: Decimal
) -> Decimal:
    """The position's size as the table measures it."""
    if table.basis == "contracts":
        return contracts
    if table.basis == "coin":
        units = contracts * contract.size
        return units / price if contract.kind == "inverse" else units
    return notional


def _tier_rates(
    table: MarginTable, tier: MarginTier, size_coin: Decimal
) -> tuple[Decimal, Decimal]:
    """(initial, maintenance) rates of a tier, with Deribit's growth per coin."""
    extra = table.per_coin * size_coin
    return tier.initial + extra, tier.maintenance_rate + extra


def leg_margin(
    contract: Contract,
    lots: int,
    price: Decimal,
    account: Account = "retail",
) -> LegMargin:
    """The venue's requirement for ``lots`` order steps of ``contract`` at ``price``."""
    contracts = contracts_of(contract, lots)
    units = lots * lot_units(contract)
    notional = units if contract.kind == "inverse" else units * price
    if contract.initial_margin_usd is not None or contract.maintenance_margin_usd is not None:
        return _fixed_leg(contract, contracts, notional)
    table = table_for(contract.margin_tables, account)
    if table is None:
        return LegMargin(
            contract=contract,
            contracts=contracts,
            notional_usd=notional,
            required_usd=notional * contract.initial_margin_rate,
            maintenance_rate=contract.maintenance_margin_rate,
            maintenance_usd=notional * contract.maintenance_margin_rate,
            deduction=ZERO,
            initial_rate=contract.initial_margin_rate,
            untiered=contract.expiry == "perpetual" and notional > UNTIERED_ABOVE_USD,
        )
    size = size_in_basis(contract, table, contracts, notional, price)
    index, tier = table.tier_for(size)
    size_coin = size_in_basis(contract, _COIN_TABLE, contracts, notional, price)
    initial, maint = _tier_rates(table, tier, size_coin)
    deduction_usd = tier.deduction * price if contract.kind == "inverse" else tier.deduction
    return LegMargin(
        contract=contract,
        contracts=contracts,
        notional_usd=notional,
        required_usd=notional * initial,
        maintenance_rate=maint,
        maintenance_usd=notional * maint - deduction_usd,
        deduction=tier.deduction,
        initial_rate=initial,
        table=table,
        tier=index,
        beyond_table=table.beyond_last(size),
    )


# A stand-in table to measure any position in coin (Deribit's per-coin growth).
_COIN_TABLE = MarginTable("coin", None, (), ZERO, "-", "-")


def _fixed_leg(contract: Contract, contracts: Decimal, notional: Decimal) -> LegMargin:
    if contract.initial_margin_usd is not None:
        required = contract.initial_margin_usd * contracts
    else:
        required = notional * contract.initial_margin_rate
    derived = False
    if contract.maintenance_margin_usd is not None:
        maint_usd = contract.maintenance_margin_usd * contracts
        rate = ZERO
    elif contract.initial_margin_usd is not None:
        # A broker's USD figure with a default rate beside it would be far too low.
        maint_usd = required / INITIAL_OVER_MAINTENANCE
        rate, derived = ZERO, True
    else:
        rate = contract.maintenance_margin_rate
        maint_usd = notional * rate
    initial = required / notional if notional else contract.initial_margin_rate
    return LegMargin(
        contract,
        contracts,
        notional,
        required,
        rate,
        maint_usd,
        ZERO,
        initial,
        derived_maintenance=derived,
    )


def _tier_text(coin: str, table: MarginTable, index: int, initial: Decimal, maint: Decimal) -> str:
    tier = table.tiers[index]
    if table.per_coin:
        return f"{pct(initial)} initial and {pct(maint)} maintenance, growing with the position"
    if table.account:
        where = f"for {table.account} accounts"
    elif len(table.tiers) > 1:
        unit = {"notional": "USD", "coin": coin, "contracts": "contracts"}[table.basis]
        band = "" if tier.cap is None else f" up to {fmt_money(tier.cap, 0)} {unit}"
        where = f"in tier {index + 1}{band}"
    else:
        where = "in its table"
    return f"{pct(initial)} {where}, maintenance {pct(maint)}"


def margin_for(
    legs: Sequence[tuple[Contract, int]],
    price: Decimal,
    leverage: Decimal,
    *,
    account: Account = "retail",
    mode: MarginMode = "isolated",
) -> MarginBreakdown:
    """The margin of a hedge made of ``(contract, lots)`` legs at ``price``."""
    parts = tuple(leg_margin(c, n, price, account) for c, n in legs if n)
    notional = required = maintenance = ZERO
    for p in parts:
        notional += p.notional_usd
        required += p.required_usd
        maintenance += p.maintenance_usd
    by_leverage = notional / leverage
    initial = max(required, by_leverage)
    return MarginBreakdown(
        notional_usd=notional,
        leverage=leverage,
        by_leverage_usd=by_leverage,
        required_usd=required,
        initial_usd=initial,
        rule="venue" if required > by_leverage else "leverage",
        maintenance_usd=maintenance,
        legs=parts,
        mode=mode,
    )


class MaintenanceTerms(NamedTuple):
    """What the liquidation formula needs from the maintenance side."""

    rate: Decimal  # of the notional
    deduction: Decimal  # USD (linear) or coin (inverse)
    rule: Rule
    fee: Decimal


def maintenance_terms(margin: MarginBreakdown) -> MaintenanceTerms:
    """One rate, deduction, valuation rule and fee for the legs together.

    Fixed USD maintenance does not scale with the price: it is valued at entry.
    """
    legs = margin.legs
    notional = margin.notional_usd
    if not legs or not notional:
        return MaintenanceTerms(ZERO, ZERO, "entry", ZERO)
    fee = weighted = deduction = ZERO
    at_entry = False
    for p in legs:
        c = p.contract
        if c.liquidation_fee:
            fee += p.notional_usd * c.fee_rate
        weighted += p.maintenance_rate * p.notional_usd
        deduction += p.deduction
        at_entry = at_entry or c.liquidation == "entry" or p.fixed
    fee_rate = fee / notional
    if at_entry:
        return MaintenanceTerms(margin.maintenance_usd / notional, ZERO, "entry", fee_rate)
    return MaintenanceTerms(weighted / notional, deduction, "mark", fee_rate)


def hedge_units(margin: MarginBreakdown) -> Decimal:
    """Coins (linear) or USD face (inverse) of the position."""
    return sum((p.contracts * p.contract.size for p in margin.legs), ZERO)


def liquidation_of(
    margin: MarginBreakdown,
    price: Decimal,
    side: Side,
    collateral_usd: Decimal | None = None,
) -> Decimal | None:
    """Where the hedge is liquidated with ``collateral_usd`` behind it (default: the
    posted initial margin). None when it cannot be liquidated."""
    if not margin.legs:
        return None
    kind = margin.legs[0].contract.kind
    units = hedge_units(margin)
    usd = margin.initial_usd if collateral_usd is None else collateral_usd
    collateral = usd / price if kind == "inverse" else usd
    terms = maintenance_terms(margin)
    liq = liquidation_for_collateral(
        price,
        units,
        collateral,
        terms.rate,
        side,
        kind,
        rule=terms.rule,
        fee=terms.fee,
        deduction=terms.deduction,
    )
    if liq is None or terms.rule != "mark" or len(margin.legs) != 1:
        return liq
    return _settle_tier(margin, price, side, collateral, liq)


def _settle_tier(
    margin: MarginBreakdown, price: Decimal, side: Side, collateral: Decimal, liq: Decimal
) -> Decimal | None:
    """Binance: when the position's size at the liquidation price falls in another
    tier, the price is computed again with that tier's rate and deduction."""
    leg = margin.legs[0]
    table = leg.table
    if table is None or table.per_coin or table.basis == "contracts":
        return liq
    c = leg.contract
    units = leg.contracts * c.size
    notional_at = units if c.kind == "inverse" else units * liq
    index, tier = table.tier_for(size_in_basis(c, table, leg.contracts, notional_at, liq))
    if index == leg.tier:
        return liq
    return liquidation_for_collateral(
        price,
        units,
        collateral,
        tier.maintenance_rate,
        side,
        c.kind,
        rule="mark",
        fee=c.fee_rate if c.liquidation_fee else ZERO,
        deduction=tier.deduction,
    )
