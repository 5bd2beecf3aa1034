"""What a hedge costs to hold over a horizon: funding, basis, rolls and fees (pure, Decimal).

For one hedge option (a family's contracts and counts, from the planner):

* **perpetual**: expected funding = hedged notional × the average funding
  rate per hour over the last 30 days × 24 × horizon days. A short receives
  it when the rate is positive (longs pay shorts); a long pays it. The range
  uses the lowest and highest 30-day averages of the last year.
* **dated**: the basis ``b = F/S − 1`` of the contract opened now converges
  to zero by expiry, so a short earns ``F0 − S0`` per coin held to expiry.
  The basis belongs to the contract the hedge opens: the front contract, or
  the next one when the front is already inside its roll window. Annualised,
  simple, on a 365-day year over the days to that contract's expiry, but
  never over fewer than one cycle of its calendar (7 days for weekly
  contracts, 35 monthly, 91 quarterly): ``b × 365 / max(days, cycle)``
  (2 % with 60 days → 12.17 %). The floor keeps a basis typed days before an
  expiry from turning into a huge annual rate, so the result does not jump
  when the start moves across a roll date. Over the horizon the hedge earns
  that annual rate × days / 365 on its notional; the contracts it rolls into
  are assumed to trade at the same annual basis (their prices are not known
  today). An annual basis beyond ±30 %/yr is implausible for dated crypto
  futures (CME's is usually 5-15 %/yr) and is flagged.
  Rolls come from the contract's calendar (``hedger.core.calendar``); each
  pays the fee on both legs: closing the old contract and opening the next.
* **fees**: opening and closing, each the fee rate on the traded notional.

Totals: ``cost = fees − funding − basis`` in USD (negative: the hedge earns
more than it pays), and as an annual rate on the hedged amount:
``cost / hedged × 365 / days``. A part that is not known (no funding history,
no basis typed) is left out of the total, and the line says so.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from hedger.core.calendar import CalendarError, Calendars, RollPlan, VenueInfo, roll_plan
from hedger.core.catalog import Contract, Family
from hedger.core.decimals import fmt_money
from hedger.core.funding import FundingStats, expected_funding
from hedger.core.planner import HedgeOption

#: A typed basis is annualised over at least this many days: about the longest
#: a contract of the cycle stays the one a hedge opens (see the module docstring).
MIN_BASIS_DAYS: Mapping[str, int] = {"weekly": 7, "monthly": 35, "quarterly": 91}
#: An annual basis beyond this is flagged as implausible (a typo, or a basis
#: typed for the wrong contract): dated crypto futures rarely trade past it.
PLAUSIBLE_ANNUAL_BASIS = Decimal("0.30")
DEFAULT_HORIZON_DAYS = 90
MAX_HORIZON_DAYS = 3650
DAYS_PER_YEAR = Decimal(365)
HUNDRED = Decimal(100)

#: What ``hedger risk`` and the Risk tab assume about the basis, in words.
RISK_BASIS_ASSUMPTION = (
    "Basis assumption: each hedge moves exactly with its hedge series (the coin's own spot "
    "history unless you name a futures history with --hedge-series), so a same-coin hedge has "
    "no basis risk in these paths; funding, the basis of dated contracts and roll costs are "
    "not simulated ('hedger carry' estimates them)."
)


#: The same in one short line, shown under the Risk tab's lead (the full text is its tooltip).
RISK_BASIS_SHORT = (
    "Basis: assumed none for a same-coin hedge (each hedge moves with its hedge series); "
    "funding, dated-futures basis and rolls are not simulated."
)


class CarryError(ValueError):
    """Carry inputs that cannot give a result; the message is one line."""


class CarrySettings(NamedTuple):
    horizon_days: int = DEFAULT_HORIZON_DAYS
    roll_days: int | None = None  # None: each rule's default (5 business days for CME)
    start: date | None = None  # None: the caller's today


def annualised_basis(basis: Decimal, days_to_expiry: Decimal | int) -> Decimal:
    """Simple annual rate of a basis earned over ``days_to_expiry`` days (365-day year)."""
    if days_to_expiry <= 0:
        raise CarryError("the expiry must be in the future to annualise a basis")
    return basis * DAYS_PER_YEAR / Decimal(days_to_expiry)


def basis_from_prices(futures: Decimal, spot: Decimal) -> Decimal:
    """``F / S − 1``: positive in contango (a short earns it as the two converge)."""
    if spot <= 0 or futures <= 0:
        raise CarryError("futures and spot prices must be positive")
    return futures / spot - 1


class FundingPart(NamedTuple):
    contract_id: str
    usd: Decimal  # received (+) or paid (−) over the horizon, at the 30-day average
    low_usd: Decimal  # at the lowest 30-day average of the last year
    high_usd: Decimal  # at the highest
    rate_8h: Decimal  # the 30-day average, per 8 h
    stats: FundingStats


class BasisPart(NamedTuple):
    basis: Decimal  # F/S − 1 of the contract opened now
    days_to_expiry: int
    annual: Decimal  # simple, 365-day year, over max(days_to_expiry, one cycle)
    usd: Decimal  # earned (+) or paid (−) over the horizon
    warning: str | None = None  # an implausible basis, in words


class CarryLine(NamedTuple):
    """The carry of one hedge option over the horizon, every figure with its words."""

    family_id: str
    family_name: str
    option: str  # the planner's option name: micro, mix, ...
    venue: str
    venue_info: VenueInfo
    expiry: str  # "perpetual" | "dated"
    side: str
    horizon_days: int
    hedged_usd: Decimal
    residual_usd: Decimal
    funding: FundingPart | None  # perpetuals with a stored history
    basis: BasisPart | None  # dated contracts with a basis typed or priced
    rolls: RollPlan | None  # dated contracts with a calendar
    open_fee_usd: Decimal
    close_fee_usd: Decimal
    roll_fee_usd: Decimal
    missing: tuple[str, ...]  # parts left out of the total, in words
    words: tuple[str, ...]  # one sentence per part

    @property
    def fees_usd(self) -> Decimal:
        return self.open_fee_usd + self.close_fee_usd + self.roll_fee_usd

    @property
    def roll_count(self) -> int:
        # An option that opens nothing has nothing to roll (its calendar still has dates).
        if self.rolls is None or self.hedged_usd == 0:
            return 0
        return self.rolls.roll_count

    @property
    def total_cost_usd(self) -> Decimal:
        """Fees minus funding and basis earned: what holding the hedge costs (negative: earns)."""
        earned = Decimal(0)
        if self.funding is not None:
            earned += self.funding.usd
        if self.basis is not None:
            earned += self.basis.usd
        return self.fees_usd - earned

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def annual_rate(self) -> Decimal | None:
        """The total cost as a share of the hedged amount per year (None when nothing is hedged)."""
        if not self.hedged_usd or not self.horizon_days:
            return None
        return self.total_cost_usd / self.hedged_usd * DAYS_PER_YEAR / self.horizon_days

    def summary(self) -> str:
        cost = self.total_cost_usd
        rate = self.annual_rate
        per_year = f" ({rate * HUNDRED:.2f} %/yr)" if rate is not None else ""
        verb = "costs" if cost >= 0 else "earns"
        text = f"{verb} {fmt_money(abs(cost), 0)} USD over {self.horizon_days} days{per_year}"
        if self.missing:
            text += "; not counted: " + ", ".join(self.missing)
        return text


class CarryInputs(NamedTuple):
    """What every line of one computation shares."""

    calendars: Calendars
    settings: CarrySettings
    start: date
    funding: Mapping[str, FundingStats]  # by contract id
    basis: Mapping[str, Decimal]  # F/S − 1 by family id, typed or from prices


def option_carry(
    option: HedgeOption, family: Family, contracts: Sequence[Contract], inputs: CarryInputs
) -> CarryLine:
    """The carry of ``option`` (a hedge with ``family``'s contracts) over the horizon."""
    days = inputs.settings.horizon_days
    if not 0 < days <= MAX_HORIZON_DAYS:
        raise CarryError(f"the horizon must be 1 to {MAX_HORIZON_DAYS} days, got {days}")
    active = [leg for leg in option.legs if leg.contracts]
    lead = active[0].contract if active else contracts[0]
    open_fee = option.fee_usd
    missing: list[str] = []
    words: list[str] = []
    funding: FundingPart | None = None
    basis: BasisPart | None = None
    plan: RollPlan | None = None
    if lead.expiry == "perpetual":
        funding = _funding_part(option, lead, inputs, days, missing, words)
    else:
        plan = _roll_plan(lead, inputs, days, missing, words)
        basis = _basis_part(option, family, plan, inputs, days, missing, words)
    roll_fee = 2 * open_fee * (plan.roll_count if plan is not None else 0)
    fees_words = f"fees {fmt_money(open_fee, 2)} USD to open and the same to close"
    if plan is not None and plan.roll_count:
        fees_words += f", {fmt_money(roll_fee, 2)} USD for {plan.roll_count} roll(s) (both legs)"
    words.append(fees_words)
    return CarryLine(
        family_id=family.id,
        family_name=family.name,
        option=option.name,
        venue=lead.venue,
        venue_info=inputs.calendars.venue(lead.venue),
        expiry=lead.expiry,
        side=option.side,
        horizon_days=days,
        hedged_usd=option.hedged_usd,
        residual_usd=option.residual_usd,
        funding=funding,
        basis=basis,
        rolls=plan,
        open_fee_usd=open_fee,
        close_fee_usd=open_fee,
        roll_fee_usd=roll_fee,
        missing=tuple(missing),
        words=tuple(words),
    )


def _funding_part(
    option: HedgeOption,
    lead: Contract,
    inputs: CarryInputs,
    days: int,
    missing: list[str],
    words: list[str],
) -> FundingPart | None:
    stats = inputs.funding.get(lead.id)
    if stats is None:
        missing.append("funding (no history stored)")
        words.append(
            f"funding unknown: no funding history for {lead.id} "
            f"(download it: hedger funding download {lead.id})"
        )
        return None
    notional = option.hedged_usd
    part = FundingPart(
        contract_id=lead.id,
        usd=expected_funding(notional, stats.hourly_avg, days, option.side),
        low_usd=expected_funding(notional, stats.hourly_low, days, option.side),
        high_usd=expected_funding(notional, stats.hourly_high, days, option.side),
        rate_8h=stats.rate_8h,
        stats=stats,
    )
    low, high = sorted((part.low_usd, part.high_usd))
    verb = "receives" if part.usd >= 0 else "pays"
    words.append(
        f"{verb} about {fmt_money(abs(part.usd), 0)} USD funding over {days} days at "
        f"{part.rate_8h * HUNDRED:.4f} % per 8 h (last {stats.window_days} days' average; "
        f"{fmt_money(low, 0)} to {fmt_money(high, 0)} USD at the last year's lowest and "
        "highest 30-day averages)"
    )
    return part


def _roll_plan(
    lead: Contract, inputs: CarryInputs, days: int, missing: list[str], words: list[str]
) -> RollPlan | None:
    cal = inputs.calendars.for_contract(lead.id, lead.venue, lead.expiry)
    if cal.rule is None:
        missing.append("rolls (no expiry calendar)")
        words.append(f"no expiry calendar for {lead.id}: rolls not counted")
        return None
    try:
        plan = roll_plan(cal.rule, inputs.start, days, inputs.settings.roll_days)
    except CalendarError as exc:
        missing.append("rolls")
        words.append(f"rolls not counted: {exc}")
        return None
    when = ", ".join(r.day.isoformat() for r in plan.rolls[:6])
    more = f" and {plan.roll_count - 6} more" if plan.roll_count > 6 else ""
    words.append(
        f"opens the contract expiring {plan.first_expiry.isoformat()}; "
        + (
            f"{plan.roll_count} roll(s) {plan.roll_days} business days before expiry: {when}{more}"
            if plan.roll_count
            else "no roll within the horizon"
        )
    )
    return plan


def _basis_part(
    option: HedgeOption,
    family: Family,
    plan: RollPlan | None,
    inputs: CarryInputs,
    days: int,
    missing: list[str],
    words: list[str],
) -> BasisPart | None:
    basis = inputs.basis.get(family.id)
    if basis is None:
        missing.append("basis (not typed)")
        words.append(
            f"basis unknown: no public price for {family.id}; type it "
            f"(e.g. --basis {family.id}=1.5%) to count it"
        )
        return None
    if plan is None:
        missing.append("basis (no expiry date)")
        words.append(f"basis {basis * HUNDRED:.2f} % not annualised: no expiry date known")
        return None
    to_expiry = (plan.first_expiry - inputs.start).days
    if to_expiry <= 0:
        missing.append("basis (expiry today)")
        return None
    floor = MIN_BASIS_DAYS.get(plan.rule.cycle, 35)
    annual = annualised_basis(basis, max(to_expiry, floor))
    earned = option.hedged_usd * annual * days / DAYS_PER_YEAR
    usd = earned if option.side == "short" else -earned
    verb = "earns" if usd >= 0 else "gives up"
    over = f"{to_expiry} days" if to_expiry >= floor else f"{to_expiry} days, counted as {floor}"
    words.append(
        f"{verb} about {fmt_money(abs(usd), 0)} USD basis: {basis * HUNDRED:.2f} % to "
        f"{plan.first_expiry.isoformat()} ({over}) = {annual * HUNDRED:.2f} %/yr "
        "simple, assumed for the contracts rolled into"
    )
    warning = basis_warning(family.id, basis, annual)
    if warning is not None:
        words.append(warning)
    return BasisPart(basis, to_expiry, annual, usd, warning)


def basis_warning(family_id: str, basis: Decimal, annual: Decimal) -> str | None:
    """Words for a basis no dated future plausibly carries, or None."""
    if abs(annual) <= PLAUSIBLE_ANNUAL_BASIS:
        return None
    return (
        f"check the basis of {family_id}: {basis * HUNDRED:.2f} % is {annual * HUNDRED:.0f} %/yr, "
        f"beyond the ±{PLAUSIBLE_ANNUAL_BASIS * HUNDRED:.0f} %/yr dated crypto futures plausibly "
        "carry (CME's is usually 5-15 %/yr); type F/S − 1 of the contract the hedge opens"
    )


def rank_key(line: CarryLine) -> tuple[bool, bool, Decimal, Decimal]:
    """Options that hedge something first, complete ones before those with parts
    unknown, then by total cost, then by the residual's size."""
    return (not line.hedged_usd, not line.complete, line.total_cost_usd, abs(line.residual_usd))
