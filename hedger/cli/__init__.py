"""Command line: ``hedger plan FILE``, ``hedger contracts`` ... and the desktop app.

``hedger`` alone, ``hedger FILE`` or ``hedger --smoke-test [FILE]`` start the
GUI (``hedger.cli.gui``); everything else is a command from the table in
``hedger.cli.commands``, whose module is imported only when that command is
run, so ``hedger plan`` starts fast. Commands do their work through
``hedger.services`` and print through ``hedger.cli.output``.

Every failure ends as one line on stderr (``hedger: ...``) and an exit status:
0 fine, 1 unexpected internal error, 2 bad input, 130 interrupted.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import Any

import hedger
from hedger.cli.commands import build_parser, command_named
from hedger.cli.errors import EXIT_BAD_INPUT, EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_OK, CliError
from hedger.cli.output import (
    clean,
    exit_code,
    one_line,
    say,
    silence_stdout,
    tolerate_unencodable_output,
    write,
)
from hedger.services.errors import USER_ERRORS

CommandFunc = Callable[[Any], int]


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    tolerate_unencodable_output()
    try:
        return _run(args)
    except CliError as exc:
        say(str(exc))
        return exc.code
    except USER_ERRORS as exc:  # a file problem or input the services refused
        say(str(exc))
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        say("interrupted")
        return EXIT_INTERRUPTED
    except SystemExit as exc:  # argparse --help/--version, or a command's own exit
        return exit_code(exc.code)
    except BrokenPipeError:
        # `hedger plan x | head`: the reader left; stop quietly.
        silence_stdout()
        return EXIT_INTERNAL
    except Exception as exc:  # the user must never see a traceback
        say(f"unexpected error ({type(exc).__name__}: {one_line(str(exc))}); please report it")
        return EXIT_INTERNAL


def _run(argv: list[str]) -> int:
    if not argv:
        from hedger.cli.gui import launch_gui

        return launch_gui(None, smoke_test=False)
    first = argv[0]
    if first in ("-h", "--help"):
        build_parser().parse_args(argv)  # prints help and exits 0
        return EXIT_OK
    if first == "--version":
        if len(argv) > 1:
            raise CliError(f"--version takes no arguments, got {clean(argv[1])!r}")
        write(f"hedger {hedger.__version__}\n")
        return EXIT_OK
    command = command_named(first)
    if command is None:
        from hedger.cli.gui import gui_from_argv

        return gui_from_argv(argv)
    ns = build_parser(command).parse_args(argv)
    func: CommandFunc | None = getattr(ns, "func", None)
    if func is None:  # pragma: no cover - every command's parser sets func
        raise CliError(f"'{first}' did not register a handler", EXIT_INTERNAL)
    return exit_code(func(ns))


__all__ = ["main"]
