"""``hedger funding download|list``: funding-rate histories of the catalog's perpetuals."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from hedger.cli.args import contract_id_arg, days_arg
from hedger.cli.errors import EXIT_OK, CliError
from hedger.cli.output import align, clean, warn, write, write_json

if TYPE_CHECKING:
    from hedger.cli.commands import Command, SubParsers
    from hedger.services.funding import FundingDownload, FundingProgress


def add_parser(sub: SubParsers, command: Command) -> None:
    p = sub.add_parser(
        command.name,
        help=command.help,
        description=(
            "Funding rates of perpetual futures, downloaded from the venues' public endpoints "
            "(Binance USDⓈ-M and COIN-M, OKX, Bybit, Deribit; others through ccxt when it is "
            "installed) and stored in the data folder beside the price histories. A positive "
            "rate means longs pay shorts: a short hedge receives it."
        ),
    )
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    d = actions.add_parser(
        "download",
        help="download funding history (default: every perpetual in the catalog)",
        description=(
            "Download and store funding rates; each contract is checked (malformed or "
            "unbelievable answers store nothing) and merged into what is stored. OKX keeps "
            "only about 3 months. Exit 0 when something was stored, 2 when nothing was."
        ),
    )
    d.add_argument(
        "contracts",
        nargs="*",
        type=contract_id_arg,
        metavar="CONTRACT",
        help="e.g. BINANCE:BTCUSDT",
    )
    d.add_argument("--venue", action="append", default=[], help="only this venue (repeatable)")
    d.add_argument("--days", type=days_arg, default=365, help="how far back (default 365; 6m, 2y)")
    d.add_argument("--json", action="store_true", help="machine-readable output")
    d.set_defaults(func=cmd_download)
    ls = actions.add_parser("list", help="list stored funding histories and where each comes from")
    ls.add_argument("--json", action="store_true", help="machine-readable output")
    ls.set_defaults(func=cmd_list)


def cmd_download(args: argparse.Namespace) -> int:
    import sys

    from hedger.cli.loading import load_catalog
    from hedger.services.funding import download_funding, select_contracts

    catalog = load_catalog()
    contracts = select_contracts(catalog, args.contracts, args.venue)
    interactive = sys.stderr.isatty()

    def progress(p: FundingProgress) -> None:
        if interactive:
            sys.stderr.write(f"\r{clean(p.text)}\x1b[K")
            sys.stderr.flush()

    result = download_funding(contracts, days=args.days, on_progress=progress)
    if interactive:
        sys.stderr.write("\r\x1b[K")
    if args.json:
        write_json(_download_dict(result))
    else:
        write(_download_text(result))
    if result.failed and len(result.failed) == len(result.results):
        # Refused or failed answers are bad input from outside, not a bug in
        # Hedger: exit 2 with one line, as `history download` does.
        problems = "; ".join(f"{r.contract_id}: {r.problem}" for r in result.failed)
        raise CliError(f"no funding was stored: {problems}")
    for r in result.failed:
        warn(f"{r.contract_id}: {r.problem}")
    return EXIT_OK


def _download_dict(result: FundingDownload) -> dict[str, Any]:
    from hedger.core.funding import ms_to_iso

    return {
        "cancelled": result.cancelled,
        "contracts": [
            {
                "contract": r.contract_id,
                "stored": r.stored is not None,
                "new_rows": r.new_rows,
                "rows": r.stored.rows if r.stored else None,
                "first": ms_to_iso(r.stored.first_ms) if r.stored and r.stored.first_ms else None,
                "last": ms_to_iso(r.stored.last_ms) if r.stored and r.stored.last_ms else None,
                "problem": r.problem,
                "notes": list(r.notes),
            }
            for r in result.results
        ],
    }


def _download_text(result: FundingDownload) -> str:
    from hedger.core.funding import ms_to_iso

    lines = []
    for r in result.results:
        if r.stored is None:
            lines.append(f"{r.contract_id}: nothing stored ({clean(r.problem or '')})")
            continue
        span = ""
        if r.stored.first_ms is not None and r.stored.last_ms is not None:
            span = f", {ms_to_iso(r.stored.first_ms)[:10]} to {ms_to_iso(r.stored.last_ms)[:10]}"
        lines.append(
            f"{r.contract_id}: {r.new_rows:,} rows downloaded, {r.stored.rows:,} stored{span}"
        )
        lines += [f"  {clean(n)}" for n in r.notes]
    if result.cancelled:
        lines.append("Stopped: the contracts above are stored, the rest were not asked.")
    return "\n".join(lines) + "\n"


def cmd_list(args: argparse.Namespace) -> int:
    from hedger.cli.loading import load_catalog
    from hedger.core.funding import ms_to_iso
    from hedger.services.funding import funding_sources, list_funding

    catalog = load_catalog()
    infos, damaged = list_funding()
    stored = {i.contract_id: i for i in infos}
    sources = funding_sources(catalog)
    if args.json:
        write_json(
            {
                "contracts": [
                    {
                        "contract": cid,
                        "source": src,
                        "rows": stored[cid].rows if cid in stored else 0,
                        "first": _iso(stored[cid].first_ms) if cid in stored else None,
                        "last": _iso(stored[cid].last_ms) if cid in stored else None,
                    }
                    for cid, src in sources.items()
                ],
                "damaged": [{"contract": d.contract_id, "reason": d.reason} for d in damaged],
            }
        )
        return EXIT_OK
    rows = [["contract", "source", "rows", "first", "last"]]
    for cid, src in sources.items():
        info = stored.get(cid)
        rows.append(
            [
                cid,
                src or "none (install ccxt?)",
                f"{info.rows:,}" if info else "0",
                ms_to_iso(info.first_ms)[:10] if info and info.first_ms else "",
                ms_to_iso(info.last_ms)[:10] if info and info.last_ms else "",
            ]
        )
    lines = align(rows, "llrll")
    lines += [clean(d.message()) for d in damaged]
    write("\n".join(lines) + "\n")
    if not sources:
        raise CliError("the catalog has no perpetual contracts")
    return EXIT_OK


def _iso(ms: int | None) -> str | None:
    from hedger.core.funding import ms_to_iso

    return ms_to_iso(ms) if ms is not None else None
