"""Launching the desktop app: ``hedger``, ``hedger FILE``, ``hedger [FILE] --smoke-test``.

Qt is imported here, only when the app is asked for, and nowhere else in the CLI.
"""

from __future__ import annotations

import argparse
import gc
import re
from pathlib import Path

from hedger.cli.commands import COMMANDS, Parser
from hedger.cli.errors import CliError
from hedger.cli.output import exit_code, one_line


def gui_from_argv(argv: list[str]) -> int:
    """Arguments that are not a command: a file to open and the smoke-test flags."""
    first = next((a for a in argv if not a.startswith("-")), None)
    if first is not None and _looks_like_command(first) and not Path(first).exists():
        commands = ", ".join(c.name for c in COMMANDS)
        if any(c.name == first for c in COMMANDS):
            # "hedger --json positions FILE": a command's option given before it.
            flags = " ".join(a for a in argv[: argv.index(first)] if a.startswith("-"))
            raise CliError(
                f"options go after the command: hedger {first} ... {flags} "
                f"(see 'hedger {first} --help')"
            )
        raise CliError(
            f"unknown command '{first}' (commands: {commands}); to open a file, give its path"
        )
    parser = Parser(prog="hedger", add_help=False)
    parser.add_argument("file", nargs="?", type=Path)
    parser.add_argument("--smoke-test", action="store_true")
    # Packaging check: edit the first holding, save, reload, compare.
    parser.add_argument("--smoke-edit", action="store_true", help=argparse.SUPPRESS)
    ns = parser.parse_args(argv)
    if ns.smoke_edit and not ns.smoke_test:
        raise CliError("--smoke-edit needs --smoke-test")
    return launch_gui(ns.file, smoke_test=ns.smoke_test, smoke_edit=ns.smoke_edit)


def _looks_like_command(text: str) -> bool:
    # A bare word: no folder, no extension. A missing "x.json" goes to the app,
    # which explains that the file is missing in its own window.
    return re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]*", text) is not None


def launch_gui(file: Path | None, *, smoke_test: bool, smoke_edit: bool = False) -> int:
    """Start the desktop app on ``file`` (or the last one used) and return its exit status."""
    # Start-up makes thousands of long-lived objects (modules, classes, widgets)
    # and next to no garbage, so each collection before the window shows only
    # re-scans them: about a tenth of the time to the first paint. The app turns
    # collection back on once its window has painted (and here, whatever happens).
    gc.disable()
    # Qt or one of the app's modules may be missing (a CLI-only install, a
    # system without the Qt libraries); the app may also import parts lazily.
    try:
        from hedger.ui.app import run_gui

        code = run_gui(file, smoke_test, smoke_edit)
    except ImportError as exc:
        raise CliError(
            f"the desktop app is not available in this build ({one_line(str(exc))})"
        ) from None
    finally:
        gc.enable()
    return exit_code(code)
