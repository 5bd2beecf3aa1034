"""``hedger prices``: refresh a portfolio file's prices from public venues, or show their ages.

``hedger prices refresh FILE`` fetches spot (and perpetual futures) prices,
validates them, prints what changed and saves the file atomically (the old
version is kept as ``FILE.bak``). Exit status:

* 0 — at least one price was fetched and the file saved; venues that failed
  and prices that were kept are listed on stderr as ``hedger: warning: ...``;
* 2 — nothing could be fetched (every venue unreachable, every answer
  rejected), the file could not be read or saved, or ``--strict`` and some
  price was kept. One line on stderr (the worst problem first); the file is
  untouched. With ``--json`` the full result, every kept price with its
  reason, is still printed on stdout.

A whole refresh takes at most 20 s (``--time-limit``): a venue that does not
answer within the per-request timeout is not asked again, and requests still
waiting when the limit runs out are not made. A price far from the last
fetched one (5×) or from the typed one (10×) is rejected; ``--accept-jumps``
takes it anyway.

``hedger prices show FILE`` lists the prices in a file with their source and
age, offline. ``hedger prices contracts EXCHANGE`` compares the built-in
contract catalog with the exchange's markets (needs ``hedger[live]``).

Base URLs come from HEDGER_BINANCE_URL, HEDGER_BINANCE_FUTURES_URL,
HEDGER_COINBASE_URL and HEDGER_OKX_URL when set.
"""

from __future__ import annotations

import argparse
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hedger.cli.errors import EXIT_OK, CliError
from hedger.cli.output import align, clean, warn, write, write_json

if TYPE_CHECKING:
    from hedger.cli.commands import Command, SubParsers
    from hedger.core.models import Portfolio
    from hedger.services.prices import PriceAge, RefreshResult


def add_parser(sub: SubParsers, command: Command) -> None:
    prices = sub.add_parser(
        command.name,
        help=command.help,
        description="Live prices from public venue data (no account or API key needed).",
    )
    actions = prices.add_subparsers(dest="prices_command", metavar="ACTION", required=True)
    _add_refresh_parser(actions)
    s = actions.add_parser(
        "show",
        help="list the prices in a file with source and age (offline)",
        description="List each price in the file, where it came from and how old it is.",
    )
    s.add_argument("file", type=Path, metavar="FILE", help="portfolio file (.json)")
    s.add_argument("--json", action="store_true", help="machine-readable output")
    s.set_defaults(func=cmd_show)
    c = actions.add_parser(
        "contracts",
        help="check catalog contract sizes against an exchange (needs ccxt)",
        description=(
            "Load the exchange's public market list through ccxt and report catalog "
            "contracts whose size or kind differs. The catalog is never changed."
        ),
    )
    c.add_argument("exchange", metavar="EXCHANGE", help="ccxt exchange id, e.g. okx, deribit")
    c.add_argument("--json", action="store_true", help="machine-readable output")
    c.set_defaults(func=cmd_contracts)


def _add_refresh_parser(actions: SubParsers) -> None:
    from hedger.services.prices import refresh_defaults

    defaults = refresh_defaults()
    r = actions.add_parser(
        "refresh",
        help="fetch current prices and save them in the file",
        description=(
            "Fetch spot prices for the holdings and perpetual futures prices for the hedged "
            "underlyings, validate them and save the file (the previous version is kept as "
            ".bak). Exit 0 when prices were saved (problems listed as warnings), 2 when "
            "nothing could be fetched; the file is then left as it was. The futures price is "
            "the USDT-margined perpetual's mark price (the table names it), used for every "
            "contract on that coin: CME, dated and inverse contracts trade at a small basis "
            "to it. The whole refresh takes at most --time-limit seconds."
        ),
    )
    r.add_argument("file", type=Path, metavar="FILE", help="portfolio file (.json)")
    r.add_argument(
        "--source",
        action="append",
        metavar="SOURCE",
        help=(
            f"where to fetch from, in order: {', '.join(defaults.sources)} or ccxt:<exchange> "
            f"(repeatable; default: {', then '.join(defaults.sources)})"
        ),
    )
    r.add_argument("--spot-only", action="store_true", help="leave futures prices unchanged")
    r.add_argument(
        "--timeout",
        type=float,
        metavar="SECONDS",
        help=f"per-request timeout (default {defaults.timeout:g})",
    )
    r.add_argument(
        "--time-limit",
        type=float,
        metavar="SECONDS",
        help=f"longest the whole refresh may take (default {defaults.time_limit:g})",
    )
    r.add_argument(
        "--accept-jumps",
        action="store_true",
        help=(
            "accept prices far from the last fetched (5×) or typed (10×) price; "
            "they must still be positive and finite"
        ),
    )
    r.add_argument("--dry-run", action="store_true", help="show what would change; save nothing")
    r.add_argument(
        "--strict", action="store_true", help="save nothing and exit 2 unless every price updated"
    )
    r.add_argument("--json", action="store_true", help="machine-readable output")
    r.set_defaults(func=cmd_refresh)


# --------------------------------------------------------------------------- refresh


def cmd_refresh(args: argparse.Namespace) -> int:
    from hedger.cli.loading import load_catalog
    from hedger.services.errors import StoreError
    from hedger.services.prices import RefreshRequest, prepare_refresh, run_refresh, save_refresh

    request = RefreshRequest(
        sources=tuple(args.source or ()),
        timeout=args.timeout,
        time_limit=args.time_limit,
        include_futures=not args.spot_only,
        accept_jumps=args.accept_jumps,
    )
    prepared = prepare_refresh(args.file, request)
    result = run_refresh(prepared, load_catalog())
    failure: str | None = None
    if not result.ok:
        failure = result.summary()
    elif args.strict and not result.complete:
        first = result.messages()[0] if result.messages() else "some prices were not updated"
        failure = f"{first} (--strict: file not saved)"
    saved = False
    if failure is None and not args.dry_run:
        try:
            # Applied to the file as it is now: another program's save meanwhile stays.
            save_refresh(args.file, result)
        except StoreError as exc:
            failure = str(exc)
        else:
            saved = True
    if args.json:
        # Scripts read stdout: the reasons behind a failure belong there too.
        doc = _refresh_json(args.file, result, saved)
        doc["ok"] = failure is None
        doc["error"] = failure
        write_json(doc, ensure_ascii=False)
    if failure is not None:
        raise CliError(failure)
    if not args.json:
        _print_refresh(args.file, prepared.portfolio, result, saved)
    for message in result.messages():
        warn(message)
    return EXIT_OK


def _signed_pct(old: Decimal | None, new: Decimal) -> str:
    if old is None or old == 0:
        return "new"
    pct = (new - old) / old * 100
    return f"{pct:+.2f} %"


def _print_refresh(path: Path, before: Portfolio, result: RefreshResult, saved: bool) -> None:
    from hedger.services.prices import describe_key, fmt_price

    rows = [["PRICE", "OLD", "NEW", "CHANGE", "SOURCE"]]
    for u in result.updates:
        old = "-" if u.old is None else fmt_price(u.old)
        source = f"{u.source} {u.instrument}" if u.instrument else u.source
        rows.append([describe_key(u.key), old, fmt_price(u.new), _signed_pct(u.old, u.new), source])
    for key in result.kept:
        old_price = _current_price(before, key)
        shown = "-" if old_price is None else fmt_price(old_price)
        rows.append([describe_key(key), shown, shown, "kept", "-"])
    local = result.fetched_at.astimezone().strftime("%Y-%m-%d %H:%M:%S")
    where = f"saved to {path.name}" if saved else "dry run: file not changed"
    lines = [
        *align(rows, "lrrrl"),
        "",
        f"Fetched {local} from {' + '.join(result.sources)}; {where}.",
    ]
    write("\n".join(lines) + "\n")


def _current_price(portfolio: Portfolio, key: str) -> Decimal | None:
    if key.startswith("FUT:"):
        return portfolio.hedge.futures_prices.get(key.removeprefix("FUT:"))
    return next((h.price for h in portfolio.holdings if h.symbol == key), None)


def _refresh_json(path: Path, result: RefreshResult, saved: bool) -> dict[str, Any]:
    from hedger.core.decimals import fmt_decimal

    return {
        "file": str(path),
        "saved": saved,
        "fetched_at": result.fetched_at.isoformat(),
        "sources": list(result.sources),
        "updated": [
            {
                "key": u.key,
                "symbol": u.symbol,
                "kind": u.kind,
                "old": None if u.old is None else fmt_decimal(u.old),
                "new": fmt_decimal(u.new),
                "source": u.source,
                "instrument": u.instrument or None,
            }
            for u in result.updates
        ],
        "kept": [
            {
                "key": k,
                "reason": reason,
                "kind": result.severity.get(k, "unlisted"),
                "rejected_price": (
                    fmt_decimal(result.jumps[k].price) if k in result.jumps else None
                ),
            }
            for k, reason in result.kept.items()
        ],
        "errors": list(result.venue_errors),
        "stopped_by_time_limit": result.timed_out,
    }


# --------------------------------------------------------------------------- show


def cmd_show(args: argparse.Namespace) -> int:
    from hedger.cli.loading import load_portfolio
    from hedger.services.prices import STALE_AFTER, fmt_price, price_ages

    entries = [_show_entry(a) for a in price_ages(load_portfolio(args.file))]
    if args.json:
        write_json({"file": str(args.file), "prices": entries})
        return EXIT_OK
    rows = [["PRICE", "VALUE", "SOURCE", "AGE"]]
    for e in entries:
        age = e["age_text"] or "-"
        if e["stale"]:
            age += "  STALE"
        rows.append([e["name"], fmt_price(Decimal(e["price"])), clean(e["source"]), age])
    lines = align(rows, "lrll")
    if any(e["stale"] for e in entries):
        minutes = int(STALE_AFTER.total_seconds() // 60)
        lines += ["", f"Stale: fetched more than {minutes} min ago. Run 'hedger prices refresh'."]
    write("\n".join(lines) + "\n")
    return EXIT_OK


def _show_entry(a: PriceAge) -> dict[str, Any]:
    from hedger.core.decimals import fmt_decimal
    from hedger.services.prices import fmt_age

    status = a.status
    return {
        "name": a.name,
        "kind": a.kind,
        "price": fmt_decimal(a.price),
        "source": a.source,
        "fetched_at": status.fetched_at.isoformat() if status else None,
        "age_seconds": int(status.age.total_seconds()) if status else None,
        "age_text": fmt_age(status.age) if status else None,
        "stale": bool(status and status.stale),
    }


# --------------------------------------------------------------------------- contracts


def cmd_contracts(args: argparse.Namespace) -> int:
    from hedger.services.prices import compare_contract_sizes

    comparison = compare_contract_sizes(args.exchange)
    differences = comparison.differences
    if args.json:
        doc = [
            {
                "contract": d.contract_id,
                "field": d.field,
                "catalog": d.catalog,
                "exchange": d.exchange,
            }
            for d in differences
        ]
        write_json(doc)
        return EXIT_OK
    if not differences:
        write(f"The catalog matches {comparison.exchange}'s market data.\n")
        return EXIT_OK
    lines = [d.message for d in differences]
    lines += [
        "",
        f"{len(differences)} difference(s). The catalog was not changed; "
        "add corrected contracts as your own if the exchange is right.",
    ]
    write("\n".join(lines) + "\n")
    return EXIT_OK
