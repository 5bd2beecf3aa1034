"""``hedger check FILE... [--json]``: does a held hedge need action? For cron and timers.

Exit status: 0 when nothing needs action (and nothing is printed without
``--verbose``), 3 when something does (one line per finding on stdout), 2
when a file cannot be read (one ``hedger: ...`` line on stderr; the other
files are still checked and their findings printed).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hedger.cli.args import file_arg
from hedger.cli.errors import EXIT_OK, CliError
from hedger.cli.loading import load_catalog
from hedger.cli.output import clean, write, write_json

if TYPE_CHECKING:
    from hedger.cli.commands import Command, SubParsers
    from hedger.services.checks import CheckResult

#: Something needs action (a finding): distinct from 2, bad input, for scripts.
EXIT_FINDINGS = 3


def add_parser(sub: SubParsers, command: Command) -> None:
    p = sub.add_parser(
        command.name,
        help=command.help,
        description=(
            "Check held futures hedges against each portfolio's drift rules: the hedge "
            "outside its band, a position near liquidation, a dated contract about to "
            "expire, prices too old. Exit 0 when nothing needs action, 3 when something "
            "does (one line per finding), 2 when a file cannot be read. Quiet when all is "
            "well, so it suits cron and systemd timers."
        ),
    )
    p.add_argument("files", nargs="+", type=file_arg, metavar="FILE", help="portfolio files")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("-v", "--verbose", action="store_true", help="also say which files need nothing")
    p.set_defaults(func=cmd_check)


def cmd_check(args: argparse.Namespace) -> int:
    from hedger.services.checks import check_files

    files: list[Path] = args.files
    results = check_files(files, load_catalog())
    if args.json:
        write_json({"files": [_to_dict(r) for r in results], "needs_action": _needs(results)})
    else:
        write(_render(results, verbose=args.verbose))
    errors = [r.error for r in results if r.error]
    if errors:
        raise CliError("; ".join(errors))
    return EXIT_FINDINGS if _needs(results) else EXIT_OK


def _needs(results: list[CheckResult]) -> bool:
    return any(r.findings for r in results)


def _render(results: list[CheckResult], *, verbose: bool) -> str:
    lines: list[str] = []
    for r in results:
        where = clean(str(r.path))
        if r.error:
            continue  # said on stderr
        for f in r.findings:
            lines.append(f"{where}: {clean(f.line)}")
        if verbose and not r.findings:
            lines.append(f"{where}: ok, nothing needs action")
    return "".join(line + "\n" for line in lines)


def _to_dict(r: CheckResult) -> dict[str, Any]:
    return {
        "file": str(r.path),
        "name": r.name,
        "ok": r.ok,
        "error": r.error,
        "findings": [
            {"kind": f.kind, "underlying": f.underlying, "text": f.text, "line": f.line}
            for f in r.findings
        ],
    }
