"""``hedger history import|download|list|delete``: the price histories the analytics use.

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
    from hedger.services.history_download import (
        DownloadProgress,
        DownloadReport,
        SymbolDownload,
    )

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
    _add_download_parser(actions)
    p.set_defaults(func=_history_usage)


def _history_usage(args: argparse.Namespace) -> int:
    raise CliError(
        "history needs an action: import, download, list or delete (see 'hedger history --help')"
    )


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


# --------------------------------------------------------------------------- download

#: Gaps and refused rows listed per symbol in the text output (--json lists more).
SHOWN_DETAILS = 3


def _add_download_parser(actions: Any) -> None:
    from hedger.services.history_download import DEFAULT_DAYS, MAX_DAYS, download_source_keys

    keys = download_source_keys()

    dl = actions.add_parser(
        "download",
        help="download daily or hourly closes from a venue's public candles",
        description=(
            "Download closes from a venue's public, key-less candle endpoint (Binance klines, "
            "Coinbase candles, OKX candles, or any exchange through ccxt when installed) and "
            "merge them into the stored history, as an import does. Stored: the close of each "
            "completed bar, of each UTC day (1d) or UTC hour (1h), dated by the bar's opening "
            "time in UTC; prices are in USDT (Binance, OKX) or USD (Coinbase). A symbol already "
            "stored resumes from its last stored bar: only the missing bars are fetched (and a "
            "few before, to check they still agree). Gaps are reported, never filled; bad rows "
            "are left out and counted. Exit 0 when something was downloaded or was already up "
            "to date, 2 when nothing was."
        ),
    )
    dl.add_argument("symbols", nargs="+", type=symbol_arg, metavar="SYMBOL", help="e.g. BTC ETH")
    dl.add_argument(
        "--days",
        type=int,
        default=DEFAULT_DAYS,
        metavar="N",
        help=f"how far back, in days (1-{MAX_DAYS}; default {DEFAULT_DAYS})",
    )
    dl.add_argument(
        "--interval",
        choices=("1d", "1h"),
        default="1d",
        help="1d: one close per UTC day (default); 1h: one per UTC hour",
    )
    dl.add_argument(
        "--source",
        metavar="SOURCE",
        help=f"where from: {', '.join(keys[:-1])} or {keys[-1]} (default {keys[0]})",
    )
    dl.add_argument("--json", action="store_true", help="machine-readable output")
    dl.set_defaults(func=cmd_history_download)


def cmd_history_download(args: argparse.Namespace) -> int:
    import sys

    from hedger.services.history_download import download_history

    progress = _TerminalProgress() if sys.stderr.isatty() else None
    try:
        report = download_history(
            args.symbols,
            days=args.days,
            interval=args.interval,
            source=args.source,
            on_progress=progress.show if progress is not None else None,
        )
    finally:
        if progress is not None:
            progress.clear()
    if args.json:
        write_json(_download_to_dict(report))
    else:
        write(_render_download(report))
    if not report.ok:
        problems = "; ".join(s.error or f"{s.symbol}: {s.state}" for s in report.symbols)
        raise CliError(f"nothing downloaded: {problems}")
    return EXIT_OK


class _TerminalProgress:
    """One line on stderr, rewritten as pages arrive (only when stderr is a terminal)."""

    def __init__(self) -> None:
        self._width = 0

    def show(self, p: DownloadProgress) -> None:
        import sys

        from hedger.cli.output import clean

        line = clean(f"[{p.index + 1}/{p.count}] {p.text} {p.fraction:.0%}")[:79]
        sys.stderr.write("\r" + line.ljust(self._width))
        sys.stderr.flush()
        self._width = len(line)

    def clear(self) -> None:
        import sys

        if self._width:
            sys.stderr.write("\r" + " " * self._width + "\r")
            sys.stderr.flush()


def _render_download(report: DownloadReport) -> str:
    from hedger.services.history_download import INTERVAL_WORDS, bar_text, symbol_line

    iv = report.interval
    lines = [
        f"{report.source_name}, {INTERVAL_WORDS[iv]}, "
        f"{bar_text(report.start_ms, iv)} to {bar_text(report.last_bar_ms, iv)}:"
    ]
    for s in report.symbols:
        line = symbol_line(s)
        if s.instrument:
            line = line.replace(f"{s.symbol}:", f"{s.symbol} ({s.instrument}):", 1)
        lines.append(line)
        lines.extend(_download_details(s, iv))
    if report.stopped:
        lines.append("Stopped; what was downloaded before is stored.")
    return "\n".join(lines) + "\n"


def _download_details(s: SymbolDownload, interval: str) -> list[str]:
    from hedger.services.history_download import bar_text

    lines = [
        f"  gap: no bars between {bar_text(g.after_ms, interval)} and "
        f"{bar_text(g.before_ms, interval)} ({g.missing:,} missing)"
        for g in s.gaps[:SHOWN_DETAILS]
    ]
    if s.gap_count > SHOWN_DETAILS:
        lines.append(f"  … and {s.gap_count - SHOWN_DETAILS:,} more gaps")
    lines.extend(f"  left out: {r}" for r in s.refused_reasons[:SHOWN_DETAILS])
    if s.refused > SHOWN_DETAILS:
        lines.append(f"  … and {s.refused - SHOWN_DETAILS:,} more rows left out")
    lines.extend(f"  note: {n}" for n in s.notes)
    return lines


def _download_to_dict(report: DownloadReport) -> dict[str, Any]:
    from hedger.services.history_download import WHAT_IS_STORED, bar_text

    iv = report.interval
    return {
        "source": report.source_key,
        "source_name": report.source_name,
        "interval": iv,
        "days": report.days,
        "price": WHAT_IS_STORED,
        "from": bar_text(report.start_ms, iv, iso=True),
        "to": bar_text(report.last_bar_ms, iv, iso=True),
        "stopped": report.stopped,
        "symbols": [_symbol_to_dict(s, iv) for s in report.symbols],
    }


def _symbol_to_dict(s: SymbolDownload, interval: str) -> dict[str, Any]:
    from hedger.services.history_download import bar_text

    outcome = s.imported.outcome if s.imported is not None else None
    return {
        "symbol": s.symbol,
        "state": s.state,
        "instrument": s.instrument or None,
        "requests": s.requests,
        "received": s.received,
        "added": outcome.stats.added if outcome is not None else 0,
        "replaced": outcome.stats.replaced if outcome is not None else 0,
        "unchanged": outcome.stats.unchanged if outcome is not None else 0,
        "refused": s.refused,
        "refused_examples": list(s.refused_reasons[:SHOWN_ERRORS_JSON]),
        "gap_count": s.gap_count,
        "missing_bars": s.missing_bars,
        "gaps": [
            {
                "after": bar_text(g.after_ms, interval, iso=True),
                "before": bar_text(g.before_ms, interval, iso=True),
                "missing": g.missing,
            }
            for g in s.gaps
        ],
        "notes": list(s.notes),
        "error": s.error,
        "stored": outcome.info.to_dict() if outcome is not None else None,
    }
