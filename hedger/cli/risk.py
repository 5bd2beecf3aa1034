"""``hedger risk FILE``: Monte Carlo P&L hedged and unhedged; value at risk, expected shortfall."""

from __future__ import annotations

import argparse
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
from hedger.cli.args import horizon_arg, int_arg, seed_arg, window_arg
from hedger.cli.errors import EXIT_OK
from hedger.cli.output import align, clean, wrapped, write, write_json

if TYPE_CHECKING:
    from hedger.cli.commands import Command, SubParsers
    from hedger.core.analytics.risk import PnlSummary, RiskResult


def add_parser(sub: SubParsers, command: Command) -> None:
    p = sub.add_parser(
        command.name,
        help=command.help,
        description=(
            "Monte Carlo of the P&L over a horizon from the volatility and correlation "
            "in the history (normal) or by resampling historical days (bootstrap)."
        ),
        epilog=_basis_words() + "\n\n" + CONVENTIONS["risk"],
    )
    add_portfolio_args(p)
    p.add_argument(
        "--horizon", type=horizon_arg, default=7, help="1 day to 3 months: 1, 7d, 2w, 1m, 3m"
    )
    p.add_argument("--method", choices=("normal", "bootstrap"), default="normal")
    p.add_argument("--paths", type=int_arg, default=10_000, help="number of paths")
    p.add_argument("--seed", type=seed_arg, help="random seed, 0 to 2^63-1, to reproduce a result")
    p.add_argument(
        "--window", type=window_arg, default=365, help="days of history (e.g. 365, 2y, all)"
    )
    p.add_argument("--drift", action="store_true", help="keep the history's mean return")
    p.add_argument("--no-liquidation", action="store_true", help="assume margin is topped up")
    p.set_defaults(func=cmd_risk)


def _basis_words() -> str:
    from hedger.core.carry import RISK_BASIS_ASSUMPTION

    return RISK_BASIS_ASSUMPTION


def cmd_risk(args: argparse.Namespace) -> int:
    from hedger.core.analytics.risk import RiskConfig
    from hedger.services.analytics import simulate

    inputs = load_inputs(args)
    config = RiskConfig(
        horizon_days=args.horizon,
        method=args.method,
        paths=args.paths,
        seed=args.seed,
        lookback_days=args.window,
        drift=args.drift,
        model_liquidation=not args.no_liquidation,
    )
    result = simulate(
        inputs.portfolio, inputs.catalog, inputs.histories, config, inputs.hedge_series
    )
    if args.json:
        write_json(_risk_to_dict(inputs.portfolio.name, result))
    else:
        write(_render_risk(inputs.portfolio.name, result))
    return EXIT_OK


def _summary_to_dict(s: PnlSummary) -> dict[str, Any]:
    out: dict[str, Any] = {
        "mean_usd": usd(s.mean),
        "std_usd": usd(s.std),
        "p_loss_pct": pct(s.p_loss),
        "worst_usd": usd(s.worst),
        "best_usd": usd(s.best),
    }
    for t in s.tails:
        level = round(t.level * 100)
        out[f"var_{level}_usd"] = usd(t.var)
        out[f"es_{level}_usd"] = usd(t.es)
    return out


def _risk_to_dict(name: str, r: RiskResult) -> dict[str, Any]:
    from hedger.core.analytics.series import ns_to_iso

    return {
        "portfolio": name,
        "method": r.method,
        "horizon_days": r.horizon_days,
        "paths": r.paths,
        "seed": r.seed,
        "history": {
            "days": r.observations,
            "first": ns_to_iso(r.first_ns, date_only=True),
            "last": ns_to_iso(r.last_ns, date_only=True),
        },
        "start_value_usd": usd(r.start_value),
        "unhedged": _summary_to_dict(r.unhedged),
        "hedged": _summary_to_dict(r.hedged),
        "liquidated_paths_pct": pct(r.liquidated_share),
        "proxied": list(r.proxied),
        "notes": list(r.notes),
    }


def _render_risk(name: str, r: RiskResult) -> str:
    from hedger.core.analytics.series import ns_to_iso
    from hedger.core.analytics.words import risk_lead

    days = "day" if r.horizon_days == 1 else "days"
    lines = [
        *wrapped(risk_lead(r), ""),
        "",
        f"{clean(name)}: P&L over {r.horizon_days} {days}, {r.paths:,} paths ({r.method}), "
        f"seed {r.seed}",
        f"From {r.observations:,} daily returns, {ns_to_iso(r.first_ns, date_only=True)} to "
        f"{ns_to_iso(r.last_ns, date_only=True)}; value now {r.start_value:,.2f} USD",
        "",
    ]
    rows = [["", "VaR 95 %", "ES 95 %", "VaR 99 %", "ES 99 %", "mean", "P(loss)"]]
    for label, s in (("unhedged", r.unhedged), ("hedged", r.hedged)):
        rows.append(
            [
                label,
                money_text(s.tail(0.95).var),
                money_text(s.tail(0.95).es),
                money_text(s.tail(0.99).var),
                money_text(s.tail(0.99).es),
                money_text(s.mean),
                pct_text(s.p_loss),
            ]
        )
    lines += align(rows, "lrrrrrr")
    lines += ["", "VaR and ES are losses in USD (positive = money lost)."]
    lines += wrapped(_basis_words(), "")
    if r.liquidated_share > 0:
        lines.append(
            f"A hedge was liquidated in {r.liquidated_share * 100:.1f} % of paths "
            "(isolated margin, no top-up)."
        )
    if r.proxied:
        lines.append(
            f"No own history for {', '.join(r.proxied)}: moved with beta × the hedge series."
        )
    lines += list(r.notes)
    lines.append(f"Reproduce with --seed {r.seed} --paths {r.paths}.")
    return "\n".join(lines) + "\n"
