"""``hedger plan FILE``: how many contracts of each size hedge a portfolio.

The start-up path users feel most: it loads no numpy and no Qt, and the
planner and models only once a file is being planned.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from hedger.cli.args import (
    family_pair_arg,
    file_arg,
    leverage_arg,
    price_pair_arg,
    rally_arg,
    ratio_arg,
    usd_pair_arg,
)
from hedger.cli.errors import EXIT_OK, CliError
from hedger.cli.loading import load_catalog, load_portfolio
from hedger.cli.output import align, clean, wrapped, write, write_json

if TYPE_CHECKING:
    from hedger.cli.commands import Command, SubParsers
    from hedger.core.catalog import Catalog
    from hedger.core.models import Portfolio
    from hedger.core.planner import HedgeOption, Plan, UnderlyingPlan

# Kept importable from here: tests and scripts built on the old module.
__all__ = ["add_parser", "cmd_plan", "plan_to_dict", "render_plan"]


def plan_to_dict(plan: Plan) -> dict[str, Any]:
    from hedger.cli.plan_json import plan_to_dict as to_dict

    return to_dict(plan)


def add_parser(sub: SubParsers, command: Command) -> None:
    p = sub.add_parser(
        command.name,
        help=command.help,
        description=(
            "Print how many contracts of each size hedge a portfolio, the order to type "
            "into the venue's form (in its unit: contracts, coin or USD), the margin the "
            "venue asks, the collateral for a rally, the residual and the liquidation "
            "price. Flags override the file's settings for every underlying. Shares read "
            "one way: 50% is fifty per cent, a bare number is a fraction (0.5)."
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
        help="futures price for an underlying, e.g. BTC=70500, or BTC=spot to use spot "
        "(repeatable)",
    )
    p.add_argument(
        "--target",
        action="append",
        default=[],
        type=usd_pair_arg("target", "BTC=1500USD"),
        metavar="UNDERLYING=USD",
        help="hedge a dollar amount instead of a share, e.g. BTC=1500USD (repeatable)",
    )
    p.add_argument("--ratio", type=ratio_arg, help="hedge ratio: 50%% or 0.5")
    p.add_argument("--rounding", choices=("nearest", "down", "up"), help="whole-contract rounding")
    p.add_argument("--leverage", type=leverage_arg, help="leverage for margin, e.g. 2")
    p.add_argument(
        "--margin-mode", choices=("isolated", "cross"), help="isolated (default) or cross margin"
    )
    p.add_argument(
        "--collateral",
        action="append",
        default=[],
        type=usd_pair_arg("collateral", "BTC=20000"),
        metavar="UNDERLYING=USD",
        help="collateral you will keep behind a hedge, e.g. BTC=20000 (repeatable)",
    )
    p.add_argument(
        "--rally", type=rally_arg, help="the rise the collateral plan must survive (default 30%%)"
    )
    p.add_argument(
        "--account",
        choices=("retail", "professional"),
        help="the margin class of your account where a venue has two (default retail)",
    )
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_plan)


def cmd_plan(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from hedger.core.planner import plan_portfolio

    catalog = load_catalog()
    portfolio = _with_flags(load_portfolio(args.file), catalog, args)
    # Now: a fetched futures price is judged by its age too.
    plan = plan_portfolio(portfolio, catalog, now=datetime.now(UTC))
    if args.json:
        from hedger.cli.plan_json import plan_to_dict

        write_json(plan_to_dict(plan))
    else:
        write(render_plan(plan))
    if plan.problems:
        raise CliError("; ".join(plan.problems))
    return EXIT_OK


def _with_flags(portfolio: Portfolio, catalog: Catalog, args: argparse.Namespace) -> Portfolio:
    from hedger.services.catalog import UnknownFamily

    # Re-validating the settings costs a schema build: only when a flag is given.
    # (--ratio 0 is a flag too, so compare with None rather than test truth.)
    scalars = (args.ratio, args.rounding, args.leverage, args.margin_mode, args.rally, args.account)
    lists = (args.family, args.price, args.target, args.collateral)
    if not any(lists) and all(v is None for v in scalars):
        return portfolio
    from hedger.services.portfolios import apply_overrides

    try:
        return apply_overrides(
            portfolio,
            catalog,
            families=args.family,
            prices=args.price,
            ratio=args.ratio,
            rounding=args.rounding,
            leverage=args.leverage,
            targets=args.target,
            collaterals=args.collateral,
            rally=args.rally,
            margin_mode=args.margin_mode,
            account=args.account,
        )
    except UnknownFamily as exc:
        raise CliError(f"{exc} (see 'hedger contracts')") from None


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
    held = plan.held_totals
    if held is not None:
        lines += wrapped(
            f"hedge {fmt_money(held.hedged_usd)} USD of the {fmt_money(t.target_usd)} USD "
            f"target, residual {fmt_money(held.residual_usd)} USD; the orders above close the gap",
            "Held now (positions): ",
        )
    if plan.other_value_usd:
        lines.append(f"Cash and stablecoins: {fmt_money(plan.other_value_usd)} USD (not hedged)")
    return "\n".join(lines) + "\n"


_ORIGIN = {"spot": " (from spot)", "fetched": " (fetched)", "typed": " (typed)", "none": ""}


def _render_underlying(u: UnderlyingPlan) -> list[str]:
    from hedger.core.decimals import fmt_decimal, fmt_money

    head = u.underlying
    if u.family is not None:
        head += f" — {u.family.id} ({clean(u.family.name)})"
    if u.futures_price is not None:
        origin = u.futures_check.origin if u.futures_check is not None else None
        src = _ORIGIN[origin] if origin else (" (from spot)" if u.futures_price_from_spot else "")
        head += f", futures {fmt_money(u.futures_price)} USD{src}"
    holdings = f"{u.holdings} holding{'s' if u.holdings != 1 else ''}"
    if u.target_source == "usd":
        target = f"target {fmt_money(u.target_usd)} USD (your dollar target)"
    else:
        target = f"target {fmt_money(u.target_usd)} USD at ratio {fmt_decimal(u.ratio * 100, 2)} %"
    if u.untargeted_usd > 0:
        target += f"; {fmt_money(u.untargeted_usd)} USD not targeted"
    lines = [
        head,
        *wrapped(f"Exposure {fmt_money(u.exposure_usd)} USD ({holdings}); {target}", "  "),
        f"  Futures side {u.side}; rounding {u.rounding}; leverage {fmt_decimal(u.leverage)}x; "
        f"{u.margin_mode} margin",
    ]
    if u.problem:
        lines.append(f"  Problem: {clean(u.problem)}")
    g = u.position_gap
    if g is not None and g.holds_anything:
        # What to type now closes the gap from what is held; the whole hedge from
        # nothing held follows, for comparison only.
        lines += _gap_lines(u)
        if u.options:
            lines += ["", "  The whole hedge from zero (for comparison: you hold positions):"]
            lines += _options_table(u, from_zero=True)
    else:
        if u.options:
            lines += _options_table(u)
        if g is not None:
            lines += _gap_lines(u)
    warnings = list(u.warnings)
    rec = u.recommended_option
    if rec is not None:
        warnings += [w for w in rec.warnings if w not in warnings]
    if warnings:
        lines += ["", "  Warnings:"]
        for w in warnings:
            lines += wrapped(clean(w), "    ! ")
    check = u.futures_check
    if check is not None and check.stale:
        lines += wrapped(
            f"use spot with --price {u.underlying}=spot, or fetch the futures price with "
            "'hedger prices refresh FILE'",
            "    → ",
        )
    return lines


def _options_table(u: UnderlyingPlan, *, from_zero: bool = False) -> list[str]:
    """The options table and their orders; ``from_zero``: positions are held, so these
    orders are the whole hedge from nothing held, not what to type now."""
    from hedger.core.decimals import fmt_money

    # Every option of an underlying has the same side (the line above says
    # it), so the table spends that width on the order and the fee; the
    # residual's share is in --json. USD amounts are whole dollars (cents are
    # noise at this scale; --json keeps them); the orders below spell out
    # each contract.
    header = [
        "",
        "option",
        "order",
        "contracts",
        "hedged USD",
        "residual USD",
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
                _order_cell(o),
                _counts_text(o),
                fmt_money(o.hedged_usd, 0),
                fmt_money(o.residual_usd, 0),
                fmt_money(o.initial_margin_usd, 0),
                fmt_money(o.fee_usd),
                _liquidation_cell(o),
            ]
        )
    lines = ["", *("  " + r for r in align(rows, "llrrrrrrr"))]
    if u.recommended:
        lines.append(f"  * recommended: {u.recommended}")
    if from_zero:
        lines += ["", "  Orders from zero (not what to type now: see the orders above):"]
    else:
        lines += ["", "  Orders (what to type into the venue's order form):"]
    width = max(len(o.name) for o in u.options)
    for o in u.options:
        lines += wrapped(clean(o.order_text(u.leverage)), f"    {o.name:<{width}}  ")
    rec = u.recommended_option
    if rec is not None and rec.trades:
        lines += ["", *_margin_lines(u, rec)]
    return lines


def _gap_lines(u: UnderlyingPlan) -> list[str]:
    """What is held, the orders to the target and the combined margin (positions only)."""
    from hedger.core.decimals import fmt_money

    g = u.position_gap
    assert g is not None
    out = ["", "  Held hedge (your positions):"]
    for line in (*g.held, *g.other):
        out += wrapped(clean(line.label), "    - ")
    if not g.holds_anything:
        out.append("    - none")
    out += wrapped(
        f"now {fmt_money(g.current_hedged_usd, 0)} USD hedged; target "
        f"{fmt_money(abs(g.target_usd), 0)} USD in whole contracts; after the orders "
        f"{fmt_money(g.hedged_usd, 0)} USD hedged, {fmt_money(g.residual_usd, 0)} USD residual",
        "    ",
    )
    if g.orders and g.holds_anything:
        head = "  Orders (what to type into the venue's order form, from what you hold):"
        if g.both_legs:
            head = "  Orders (what to type; both are needed, one on each position):"
        out.append(head)
        for o in g.orders:
            out += wrapped(clean(o.text), "    → ")
    elif g.orders:
        out.append("  Orders to the target:")
        for o in g.orders:
            out += wrapped(clean(o.text), "    → ")
    else:
        out += wrapped(clean(g.order_words), "  Orders to the target: ")
    out += wrapped(clean(g.margin_words), "  ")
    for text in g.liquidation_lines():
        out += wrapped(clean(f"Liquidation {text}"), "  ")
    for problem in g.problems:
        out += wrapped(clean(problem), "    ! ")
    return out


def _margin_lines(u: UnderlyingPlan, o: HedgeOption) -> list[str]:
    """Margin, liquidation and collateral of the recommended option, in words."""
    from hedger.core.decimals import fmt_money

    out: list[str] = []
    if o.margin is not None:
        out += wrapped(clean(o.margin.words), "  ")
    outcome = o.liquidation
    kept = u.collateral_usd
    backing = f"the {fmt_money(kept, 0)} USD you keep" if kept is not None else "the posted margin"
    if outcome is None or outcome.state == "none":
        where = f"none: with {backing} this position cannot be liquidated"
    elif outcome.state == "at_once":
        where = f"at once: {outcome.reason_for(backing)}"
    else:
        where = f"{outcome.short_text} with {backing}"
    mode = f"{u.margin_mode} margin"
    if u.margin_mode == "cross" and u.collateral_usd is None:
        # Cross margin: the account's free collateral backs the hedge too.
        mode += f"; say what your account keeps with --collateral {u.underlying}=USD"
    out += wrapped(f"{where} ({mode})", "  Liquidation: ")
    if o.collateral is not None:
        out += wrapped(clean(o.collateral.words), "  Collateral: ")
    return out


def _order_cell(o: HedgeOption) -> str:
    """What to type, in the venue's unit: ``0.386 BTC``, ``37,440 USD``, ``38.6 contracts``."""
    if not o.orders:
        return "—"
    units = {t.unit.rstrip("s") for t in o.orders}
    if len(o.orders) > 1 and len(units) == 1:
        from hedger.core.orders import quantity_text

        first = o.orders[0]
        amounts = " + ".join(quantity_text(t.contract, t.quantity).split(" ")[0] for t in o.orders)
        return f"{amounts} {first.unit if first.unit != 'contract' else 'contracts'}"
    return " + ".join(t.quantity_text for t in o.orders)


def _liquidation_cell(o: HedgeOption) -> str:
    from hedger.core.decimals import fmt_money

    if o.liquidation is not None and o.liquidation.state == "at_once":
        return "at once"
    if o.liquidation_price is None:
        return "none" if o.trades else "—"
    return fmt_money(o.liquidation_price)


def _counts_text(o: HedgeOption) -> str:
    """Contracts of an option: "5,374", or a mix's count per size, largest
    size first like the rows above it ("107 + 24", "1 + 0 + 4")."""
    if o.name == "mix":
        return " + ".join(f"{leg.contracts:,}" for leg in o.legs)
    return f"{o.contracts:,}"
