"""``hedger backtest FILE``: the portfolio hedged and unhedged over stored price history."""

from __future__ import annotations

import argparse
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from hedger.cli.analytics import (
    CONVENTIONS,
    add_portfolio_args,
    load_inputs,
    money_text,
    pct,
    pct_text,
    usd,
)
from hedger.cli.args import date_arg, int_arg, parse_date_ns
from hedger.cli.errors import EXIT_OK, CliError
from hedger.cli.output import align, clean, wrapped, write, write_json

if TYPE_CHECKING:
    from hedger.cli.commands import Command, SubParsers
    from hedger.core.analytics.backtest import BacktestConfig, BacktestResult
    from hedger.core.analytics.performance import Figures


def add_parser(sub: SubParsers, command: Command) -> None:
    p = sub.add_parser(
        command.name,
        help=command.help,
        description=(
            "Value the portfolio and its current hedge over stored price history: held "
            "fixed, or re-sized weekly or monthly. Figures: return, volatility, maximum "
            "drawdown, worst day. Perpetual hedges receive or pay funding at each stored "
            "funding time ('hedger funding download'); dated hedges roll on their expiry "
            "calendar and pay fees on both legs. Spot P&L, hedge P&L, funding and fees are "
            "shown apart."
        ),
        epilog=CONVENTIONS["backtest"],
    )
    add_portfolio_args(p)
    p.add_argument("--start", type=date_arg, help="first day, YYYY-MM-DD (default: all)")
    p.add_argument("--end", type=date_arg, help="last day, YYYY-MM-DD (inclusive)")
    p.add_argument("--rebalance", choices=("none", "weekly", "monthly"), default="none")
    p.add_argument(
        "--interval",
        choices=("native", "hour", "day"),
        default="native",
        help="price points used (default: every stored point)",
    )
    p.add_argument(
        "--no-liquidation",
        action="store_true",
        help="assume margin is topped up (no liquidation)",
    )
    p.add_argument("--no-fees", action="store_true", help="leave trading fees out")
    p.add_argument(
        "--roll-days",
        type=int_arg,
        help="dated contracts roll this many business days before expiry (default 5 for CME)",
    )
    p.add_argument(
        "--no-carry",
        action="store_true",
        help="leave funding and calendar rolls out (the hedge is then valued as before)",
    )
    p.set_defaults(func=cmd_backtest)


def cmd_backtest(args: argparse.Namespace) -> int:
    from hedger.core.analytics.backtest import BacktestConfig
    from hedger.core.analytics.series import NS_PER_DAY, NS_PER_HOUR
    from hedger.core.planner import plan_portfolio
    from hedger.services.analytics import backtest
    from hedger.services.carry import backtest_carry

    inputs = load_inputs(args)
    start = parse_date_ns(args.start) if args.start else None
    end = parse_date_ns(args.end, end_of_day=True) if args.end else None
    if start is not None and end is not None and end <= start:
        raise CliError("--end must be after --start")
    interval = {"native": None, "hour": NS_PER_HOUR, "day": NS_PER_DAY}[args.interval]
    config = BacktestConfig(
        start_ns=start,
        end_ns=end,
        rebalance=args.rebalance,
        model_liquidation=not args.no_liquidation,
        include_fees=not args.no_fees,
        interval_ns=interval,
    )
    if args.roll_days is not None and args.roll_days > 30:
        raise CliError("--roll-days must be at most 30")
    plan = plan_portfolio(inputs.portfolio, inputs.catalog)
    carry = None
    if not args.no_carry:
        carry = backtest_carry(inputs.catalog, plan, roll_days=args.roll_days)
    result = backtest(
        inputs.portfolio,
        inputs.catalog,
        inputs.histories,
        config,
        inputs.hedge_series,
        plan=plan,
        carry=carry,
    )
    name = inputs.portfolio.name
    if args.json:
        write_json(_backtest_to_dict(name, result, config))
    else:
        from hedger.core.analytics.links import link_portfolio
        from hedger.core.analytics.words import backtest_words, cross_hedged

        links = link_portfolio(
            inputs.portfolio, inputs.catalog, inputs.histories, inputs.hedge_series
        )
        words = backtest_words(result, config.rebalance, cross_hedged(links))
        lead = [*wrapped(clean(words.lead), "")]
        if words.why:
            lead += wrapped(clean(words.why), "")
        write("\n".join([*lead, ""]) + "\n" + _render_backtest(name, result, config.rebalance))
    return EXIT_OK


# --------------------------------------------------------------------------- JSON


def _figures_to_dict(f: Figures) -> dict[str, Any]:
    from hedger.core.analytics.series import ns_to_iso

    return {
        "start_value": usd(f.start_value),
        "end_value": usd(f.end_value),
        "return_pct": pct(f.total_return),
        "volatility_pct": pct(f.volatility),
        "max_drawdown_pct": pct(f.max_drawdown),
        "worst_day_pct": pct(f.worst_day),
        "worst_day": ns_to_iso(f.worst_day_ns, date_only=True) if f.worst_day_ns else None,
        "pnl_usd": usd(f.pnl_usd),
        "volatility_usd": usd(f.volatility_usd),
        "max_drawdown_usd": usd(f.max_drawdown_usd),
        "worst_day_usd": usd(f.worst_day_usd),
        "worst_day_usd_date": (
            ns_to_iso(f.worst_day_usd_ns, date_only=True) if f.worst_day_usd_ns else None
        ),
    }


def _backtest_to_dict(name: str, r: BacktestResult, config: BacktestConfig) -> dict[str, Any]:
    from hedger.core.analytics.series import ns_to_iso

    return {
        "portfolio": name,
        "period": {
            "start": ns_to_iso(int(r.timestamps[0])),
            "end": ns_to_iso(int(r.timestamps[-1])),
            "points": int(r.timestamps.size),
        },
        "rebalance": config.rebalance,
        "liquidation": config.model_liquidation,
        "fees": config.include_fees,
        "unhedged": _figures_to_dict(r.unhedged_figures),
        "hedged": _figures_to_dict(r.hedged_figures),
        "spot_pnl_usd": usd(r.spot_pnl),
        "hedge_pnl_usd": usd(float(r.hedge_pnl[-1])),
        "funding_usd": usd(float(r.funding[-1])) if r.funding is not None else None,
        "fees_usd": usd(float(r.fees[-1])),
        "underlyings": [
            {
                "underlying": u.underlying,
                "hedge_series": u.hedge_series,
                "option": u.option,
                "opening": u.opening,
                "pnl_usd": usd(u.pnl_usd),
                "fees_usd": usd(u.fees_usd),
                "funding_usd": usd(u.funding_usd),
                "rolls": u.rolls,
                "liquidations": u.liquidations,
                "resizes": u.resizes,
            }
            for u in r.underlyings
        ],
        "events": [
            {"time": ns_to_iso(e.ns), "underlying": e.underlying, "kind": e.kind, "text": e.text}
            for e in r.events
        ],
        "proxied": list(r.proxied),
        "notes": list(r.notes),
    }


# --------------------------------------------------------------------------- text


def _dated(text: str, ns: int | None) -> str:
    from hedger.core.analytics.series import ns_to_iso

    return text + (f" ({ns_to_iso(ns, date_only=True)})" if ns else "")


def _figure_tables(r: BacktestResult) -> list[str]:
    rows = [["", "start USD", "end USD", "return", "volatility", "max drawdown", "worst day"]]
    usd_rows = [["", "P&L USD", "volatility USD", "max drawdown USD", "worst day USD"]]
    for label, f in (("unhedged", r.unhedged_figures), ("hedged", r.hedged_figures)):
        rows.append(
            [
                label,
                money_text(f.start_value),
                money_text(f.end_value),
                pct_text(f.total_return),
                pct_text(f.volatility),
                pct_text(f.max_drawdown),
                _dated(pct_text(f.worst_day), f.worst_day_ns),
            ]
        )
        usd_rows.append(
            [
                label,
                money_text(f.pnl_usd),
                money_text(f.volatility_usd),
                money_text(f.max_drawdown_usd),
                _dated(money_text(f.worst_day_usd), f.worst_day_usd_ns),
            ]
        )
    lines = [*align(rows, "lrrrrrr"), ""]
    if not all(f.percentages_defined for f in (r.unhedged_figures, r.hedged_figures)):
        lines.append("Percentages need a positive start value (net short here); in USD:")
    return lines + align(usd_rows, "lrrrr")


def _pnl_lines(r: BacktestResult) -> list[str]:
    """Spot P&L, hedge P&L, funding and fees, each on its own line."""
    from hedger.core.decimals import fmt_money

    def m(value: float) -> str:
        return fmt_money(Decimal(repr(value))) + " USD"

    rows = [
        ["Spot P&L", m(r.spot_pnl), "the holdings"],
        ["Hedge P&L", m(float(r.hedge_pnl[-1])), "the futures, before funding and fees"],
    ]
    if r.funding is not None:
        f = float(r.funding[-1])
        rows.append(["Funding", m(f), "none" if f == 0 else ("received" if f > 0 else "paid")])
    rows.append(["Fees", m(-float(r.fees[-1])), "opening, re-sizing and rolls"])
    return align(rows, "lrl")


def _render_backtest(name: str, r: BacktestResult, rebalance: str) -> str:
    from hedger.core.analytics.series import ns_to_iso

    start, end = int(r.timestamps[0]), int(r.timestamps[-1])
    held = "held fixed" if rebalance == "none" else f"re-sized {rebalance}"
    lines = [
        f"{clean(name)}: {ns_to_iso(start, date_only=True)} to {ns_to_iso(end, date_only=True)} "
        f"({r.timestamps.size:,} points), hedge {held}",
        "",
        *_figure_tables(r),
        "",
        *_pnl_lines(r),
    ]
    for u in r.underlyings:
        extra = []
        if u.rolls:
            extra.append(f"{u.rolls} rolls")
        if u.resizes:
            extra.append(f"{u.resizes} re-sizings")
        if u.liquidations:
            extra.append(f"liquidated {u.liquidations}×")
        tail = f" ({', '.join(extra)})" if extra else ""
        lines.append(f"  {u.underlying} via {u.hedge_series}: {u.opening}{tail}")
    liq = [e for e in r.events if e.kind == "liquidation"]
    if liq:
        lines += ["", "Liquidations:"]
        lines += [f"  {ns_to_iso(e.ns)}  {e.text}" for e in liq[:10]]
        if len(liq) > 10:
            lines.append(f"  … and {len(liq) - 10} more")
    if r.proxied:
        lines.append(
            f"No own history for {', '.join(r.proxied)}: moved with beta × the hedge series."
        )
    lines += list(r.notes)
    return "\n".join(lines) + "\n"
