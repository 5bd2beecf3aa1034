"""The command table: every ``hedger`` command, the module that runs it, its one-line help.

This table is the one place a command is registered. ``hedger --help`` lists
it without importing any command module; ``hedger NAME ...`` imports only
NAME's module, whose ``add_parser(subparsers, command)`` adds the command's
arguments, description and handler (``func``, taking the parsed namespace
and returning an exit status). Each subparser costs start-up time, so
``hedger plan`` builds just its own.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import TYPE_CHECKING, Any, NamedTuple, NoReturn

import hedger
from hedger.cli.errors import EXIT_INTERNAL, CliError
from hedger.cli.output import one_line

if TYPE_CHECKING:
    from typing import TypeAlias

    # What ``add_subparsers`` returns; generic only for type checkers.
    SubParsers: TypeAlias = argparse._SubParsersAction[Any]


class Command(NamedTuple):
    # A NamedTuple, not a dataclass: building a dataclass costs ~1 ms of every start.
    name: str
    module: str  # defines add_parser(subparsers: SubParsers, command: Command) -> None
    help: str


COMMANDS: tuple[Command, ...] = (
    Command("plan", "hedger.cli.plan", "print the hedge plan of a portfolio file"),
    Command(
        "contracts",
        "hedger.cli.contracts",
        "list the contract catalog; add or remove your own contracts",
    ),
    Command("prices", "hedger.cli.prices", "refresh or show live prices in a portfolio file"),
    Command("history", "hedger.cli.history", "import, download and list price histories"),
    Command("beta", "hedger.cli.beta", "estimate betas and hedge ratios from price history"),
    Command("backtest", "hedger.cli.backtest", "hedged versus unhedged value over past prices"),
    Command(
        "risk",
        "hedger.cli.risk",
        "simulate hedged and unhedged P&L: value at risk, expected shortfall",
    ),
    Command("size", "hedger.cli.size", "contracts per tier that risk a share of your equity"),
    Command(
        "carry",
        "hedger.cli.carry",
        "what the hedge costs to hold: funding, basis, rolls and fees, venue against venue",
    ),
    Command("funding", "hedger.cli.funding", "download and list funding-rate histories"),
    Command("restore", "hedger.cli.restore", "list or restore earlier versions of a portfolio"),
    Command(
        "positions",
        "hedger.cli.positions",
        "list, add or remove the futures positions you hold; import them read-only; journal",
    ),
    Command(
        "check",
        "hedger.cli.check",
        "does a held hedge need action? exit 3 with one line per finding (cron, timers)",
    ),
)


def command_named(name: str) -> Command | None:
    return next((c for c in COMMANDS if c.name == name), None)


class Parser(argparse.ArgumentParser):
    """argparse that reports usage errors as one line instead of usage + message."""

    def error(self, message: str) -> NoReturn:
        raise CliError(f"{message} (see '{self.prog} --help')")

    def _get_formatter(self) -> argparse.HelpFormatter:
        # argparse builds a formatter for every add_argument, and without a
        # width it imports shutil (and with it bz2, lzma, zlib): ~4 ms of
        # start-up for a terminal width computed the same way here.
        formatter: Any = self.formatter_class  # every HelpFormatter takes width
        return formatter(prog=self.prog, width=_terminal_columns() - 2)  # type: ignore[no-any-return]


def _terminal_columns() -> int:
    import os

    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 80
    return columns


def build_parser(only: Command | None = None) -> argparse.ArgumentParser:
    """The parser with every command listed (for --help), or with ``only``'s full parser."""
    parser = Parser(
        prog="hedger",
        description=(
            "Size futures hedges (standard, mini, micro) for spot crypto holdings. "
            "Without a command, opens the desktop app (optionally on FILE)."
        ),
        epilog="Desktop app: hedger [FILE] [--smoke-test]. Exit status 2 means bad input.",
    )
    parser.add_argument("--version", action="version", version=f"hedger {hedger.__version__}")
    parser.add_argument(
        "--smoke-test",
        action="store_true",
        help="start the desktop app, check it draws, and quit",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    for command in COMMANDS:
        if only is None:
            sub.add_parser(command.name, help=command.help)
        elif command is only:
            _add_command(sub, command)
    return parser


def _add_command(sub: SubParsers, command: Command) -> None:
    try:
        module = importlib.import_module(command.module)
    except ModuleNotFoundError as exc:
        if exc.name is not None and f"{command.module}.".startswith(f"{exc.name}."):
            # A trimmed build: the command's own module is not there.
            raise CliError(f"the '{command.name}' command is not available in this build") from None
        raise _could_not_start(command, exc) from None
    except Exception as exc:  # one broken command must not break the CLI
        raise _could_not_start(command, exc) from None
    try:
        module.add_parser(sub, command)
    except CliError:
        raise
    except Exception as exc:
        raise _could_not_start(command, exc) from None


def _could_not_start(command: Command, exc: Exception) -> CliError:
    return CliError(
        f"the '{command.name}' command could not start "
        f"({type(exc).__name__}: {one_line(str(exc))})",
        EXIT_INTERNAL,
    )
