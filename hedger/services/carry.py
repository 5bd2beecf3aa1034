"""What a hedge costs to hold: per plan option, per venue family, and the contract calendars.

Qt-free use cases the command line (``hedger carry``) and the app (hedge
panel, "Compare venues", Contracts dialog) share. The front ends only show
what these return: every figure comes with its words.

* ``carry_for_plan``: the carry of every option of the plan, per underlying.
* ``compare_venues``: for each underlying, every catalog family that can
  hedge it, with its best option, ranked by total cost, then residual.
* ``contract_calendar``: per contract the expiry rule, settlement index,
  next expiries and roll date, funding summary and venue label.

Funding comes from the stored histories (``hedger.services.funding``);
basis where no public price exists (CME) is typed by the user, by family,
as ``F/S − 1`` of the contract opened now; a typed futures price in the
portfolio gives the basis of the underlying's chosen family.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, NamedTuple

from hedger.core.calendar import (
    CalendarError,
    Calendars,
    builtin_calendars,
    effective_roll_days,
    expiries_from,
    roll_date,
)
from hedger.core.carry import (
    DEFAULT_HORIZON_DAYS,
    RISK_BASIS_ASSUMPTION,
    RISK_BASIS_SHORT,
    CarryError,
    CarryInputs,
    CarryLine,
    CarrySettings,
    basis_from_prices,
    option_carry,
    rank_key,
)
from hedger.core.funding import FundingStats
from hedger.core.planner import build_options, recommend
from hedger.core.sizing import SizingError
from hedger.services.errors import ServiceError

if TYPE_CHECKING:
    from hedger.core.analytics.funding import BacktestCarry
    from hedger.core.catalog import Catalog
    from hedger.core.models import Portfolio
    from hedger.core.planner import Plan, UnderlyingPlan
    from hedger.store.funding import FundingStore

HUNDRED = Decimal(100)


class CarryInputError(ServiceError):
    """Carry inputs that give no result (bad horizon, unknown family); one line."""


@dataclass(frozen=True)
class CarryRequest:
    horizon_days: int = DEFAULT_HORIZON_DAYS
    roll_days: int | None = None  # None: each rule's default (5 business days for CME)
    start: date | None = None  # None: today (UTC)
    #: Typed basis ``F/S − 1`` of the contract opened now, by family id.
    basis: Mapping[str, Decimal] = field(default_factory=dict)


class UnderlyingCarry(NamedTuple):
    underlying: str
    family_id: str | None
    lines: tuple[CarryLine, ...]  # one per plan option, in the plan's order
    recommended: str | None  # the plan's recommended option
    problem: str | None

    def line(self, option: str) -> CarryLine | None:
        return next((ln for ln in self.lines if ln.option == option), None)


class PlanCarry(NamedTuple):
    horizon_days: int
    start: date
    underlyings: tuple[UnderlyingCarry, ...]
    notes: tuple[str, ...]

    def underlying(self, name: str) -> UnderlyingCarry | None:
        return next((u for u in self.underlyings if u.underlying == name), None)


class VenueRow(NamedTuple):
    """One family's best option for an underlying, as the comparison shows it."""

    rank: int
    underlying: str
    line: CarryLine
    hedged_usd: Decimal
    residual_usd: Decimal
    residual_pct: Decimal
    total_cost_usd: Decimal
    annual_rate: Decimal | None
    label: str  # regulated | offshore | example | unknown
    words: str  # the line's summary


class VenueComparison(NamedTuple):
    underlying: str
    target_usd: Decimal
    rows: tuple[VenueRow, ...]  # ranked: best first
    problem: str | None


def risk_basis_assumption() -> str:
    """The basis assumption of ``hedger risk`` and the Risk tab, in words."""
    return RISK_BASIS_ASSUMPTION


def risk_basis_line() -> str:
    """The basis assumption in one short line (the Risk tab shows it under its lead)."""
    return RISK_BASIS_SHORT


def _today() -> date:
    return datetime.now(UTC).date()


def _inputs(
    catalog: Catalog,
    portfolio: Portfolio,
    plan: Plan,
    request: CarryRequest,
    funding: Mapping[str, FundingStats] | None,
    store: FundingStore | None,
) -> CarryInputs:
    if funding is None:
        from hedger.services.funding import funding_statistics, load_funding

        ids = [c.id for c in catalog.contracts.values() if c.expiry == "perpetual"]
        funding = funding_statistics(load_funding(ids, store))
    basis = dict(_basis_from_typed_prices(portfolio, plan))
    basis.update({k.upper(): v for k, v in request.basis.items()})
    settings = CarrySettings(request.horizon_days, request.roll_days, request.start)
    for fid in request.basis:
        family = catalog.families.get(fid.upper())
        if family is None:
            raise CarryInputError(f"--basis: unknown family {fid!r} (see 'hedger contracts')")
        dated = any(
            (c := catalog.contracts.get(cid)) is not None and c.expiry == "dated"
            for cid in family.contracts
        )
        if not dated:
            # Silently ignored it would read as taken into account.
            raise CarryInputError(
                f"--basis: {family.id} is a perpetual family: it has funding, not a basis to expiry"
            )
    return CarryInputs(builtin_calendars(), settings, request.start or _today(), funding, basis)


def _basis_from_typed_prices(portfolio: Portfolio, plan: Plan) -> dict[str, Decimal]:
    """The basis of each underlying's family from a typed futures price and a spot holding."""
    spot = {h.symbol: h.price for h in portfolio.holdings}
    out: dict[str, Decimal] = {}
    for u in plan.underlyings:
        typed = portfolio.hedge.futures_prices.get(u.underlying)
        if u.family is not None and typed is not None and u.underlying in spot:
            out[u.family.id] = basis_from_prices(typed, spot[u.underlying])
    return out


def carry_for_plan(
    portfolio: Portfolio,
    catalog: Catalog,
    plan: Plan | None = None,
    request: CarryRequest | None = None,
    *,
    funding: Mapping[str, FundingStats] | None = None,
    store: FundingStore | None = None,
) -> PlanCarry:
    """The carry of every option of the plan. ``funding`` (stats by contract id)
    defaults to the stored histories. Raises CarryInputError."""
    request = request or CarryRequest()
    plan = plan or _plan(portfolio, catalog)
    inputs = _inputs(catalog, portfolio, plan, request, funding, store)
    out: list[UnderlyingCarry] = []
    for u in plan.underlyings:
        if u.family is None or u.problem or not u.options:
            fid = u.family.id if u.family is not None else None
            out.append(UnderlyingCarry(u.underlying, fid, (), None, u.problem))
            continue
        contracts = catalog.family_contracts(u.family.id)
        try:
            lines = tuple(option_carry(o, u.family, contracts, inputs) for o in u.options)
        except (CarryError, CalendarError) as exc:
            raise CarryInputError(str(exc)) from None
        out.append(UnderlyingCarry(u.underlying, u.family.id, lines, u.recommended, None))
    return PlanCarry(request.horizon_days, inputs.start, tuple(out), ())


def compare_venues(
    portfolio: Portfolio,
    catalog: Catalog,
    plan: Plan | None = None,
    request: CarryRequest | None = None,
    *,
    funding: Mapping[str, FundingStats] | None = None,
    store: FundingStore | None = None,
) -> tuple[VenueComparison, ...]:
    """Per underlying, every family that can hedge it with its best option, ranked.

    Every family is sized at the plan's futures price, rounding and leverage
    for that underlying. Raises CarryInputError.
    """
    request = request or CarryRequest()
    plan = plan or _plan(portfolio, catalog)
    inputs = _inputs(catalog, portfolio, plan, request, funding, store)
    out: list[VenueComparison] = []
    for u in plan.underlyings:
        out.append(_compare_one(u, catalog, inputs))
    return tuple(out)


def _compare_one(u: UnderlyingPlan, catalog: Catalog, inputs: CarryInputs) -> VenueComparison:
    target = abs(u.target_usd)
    if u.futures_price is None:
        return VenueComparison(u.underlying, target, (), u.problem or "no price")
    lines: list[CarryLine] = []
    for family in catalog.families_for(u.underlying):
        contracts = catalog.family_contracts(family.id)
        try:
            options = build_options(
                target, contracts, u.futures_price, u.rounding, u.leverage, u.side
            )
        except SizingError:
            continue
        best = recommend(options)
        option = next(o for o in options if o.name == best)
        try:
            lines.append(option_carry(option, family, contracts, inputs))
        except (CarryError, CalendarError) as exc:
            raise CarryInputError(str(exc)) from None
    lines.sort(key=rank_key)
    rows = tuple(
        VenueRow(
            rank=i + 1,
            underlying=u.underlying,
            line=ln,
            hedged_usd=ln.hedged_usd,
            residual_usd=ln.residual_usd,
            residual_pct=(ln.residual_usd / target * HUNDRED) if target else Decimal(0),
            total_cost_usd=ln.total_cost_usd,
            annual_rate=ln.annual_rate,
            label=ln.venue_info.label,
            words=ln.summary(),
        )
        for i, ln in enumerate(lines)
    )
    problem = None if rows else f"no family can hedge {u.underlying}"
    return VenueComparison(u.underlying, target, rows, problem)


def _plan(portfolio: Portfolio, catalog: Catalog) -> Plan:
    from hedger.core.planner import plan_portfolio

    return plan_portfolio(portfolio, catalog)


def backtest_carry(
    catalog: Catalog,
    plan: Plan,
    *,
    roll_days: int | None = None,
    store: FundingStore | None = None,
) -> BacktestCarry:
    """Funding histories of the plan's perpetual hedges and the expiry calendars, for
    ``hedger.services.analytics.backtest(..., carry=...)``."""
    from hedger.core.analytics.funding import BacktestCarry
    from hedger.services.funding import load_funding

    ids = [
        leg.contract.id
        for u in plan.underlyings
        for o in u.options
        for leg in o.legs
        if leg.contract.expiry == "perpetual"
    ]
    return BacktestCarry(load_funding(ids, store), builtin_calendars(), roll_days)


# --------------------------------------------------------------------------- calendar


class CalendarRow(NamedTuple):
    """One contract in the Contracts dialog's calendar columns."""

    contract_id: str
    venue: str
    label: str  # regulated | offshore | example | unknown
    label_text: str
    expiry: str  # perpetual | dated
    rule_text: str  # the expiry rule in words, or how funding is paid
    settlement_index: str | None
    cutoff: str | None
    listing: str | None
    next_expiries: tuple[date, ...]
    roll_days: int | None
    next_roll: date | None
    funding_text: str | None  # perpetuals: the stored funding in words
    source: str


def contract_calendar(
    catalog: Catalog,
    *,
    today: date | None = None,
    roll_days: int | None = None,
    count: int = 3,
    funding: Mapping[str, FundingStats] | None = None,
    calendars: Calendars | None = None,
) -> list[CalendarRow]:
    """Calendar facts for every contract of the catalog, by id."""
    cals = calendars or builtin_calendars()
    day = today or _today()
    rows: list[CalendarRow] = []
    for c in sorted(catalog.contracts.values(), key=lambda c: c.id):
        info = cals.venue(c.venue)
        cal = cals.for_contract(c.id, c.venue, c.expiry)
        rule = cal.rule
        expiries: tuple[date, ...] = ()
        n: int | None = None
        next_roll: date | None = None
        if rule is not None:
            expiries = tuple(expiries_from(rule, day, count))
            n = effective_roll_days(rule, roll_days)
            rolls = [roll_date(rule, e, n) for e in expiries]
            next_roll = next((r for r in rolls if r > day), None)
        rows.append(
            CalendarRow(
                contract_id=c.id,
                venue=c.venue,
                label=info.label,
                label_text=info.text,
                expiry=c.expiry,
                rule_text=_rule_text(c.expiry, rule.text if rule else None),
                settlement_index=cal.settlement_index or c.settlement,
                cutoff=rule.cutoff if rule else None,
                listing=rule.listing if rule else None,
                next_expiries=expiries,
                roll_days=n,
                next_roll=next_roll,
                funding_text=_funding_text(c.id, funding) if c.expiry == "perpetual" else None,
                source=rule.source if rule else info.source,
            )
        )
    return rows


def _rule_text(expiry: str, rule_text: str | None) -> str:
    if expiry == "perpetual":
        return "perpetual: no expiry, no rolls; funding paid or received at each funding time"
    return rule_text or "dated, but no expiry calendar is known for it"


def _funding_text(contract_id: str, funding: Mapping[str, FundingStats] | None) -> str:
    stats = (funding or {}).get(contract_id)
    if stats is None:
        return f"no funding history stored (hedger funding download {contract_id})"
    return (
        f"every {stats.interval_hours.normalize():f} h; last {stats.window_days} days' average "
        f"{stats.rate_8h * HUNDRED:.4f} % per 8 h ({stats.rows:,} rows stored)"
    )


__all__ = [
    "CalendarRow",
    "CarryInputError",
    "CarryLine",
    "CarryRequest",
    "PlanCarry",
    "UnderlyingCarry",
    "VenueComparison",
    "VenueRow",
    "backtest_carry",
    "carry_for_plan",
    "compare_venues",
    "contract_calendar",
    "risk_basis_assumption",
]
