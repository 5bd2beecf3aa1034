"""``hedger contracts``: list the catalog; ``add``, ``add-family``, ``remove`` the user's own.

The user's contracts live in ``contracts.json`` in the data folder; changes
go through ``hedger.services.own_contracts``, which refuses to rewrite a file it
cannot read.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from hedger.cli.args import (
    contract_id_arg,
    family_id_arg,
    id_list_arg,
    positive_arg,
    rate_arg,
    symbol_arg,
)
from hedger.cli.commands import Parser
from hedger.cli.errors import EXIT_OK, CliError
from hedger.cli.loading import load_catalog
from hedger.cli.output import align, clean, wrapped, write, write_json

if TYPE_CHECKING:
    from hedger.cli.commands import Command, SubParsers
    from hedger.core.catalog import Catalog, Contract


def add_parser(sub: SubParsers, command: Command) -> None:
    p = sub.add_parser(
        command.name,
        help=command.help,
        description=(
            "List every known futures contract, grouped by family. With 'add', "
            "'add-family' or 'remove', change your own contracts and families "
            "(kept in contracts.json in Hedger's data folder)."
        ),
    )
    p.add_argument("--underlying", type=symbol_arg, help="only this underlying, e.g. BTC")
    p.add_argument("--user", action="store_true", help="only your own contracts and families")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_contracts)
    actions = p.add_subparsers(dest="action", metavar="ACTION", parser_class=Parser)
    _add_add_parser(actions)
    _add_family_parser(actions)
    rm = actions.add_parser(
        "remove",
        help="remove one of your contracts or families",
        description="Remove one of your own contracts or families (built-in ones stay).",
    )
    rm.add_argument("id", metavar="ID", help="a contract id (VENUE:SYMBOL) or a family id")
    rm.set_defaults(func=cmd_contracts_remove)


def _add_add_parser(actions: SubParsers) -> None:
    add = actions.add_parser(
        "add",
        help="add one of your own contracts",
        description=(
            "Add a futures contract of your own. ID is VENUE:SYMBOL, e.g. MYBROKER:SOL-1. "
            "Rates take 10% or 0.1. Sizes are coins per contract for linear contracts "
            "and the USD face value for inverse ones."
        ),
    )
    add.add_argument("id", type=contract_id_arg, metavar="ID", help="VENUE:SYMBOL")
    add.add_argument("--name", required=True, help="display name")
    add.add_argument(
        "--underlying", required=True, type=symbol_arg, metavar="COIN", help="e.g. BTC"
    )
    add.add_argument("--tier", required=True, choices=("standard", "mini", "micro", "nano"))
    add.add_argument("--kind", required=True, choices=("linear", "inverse"))
    add.add_argument(
        "--size", required=True, type=positive_arg("size"), metavar="N", help="per contract"
    )
    add.add_argument(
        "--step",
        type=positive_arg("quantity step"),
        metavar="N",
        help="order step, in the order unit (default 1)",
    )
    add.add_argument("--tick", type=positive_arg("tick"), metavar="N", help="price increment")
    add.add_argument(
        "--initial-margin", type=rate_arg("initial margin"), metavar="RATE", help="default 10%%"
    )
    add.add_argument(
        "--maintenance-margin",
        type=rate_arg("maintenance margin"),
        metavar="RATE",
        help="default 0.5%%",
    )
    add.add_argument(
        "--fee", type=rate_arg("fee"), metavar="RATE", help="taker fee rate, default 0.05%%"
    )
    add.add_argument("--expiry", choices=("perpetual", "dated"), default="perpetual")
    add.add_argument(
        "--min-notional",
        type=positive_arg("minimum notional"),
        metavar="USD",
        help="venue minimum",
    )
    add.add_argument("--source", metavar="TEXT", help="where the figures come from")
    add.add_argument(
        "--as-of", metavar="DATE", help="when they were checked, YYYY-MM-DD (default: today)"
    )
    add.add_argument("--notes", metavar="TEXT", help="a note shown with the contract")
    add.add_argument(
        "--family",
        type=family_id_arg,
        metavar="FAMILY_ID",
        help="also put it in this family of yours (created if new)",
    )
    add.add_argument("--replace", action="store_true", help="replace your contract with this ID")
    _add_order_and_margin_args(add)
    add.set_defaults(func=cmd_contracts_add)


def _add_order_and_margin_args(add: argparse.ArgumentParser) -> None:
    """How the venue's order form takes the contract, and a broker's USD margins."""
    add.add_argument(
        "--order-unit",
        choices=("contracts", "coin", "usd"),
        help="what the venue's order form takes (default contracts)",
    )
    add.add_argument(
        "--min-quantity",
        type=positive_arg("minimum quantity"),
        metavar="N",
        help="smallest order, in the order unit (default one step)",
    )
    add.add_argument(
        "--initial-margin-usd",
        type=positive_arg("initial margin"),
        metavar="USD",
        help="your broker's initial margin per contract, in USD (replaces the rate)",
    )
    add.add_argument(
        "--maintenance-margin-usd",
        type=positive_arg("maintenance margin"),
        metavar="USD",
        help="your broker's maintenance margin per contract, in USD",
    )


def _add_family_parser(actions: SubParsers) -> None:
    fam = actions.add_parser(
        "add-family",
        help="add a family of contracts that may be mixed",
        description="Add a family of your own: contracts on one underlying that may be mixed.",
    )
    fam.add_argument("id", type=family_id_arg, metavar="ID", help="e.g. MY-SOL")
    fam.add_argument(
        "--underlying", required=True, type=symbol_arg, metavar="COIN", help="e.g. SOL"
    )
    fam.add_argument(
        "--contracts",
        required=True,
        type=id_list_arg,
        metavar="A,B,...",
        help="contract ids, built-in or yours (1 to 6)",
    )
    fam.add_argument("--name", help="display name (default: the ID)")
    fam.add_argument("--notes", help="a note shown with the family's plans")
    fam.add_argument("--replace", action="store_true", help="replace your family with this ID")
    fam.set_defaults(func=cmd_contracts_add_family)


# --------------------------------------------------------------------------- commands


def cmd_contracts(args: argparse.Namespace) -> int:
    catalog = load_catalog()
    if args.json:
        write_json(catalog_to_dict(catalog, args.underlying, user_only=args.user))
    else:
        write(render_catalog(catalog, args.underlying, user_only=args.user))
    return EXIT_OK


def cmd_contracts_add(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from hedger.services.own_contracts import FamilyNotSaved, open_own_contracts

    own = open_own_contracts()
    own.check_free("contract", args.id, args.replace)
    venue, symbol = args.id.split(":", 1)
    values: dict[str, Any] = {
        "id": args.id,
        "venue": venue,
        "symbol": symbol,
        "name": args.name,
        "underlying": args.underlying,
        "tier": args.tier,
        "kind": args.kind,
        "size": args.size,
        "expiry": args.expiry,
        "source": args.source or "entered with 'hedger contracts add'",
        "as_of": args.as_of or datetime.now(UTC).date().isoformat(),
    }
    optional = {
        "quantity_step": args.step,
        "tick": args.tick,
        "initial_margin_rate": args.initial_margin,
        "maintenance_margin_rate": args.maintenance_margin,
        "fee_rate": args.fee,
        "min_notional": args.min_notional,
        "notes": args.notes,
        "order_unit": args.order_unit,
        "min_quantity": args.min_quantity,
        "initial_margin_usd": args.initial_margin_usd,
        "maintenance_margin_usd": args.maintenance_margin_usd,
    }
    values.update({k: v for k, v in optional.items() if v is not None})
    if args.as_of is not None:
        _check_date(args.as_of)
    contract = own.contract_from(values)
    try:
        saved = own.add_contract(contract, args.family)
    except FamilyNotSaved as exc:
        done = f"{_verb(args.id in own.catalog.contracts)} {contract.id} ({clean(contract.name)})"
        raise CliError(f"{done}, but not to family {exc.family_id}: {exc}") from None
    done = f"{_verb(saved.replaced)} {contract.id} ({clean(contract.name)})"
    if saved.family is not None:
        done += f" in family {saved.family.id}"
    write(f"{done[0].upper()}{done[1:]}; saved in {saved.path}\n")
    return EXIT_OK


def _verb(replaced: bool) -> str:
    return "replaced" if replaced else "added"


def _check_date(text: str) -> None:
    from datetime import date

    try:
        date.fromisoformat(text)
    except ValueError:
        raise CliError(f"--as-of must be a date like 2026-11-01, got {clean(text)!r}") from None


def cmd_contracts_add_family(args: argparse.Namespace) -> int:
    from hedger.services.own_contracts import UnknownContracts, open_own_contracts

    own = open_own_contracts()
    own.check_free("family", args.id, args.replace)
    values = {
        "id": args.id,
        "name": args.name or args.id,
        "underlying": args.underlying,
        "contracts": args.contracts,
        "notes": args.notes,
    }
    try:
        family = own.family_from(values)
    except UnknownContracts as exc:
        raise CliError(
            f"unknown contract {', '.join(exc.ids)} (see 'hedger contracts'; "
            "add your own with 'hedger contracts add')"
        ) from None
    verb = "Replaced" if own.add_family(family) else "Added"
    write(
        f"{verb} family {family.id} ({family.underlying}: {', '.join(family.contracts)}); "
        f"saved in {own.path}\n"
    )
    return EXIT_OK


def cmd_contracts_remove(args: argparse.Namespace) -> int:
    from hedger.services.own_contracts import NoSuchEntry, open_own_contracts

    own = open_own_contracts()
    try:
        removed = own.remove(args.id)
    except NoSuchEntry as exc:
        raise CliError(
            f"there is no contract or family {clean(exc.wanted)[:60]!r} (see 'hedger contracts')"
        ) from None
    write(f"Removed {removed.kind} {removed.id}; saved in {removed.path}\n")
    return EXIT_OK


# --------------------------------------------------------------------------- output


def _contract_to_dict(c: Contract) -> dict[str, Any]:
    from hedger.core.decimals import fmt_decimal

    def plain(value: Any) -> Any:
        if isinstance(value, Decimal):
            return fmt_decimal(value)
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [plain(v) for v in value]
        return value

    out: dict[str, Any] = plain(c.model_dump())
    return out


def catalog_to_dict(
    catalog: Catalog, underlying: str | None = None, *, user_only: bool = False
) -> dict[str, Any]:
    families = [
        f
        for f in catalog.families.values()
        if (underlying is None or f.underlying == underlying) and (f.user_defined or not user_only)
    ]
    contracts = [
        c
        for c in catalog.contracts.values()
        if (underlying is None or c.underlying == underlying) and (c.user_defined or not user_only)
    ]
    return {
        "families": [
            {
                "id": f.id,
                "name": f.name,
                "underlying": f.underlying,
                "contracts": [c.id for c in catalog.family_contracts(f.id)],
                "notes": f.notes,
                "user_defined": f.user_defined,
                "default": catalog.default_families.get(f.underlying) == f.id,
            }
            for f in families
        ],
        "contracts": [_contract_to_dict(c) for c in contracts],
    }


def _pct(rate: Decimal) -> str:
    from hedger.core.decimals import fmt_decimal

    return f"{fmt_decimal(rate * 100, 4)}%"


def _step_text(c: Contract) -> str:
    """The order step in the unit of the venue's order form: ``0.001 BTC``, ``10 USD``, ``1``."""
    from hedger.core.decimals import fmt_decimal
    from hedger.core.orders import unit_label

    step = fmt_decimal(c.quantity_step)
    return step if c.order_unit == "contracts" else f"{step} {unit_label(c)}"


def _contract_rows(contracts: Iterable[Contract]) -> list[str]:
    """A table row per contract with its rates, and under it the name, where
    the figures come from and when they were read."""
    from hedger.core.decimals import fmt_decimal

    header = ["contract", "tier", "kind", "size", "step", "tick", "init", "maint", "fee", "expiry"]
    rows = [header]
    details: list[tuple[str, str]] = []
    for c in contracts:
        rows.append(
            [
                c.id,
                c.tier,
                c.kind,
                c.size_text(),
                _step_text(c),
                fmt_decimal(c.tick) if c.tick is not None else "—",
                _pct(c.initial_margin_rate),
                _pct(c.maintenance_margin_rate),
                _pct(c.fee_rate),
                c.expiry,
            ]
        )
        yours = " (yours)" if c.user_defined else ""
        details.append(
            (
                f"{clean(c.name)}{yours}",
                # No break inside "(as of 2026-11-01)" (see wrapped).
                f"source: {clean(c.source)} (as\u00a0of\u00a0{clean(c.as_of)})",
            )
        )
    table = align(rows, "lllrrrrrrl")
    out = ["  " + table[0]]
    for row, (name, source) in zip(table[1:], details, strict=True):
        out += ["  " + row, *wrapped(name, "      "), *wrapped(source, "      ")]
    return out


def render_catalog(
    catalog: Catalog, underlying: str | None = None, *, user_only: bool = False
) -> str:
    """The catalog as text, family by family, then contracts in no family."""

    def wanted(underlying_of: str, user_defined: bool) -> bool:
        if underlying is not None and underlying_of != underlying:
            return False
        return user_defined or not user_only

    lines: list[str] = []
    in_family: set[str] = set()
    for f in catalog.families.values():
        members = catalog.family_contracts(f.id)
        if not wanted(f.underlying, f.user_defined):
            continue
        in_family.update(c.id for c in members)
        marks = []
        if catalog.default_families.get(f.underlying) == f.id:
            marks.append("default")
        if f.user_defined:
            marks.append("yours")
        mark = f" [{', '.join(marks)}]" if marks else ""
        lines += [f"{f.id} — {clean(f.name)} ({f.underlying}){mark}", *_contract_rows(members)]
        if f.notes:
            lines += wrapped(clean(f.notes), "  note: ")
        lines.append("")
    loose = [
        c
        for c in catalog.contracts.values()
        if c.id not in in_family and wanted(c.underlying, c.user_defined)
    ]
    if loose:
        lines += ["Not in any family", *_contract_rows(loose), ""]
    if not lines:
        lines = _nothing_listed(underlying, user_only)
    lines += wrapped(
        "Sizes are per contract (coins for linear, USD face value for inverse); step is the "
        "order quantity step in the unit the venue's order form takes (contracts unless a "
        "coin or USD is named). init, maint: default initial and maintenance margin rates; "
        "fee: taker fee rate. Margins and fees are editable defaults: venues change them.",
        "",
    )
    return "\n".join(lines) + "\n"


def _nothing_listed(underlying: str | None, user_only: bool) -> list[str]:
    whose = "of your own" if user_only else "known"
    where = f" for {underlying}" if underlying else ""
    lines = [f"No contracts {whose}{where}.", ""]
    if user_only:
        lines += ["Add one with 'hedger contracts add' (see 'hedger contracts add --help').", ""]
    return lines
