"""``hedger size``: contracts per tier that risk a given share of equity at the stop."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from hedger.cli.analytics import CONVENTIONS
from hedger.cli.args import money_arg, risk_arg, symbol_arg
from hedger.cli.errors import EXIT_OK, CliError
from hedger.cli.output import align, clean, wrapped, write, write_json

if TYPE_CHECKING:
    from hedger.cli.commands import Command, SubParsers
    from hedger.core.analytics.position_sizing import SizedOption, SizingResult


def add_parser(sub: SubParsers, command: Command) -> None:
    p = sub.add_parser(
        command.name,
        help=command.help,
        description=(
            "contracts = floor(equity x risk% / (|entry - stop| x multiplier)), per contract "
            "of a family, with the real loss at the stop, the margin and warnings."
        ),
        epilog=CONVENTIONS["size"],
    )
    p.add_argument("--equity", required=True, type=money_arg, help="account equity, USD")
    p.add_argument(
        "--risk",
        required=True,
        type=risk_arg,
        help="share of equity to risk per trade: 1%% or 0.01",
    )
    p.add_argument("--entry", required=True, type=money_arg, help="entry price")
    p.add_argument("--stop", required=True, type=money_arg, help="stop-loss price")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--family", type=str.upper, help="contract family, e.g. CME-BTC")
    group.add_argument("--underlying", type=symbol_arg, help="use its default family")
    p.add_argument("--leverage", type=money_arg, default=Decimal(10), help="default 10")
    p.add_argument("--fees", action="store_true", help="count fees against the risk")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_size)


def cmd_size(args: argparse.Namespace) -> int:
    from hedger.cli.loading import load_catalog
    from hedger.services.analytics import SizingRequest, size_trade
    from hedger.services.catalog import UnknownFamily

    request = SizingRequest(
        equity=args.equity,
        risk_percent=args.risk * 100,
        entry=args.entry,
        stop=args.stop,
        leverage=args.leverage,
        include_fees=args.fees,
        family_id=args.family,
        underlying=args.underlying or "BTC",
    )
    try:
        sized = size_trade(load_catalog(), request)
    except UnknownFamily as exc:
        raise CliError(f"{exc} (see 'hedger contracts')") from None
    family = sized.family
    if args.json:
        write_json(_sizing_to_dict(family.id, sized.result))
    else:
        write(_render_sizing(family.id, family.name, sized.result))
    return EXIT_OK


def _m(value: Decimal) -> str:
    from hedger.core.decimals import fmt_decimal

    return fmt_decimal(value, 2)


def _liquidation(o: SizedOption, shown: Callable[[Decimal], str]) -> str | None:
    """The liquidation price; ``none`` where the position cannot be liquidated."""
    if o.liquidation_price is None:
        return "none" if o.contracts else None
    return shown(o.liquidation_price)


def _sized_to_dict(o: SizedOption, recommended: str | None) -> dict[str, Any]:
    from hedger.core.decimals import fmt_decimal

    return {
        "name": o.name,
        "recommended": o.name == recommended,
        "contracts": o.contracts,
        "legs": [
            {"contract": leg.contract.id, "name": leg.contract.name, "contracts": leg.contracts}
            for leg in o.legs
        ],
        "loss_per_contract_usd": _m(o.loss_per_contract) if o.loss_per_contract else None,
        "loss_at_stop_usd": _m(o.loss_at_stop),
        "fees_usd": _m(o.fees),
        "loss_with_fees_usd": _m(o.loss_with_fees),
        "notional_usd": _m(o.notional),
        "margin_usd": _m(o.margin),
        "effective_leverage": fmt_decimal(o.effective_leverage, 2),
        "liquidation_price": _liquidation(o, _m),
        "risk_used_pct": _m(o.risk_used_pct),
        "order": o.order_text(),
        "warnings": list(o.warnings),
    }


def _sizing_to_dict(family_id: str, r: SizingResult) -> dict[str, Any]:
    from hedger.core.decimals import fmt_decimal

    return {
        "family": family_id,
        "equity_usd": _m(r.equity),
        "risk_pct": fmt_decimal(r.risk_percent),
        "risk_usd": _m(r.risk_usd),
        "entry": fmt_decimal(r.entry),
        "stop": fmt_decimal(r.stop),
        "side": r.side,
        "stop_distance": fmt_decimal(r.stop_distance),
        "stop_pct": _m(r.stop_percent),
        "leverage": fmt_decimal(r.leverage),
        "recommended": r.recommended,
        "options": [_sized_to_dict(o, r.recommended) for o in r.options],
        "warnings": list(r.warnings),
    }


def _options_table(r: SizingResult) -> list[str]:
    from hedger.core.decimals import fmt_money

    header = [
        "",
        "option",
        "contracts",
        "loss/contract",
        "loss at stop",
        "fees",
        "margin",
        "liquidation",
        "risk used",
    ]
    rows = [header]
    for o in r.options:
        rows.append(
            [
                "*" if o.name == r.recommended else "",
                o.name,
                f"{o.contracts:,}",
                fmt_money(o.loss_per_contract) if o.loss_per_contract is not None else "—",
                fmt_money(o.loss_at_stop),
                fmt_money(o.fees),
                fmt_money(o.margin),
                _liquidation(o, lambda v: fmt_money(v, 0)) or "—",
                f"{fmt_money(o.risk_used_pct, 0)} %",
            ]
        )
    return align(rows, "llrrrrrrr")


def _render_sizing(family_id: str, family_name: str, r: SizingResult) -> str:
    from hedger.core.analytics.words import sizing_lead
    from hedger.core.decimals import fmt_decimal, fmt_money

    lines = [
        *wrapped(clean(sizing_lead(r)), ""),
        "",
        f"Risk {fmt_decimal(r.risk_percent)} % of {fmt_money(r.equity)} USD = "
        f"{fmt_money(r.risk_usd)} USD; {r.side} at {fmt_money(r.entry)}, stop "
        f"{fmt_money(r.stop)} ({fmt_money(r.stop_percent)} % away); "
        f"leverage {fmt_decimal(r.leverage)}x",
        f"{family_id} — {family_name}",
        "",
        *_options_table(r),
    ]
    mix = r.option("mix")
    if mix is not None and mix.contracts:
        # The mix's order is a sentence: below the table, not in its contracts column.
        lines.append(f"   mix = {mix.order_text()}")
    if r.recommended:
        rec = r.option(r.recommended)
        assert rec is not None
        lines += ["", f"* {rec.order_text()}: loses {fmt_money(rec.loss_at_stop)} USD at the stop"]
    else:
        lines += ["", "No contract of this family fits the risk budget."]
    warnings = list(r.warnings)
    for o in r.options:
        warnings += [f"{o.name}: {w}" for w in o.warnings if o.contracts or o.name != "mix"]
    if warnings:
        lines += ["", "Warnings:", *(f"  ! {w}" for w in warnings)]
    return "\n".join(lines) + "\n"
