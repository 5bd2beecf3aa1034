"""``hedger restore FILE [--list] [--version N|TIMESTAMP] [--json]``: earlier versions.

Every save keeps the version it replaces in the data folder's ``backups/``
(the last 10 and one per day for a week). ``--list`` (the default) shows
them, newest first; ``--version`` puts one back, keeping the current
content as a version in turn, so a restore can itself be undone.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hedger.cli.errors import EXIT_OK, CliError
from hedger.cli.output import align, clean, write, write_json

if TYPE_CHECKING:
    from hedger.cli.commands import Command, SubParsers
    from hedger.services.versions import PortfolioVersion


def add_parser(sub: SubParsers, command: Command) -> None:
    p = sub.add_parser(
        command.name,
        help=command.help,
        description=(
            "List the earlier versions Hedger kept of a portfolio file (each save keeps "
            "the one it replaces: the last 10, and one per day for a week), or put one back."
        ),
    )
    p.add_argument("file", type=Path, metavar="FILE")
    what = p.add_mutually_exclusive_group()
    what.add_argument("--list", action="store_true", help="list the versions (the default)")
    what.add_argument(
        "--version",
        metavar="N|TIMESTAMP",
        help=(
            "restore version N from --list (1 is the newest) or the one replaced at that time "
            "(20261101T120000Z; when several share a second, to the microsecond: "
            "20261101T120000.123456Z)"
        ),
    )
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_restore)


def cmd_restore(args: argparse.Namespace) -> int:
    from hedger.services.versions import find_version, list_versions, restore_version

    path: Path = args.file
    if args.version is None:
        versions = list_versions(path)
        if args.json:
            write_json({"file": str(path), "versions": [_to_dict(v) for v in versions]})
        else:
            write(_render_list(path, versions))
        return EXIT_OK
    if path.is_dir():
        raise CliError(f"{clean(path.name)}: is a folder, not a portfolio file")
    version = find_version(path, args.version)
    existed = path.exists()  # only then is there a previous content to keep
    restored = restore_version(path, version)
    if args.json:
        write_json({"file": str(path), "restored": _to_dict(version)})
    else:
        kept = " The previous content was kept as a version." if existed else ""
        write(
            f"Restored {clean(path.name)} to version {version.number} "
            f"(replaced {_local(version)}): {clean(restored.name)}, "
            f"{len(restored.holdings)} holdings.{kept}\n"
        )
    return EXIT_OK


def _local(v: PortfolioVersion) -> str:
    return v.replaced_at.astimezone().strftime("%Y-%m-%d %H:%M:%S")


def _render_list(path: Path, versions: list[PortfolioVersion]) -> str:
    from hedger.core.decimals import fmt_money

    if not versions:
        return f"No earlier versions of {clean(path.name)} are kept yet.\n"
    rows = [["#", "replaced", "version", "holdings", "value USD", "name"]]
    for v in versions:
        if v.error is not None:
            rows.append([str(v.number), _local(v), v.stamp, "-", "-", f"damaged: {clean(v.error)}"])
            continue
        value = "-" if v.total_value is None else fmt_money(v.total_value, 0)
        rows.append(
            [str(v.number), _local(v), v.stamp, str(v.holdings), value, clean(v.name or "")]
        )
    lines = align(rows, "rllrrl")
    lines += ["", f"Restore one with 'hedger restore {clean(str(path))} --version N'."]
    return "\n".join(lines) + "\n"


def _to_dict(v: PortfolioVersion) -> dict[str, Any]:
    from hedger.core.decimals import fmt_decimal

    return {
        "number": v.number,
        "replaced_at": v.replaced_at.isoformat(),
        "version": v.stamp,
        "name": v.name,
        "holdings": v.holdings if v.ok else None,
        "total_value": None if v.total_value is None else fmt_decimal(v.total_value),
        "error": v.error,
    }
