"""``hedger plan FILE``: how many contracts of each size hedge a portfolio.

The start-up path users feel most: it loads no numpy and no Qt, and the
planner and models only once a file is being planned.
"""

from __future__ import annotations

import argparse
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from hedger.cli.args import (
    family_pair_arg,
    file_arg,
    leverage_arg,
    price_pair_arg,
    ratio_arg,
)
from hedger.cli.errors import EXIT_OK, CliError
from hedger.cli.loading import load_catalog, load_portfolio
from hedger.cli.output import align, clean, wrapped, write, write_json

if TYPE_CHECKING:
    from hedger.cli.commands import Command, SubParsers
    from hedger.core.planner import HedgeOption, Leg, Plan, UnderlyingPlan


def add_parser(sub: SubParsers, command: Command) -> None:
    p = sub.add_parser(
        command.name,
        help=command.help,
        description=(
            "Print how many contracts of each size hedge a portfolio, the margin, "
            "the residual and the liquidation price. Flags override the file's "
            "settings for every underlying."
        ),
    )
    p.add_argument("file", type=file_arg, metavar="FILE", help="portfolio file (.json)")
    p.add_argument(
        "--family",
        action="append",
        default=[],
        type=family_pair_arg,
        metavar="UNDERLYING=FAMILY",
        help="contract family for an underlying, e.g. BTC=CME-BTC (repeatable)",
    )
    p.add_argument(
        "--price",
        action="append",
        default=[],
        type=price_pair_arg,
        metavar="UNDERLYING=PRICE",
        help="futures price for an underlying, e.g. BTC=70500 (repeatable)",
    )
    p.add_argument("--ratio", type=ratio_arg, help="hedge ratio: 0.5 or 50%%")
    p.add_argument("--rounding", choices=("nearest", "down", "up"), help="whole-contract rounding")
    p.add_argument("--leverage", type=leverage_arg, help="leverage for margin, e.g. 10")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_plan)


def cmd_plan(args: argparse.Namespace) -> int:
    from hedger.core.planner import plan_portfolio
    from hedger.services.catalog import UnknownFamily
    from hedger.services.portfolios import apply_overrides

    catalog = load_catalog()
    portfolio = load_portfolio(args.file)
    # Re-validating the settings costs a schema build: only when a flag is given.
    # (--ratio 0 is a flag too, so compare with None rather than test truth.)
    scalars = (args.ratio, args.rounding, args.leverage)
    if args.family or args.price or any(v is not None for v in scalars):
        try:
            portfolio = apply_overrides(
                portfolio,
                catalog,
                families=args.family,
                prices=args.price,
                ratio=args.ratio,
                rounding=args.rounding,
                leverage=args.leverage,
            )
        except UnknownFamily as exc:
            raise CliError(f"{exc} (see 'hedger contracts')") from None
    plan = plan_portfolio(portfolio, catalog)
    if args.json:
        write_json(plan_to_dict(plan))
    else:
        write(render_plan(plan))
    if plan.problems:
        raise CliError("; ".join(plan.problems))
    return EXIT_OK


# --------------------------------------------------------------------------- JSON


def _money(value: Decimal) -> str:
    from hedger.core.decimals import fmt_decimal

    return fmt_decimal(value, 2)


def _plain(value: Decimal) -> str:
    from hedger.core.decimals import fmt_decimal

    return fmt_decimal(value)


def plan_to_dict(plan: Plan) -> dict[str, Any]:
    """The plan as JSON-ready data: decimals as strings, counts as integers."""
    t = plan.totals
    return {
        "portfolio": plan.portfolio,
        "ratio": _plain(plan.ratio),
        "rounding": plan.rounding,
        "leverage": _plain(plan.leverage),
        "underlyings": [_underlying_to_dict(u) for u in plan.underlyings],
        "totals": {
            "exposure_usd": _money(t.exposure_usd),
            "target_usd": _money(t.target_usd),
            "hedged_usd": _money(t.hedged_usd),
            "residual_usd": _money(t.residual_usd),
            "initial_margin_usd": _money(t.initial_margin_usd),
        },
        "value_usd": _money(plan.total_value_usd),
        "cash_usd": _money(plan.other_value_usd),
        "problems": list(plan.problems),
    }


def _underlying_to_dict(u: UnderlyingPlan) -> dict[str, Any]:
    return {
        "underlying": u.underlying,
        "family": u.family.id if u.family else None,
        "family_name": u.family.name if u.family else None,
        "futures_price": _plain(u.futures_price) if u.futures_price is not None else None,
        "futures_price_from_spot": u.futures_price_from_spot,
        "ratio": _plain(u.ratio),
        "rounding": u.rounding,
        "leverage": _plain(u.leverage),
        "holdings": u.holdings,
        "value_usd": _money(u.value_usd),
        "exposure_usd": _money(u.exposure_usd),
        "target_usd": _money(u.target_usd),
        "side": u.side,
        "recommended": u.recommended,
        "assumed_beta": list(u.assumed_beta_symbols),
        "warnings": list(u.warnings),
        "problem": u.problem,
        "options": [_option_to_dict(o, u) for o in u.options],
    }


def _option_to_dict(o: HedgeOption, u: UnderlyingPlan) -> dict[str, Any]:
    from hedger.core.decimals import fmt_decimal

    return {
        "name": o.name,
        "recommended": o.name == u.recommended,
        "side": o.side,
        "contracts": o.contracts,
        "legs": [
            {
                "contract": leg.contract.id,
                "name": leg.contract.name,
                "size": leg.contract.size_text(),
                "contracts": leg.contracts,
            }
            for leg in _json_legs(o)
        ],
        "exact_contracts": (
            fmt_decimal(o.exact_contracts, 6) if o.exact_contracts is not None else None
        ),
        "hedged_units": _plain(o.hedged_units),
        "hedged_usd": _money(o.hedged_usd),
        "residual_usd": _money(o.residual_usd),
        "residual_pct": _money(o.residual_pct),
        "initial_margin_usd": _money(o.initial_margin_usd),
        "fee_usd": _money(o.fee_usd),
        "liquidation_price": (
            _money(o.liquidation_price) if o.liquidation_price is not None else None
        ),
        "order": o.order_text(u.leverage),
        "warnings": list(o.warnings),
    }


def _json_legs(o: HedgeOption) -> list[Leg]:
    """The legs to show: a mix lists only sizes it uses (an order has no
    0-contract lines); a single tier keeps its one leg, even at 0 contracts,
    because it names the contract."""
    if o.name == "mix":
        return [leg for leg in o.legs if leg.contracts]
    return list(o.legs)


# --------------------------------------------------------------------------- table


def render_plan(plan: Plan) -> str:
    """The plan as aligned text for a terminal."""
    from hedger.core.decimals import fmt_decimal, fmt_money

    lines = [
        clean(plan.portfolio),
        f"Hedge ratio {fmt_decimal(plan.ratio * 100, 2)} %, rounding {plan.rounding}, "
        f"leverage {fmt_decimal(plan.leverage)}x",
    ]
    if not plan.underlyings:
        lines += ["", "Nothing to hedge: no holdings with market exposure."]
    for u in plan.underlyings:
        lines += ["", *_render_underlying(u)]
    t = plan.totals
    lines.append("")
    lines += wrapped(
        f"exposure {fmt_money(t.exposure_usd)} USD, target {fmt_money(t.target_usd)} USD, "
        f"hedged {fmt_money(t.hedged_usd)} USD, residual {fmt_money(t.residual_usd)} USD, "
        f"margin {fmt_money(t.initial_margin_usd)} USD",
        "Total (recommended options): ",
    )
    if plan.other_value_usd:
        lines.append(f"Cash and stablecoins: {fmt_money(plan.other_value_usd)} USD (not hedged)")
    return "\n".join(lines) + "\n"


def _render_underlying(u: UnderlyingPlan) -> list[str]:
    from hedger.core.decimals import fmt_decimal, fmt_money

    head = u.underlying
    if u.family is not None:
        head += f" — {u.family.id} ({clean(u.family.name)})"
    if u.futures_price is not None:
        src = " (from spot)" if u.futures_price_from_spot else ""
        head += f", futures {fmt_money(u.futures_price)} USD{src}"
    holdings = f"{u.holdings} holding{'s' if u.holdings != 1 else ''}"
    lines = [
        head,
        f"  Exposure {fmt_money(u.exposure_usd)} USD ({holdings}); "
        f"target {fmt_money(u.target_usd)} USD at ratio {fmt_decimal(u.ratio * 100, 2)} %",
        f"  Futures side {u.side}; rounding {u.rounding}; leverage {fmt_decimal(u.leverage)}x",
    ]
    if u.problem:
        lines.append(f"  Problem: {clean(u.problem)}")
    if u.options:
        lines += _options_table(u)
    warnings = list(u.warnings)
    rec = u.recommended_option
    if rec is not None:
        warnings += [w for w in rec.warnings if w not in warnings]
    if warnings:
        lines += ["", "  Warnings:"]
        for w in warnings:
            lines += wrapped(clean(w), "    ! ")
    return lines


def _options_table(u: UnderlyingPlan) -> list[str]:
    from hedger.core.decimals import fmt_money

    # Every option of an underlying has the same side (the line above says
    # it), so the table spends that width on the fee instead. USD amounts are
    # whole dollars (cents are noise at this scale; --json keeps them) and the
    # contracts column holds counts only: the orders below name each
    # contract, so a large book still fits 100 columns.
    header = [
        "",
        "option",
        "contracts",
        "hedged USD",
        "residual USD",
        "residual %",
        "margin USD",
        "fee USD",
        "liquidation",
    ]
    rows = [header]
    for o in u.options:
        rows.append(
            [
                "*" if o.name == u.recommended else "",
                o.name,
                _counts_text(o),
                fmt_money(o.hedged_usd, 0),
                fmt_money(o.residual_usd, 0),
                f"{fmt_money(o.residual_pct)} %",
                fmt_money(o.initial_margin_usd, 0),
                fmt_money(o.fee_usd),
                fmt_money(o.liquidation_price) if o.liquidation_price is not None else "—",
            ]
        )
    lines = ["", *("  " + r for r in align(rows, "llrrrrrrr"))]
    if u.recommended:
        lines.append(f"  * recommended: {u.recommended}")
    lines += ["", "  Orders:"]
    width = max(len(o.name) for o in u.options)
    for o in u.options:
        lines += wrapped(clean(o.order_text(u.leverage)), f"    {o.name:<{width}}  ")
    return lines


def _counts_text(o: HedgeOption) -> str:
    """Contracts of an option: "5,374", or a mix's count per size, largest
    size first like the rows above it ("107 + 24", "1 + 0 + 4")."""
    if o.name == "mix":
        return " + ".join(f"{leg.contracts:,}" for leg in o.legs)
    return f"{o.contracts:,}"
