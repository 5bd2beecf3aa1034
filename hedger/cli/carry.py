"""``hedger carry FILE``: what the hedge costs to hold, per option and venue against venue."""

from __future__ import annotations

import argparse
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hedger.cli.args import date_arg, days_arg, decimal_arg, family_id_arg, int_arg
from hedger.cli.errors import EXIT_OK, CliError
from hedger.cli.output import align, clean, wrapped, write, write_json

if TYPE_CHECKING:
    from hedger.cli.commands import Command, SubParsers
    from hedger.services.carry import CarryLine, PlanCarry, VenueComparison

MAX_BASIS = Decimal("0.5")


def start_arg(text: str) -> date:
    """``--start``: a day the expiry calendars can work out (1900 to 2199)."""
    from hedger.core.calendar import CalendarError, check_day

    date_arg(text)  # the usual words for what is not a date at all
    try:
        return check_day(date.fromisoformat(text.strip()[:10]), "the start")
    except CalendarError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date like 2027-01-22, got {text!r}") from None


def basis_pair_arg(text: str) -> tuple[str, Decimal]:
    """``CME-BTC=1.5%`` (or ``0.015``): a family and the basis F/S − 1 of its front contract."""
    left, sep, right = text.partition("=")
    if not sep or not right.strip():
        raise argparse.ArgumentTypeError(f"expected FAMILY=BASIS like CME-BTC=1.5%, got {text!r}")
    raw = right.strip()
    percent = raw.endswith("%")
    value = decimal_arg(raw[:-1] if percent else raw, "basis")
    if percent:
        value /= 100
    if abs(value) > MAX_BASIS:
        raise argparse.ArgumentTypeError(f"basis must be within ±50 %, got {raw}")
    return family_id_arg(left), value


def add_parser(sub: SubParsers, command: Command) -> None:
    p = sub.add_parser(
        command.name,
        help=command.help,
        description=(
            "What holding the hedge costs over a horizon: perpetual funding (from the stored "
            "funding history: 'hedger funding download'), the basis of dated futures to expiry "
            "(typed with --basis where no public price exists, e.g. CME), rolls on the "
            "contract calendar and their fees, and opening and closing fees. Positive cost: "
            "the hedge costs money; negative: it earns. Then every family that can hedge each "
            "coin, ranked by total cost and residual."
        ),
        epilog=(
            "Funding sign: a positive rate means longs pay shorts, so a short hedge receives it. "
            "Basis: F/S - 1 of the contract the hedge opens (the front contract, or the next "
            "one once the front is inside its roll window), annualised simple on a 365-day year "
            "over the days to its expiry, but never fewer than one cycle of its calendar (35 "
            "days for monthly contracts, 7 weekly, 91 quarterly): 2 % with 60 days to expiry "
            "= 12.17 %, and 2 % with 8 days counts as 35 days = 20.86 %. The contracts "
            "rolled into are assumed to trade at the same annual basis. A basis beyond "
            "+/-30 % a year is flagged as implausible."
        ),
    )
    p.add_argument("file", type=Path, metavar="FILE", help="portfolio file (.json)")
    p.add_argument("--days", type=days_arg, default=90, help="horizon (default 90; 2w, 6m, 1y)")
    p.add_argument(
        "--roll-days",
        type=int_arg,
        help="roll this many business days before expiry (default: the contract's, 5 for CME)",
    )
    p.add_argument("--start", type=start_arg, help="first day of the horizon (default: today)")
    p.add_argument(
        "--basis",
        action="append",
        default=[],
        type=basis_pair_arg,
        metavar="FAMILY=BASIS",
        help=(
            "futures over spot (F/S - 1) of the contract a family's hedge opens, "
            "e.g. CME-BTC=1.5%% (repeatable)"
        ),
    )
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_carry)


def cmd_carry(args: argparse.Namespace) -> int:
    from datetime import timedelta

    from hedger.cli.loading import load_catalog, load_portfolio
    from hedger.core.calendar import LAST_DAY
    from hedger.core.planner import plan_portfolio
    from hedger.services.carry import CarryRequest, carry_for_plan, compare_venues

    start: date | None = args.start
    if (start or date.today()) + timedelta(days=args.days) > LAST_DAY:
        raise CliError(f"the horizon must end by {LAST_DAY.isoformat()}: use an earlier --start")
    if args.roll_days is not None and args.roll_days > 30:
        raise CliError("--roll-days must be at most 30")
    catalog = load_catalog()
    portfolio = load_portfolio(args.file)
    plan = plan_portfolio(portfolio, catalog)
    named = [family.upper() for family, _value in args.basis]
    twice = sorted({f for f in named if named.count(f) > 1})
    if twice:
        raise CliError(f"--basis given more than once for {', '.join(twice)}: give it once")
    request = CarryRequest(args.days, args.roll_days, start, dict(args.basis))
    carry = carry_for_plan(portfolio, catalog, plan, request)
    compared = compare_venues(portfolio, catalog, plan, request)
    if args.json:
        write_json(_to_dict(portfolio.name, carry, compared))
    else:
        write(_render(portfolio.name, carry, compared))
    return EXIT_OK


# --------------------------------------------------------------------------- JSON


def _fixed(value: Decimal, places: str) -> str:
    """``value`` to ``places``, never ``-0.00`` (a rounded -0.004 is 0)."""
    q = value.quantize(Decimal(places))
    return f"{q.copy_abs() if q.is_zero() else q:f}"


def _money(value: Decimal | None) -> str | None:
    return None if value is None else _fixed(value, "0.01")


def _pct(value: Decimal | None) -> str | None:
    return None if value is None else _fixed(value * 100, "0.01")


def _rate_8h(rate: Decimal) -> str:
    return _fixed(rate * 100, "0.000001")


def _line_dict(ln: CarryLine) -> dict[str, Any]:
    f, b = ln.funding, ln.basis
    return {
        "family": ln.family_id,
        "option": ln.option,
        "venue": ln.venue,
        "venue_label": ln.venue_info.label,
        "expiry": ln.expiry,
        "side": ln.side,
        "hedged_usd": _money(ln.hedged_usd),
        "residual_usd": _money(ln.residual_usd),
        "funding_usd": _money(f.usd) if f else None,
        "funding_range_usd": [_money(f.low_usd), _money(f.high_usd)] if f else None,
        "funding_rate_8h_pct": _rate_8h(f.rate_8h) if f else None,
        "basis_usd": _money(b.usd) if b else None,
        "basis_pct": _pct(b.basis) if b else None,
        "basis_annual_pct": _pct(b.annual) if b else None,
        "days_to_expiry": b.days_to_expiry if b else None,
        "first_expiry": ln.rolls.first_expiry.isoformat() if ln.rolls else None,
        "rolls": [r.day.isoformat() for r in ln.rolls.rolls] if ln.rolls else [],
        "open_fee_usd": _money(ln.open_fee_usd),
        "close_fee_usd": _money(ln.close_fee_usd),
        "roll_fee_usd": _money(ln.roll_fee_usd),
        "fees_usd": _money(ln.fees_usd),
        "total_cost_usd": _money(ln.total_cost_usd),
        "annual_cost_pct": _pct(ln.annual_rate),
        "not_counted": list(ln.missing),
        "words": list(ln.words),
    }


def _to_dict(name: str, carry: PlanCarry, compared: tuple[VenueComparison, ...]) -> dict[str, Any]:
    return {
        "portfolio": name,
        "horizon_days": carry.horizon_days,
        "start": carry.start.isoformat(),
        "sign": "cost: positive = the hedge costs money, negative = it earns",
        "underlyings": [
            {
                "underlying": u.underlying,
                "family": u.family_id,
                "recommended": u.recommended,
                "problem": u.problem,
                "options": [_line_dict(ln) for ln in u.lines],
            }
            for u in carry.underlyings
        ],
        "compare_venues": [
            {
                "underlying": c.underlying,
                "target_usd": _money(c.target_usd),
                "problem": c.problem,
                "ranked": [{"rank": r.rank, **_line_dict(r.line)} for r in c.rows],
            }
            for c in compared
        ],
    }


# --------------------------------------------------------------------------- text


def _m(value: Decimal | None) -> str:
    from hedger.core.decimals import fmt_money

    return "—" if value is None else fmt_money(value, 0)


def _rate(value: Decimal | None) -> str:
    return "—" if value is None else f"{value * 100:.2f} %"


def _table(lines: list[CarryLine], first: str, first_of: Any) -> list[str]:
    head = [first, "hedged", "residual", "funding", "basis", "rolls", "fees", "cost", "cost/yr"]
    rows = [head]
    for ln in lines:
        rows.append(
            [
                clean(first_of(ln)),
                _m(ln.hedged_usd),
                _m(ln.residual_usd),
                _m(ln.funding.usd) if ln.funding else ("—" if ln.expiry == "perpetual" else ""),
                _m(ln.basis.usd) if ln.basis else ("—" if ln.expiry == "dated" else ""),
                str(ln.roll_count) if ln.rolls is not None else "",
                _m(ln.fees_usd),
                _m(ln.total_cost_usd) + ("*" if ln.missing else ""),
                _rate(ln.annual_rate),
            ]
        )
    return align(rows, "lrrrrrrrr")


def _ranked_name(ranks: dict[int, int]) -> Any:
    def name(ln: CarryLine) -> str:
        return f"{ranks[id(ln)]}. {ln.family_id} ({ln.option}, {ln.venue_info.label})"

    return name


def _render(name: str, carry: PlanCarry, compared: tuple[VenueComparison, ...]) -> str:
    out = [
        f"{name}: carry over {carry.horizon_days} days from {carry.start.isoformat()} "
        "(USD; cost > 0 costs money, < 0 earns; funding and basis > 0 are received)",
    ]
    for u in carry.underlyings:
        out.append("")
        if u.problem or not u.lines:
            out.append(f"{u.underlying}: {clean(u.problem or 'nothing to hedge')}")
            continue
        out.append(f"{u.underlying} with {u.family_id}:")
        out += ["  " + line for line in _table(list(u.lines), "option", lambda ln: ln.option)]
        rec = u.line(u.recommended) if u.recommended else None
        if rec is not None:
            for sentence in rec.words:
                out += wrapped(clean(sentence), f"  {rec.option}: ")
    for c in compared:
        out += ["", f"Compare venues for {c.underlying} (target {_m(c.target_usd)} USD):"]
        if not c.rows:
            out.append(f"  {clean(c.problem or 'no family')}")
            continue
        table = _table(
            [r.line for r in c.rows],
            "# family (option, venue)",
            _ranked_name({id(r.line): r.rank for r in c.rows}),
        )
        out += ["  " + line for line in table]
    if any(ln.missing for u in carry.underlyings for ln in u.lines) or any(
        r.line.missing for c in compared for r in c.rows
    ):
        out += [
            "",
            "* part of the cost is not known and not counted (no funding history: "
            "'hedger funding download'; no basis: --basis FAMILY=PCT).",
        ]
    checks = {
        ln.basis.warning: None
        for ln in [
            *(x for u in carry.underlyings for x in u.lines),
            *(r.line for c in compared for r in c.rows),
        ]
        if ln.basis is not None and ln.basis.warning
    }
    for text in checks:
        out += ["", *wrapped(clean(text[:1].upper() + text[1:] + "."), "Warning: ")]
    return "\n".join(out) + "\n"
