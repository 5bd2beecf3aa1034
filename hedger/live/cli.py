"""``hedger prices``: refresh a portfolio file's prices from public venues.

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
import json
import sys
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from hedger.core.catalog import Catalog
from hedger.core.decimals import fmt_decimal
from hedger.core.models import Portfolio
from hedger.live.age import (
    STALE_AFTER,
    PriceStatus,
    fmt_age,
    futures_price_status,
    holding_price_status,
)
from hedger.live.http import DEFAULT_TIMEOUT, HttpSettings, PriceSourceError, clip
from hedger.live.refresh import (
    DEFAULT_TIME_LIMIT,
    RefreshResult,
    describe_key,
    refresh_portfolio,
)
from hedger.live.sources import BUILTIN_SOURCES, http_settings_from_env, make_source
from hedger.live.validate import Plausibility, fmt_price

EXIT_OK = 0
EXIT_FAILED = 2
MAX_TIME_LIMIT = 600.0


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    prices = subparsers.add_parser(
        "prices",
        help="refresh or show live prices in a portfolio file",
        description="Live prices from public venue data (no account or API key needed).",
    )
    sub = prices.add_subparsers(dest="prices_command", metavar="ACTION", required=True)

    r = sub.add_parser(
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
            f"where to fetch from, in order: {', '.join(BUILTIN_SOURCES)} or ccxt:<exchange> "
            f"(repeatable; default: {', then '.join(BUILTIN_SOURCES)})"
        ),
    )
    r.add_argument("--spot-only", action="store_true", help="leave futures prices unchanged")
    r.add_argument(
        "--timeout",
        type=float,
        metavar="SECONDS",
        help=f"per-request timeout (default {DEFAULT_TIMEOUT:g})",
    )
    r.add_argument(
        "--time-limit",
        type=float,
        metavar="SECONDS",
        help=f"longest the whole refresh may take (default {DEFAULT_TIME_LIMIT:g})",
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

    s = sub.add_parser(
        "show",
        help="list the prices in a file with source and age (offline)",
        description="List each price in the file, where it came from and how old it is.",
    )
    s.add_argument("file", type=Path, metavar="FILE", help="portfolio file (.json)")
    s.add_argument("--json", action="store_true", help="machine-readable output")
    s.set_defaults(func=cmd_show)

    c = sub.add_parser(
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


def _fail(message: str) -> int:
    sys.stderr.write(f"hedger: {clip(message, 400)}\n")
    return EXIT_FAILED


def _warn(message: str) -> None:
    sys.stderr.write(f"hedger: warning: {clip(message, 400)}\n")


def _load(path: Path) -> Portfolio:
    from hedger.store.portfolio_file import load_portfolio

    return load_portfolio(path)


def _catalog() -> Catalog:
    from hedger.cli import load_catalog

    return load_catalog()


# --------------------------------------------------------------------------- refresh


def cmd_refresh(args: argparse.Namespace) -> int:
    from hedger.store.portfolio_file import PortfolioFileError, save_portfolio

    try:
        portfolio = _load(args.file)
    except PortfolioFileError as exc:
        return _fail(str(exc))
    try:
        settings = http_settings_from_env()
        if args.timeout is not None:
            settings = HttpSettings(
                timeout=args.timeout, retries=settings.retries, backoff=settings.backoff
            )
        sources = [make_source(k, settings=settings) for k in args.source or BUILTIN_SOURCES]
    except (PriceSourceError, ValueError) as exc:
        return _fail(str(exc))
    limit = DEFAULT_TIME_LIMIT if args.time_limit is None else args.time_limit
    if not 0 < limit <= MAX_TIME_LIMIT:
        return _fail(f"--time-limit must be between 0 and {MAX_TIME_LIMIT:g} seconds")
    result = refresh_portfolio(
        portfolio,
        sources,
        datetime.now(UTC),
        catalog=_catalog(),
        include_futures=not args.spot_only,
        plausibility=Plausibility(check_jumps=not args.accept_jumps),
        time_limit=limit,
    )
    failure: str | None = None
    if not result.ok:
        failure = result.summary()
    elif args.strict and not result.complete:
        first = result.messages()[0] if result.messages() else "some prices were not updated"
        failure = f"{first} (--strict: file not saved)"
    saved = False
    if failure is None and not args.dry_run:
        try:
            save_portfolio(args.file, result.portfolio)
        except PortfolioFileError as exc:
            failure = str(exc)
        else:
            saved = True
    if args.json:
        # Scripts read stdout: the reasons behind a failure belong there too.
        doc = _refresh_json(args.file, result, saved)
        doc["ok"] = failure is None
        doc["error"] = failure
        print(json.dumps(doc, indent=2, ensure_ascii=False))
    if failure is not None:
        return _fail(failure)
    if not args.json:
        _print_refresh(args.file, portfolio, result, saved)
    for message in result.messages():
        _warn(message)
    return EXIT_OK


def _signed_pct(old: Decimal | None, new: Decimal) -> str:
    if old is None or old == 0:
        return "new"
    pct = (new - old) / old * 100
    return f"{pct:+.2f} %"


def _print_refresh(path: Path, before: Portfolio, result: RefreshResult, saved: bool) -> None:
    rows: list[tuple[str, ...]] = [("PRICE", "OLD", "NEW", "CHANGE", "SOURCE")]
    for u in result.updates:
        old = "-" if u.old is None else fmt_price(u.old)
        source = f"{u.source} {u.instrument}" if u.instrument else u.source
        rows.append((describe_key(u.key), old, fmt_price(u.new), _signed_pct(u.old, u.new), source))
    for key in result.kept:
        old_price = _current_price(before, key)
        shown = "-" if old_price is None else fmt_price(old_price)
        rows.append((describe_key(key), shown, shown, "kept", "-"))
    _print_table(rows, right=(1, 2, 3))
    local = result.fetched_at.astimezone().strftime("%Y-%m-%d %H:%M:%S")
    where = f"saved to {path.name}" if saved else "dry run: file not changed"
    print(f"\nFetched {local} from {' + '.join(result.sources)}; {where}.")


def _current_price(portfolio: Portfolio, key: str) -> Decimal | None:
    if key.startswith("FUT:"):
        return portfolio.hedge.futures_prices.get(key.removeprefix("FUT:"))
    return next((h.price for h in portfolio.holdings if h.symbol == key), None)


def _refresh_json(path: Path, result: RefreshResult, saved: bool) -> dict[str, Any]:
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


def _print_table(rows: list[tuple[str, ...]], right: tuple[int, ...] = ()) -> None:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for row in rows:
        cells = [
            cell.rjust(widths[i]) if i in right else cell.ljust(widths[i])
            for i, cell in enumerate(row)
        ]
        print("  ".join(cells).rstrip())


# --------------------------------------------------------------------------- show


def cmd_show(args: argparse.Namespace) -> int:
    from hedger.store.portfolio_file import PortfolioFileError

    try:
        portfolio = _load(args.file)
    except PortfolioFileError as exc:
        return _fail(str(exc))
    now = datetime.now(UTC)
    entries: list[dict[str, Any]] = []
    for symbol in dict.fromkeys(h.symbol for h in portfolio.holdings):
        price = next(h.price for h in portfolio.holdings if h.symbol == symbol)
        holding = next(h for h in portfolio.holdings if h.symbol == symbol)
        status = holding_price_status(portfolio, symbol, now)
        if holding.is_stablecoin:
            source = "par" if price == 1 else "typed"
        else:
            source = status.source if status else "typed"
        entries.append(_show_entry(symbol, "spot", price, source, status))
    for u, price in portfolio.hedge.futures_prices.items():
        status = futures_price_status(portfolio, u, now)
        entries.append(
            _show_entry(
                f"{u} futures", "futures", price, status.source if status else "typed", status
            )
        )
    if args.json:
        print(json.dumps({"file": str(args.file), "prices": entries}, indent=2))
        return EXIT_OK
    rows: list[tuple[str, ...]] = [("PRICE", "VALUE", "SOURCE", "AGE")]
    for e in entries:
        age = e["age_text"] or "-"
        if e["stale"]:
            age += "  STALE"
        rows.append((e["name"], fmt_price(Decimal(e["price"])), e["source"], age))
    _print_table(rows, right=(1,))
    if any(e["stale"] for e in entries):
        minutes = int(STALE_AFTER.total_seconds() // 60)
        print(f"\nStale: fetched more than {minutes} min ago. Run 'hedger prices refresh'.")
    return EXIT_OK


def _show_entry(
    name: str, kind: str, price: Decimal, source: str, status: PriceStatus | None
) -> dict[str, Any]:
    return {
        "name": name,
        "kind": kind,
        "price": fmt_decimal(price),
        "source": source,
        "fetched_at": status.fetched_at.isoformat() if status else None,
        "age_seconds": int(status.age.total_seconds()) if status else None,
        "age_text": fmt_age(status.age) if status else None,
        "stale": bool(status and status.stale),
    }


# --------------------------------------------------------------------------- contracts


def cmd_contracts(args: argparse.Namespace) -> int:
    from hedger.core.catalog import builtin_catalog
    from hedger.live.ccxt_source import CcxtSource

    source = CcxtSource(args.exchange, timeout=http_settings_from_env().timeout)
    try:
        differences = source.compare_catalog(builtin_catalog())
    except PriceSourceError as exc:
        return _fail(str(exc))
    if args.json:
        print(
            json.dumps(
                [
                    {
                        "contract": d.contract_id,
                        "field": d.field,
                        "catalog": d.catalog,
                        "exchange": d.exchange,
                    }
                    for d in differences
                ],
                indent=2,
            )
        )
        return EXIT_OK
    if not differences:
        print(f"The catalog matches {source.exchange_id}'s market data.")
        return EXIT_OK
    for d in differences:
        print(d.message)
    print(
        f"\n{len(differences)} difference(s). The catalog was not changed; "
        "add corrected contracts as your own if the exchange is right."
    )
    return EXIT_OK


__all__ = ["cmd_contracts", "cmd_refresh", "cmd_show", "register"]
