"""``hedger positions FILE [list|add|remove|placed|journal|import|key]``: the hedge you hold.

``list`` (the default) shows the futures positions a portfolio holds; ``add``
and ``remove`` edit them; ``placed UNDERLYING`` records that the orders
closing that underlying's gap were placed (the positions move, the journal
gets an entry per order); ``journal`` lists the journal (``--csv`` exports it);
``import EXCHANGE`` reads an account's positions read-only through ccxt with a
key kept in the system keyring (``key EXCHANGE`` enters it). Every change is a
locked read-change-write of the file.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hedger.cli.args import date_arg, decimal_arg, file_arg, positive_arg, symbol_arg
from hedger.cli.errors import EXIT_OK, CliError
from hedger.cli.loading import load_catalog, load_portfolio
from hedger.cli.output import align, clean, write, write_json

if TYPE_CHECKING:
    from hedger.cli.commands import Command, SubParsers
    from hedger.core.catalog import Catalog
    from hedger.core.models import JournalEntry, Portfolio, Position


def _quantity_arg(text: str) -> Any:
    value = decimal_arg(text, "quantity")
    if value == 0:
        raise argparse.ArgumentTypeError("quantity must not be 0 (negative for a short)")
    return value


UNIT_HELP = (
    "the unit of QUANTITY: the venue's own (BTC or ETH on Binance and Bybit USDT "
    "perpetuals, USD on Deribit, Bybit and Kraken inverse) or 'contracts' (the default "
    "only where the venue counts contracts: CME, OKX, Binance COIN-M); required elsewhere"
)


def add_parser(sub: SubParsers, command: Command) -> None:
    p = sub.add_parser(
        command.name,
        help=command.help,
        description=(
            "The futures positions a portfolio holds: list, add and remove them, record "
            "placed orders in the journal, or import an exchange account's positions "
            "read-only. A quantity is negative for a short, in the venue's own unit "
            "(--unit BTC for 0.6 BTC on Binance, --unit USD for 30000 USD on Deribit) or in "
            "contracts of the catalog contract (see 'hedger contracts'); positions are listed "
            "in both. Hedger never places orders."
        ),
    )
    p.add_argument("file", type=file_arg, metavar="FILE", help="portfolio file (.json)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    acts = p.add_subparsers(dest="action", metavar="ACTION", parser_class=type(p))
    ls = acts.add_parser("list", help="list the positions (the default)")
    add = acts.add_parser("add", help="add a position")
    add.add_argument("contract", metavar="CONTRACT", help="catalog contract id, e.g. CME:MBT")
    add.add_argument(
        "quantity",
        type=_quantity_arg,
        metavar="QUANTITY",
        help="signed, -3 = short; in the unit --unit says",
    )
    add.add_argument("--unit", metavar="UNIT", help=UNIT_HELP)
    add.add_argument("--entry", required=True, type=positive_arg("entry price"), metavar="PRICE")
    add.add_argument("--margin-mode", choices=("isolated", "cross"), default="isolated")
    add.add_argument("--collateral", type=positive_arg("collateral"), metavar="USD")
    add.add_argument("--account", metavar="LABEL", help="the venue account it is held in")
    add.add_argument("--expiry", type=date_arg, metavar="YYYY-MM-DD", help="dated contracts")
    rm = acts.add_parser("remove", help="remove position N (as listed)")
    rm.add_argument("number", type=int, metavar="N")
    pl = acts.add_parser("placed", help="record the orders closing an underlying's gap as placed")
    pl.add_argument("underlying", type=symbol_arg, metavar="UNDERLYING")
    jr = acts.add_parser("journal", help="list the hedge journal")
    jr.add_argument("--csv", action="store_true", help="export as CSV")
    im = acts.add_parser("import", help="import an exchange account's positions (read-only)")
    im.add_argument("exchange", metavar="EXCHANGE", help="ccxt id, e.g. binanceusdm")
    im.add_argument("--account", metavar="LABEL", help="account label (default: 'default')")
    key = acts.add_parser("key", help="keep a read-only API key in the system keyring")
    key.add_argument("exchange", metavar="EXCHANGE")
    key.add_argument("--account", metavar="LABEL")
    key.add_argument("--forget", action="store_true", help="remove the key kept")
    # --json after the action too ("positions FILE list --json", as the README shows);
    # SUPPRESS keeps one given before the action.
    for action in (ls, add, rm, pl, jr, im):
        action.add_argument(
            "--json", action="store_true", default=argparse.SUPPRESS, help="machine-readable"
        )
    p.set_defaults(func=cmd_positions)


def cmd_positions(args: argparse.Namespace) -> int:
    action = args.action or "list"
    handler = {
        "list": _list,
        "add": _add,
        "remove": _remove,
        "placed": _placed,
        "journal": _journal,
        "import": _import,
        "key": _key,
    }[action]
    return handler(args)


def _list(args: argparse.Namespace) -> int:
    portfolio = load_portfolio(args.file)
    if args.json:
        catalog = load_catalog()
        write_json({"positions": [position_to_dict(p, catalog) for p in portfolio.positions]})
    else:
        write(render_positions(portfolio, load_catalog()))
    return EXIT_OK


def _add(args: argparse.Namespace) -> int:
    from hedger.services.positions import add_position, parse_position

    catalog = load_catalog()
    data: dict[str, Any] = {
        "contract": _contract_id(args.contract),
        "quantity": args.quantity,
        "entry_price": args.entry,
        "margin_mode": args.margin_mode,
        "collateral_usd": args.collateral,
        "account": args.account,
        "expiry": args.expiry,
    }
    from hedger.core.held_positions import count_text
    from hedger.core.held_quantity import units_of
    from hedger.services.positions import PositionsError

    try:
        position = parse_position(data, catalog, args.unit)
    except PositionsError as exc:
        known = catalog.contracts.get(data["contract"])
        if args.unit is None and known is not None and known.order_unit != "contracts":
            own = units_of(known)[0]
            raise CliError(f"{exc}: add --unit {own} or --unit contracts") from None
        raise
    portfolio = add_position(args.file, position)
    c = catalog.contracts[position.contract]

    side = "short" if position.quantity < 0 else "long"
    held = f"{side} {count_text(c, position.quantity)} of {c.name}"
    _say_done(args, f"Added position {len(portfolio.positions)}", portfolio, held)
    return EXIT_OK


def _contract_id(text: str) -> str:
    venue, sep, symbol = text.strip().partition(":")
    return f"{venue.upper()}:{symbol}" if sep else text.strip()


def _remove(args: argparse.Namespace) -> int:
    from hedger.services.positions import remove_position

    portfolio, removed = remove_position(args.file, args.number)
    _say_done(args, f"Removed position {args.number} ({removed.contract})", portfolio)
    return EXIT_OK


def _placed(args: argparse.Namespace) -> int:
    from hedger.services.positions import mark_placed

    portfolio, entries = mark_placed(args.file, args.underlying, load_catalog())
    if args.json:
        write_json({"journal": [journal_to_dict(e) for e in entries]})
        return EXIT_OK
    lines = [f"Recorded as placed in {clean(args.file.name)}:"]
    lines += [f"  {clean(e.text)}" for e in entries]
    write("\n".join(lines) + f"\nNow holding {len(portfolio.positions)} position(s).\n")
    return EXIT_OK


def _journal(args: argparse.Namespace) -> int:
    portfolio = load_portfolio(args.file)
    if args.csv:
        from hedger.core.journal import journal_csv

        write(journal_csv(portfolio.journal))
    elif args.json:
        write_json({"journal": [journal_to_dict(e) for e in portfolio.journal]})
    else:
        write(render_journal(portfolio.journal))
    return EXIT_OK


def _import(args: argparse.Namespace) -> int:
    from hedger.services import positions as svc

    exchange = _known_exchange(args.exchange)
    credentials = svc.load_key(exchange, args.account)
    if credentials is None:
        raise CliError(
            f"no API key kept for {exchange} ({args.account or 'default'}); enter a read-only "
            f"key once with 'hedger positions {args.file} key {exchange}'"
        )
    catalog = load_catalog()
    outcome = svc.import_into_file(args.file, exchange, args.account, catalog, credentials)
    if args.json:
        write_json(
            {
                "imported": [position_to_dict(p, catalog) for p in outcome.imported],
                "journal": [journal_to_dict(e) for e in outcome.entries],
                "skipped": list(outcome.skipped),
                "message": outcome.message,
            }
        )
    else:
        write(clean(outcome.message) + "\n")
    return EXIT_OK


def _key(args: argparse.Namespace) -> int:
    import getpass

    from hedger.core.credentials import Credentials
    from hedger.services import positions as svc

    exchange = args.exchange.strip().lower()
    if not args.forget:
        exchange = _known_exchange(args.exchange)
    if args.forget:
        gone = svc.forget_key(exchange, args.account)
        write(f"{'Forgot' if gone else 'No key was kept for'} {exchange} key\n")
        return EXIT_OK
    if not svc.keyring_available():
        raise CliError(svc.keyring_hint())
    write(
        "Enter a READ-ONLY API key (no trading, no withdrawal rights). It is kept in the "
        "system keyring, never in a file.\n"
    )
    try:
        key = getpass.getpass("API key: ").strip()
        secret = getpass.getpass("Secret: ").strip()
        password = getpass.getpass("Passphrase (empty if none): ").strip() or None
    except EOFError:
        raise CliError(
            "no key kept: the input ended before the key, secret and passphrase"
        ) from None

    if not key or not secret:
        raise CliError("an API key and its secret are both needed")
    svc.save_key(exchange, args.account, Credentials(key, secret, password))
    write(f"Kept the {exchange} key ({args.account or 'default'}) in the system keyring\n")
    return EXIT_OK


def _known_exchange(text: str) -> str:
    """A ccxt exchange id the registry maps catalog contracts to; CliError naming them."""
    from hedger.services import positions as svc

    exchange = text.strip().lower()
    known = svc.import_exchanges()
    if exchange not in known:
        raise CliError(
            f"unknown exchange {clean(text.strip())!r}: no catalog contracts trade there "
            f"(one of: {', '.join(known)})"
        )
    return exchange


def _say_done(args: argparse.Namespace, what: str, portfolio: Portfolio, detail: str = "") -> None:
    if args.json:
        catalog = load_catalog()
        write_json({"positions": [position_to_dict(p, catalog) for p in portfolio.positions]})
    else:
        tail = f": {clean(detail)}" if detail else ""
        write(f"{what} in {clean(Path(args.file).name)}{tail}.\n")


# --------------------------------------------------------------------------- output


def position_to_dict(p: Position, catalog: Catalog | None = None) -> dict[str, Any]:
    """``quantity`` is contracts (as stored); ``venue_quantity`` and ``venue_unit`` the
    same position in the venue's own unit (0.6 BTC on Binance, 30000 USD on Deribit)."""
    from hedger.core.decimals import fmt_decimal
    from hedger.core.held_quantity import in_unit, unit_name, venue_unit

    c = None if catalog is None else catalog.contracts.get(p.contract)
    venue: dict[str, Any] = {"venue_quantity": None, "venue_unit": None}
    if c is not None:
        unit = venue_unit(c)
        venue = {
            "venue_quantity": fmt_decimal(in_unit(c, p.quantity, unit)),
            "venue_unit": unit_name(c, unit),
        }
    return {
        "contract": p.contract,
        "quantity": fmt_decimal(p.quantity),
        **venue,
        "entry_price": fmt_decimal(p.entry_price),
        "margin_mode": p.margin_mode,
        "collateral_usd": None if p.collateral_usd is None else fmt_decimal(p.collateral_usd),
        "account": p.account,
        "expiry": None if p.expiry is None else p.expiry.isoformat(),
        "source": p.source,
    }


def journal_to_dict(e: JournalEntry) -> dict[str, Any]:
    from hedger.core.decimals import fmt_decimal

    return {
        "at": e.at.isoformat(),
        "kind": e.kind,
        "underlying": e.underlying,
        "contract": e.contract,
        "account": e.account,
        "change": fmt_decimal(e.change),
        "before": fmt_decimal(e.before),
        "after": fmt_decimal(e.after),
        "futures_price": fmt_decimal(e.futures_price),
        "spot_price": None if e.spot_price is None else fmt_decimal(e.spot_price),
        "text": e.text,
    }


def render_positions(portfolio: Portfolio, catalog: Catalog) -> str:
    from hedger.core.decimals import fmt_money

    if not portfolio.positions:
        return (
            f"{clean(portfolio.name)} holds no futures positions. Add one with "
            "'hedger positions FILE add CONTRACT -3 --entry PRICE'.\n"
        )
    from hedger.core.held_quantity import grouped, venue_text

    rows = [
        [
            "#",
            "contract",
            "venue's unit",
            "contracts",
            "entry",
            "margin",
            "collateral USD",
            "account",
            "note",
        ]
    ]
    for i, p in enumerate(portfolio.positions, 1):
        c = catalog.contracts.get(p.contract)
        note = "not in the catalog" if c is None else ""
        if p.expiry is not None:
            note = f"expires {p.expiry.isoformat()}"
        rows.append(
            [
                str(i),
                p.contract,
                "-" if c is None else venue_text(c, p.quantity),
                grouped(p.quantity),
                fmt_money(p.entry_price),
                p.margin_mode,
                "-" if p.collateral_usd is None else fmt_money(p.collateral_usd, 0),
                clean(p.account or "-"),
                note,
            ]
        )
    return "\n".join(align(rows, "llrrrlrll")) + "\n"


def render_journal(entries: tuple[JournalEntry, ...]) -> str:
    from hedger.core.decimals import fmt_decimal, fmt_money

    if not entries:
        return "The journal is empty: mark orders as placed or import positions.\n"
    rows = [["time", "kind", "contract", "change", "after", "futures", "account"]]
    for e in entries:
        rows.append(
            [
                e.at.astimezone().strftime("%Y-%m-%d %H:%M"),
                e.kind,
                e.contract,
                fmt_decimal(e.change),
                fmt_decimal(e.after),
                fmt_money(e.futures_price),
                clean(e.account or "-"),
            ]
        )
    return "\n".join(align(rows, "lllrrrl")) + "\n"
