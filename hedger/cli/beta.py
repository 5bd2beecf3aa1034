"""``hedger beta FILE``: betas, correlations and minimum-variance hedge ratios from history."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from hedger.cli.analytics import CONVENTIONS, add_portfolio_args, fixed, load_inputs
from hedger.cli.args import window_arg
from hedger.cli.errors import EXIT_OK
from hedger.cli.output import align, clean, wrapped, write, write_json

if TYPE_CHECKING:
    from hedger.cli.commands import Command, SubParsers
    from hedger.core.analytics.estimation import HoldingEstimate, Window


def add_parser(sub: SubParsers, command: Command) -> None:
    p = sub.add_parser(
        command.name,
        help=command.help,
        description=(
            "For each holding with a history of its own and of its hedge underlying: beta "
            "(regression of returns), correlation, the minimum-variance hedge ratio "
            "h* = rho*sigmaS/sigmaF and hedge effectiveness rho^2."
        ),
        epilog=CONVENTIONS["beta"],
    )
    add_portfolio_args(p)
    p.add_argument(
        "--window", type=window_arg, default=365, help="days of history (e.g. 90, 1y, all)"
    )
    p.add_argument("--interval", choices=("hour", "day", "week"), default="day")
    p.set_defaults(func=cmd_beta)


def cmd_beta(args: argparse.Namespace) -> int:
    from hedger.core.analytics.estimation import Window
    from hedger.services.analytics import estimate_betas

    inputs = load_inputs(args)
    name = inputs.portfolio.name
    window = Window(lookback_days=args.window, interval=args.interval)
    estimates = estimate_betas(
        inputs.portfolio, inputs.catalog, inputs.histories, window, inputs.hedge_series
    )
    if args.json:
        write_json(
            {
                "portfolio": name,
                "window": {"lookback_days": args.window, "interval": args.interval},
                "holdings": [_estimate_to_dict(e) for e in estimates],
            }
        )
    else:
        write(_render_beta(name, window, estimates))
    return EXIT_OK


def _f(value: float, places: int = 4) -> str | None:
    return fixed(value, places)


def _estimate_to_dict(e: HoldingEstimate) -> dict[str, Any]:
    from hedger.core.analytics.series import ns_to_iso
    from hedger.core.decimals import fmt_decimal

    est = e.estimate
    out: dict[str, Any] = {
        "row": e.row,
        "symbol": e.symbol,
        "underlying": e.underlying,
        "hedge_series": e.hedge_series,
        "user_beta": fmt_decimal(e.user_beta) if e.user_beta is not None else None,
        "suggested_beta": fmt_decimal(e.suggested_beta) if e.suggested_beta is not None else None,
        "problem": e.problem,
    }
    if est is not None:
        out.update(
            beta=_f(est.beta),
            correlation=_f(est.correlation),
            hedge_ratio=_f(est.hedge_ratio),
            effectiveness=_f(est.effectiveness),
            sigma_holding_annual=_f(est.sigma_s_annual),
            sigma_hedge_annual=_f(est.sigma_f_annual),
            observations=est.observations,
            first=ns_to_iso(est.first_ns),
            last=ns_to_iso(est.last_ns),
        )
    return out


def _lead_lines(estimates: Sequence[HoldingEstimate]) -> list[str]:
    """What each estimate means, in words: one paragraph per holding, then a blank line."""
    from hedger.core.analytics.words import beta_words, betas_lead

    paragraphs = [beta_words(e) for e in estimates if e.estimate is not None]
    lines: list[str] = []
    for text in paragraphs or [betas_lead(estimates)]:
        if text:
            lines += [*wrapped(clean(text), ""), ""]
    return lines


def _render_beta(name: str, window: Window, estimates: Sequence[HoldingEstimate]) -> str:
    from hedger.core.analytics.series import ns_to_iso
    from hedger.core.decimals import fmt_decimal

    lines = [*_lead_lines(estimates), f"{clean(name)}: {window.describe()}", ""]
    rows = [["holding", "hedge", "your β", "est. β", "h*", "ρ", "ρ²", "σ hold", "σ hedge", "obs"]]
    problems = []
    for e in estimates:
        user = fmt_decimal(e.user_beta) if e.user_beta is not None else "(1)"
        est = e.estimate
        if est is None:
            rows.append([e.symbol, e.hedge_series, user, "—", "—", "—", "—", "—", "—", "—"])
            problems.append(f"  {e.symbol}: {e.problem}")
            continue
        rows.append(
            [
                e.symbol,
                e.hedge_series,
                user,
                f"{est.beta:.2f}",
                f"{est.hedge_ratio:.2f}",
                f"{est.correlation:.2f}",
                f"{est.effectiveness:.2f}",
                f"{est.sigma_s_annual * 100:.0f} %",
                f"{est.sigma_f_annual * 100:.0f} %",
                f"{est.observations:,}",
            ]
        )
    lines += align(rows, "llrrrrrrrr")
    with_est = [e.estimate for e in estimates if e.estimate is not None]
    if with_est:
        first = min(est.first_ns for est in with_est)
        last = max(est.last_ns for est in with_est)
        lines += [
            "",
            f"History used: {ns_to_iso(first, date_only=True)} to "
            f"{ns_to_iso(last, date_only=True)}. σ annualised; ρ² is the share of variance "
            "the hedge removes.",
        ]
    if problems:
        lines += ["", "Not estimated:", *problems]
    return "\n".join(lines) + "\n"
