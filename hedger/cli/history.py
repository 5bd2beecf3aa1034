"""``hedger history import|list|delete``: the price histories the analytics use.

Histories (daily or intraday closes) are stored in the data folder and
shared by every portfolio; ``hedger.services.history`` reads and stores them.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hedger.cli.args import symbol_arg
from hedger.cli.errors import EXIT_OK, CliError
from hedger.cli.output import align, clean, write, write_json

if TYPE_CHECKING:
    from hedger.cli.commands import Command, SubParsers
    from hedger.services.history import HistoryImport, HistoryInfo

#: Row errors listed in --json output (the text output shows the report's own few).
SHOWN_ERRORS_JSON = 20


def add_parser(sub: SubParsers, command: Command) -> None:
    p = sub.add_parser(
        command.name,
        help=command.help,
        description=(
            "Price histories (daily or intraday closes) are stored in the data folder "
            "and shared by every portfolio."
        ),
    )
    actions = p.add_subparsers(dest="history_command", metavar="ACTION", parser_class=type(p))
    imp = actions.add_parser(
        "import",
        help="import a CSV of prices for a symbol",
        description=(
            "Import closes from a CSV: date,close / timestamp,price, a CoinGecko or Yahoo "
            "Finance export, or a Binance kline file. Re-importing merges and de-duplicates. "
            "A file with bad rows is refused unless --accept-partial is given."
        ),
    )
    imp.add_argument("file", type=Path, metavar="FILE")
    imp.add_argument("--symbol", required=True, type=symbol_arg, help="e.g. BTC")
    imp.add_argument("--source", help="where the data came from (default: the file name)")
    imp.add_argument(
        "--accept-partial",
        action="store_true",
        help="import the good rows even if some rows are bad",
    )
    imp.add_argument("--json", action="store_true", help="machine-readable output")
    imp.set_defaults(func=cmd_history_import)
    lst = actions.add_parser("list", help="list stored histories")
    lst.add_argument("--json", action="store_true", help="machine-readable output")
    lst.set_defaults(func=cmd_history_list)
    rm = actions.add_parser("delete", help="delete the stored history of a symbol")
    rm.add_argument("symbol", type=symbol_arg, metavar="SYMBOL")
    rm.set_defaults(func=cmd_history_delete)
    p.set_defaults(func=_history_usage)


def _history_usage(args: argparse.Namespace) -> int:
    raise CliError("history needs an action: import, list or delete (see 'hedger history --help')")


# --------------------------------------------------------------------------- import


def cmd_history_import(args: argparse.Namespace) -> int:
    from hedger.services.history import import_history

    done = import_history(
        args.file, args.symbol, source=args.source, accept_partial=args.accept_partial
    )
    if args.json:
        write_json(_import_to_dict(done))
    else:
        write(_render_import(done))
    if done.partial_refused:
        report = done.report
        bad = report.bad_count
        raise CliError(
            f"{report.source_name}: {bad:,} bad row{'s' if bad != 1 else ''}; nothing imported "
            f"(re-run with --accept-partial to import the {report.good_rows:,} good rows)"
        )
    if done.problem:
        raise CliError(done.problem)
    return EXIT_OK


def _import_to_dict(done: HistoryImport) -> dict[str, Any]:
    from hedger.core.analytics.series import ns_to_iso

    report, outcome = done.report, done.outcome
    s = report.series
    out: dict[str, Any] = {
        "symbol": done.symbol,
        "file": report.source_name,
        "format": report.layout.format_name,
        "time_column": report.layout.time_name,
        "price_column": report.layout.price_name,
        "rows_read": report.rows_read,
        "good_rows": report.good_rows,
        "bad_rows": report.bad_count,
        "duplicates": report.duplicates,
        "errors": [{"row": e.row, "reason": e.reason} for e in report.bad_rows[:SHOWN_ERRORS_JSON]],
        "first": ns_to_iso(s.first_ns) if s.first_ns is not None else None,
        "last": ns_to_iso(s.last_ns) if s.last_ns is not None else None,
        "notes": list(report.notes),
        "imported": outcome is not None,
    }
    if outcome is not None:
        out["added"] = outcome.stats.added
        out["replaced"] = outcome.stats.replaced
        out["unchanged"] = outcome.stats.unchanged
        out["stored"] = outcome.info.to_dict()
        out["damaged_kept_as"] = outcome.set_aside
    return out


def _render_import(done: HistoryImport) -> str:
    symbol, outcome = done.symbol, done.outcome
    lines = [done.report.summary()]
    if outcome is not None:
        st, info = outcome.stats, outcome.info
        lines.append(
            f"Imported into {symbol}: {st.added:,} new rows, {st.replaced:,} replaced, "
            f"{st.unchanged:,} unchanged; {symbol} now holds {info.rows:,} rows "
            f"({_info_span(info)})."
        )
        aside = outcome.set_aside_message()
        if aside:
            lines.append(aside)
    else:
        lines.append(f"Nothing imported into {symbol}.")
    return "\n".join(lines) + "\n"


def _info_span(info: HistoryInfo) -> str:
    from hedger.core.analytics.series import ns_to_iso

    if info.first_ns is None or info.last_ns is None:
        return "empty"
    return f"{ns_to_iso(info.first_ns)} to {ns_to_iso(info.last_ns)}"


# --------------------------------------------------------------------------- list, delete


def cmd_history_list(args: argparse.Namespace) -> int:
    from hedger.services.history import list_histories

    infos, damaged = list_histories()
    if args.json:
        write_json(
            {
                "histories": [i.to_dict() for i in infos],
                "damaged": [d.to_dict() for d in damaged],
            }
        )
        return EXIT_OK
    if not infos and not damaged:
        write(
            "No price histories yet. Import one with 'hedger history import FILE --symbol SYM'.\n"
        )
        return EXIT_OK
    lines: list[str] = []
    if infos:
        rows = [["symbol", "rows", "from", "to", "sources"]]
        for i in infos:
            span = _info_span(i).split(" to ")
            rows.append(
                [
                    i.symbol,
                    f"{i.rows:,}",
                    span[0],
                    span[-1],
                    clean(", ".join(i.sources[-3:])) or "—",
                ]
            )
        lines.extend(align(rows, "lrlll"))
    else:
        lines.append("No readable price histories.")
    lines.extend(f"damaged: {d.message()}" for d in damaged)
    write("\n".join(lines) + "\n")
    return EXIT_OK


def cmd_history_delete(args: argparse.Namespace) -> int:
    from hedger.services.history import delete_history

    delete_history(args.symbol)
    write(f"Deleted the price history of {args.symbol}.\n")
    return EXIT_OK
