"""Command line: ``hedger plan FILE``, ``hedger contracts`` and the desktop app.

``hedger`` alone, ``hedger FILE`` or ``hedger --smoke-test [FILE]`` start the
GUI; everything else is a subcommand. Qt is imported only on the GUI path and
extension commands only when asked for, so ``hedger plan`` starts fast.

Every failure ends as one line on stderr (``hedger: ...``) and an exit status:
0 fine, 1 unexpected internal error, 2 bad input, 130 interrupted.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import importlib.util
import json
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

import hedger

if TYPE_CHECKING:
    from hedger.core.catalog import Catalog, Contract
    from hedger.core.models import Portfolio, Rounding
    from hedger.core.planner import HedgeOption, Leg, Plan, UnderlyingPlan

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130

BUILTIN_COMMANDS = ("plan", "contracts")

# Subcommands other packages provide: command -> module exposing
# ``register(subparsers) -> None``. A module may register several commands;
# it is imported only when one of its commands (or --help) is asked for.
EXTENSIONS: dict[str, str] = {
    "prices": "hedger.live.cli",
    "history": "hedger.core.analytics.cli",
    "beta": "hedger.core.analytics.cli",
    "backtest": "hedger.core.analytics.cli",
    "risk": "hedger.core.analytics.cli",
    "size": "hedger.core.analytics.cli",
}

CommandFunc = Callable[[argparse.Namespace], int]


class CliError(Exception):
    """A problem to report as one line on stderr, ending with ``code``."""

    def __init__(self, message: str, code: int = EXIT_BAD_INPUT) -> None:
        super().__init__(message)
        self.code = code


class _Parser(argparse.ArgumentParser):
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


# --------------------------------------------------------------------------- entry


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    _tolerate_unencodable_output()
    try:
        return _run(args)
    except CliError as exc:
        _say(str(exc))
        return exc.code
    except KeyboardInterrupt:
        _say("interrupted")
        return EXIT_INTERRUPTED
    except SystemExit as exc:  # argparse --help/--version, or a command's own exit
        return _exit_code(exc.code)
    except BrokenPipeError:
        # `hedger plan x | head`: the reader left; stop quietly.
        _silence_stdout()
        return EXIT_INTERNAL
    except Exception as exc:  # the user must never see a traceback
        _say(f"unexpected error ({type(exc).__name__}: {_one_line(str(exc))}); please report it")
        return EXIT_INTERNAL


def _run(argv: list[str]) -> int:
    if not argv:
        return launch_gui(None, smoke_test=False)
    first = argv[0]
    if first in ("-h", "--help"):
        build_parser(EXTENSIONS).parse_args(argv)  # prints help and exits 0
        return EXIT_OK
    if first == "--version":
        if len(argv) > 1:
            raise CliError(f"--version takes no arguments, got {_clean(argv[1])!r}")
        _write(f"hedger {hedger.__version__}\n")
        return EXIT_OK
    if first in BUILTIN_COMMANDS or first in EXTENSIONS:
        wanted = {first: EXTENSIONS[first]} if first in EXTENSIONS else {}
        # Only the command asked for: each subparser costs start-up time.
        only = (first,) if first in BUILTIN_COMMANDS else ()
        parser = build_parser(wanted, required=first in EXTENSIONS, commands=only)
        ns = parser.parse_args(argv)
        func: CommandFunc | None = getattr(ns, "func", None)
        if func is None:  # pragma: no cover - every subparser sets func
            raise CliError(f"'{first}' did not register a handler", EXIT_INTERNAL)
        return _exit_code(func(ns))
    return _gui_from_argv(argv)


def _exit_code(code: object) -> int:
    if code is None:
        return EXIT_OK
    if isinstance(code, int):
        return code
    # sys.exit("message") prints the message and exits 1.
    _say(_one_line(str(code)))
    return EXIT_INTERNAL


# --------------------------------------------------------------------------- parser


def build_parser(
    extensions: dict[str, str] | None = None,
    *,
    required: bool = False,
    commands: Sequence[str] = BUILTIN_COMMANDS,
) -> argparse.ArgumentParser:
    """The parser: the given built-in commands plus the given extension modules.

    With ``required`` a missing or broken extension is an error; otherwise it
    is left out (so a build without live prices still lists everything else).
    """
    parser = _Parser(
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
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    if "plan" in commands:
        _add_plan_parser(sub)
    if "contracts" in commands:
        _add_contracts_parser(sub)
    loaded: set[str] = set()
    for command, module in (extensions or {}).items():
        if module in loaded:
            continue
        loaded.add(module)
        _register_extension(sub, command, module, required=required)
    return parser


def _register_extension(
    sub: argparse._SubParsersAction[Any], command: str, module_name: str, *, required: bool
) -> None:
    try:
        spec = importlib.util.find_spec(module_name)
    except (ImportError, ValueError):
        spec = None
    if spec is None:
        if required:
            raise CliError(f"the '{command}' command is not available in this build")
        return
    try:
        module = importlib.import_module(module_name)
        register = module.register
        register(sub)
    except CliError:
        raise
    except Exception as exc:  # one broken extension must not break the CLI
        if required:
            raise CliError(
                f"the '{command}' command could not start "
                f"({type(exc).__name__}: {_one_line(str(exc))})",
                EXIT_INTERNAL,
            ) from None


def _add_plan_parser(sub: argparse._SubParsersAction[Any]) -> None:
    p = sub.add_parser(
        "plan",
        help="print the hedge plan of a portfolio file",
        description=(
            "Print how many contracts of each size hedge a portfolio, the margin, "
            "the residual and the liquidation price. Flags override the file's "
            "settings for every underlying."
        ),
    )
    p.add_argument("file", type=_file_arg, metavar="FILE", help="portfolio file (.json)")
    p.add_argument(
        "--family",
        action="append",
        default=[],
        type=_family_arg,
        metavar="UNDERLYING=FAMILY",
        help="contract family for an underlying, e.g. BTC=CME-BTC (repeatable)",
    )
    p.add_argument(
        "--price",
        action="append",
        default=[],
        type=_price_arg,
        metavar="UNDERLYING=PRICE",
        help="futures price for an underlying, e.g. BTC=70500 (repeatable)",
    )
    p.add_argument("--ratio", type=_ratio_arg, help="hedge ratio: 0.5 or 50%%")
    p.add_argument("--rounding", choices=("nearest", "down", "up"), help="whole-contract rounding")
    p.add_argument("--leverage", type=_leverage_arg, help="leverage for margin, e.g. 10")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_plan)


def _add_contracts_parser(sub: argparse._SubParsersAction[Any]) -> None:
    p = sub.add_parser(
        "contracts",
        help="list the contract catalog; add or remove your own contracts",
        description=(
            "List every known futures contract, grouped by family. With 'add', "
            "'add-family' or 'remove', change your own contracts and families "
            "(kept in contracts.json in Hedger's data folder)."
        ),
    )
    p.add_argument("--underlying", type=_symbol_arg, help="only this underlying, e.g. BTC")
    p.add_argument("--user", action="store_true", help="only your own contracts and families")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_contracts)
    actions = p.add_subparsers(dest="action", metavar="ACTION", parser_class=_Parser)

    add = actions.add_parser(
        "add",
        help="add one of your own contracts",
        description=(
            "Add a futures contract of your own. ID is VENUE:SYMBOL, e.g. MYBROKER:SOL-1. "
            "Rates take 10% or 0.1. Sizes are coins per contract for linear contracts "
            "and the USD face value for inverse ones."
        ),
    )
    add.add_argument("id", type=_contract_id_arg, metavar="ID", help="VENUE:SYMBOL")
    add.add_argument("--name", required=True, help="display name")
    add.add_argument(
        "--underlying", required=True, type=_symbol_arg, metavar="COIN", help="e.g. BTC"
    )
    add.add_argument("--tier", required=True, choices=("standard", "mini", "micro", "nano"))
    add.add_argument("--kind", required=True, choices=("linear", "inverse"))
    add.add_argument(
        "--size", required=True, type=_positive_arg("size"), metavar="N", help="per contract"
    )
    add.add_argument(
        "--step", type=_positive_arg("quantity step"), metavar="N", help="order step (default 1)"
    )
    add.add_argument("--tick", type=_positive_arg("tick"), metavar="N", help="price increment")
    add.add_argument(
        "--initial-margin", type=_rate_arg("initial margin"), metavar="RATE", help="default 10%%"
    )
    add.add_argument(
        "--maintenance-margin",
        type=_rate_arg("maintenance margin"),
        metavar="RATE",
        help="default 0.5%%",
    )
    add.add_argument(
        "--fee", type=_rate_arg("fee"), metavar="RATE", help="taker fee rate, default 0.05%%"
    )
    add.add_argument("--expiry", choices=("perpetual", "dated"), default="perpetual")
    add.add_argument(
        "--min-notional",
        type=_positive_arg("minimum notional"),
        metavar="USD",
        help="venue minimum",
    )
    add.add_argument("--source", metavar="TEXT", help="where the figures come from")
    add.add_argument(
        "--as-of", metavar="DATE", help="when they were checked, YYYY-MM-DD (default: today)"
    )
    add.add_argument("--notes", metavar="TEXT", help="a note shown with the contract")
    add.add_argument(
        "--family",
        type=_family_id_arg,
        metavar="FAMILY_ID",
        help="also put it in this family of yours (created if new)",
    )
    add.add_argument("--replace", action="store_true", help="replace your contract with this ID")
    add.set_defaults(func=cmd_contracts_add)

    fam = actions.add_parser(
        "add-family",
        help="add a family of contracts that may be mixed",
        description="Add a family of your own: contracts on one underlying that may be mixed.",
    )
    fam.add_argument("id", type=_family_id_arg, metavar="ID", help="e.g. MY-SOL")
    fam.add_argument(
        "--underlying", required=True, type=_symbol_arg, metavar="COIN", help="e.g. SOL"
    )
    fam.add_argument(
        "--contracts",
        required=True,
        type=_id_list_arg,
        metavar="A,B,...",
        help="contract ids, built-in or yours (1 to 6)",
    )
    fam.add_argument("--name", help="display name (default: the ID)")
    fam.add_argument("--notes", help="a note shown with the family's plans")
    fam.add_argument("--replace", action="store_true", help="replace your family with this ID")
    fam.set_defaults(func=cmd_contracts_add_family)

    rm = actions.add_parser(
        "remove",
        help="remove one of your contracts or families",
        description="Remove one of your own contracts or families (built-in ones stay).",
    )
    rm.add_argument("id", metavar="ID", help="a contract id (VENUE:SYMBOL) or a family id")
    rm.set_defaults(func=cmd_contracts_remove)


# --------------------------------------------------------------------------- argument types


def _decimal_arg(text: str, what: str) -> Decimal:
    from hedger.core.decimals import DecimalParseError, parse_decimal

    try:
        return parse_decimal(text, what=what)
    except DecimalParseError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _file_arg(text: str) -> Path:
    # Path("") is ".", the current folder: "is a folder" would puzzle.
    if not text.strip():
        raise argparse.ArgumentTypeError("empty path; give the path of a portfolio file")
    return Path(text)


_CONTRACT_ID = re.compile(r"([A-Za-z0-9]+):([A-Za-z0-9._\-]+)")
_FAMILY_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._\-]*")


def _contract_id_arg(text: str) -> str:
    m = _CONTRACT_ID.fullmatch(text.strip())
    if m is None or len(text.strip()) > 60:
        raise argparse.ArgumentTypeError(
            f"contract id must be VENUE:SYMBOL (letters, digits, '.', '_', '-'), "
            f"e.g. MYBROKER:SOL-1, got {_clean(text)[:40]!r}"
        )
    return f"{m.group(1).upper()}:{m.group(2)}"


def _family_id_arg(text: str) -> str:
    fid = text.strip().upper()
    if not _FAMILY_ID.fullmatch(fid) or len(fid) > 60:
        raise argparse.ArgumentTypeError(
            f"family id must be letters, digits, '.', '_' or '-', e.g. MY-SOL, "
            f"got {_clean(text)[:40]!r}"
        )
    return fid


def _id_list_arg(text: str) -> list[str]:
    ids = [_contract_id_arg(part) for part in text.split(",") if part.strip()]
    if not ids:
        raise argparse.ArgumentTypeError("give at least one contract id, e.g. CME:MBT")
    return ids


def _positive_arg(what: str) -> Callable[[str], Decimal]:
    def parse(text: str) -> Decimal:
        value = _decimal_arg(text, what)
        if value <= 0:
            raise argparse.ArgumentTypeError(f"{what} must be above 0, got {text.strip()}")
        return value

    return parse


def _rate_arg(what: str) -> Callable[[str], Decimal]:
    def parse(text: str) -> Decimal:
        raw = text.strip()
        percent = raw.endswith("%")
        value = _decimal_arg(raw[:-1] if percent else raw, what)
        if percent:
            value = value / 100
        if not 0 <= value < 1:
            hint = "" if percent else f" (for a percentage write {raw}%)"
            raise argparse.ArgumentTypeError(
                f"{what} must be at least 0 and below 100%, got {raw}{hint}"
            )
        return value

    return parse


def _symbol_arg(text: str) -> str:
    from hedger.core.models import normalise_symbol

    try:
        return normalise_symbol(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _pair_arg(text: str, example: str) -> tuple[str, str]:
    left, sep, right = text.partition("=")
    if not sep or not left.strip() or not right.strip():
        raise argparse.ArgumentTypeError(f"expected UNDERLYING=VALUE like {example}, got {text!r}")
    return _symbol_arg(left), right.strip()


def _family_arg(text: str) -> tuple[str, str]:
    underlying, family = _pair_arg(text, "BTC=CME-BTC")
    return underlying, family.upper()


def _price_arg(text: str) -> tuple[str, Decimal]:
    underlying, raw = _pair_arg(text, "BTC=70000")
    price = _decimal_arg(raw, f"price of {underlying}")
    if price <= 0:
        raise argparse.ArgumentTypeError(f"price of {underlying} must be above 0, got {raw}")
    return underlying, price


def _ratio_arg(text: str) -> Decimal:
    from hedger.core.models import MAX_RATIO

    raw = text.strip()
    percent = raw.endswith("%")
    value = _decimal_arg(raw[:-1] if percent else raw, "hedge ratio")
    if percent:
        value = value / 100
    if not 0 <= value <= MAX_RATIO:
        raise argparse.ArgumentTypeError(
            f"hedge ratio must be between 0 and {MAX_RATIO} ({MAX_RATIO * 100:.0f}%), got {raw}"
        )
    return value


def _leverage_arg(text: str) -> Decimal:
    from hedger.core.models import MAX_LEVERAGE

    value = _decimal_arg(text, "leverage")
    if not 0 < value <= MAX_LEVERAGE:
        raise argparse.ArgumentTypeError(
            f"leverage must be above 0 and at most {MAX_LEVERAGE}, got {text.strip()}"
        )
    return value


# --------------------------------------------------------------------------- GUI


def _gui_from_argv(argv: list[str]) -> int:
    first = next((a for a in argv if not a.startswith("-")), None)
    if first is not None and _looks_like_command(first) and not Path(first).exists():
        commands = ", ".join([*BUILTIN_COMMANDS, *EXTENSIONS])
        raise CliError(
            f"unknown command '{first}' (commands: {commands}); to open a file, give its path"
        )
    parser = _Parser(prog="hedger", add_help=False)
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
    """Start the desktop app; Qt is imported here and nowhere else in the CLI."""
    # Qt or one of the app's modules may be missing (a CLI-only install, a
    # system without the Qt libraries); the app may also import parts lazily.
    try:
        from hedger.ui.app import run_gui

        code = run_gui(file, smoke_test, smoke_edit)
    except ImportError as exc:
        raise CliError(
            f"the desktop app is not available in this build ({_one_line(str(exc))})"
        ) from None
    return _exit_code(code)


# --------------------------------------------------------------------------- plan


def load_catalog() -> Catalog:
    """The shipped catalog plus the user's own contracts, when there are any."""
    from hedger.core.catalog import builtin_catalog
    from hedger.store import paths

    base = builtin_catalog()
    try:
        path = paths.user_catalog_path()
        exists = path.exists()
    except OSError as exc:
        # The data folder cannot even be created: plan with the shipped contracts.
        _say(f"warning: your own contracts were not loaded ({_one_line(str(exc))})")
        return base
    if not exists:
        # Most runs have no user file; skip importing and building its model.
        return base
    from hedger.store.user_catalog import load_user_catalog

    catalog, problem = load_user_catalog(base, path)
    if problem:
        _say(f"warning: {_one_line(problem)}")
    return catalog


def load_portfolio_arg(path: Path) -> Portfolio:
    from hedger.store.portfolio_file import PortfolioFileError, load_portfolio

    try:
        return load_portfolio(path)
    except PortfolioFileError as exc:
        raise CliError(_one_line(str(exc))) from None


def apply_overrides(
    portfolio: Portfolio,
    catalog: Catalog,
    *,
    families: Iterable[tuple[str, str]] = (),
    prices: Iterable[tuple[str, Decimal]] = (),
    ratio: Decimal | None = None,
    rounding: Rounding | None = None,
    leverage: Decimal | None = None,
) -> Portfolio:
    """The portfolio with command-line settings in force for every underlying.

    A flag beats the file's portfolio-wide value and its per-underlying
    overrides of the same field: ``--ratio 0.5`` means 0.5 everywhere.
    """
    from hedger.core.catalog import CatalogError
    from hedger.core.models import HedgeSettings

    hedge = portfolio.hedge
    fam_map = dict(hedge.families)
    for underlying, family_id in families:
        try:
            family = catalog.family(family_id)
        except CatalogError as exc:
            raise CliError(f"{exc} (see 'hedger contracts')") from None
        if family.underlying != underlying:
            raise CliError(f"family {family.id} hedges {family.underlying}, not {underlying}")
        fam_map[underlying] = family.id
    price_map = dict(hedge.futures_prices)
    price_map.update(prices)
    update: dict[str, Any] = {"families": fam_map, "futures_prices": price_map}
    cleared: dict[str, None] = {}
    for name, value in (("ratio", ratio), ("rounding", rounding), ("leverage", leverage)):
        if value is not None:
            update[name] = value
            cleared[name] = None
    if cleared:
        update["per_underlying"] = {
            u: o.model_copy(update=cleared) for u, o in hedge.per_underlying.items()
        }
    # Validate again rather than model_copy: the flags were checked one by
    # one, the model checks them together.
    settings = HedgeSettings.model_validate({**_shallow_fields(hedge), **update})
    return portfolio.model_copy(update={"hedge": settings})


def _shallow_fields(model: Any) -> dict[str, Any]:
    return {name: getattr(model, name) for name in type(model).model_fields}


def cmd_plan(args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from hedger.core.planner import plan_portfolio

    catalog = load_catalog()
    portfolio = load_portfolio_arg(args.file)
    # Re-validating the settings costs a schema build: only when a flag is given.
    # (--ratio 0 is a flag too, so compare with None rather than test truth.)
    scalars = (args.ratio, args.rounding, args.leverage)
    try:
        if args.family or args.price or any(v is not None for v in scalars):
            portfolio = apply_overrides(
                portfolio,
                catalog,
                families=args.family,
                prices=args.price,
                ratio=args.ratio,
                rounding=args.rounding,
                leverage=args.leverage,
            )
    except ValidationError as exc:
        raise CliError(_validation_line(exc)) from None
    plan = plan_portfolio(portfolio, catalog)
    if args.json:
        _write(json.dumps(plan_to_dict(plan), indent=2, ensure_ascii=True) + "\n")
    else:
        _write(render_plan(plan))
    if plan.problems:
        raise CliError("; ".join(plan.problems))
    return EXIT_OK


def _validation_line(exc: Any) -> str:
    err = exc.errors(include_url=False)[0]
    loc = ".".join(str(p) for p in err.get("loc", ()))
    msg = str(err.get("msg", "invalid")).removeprefix("Value error, ")
    return _one_line(f"{loc}: {msg}" if loc else msg)


# --------------------------------------------------------------------------- plan: JSON


def _money(value: Decimal) -> str:
    from hedger.core.decimals import fmt_decimal

    return fmt_decimal(value, 2)


def _plain(value: Decimal) -> str:
    from hedger.core.decimals import fmt_decimal

    return fmt_decimal(value)


def _places(value: Decimal, places: int) -> str:
    from hedger.core.decimals import fmt_decimal

    return fmt_decimal(value, places)


def plan_to_dict(plan: Plan) -> dict[str, Any]:
    """The plan as JSON-ready data: decimals as strings, counts as integers."""
    t = plan.totals
    return {
        "portfolio": plan.portfolio,
        "ratio": _plain(plan.ratio),
        "rounding": plan.rounding,
        "leverage": _plain(plan.leverage),
        "underlyings": [_underlying_to_dict(u) for u in plan.underlyings],
        "totals": {
            "exposure_usd": _money(t.exposure_usd),
            "target_usd": _money(t.target_usd),
            "hedged_usd": _money(t.hedged_usd),
            "residual_usd": _money(t.residual_usd),
            "initial_margin_usd": _money(t.initial_margin_usd),
        },
        "value_usd": _money(plan.total_value_usd),
        "cash_usd": _money(plan.other_value_usd),
        "problems": list(plan.problems),
    }


def _underlying_to_dict(u: UnderlyingPlan) -> dict[str, Any]:
    return {
        "underlying": u.underlying,
        "family": u.family.id if u.family else None,
        "family_name": u.family.name if u.family else None,
        "futures_price": _plain(u.futures_price) if u.futures_price is not None else None,
        "futures_price_from_spot": u.futures_price_from_spot,
        "ratio": _plain(u.ratio),
        "rounding": u.rounding,
        "leverage": _plain(u.leverage),
        "holdings": u.holdings,
        "value_usd": _money(u.value_usd),
        "exposure_usd": _money(u.exposure_usd),
        "target_usd": _money(u.target_usd),
        "side": u.side,
        "recommended": u.recommended,
        "assumed_beta": list(u.assumed_beta_symbols),
        "warnings": list(u.warnings),
        "problem": u.problem,
        "options": [_option_to_dict(o, u) for o in u.options],
    }


def _option_to_dict(o: HedgeOption, u: UnderlyingPlan) -> dict[str, Any]:
    return {
        "name": o.name,
        "recommended": o.name == u.recommended,
        "side": o.side,
        "contracts": o.contracts,
        "legs": [
            {
                "contract": leg.contract.id,
                "name": leg.contract.name,
                "size": leg.contract.size_text(),
                "contracts": leg.contracts,
            }
            for leg in _json_legs(o)
        ],
        "exact_contracts": (
            _places(o.exact_contracts, 6) if o.exact_contracts is not None else None
        ),
        "hedged_units": _plain(o.hedged_units),
        "hedged_usd": _money(o.hedged_usd),
        "residual_usd": _money(o.residual_usd),
        "residual_pct": _money(o.residual_pct),
        "initial_margin_usd": _money(o.initial_margin_usd),
        "fee_usd": _money(o.fee_usd),
        "liquidation_price": (
            _money(o.liquidation_price) if o.liquidation_price is not None else None
        ),
        "order": o.order_text(u.leverage),
        "warnings": list(o.warnings),
    }


def _json_legs(o: HedgeOption) -> list[Leg]:
    """The legs to show: a mix lists only sizes it uses (an order has no
    0-contract lines); a single tier keeps its one leg, even at 0 contracts,
    because it names the contract."""
    if o.name == "mix":
        return [leg for leg in o.legs if leg.contracts]
    return list(o.legs)


# --------------------------------------------------------------------------- plan: table


def render_plan(plan: Plan) -> str:
    """The plan as aligned text for a terminal."""
    from hedger.core.decimals import fmt_decimal, fmt_money

    lines = [
        _clean(plan.portfolio),
        f"Hedge ratio {fmt_decimal(plan.ratio * 100, 2)} %, rounding {plan.rounding}, "
        f"leverage {fmt_decimal(plan.leverage)}x",
    ]
    if not plan.underlyings:
        lines += ["", "Nothing to hedge: no holdings with market exposure."]
    for u in plan.underlyings:
        lines += ["", *_render_underlying(u)]
    t = plan.totals
    lines.append("")
    lines += _wrapped(
        f"exposure {fmt_money(t.exposure_usd)} USD, target {fmt_money(t.target_usd)} USD, "
        f"hedged {fmt_money(t.hedged_usd)} USD, residual {fmt_money(t.residual_usd)} USD, "
        f"margin {fmt_money(t.initial_margin_usd)} USD",
        "Total (recommended options): ",
    )
    if plan.other_value_usd:
        lines.append(f"Cash and stablecoins: {fmt_money(plan.other_value_usd)} USD (not hedged)")
    return "\n".join(lines) + "\n"


def _render_underlying(u: UnderlyingPlan) -> list[str]:
    from hedger.core.decimals import fmt_decimal, fmt_money

    head = u.underlying
    if u.family is not None:
        head += f" — {u.family.id} ({_clean(u.family.name)})"
    if u.futures_price is not None:
        src = " (from spot)" if u.futures_price_from_spot else ""
        head += f", futures {fmt_money(u.futures_price)} USD{src}"
    holdings = f"{u.holdings} holding{'s' if u.holdings != 1 else ''}"
    lines = [
        head,
        f"  Exposure {fmt_money(u.exposure_usd)} USD ({holdings}); "
        f"target {fmt_money(u.target_usd)} USD at ratio {fmt_decimal(u.ratio * 100, 2)} %",
        f"  Futures side {u.side}; rounding {u.rounding}; leverage {fmt_decimal(u.leverage)}x",
    ]
    if u.problem:
        lines.append(f"  Problem: {_clean(u.problem)}")
    if u.options:
        # Every option of an underlying has the same side (the line above
        # says it), so the table spends that width on the fee instead. USD
        # amounts are whole dollars (cents are noise at this scale; --json
        # keeps them) and the contracts column holds counts only: the orders
        # below name each contract, so a large book still fits 100 columns.
        header = [
            "",
            "option",
            "contracts",
            "hedged USD",
            "residual USD",
            "residual %",
            "margin USD",
            "fee USD",
            "liquidation",
        ]
        rows = [header]
        for o in u.options:
            rows.append(
                [
                    "*" if o.name == u.recommended else "",
                    o.name,
                    _counts_text(o),
                    fmt_money(o.hedged_usd, 0),
                    fmt_money(o.residual_usd, 0),
                    f"{fmt_money(o.residual_pct)} %",
                    fmt_money(o.initial_margin_usd, 0),
                    fmt_money(o.fee_usd),
                    fmt_money(o.liquidation_price) if o.liquidation_price is not None else "—",
                ]
            )
        lines += ["", *("  " + r for r in _align(rows, "llrrrrrrr"))]
        if u.recommended:
            lines.append(f"  * recommended: {u.recommended}")
        lines += ["", "  Orders:"]
        width = max(len(o.name) for o in u.options)
        for o in u.options:
            lines += _wrapped(_clean(o.order_text(u.leverage)), f"    {o.name:<{width}}  ")
    warnings = list(u.warnings)
    rec = u.recommended_option
    if rec is not None:
        warnings += [w for w in rec.warnings if w not in warnings]
    if warnings:
        lines += ["", "  Warnings:"]
        for w in warnings:
            lines += _wrapped(_clean(w), "    ! ")
    return lines


TEXT_WIDTH = 100


def _wrapped(text: str, first: str) -> list[str]:
    """``text`` after ``first``, wrapped to TEXT_WIDTH with a hanging indent."""
    import textwrap

    # Keep each amount with its unit ("17,500 USD") on one line.
    glued = text.replace(" USD", "\u00a0USD").replace(" %", "\u00a0%")
    lines = textwrap.wrap(
        glued,
        TEXT_WIDTH,
        initial_indent=first,
        subsequent_indent=" " * len(first),
        break_on_hyphens=False,
    )
    return [line.replace("\u00a0", " ") for line in lines] or [first.rstrip()]


def _counts_text(o: HedgeOption) -> str:
    """Contracts of an option: "5,374", or a mix's count per size, largest
    size first like the rows above it ("107 + 24", "1 + 0 + 4")."""
    if o.name == "mix":
        return " + ".join(f"{leg.contracts:,}" for leg in o.legs)
    return f"{o.contracts:,}"


def _align(rows: list[list[str]], align: str) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(align))]
    out = []
    for r in rows:
        cells = [
            cell.rjust(w) if a == "r" else cell.ljust(w)
            for cell, w, a in zip(r, widths, align, strict=True)
        ]
        out.append("  ".join(cells).rstrip())
    return out


# --------------------------------------------------------------------------- contracts


def cmd_contracts(args: argparse.Namespace) -> int:
    catalog = load_catalog()
    if args.json:
        doc = catalog_to_dict(catalog, args.underlying, user_only=args.user)
        _write(json.dumps(doc, indent=2) + "\n")
    else:
        _write(render_catalog(catalog, args.underlying, user_only=args.user))
    return EXIT_OK


def _user_store() -> tuple[Any, Path, Catalog]:
    """The user catalog module, its file, and the catalog with the file's additions.

    A damaged file is an error here (exit 2): changing it would drop what
    could not be read.
    """
    from hedger.store import paths, user_catalog

    try:
        path = paths.user_catalog_path()
    except OSError as exc:
        raise CliError(f"cannot use the data folder ({_one_line(str(exc))})") from None
    catalog, problem = user_catalog.load_user_catalog(None, path)
    if problem:
        raise CliError(f"{problem} — fix or remove the file before changing it")
    return user_catalog, path, catalog


def _store_call(call: Callable[[], Catalog]) -> Catalog:
    from hedger.store.user_catalog import UserCatalogError

    try:
        return call()
    except UserCatalogError as exc:
        raise CliError(str(exc)) from None


def _check_replaceable(existing: Any, what: str, entry_id: str, replace: bool) -> None:
    """An id the user may save under: new, or their own with --replace."""
    if existing is None:
        return
    if not existing.user_defined:
        raise CliError(f"{entry_id} is a built-in {what}; give yours a different id")
    if not replace:
        raise CliError(f"you already have a {what} {entry_id}; add --replace to change it")


def cmd_contracts_add(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from pydantic import ValidationError

    from hedger.core.catalog import Contract, Family
    from hedger.store.portfolio_file import validation_summary

    store, path, catalog = _user_store()
    existing = catalog.contracts.get(args.id)
    _check_replaceable(existing, "contract", args.id, args.replace)
    venue, symbol = args.id.split(":", 1)
    values: dict[str, Any] = {
        "id": args.id,
        "venue": venue,
        "symbol": symbol,
        "name": args.name,
        "underlying": args.underlying,
        "tier": args.tier,
        "kind": args.kind,
        "size": args.size,
        "expiry": args.expiry,
        "source": args.source or "entered with 'hedger contracts add'",
        "as_of": args.as_of or datetime.now(UTC).date().isoformat(),
    }
    optional = {
        "quantity_step": args.step,
        "tick": args.tick,
        "initial_margin_rate": args.initial_margin,
        "maintenance_margin_rate": args.maintenance_margin,
        "fee_rate": args.fee,
        "min_notional": args.min_notional,
        "notes": args.notes,
    }
    values.update({k: v for k, v in optional.items() if v is not None})
    if args.as_of is not None:
        _check_date(args.as_of)
    try:
        contract = Contract.model_validate(values)
    except ValidationError as exc:
        raise CliError(f"contract {args.id}: {validation_summary(exc)}") from None

    family = None
    if args.family is not None:
        family = _family_with(catalog, args.family, contract, Family)
    if existing is not None:
        users = [
            f.id
            for f in catalog.families.values()
            if args.id in f.contracts and f.id != args.family
        ]
        for fid in users:
            _check_family_members(catalog, fid, contract)
    catalog = _store_call(lambda: store.save_user_contract(contract, path=path))
    done = f"{'replaced' if existing else 'added'} {contract.id} ({_clean(contract.name)})"
    if family is not None:
        fam = family
        try:
            catalog = _store_call(lambda: store.save_user_family(fam, path=path))
        except CliError as exc:
            raise CliError(f"{done}, but not to family {fam.id}: {exc}") from None
        done += f" in family {family.id}"
    _write(f"{done[0].upper()}{done[1:]}; saved in {path}\n")
    return EXIT_OK


def _check_date(text: str) -> None:
    from datetime import date

    try:
        date.fromisoformat(text)
    except ValueError:
        raise CliError(f"--as-of must be a date like 2026-11-01, got {_clean(text)!r}") from None


def _check_family_members(catalog: Catalog, family_id: str, contract: Contract) -> None:
    """A replaced contract must still fit the families that list it."""
    fam = catalog.families[family_id]
    if contract.underlying != fam.underlying:
        raise CliError(
            f"{contract.id} is in family {fam.id}, which hedges {fam.underlying}; "
            f"remove it from the family first"
        )
    kinds = {catalog.contracts[c].kind for c in fam.contracts if c != contract.id}
    if kinds and kinds != {contract.kind}:
        raise CliError(
            f"{contract.id} is in family {fam.id}, whose other contracts are "
            f"{'/'.join(sorted(kinds))}; remove it from the family first"
        )


def _family_with(catalog: Catalog, family_id: str, contract: Contract, family_type: Any) -> Any:
    """The user family ``family_id`` with ``contract`` added (a new family if none)."""
    current = catalog.families.get(family_id)
    if current is not None and not current.user_defined:
        raise CliError(f"{family_id} is a built-in family; add-family makes one of your own")
    if current is None:
        members: tuple[str, ...] = (contract.id,)
        name, notes = family_id, None
    else:
        members = current.contracts
        if contract.id not in members:
            members = (*members, contract.id)
        name, notes = current.name, current.notes
        if current.underlying != contract.underlying:
            raise CliError(
                f"family {family_id} hedges {current.underlying}, not {contract.underlying}"
            )
        other = {catalog.contracts[c].kind for c in members if c != contract.id}
        if other and other != {contract.kind}:
            raise CliError(
                f"family {family_id} holds {'/'.join(other)} contracts, not {contract.kind}"
            )
        if len(members) > 6:
            raise CliError(f"family {family_id} already has 6 contracts, the most a family holds")
    return family_type(
        id=family_id, name=name, underlying=contract.underlying, contracts=members, notes=notes
    )


def cmd_contracts_add_family(args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from hedger.core.catalog import Family
    from hedger.store.portfolio_file import validation_summary

    store, path, catalog = _user_store()
    existing = catalog.families.get(args.id)
    _check_replaceable(existing, "family", args.id, args.replace)
    unknown = [c for c in args.contracts if c not in catalog.contracts]
    if unknown:
        raise CliError(
            f"unknown contract {', '.join(unknown)} (see 'hedger contracts'; "
            "add your own with 'hedger contracts add')"
        )
    try:
        family = Family.model_validate(
            {
                "id": args.id,
                "name": args.name or args.id,
                "underlying": args.underlying,
                "contracts": args.contracts,
                "notes": args.notes,
            }
        )
    except ValidationError as exc:
        raise CliError(f"family {args.id}: {validation_summary(exc)}") from None
    _store_call(lambda: store.save_user_family(family, path=path))
    verb = "Replaced" if existing else "Added"
    _write(
        f"{verb} family {family.id} ({family.underlying}: {', '.join(family.contracts)}); "
        f"saved in {path}\n"
    )
    return EXIT_OK


def cmd_contracts_remove(args: argparse.Namespace) -> int:
    store, path, catalog = _user_store()
    wanted = args.id.strip()
    # Ids are case-sensitive after the venue; match the venue and family ids loosely.
    key = wanted.upper() if ":" not in wanted else _normal_contract_id(wanted)
    if key in catalog.contracts:
        _store_call(lambda: store.remove_user_contract(key, path=path))
        _write(f"Removed contract {key}; saved in {path}\n")
    elif key in catalog.families:
        _store_call(lambda: store.remove_user_family(key, path=path))
        _write(f"Removed family {key}; saved in {path}\n")
    else:
        raise CliError(
            f"there is no contract or family {_clean(wanted)[:60]!r} (see 'hedger contracts')"
        )
    return EXIT_OK


def _normal_contract_id(text: str) -> str:
    venue, _, symbol = text.partition(":")
    return f"{venue.upper()}:{symbol}"


def _contract_to_dict(c: Contract) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in c.model_dump().items():
        out[name] = _plain(value) if isinstance(value, Decimal) else value
    return out


def catalog_to_dict(
    catalog: Catalog, underlying: str | None = None, *, user_only: bool = False
) -> dict[str, Any]:
    families = [
        f
        for f in catalog.families.values()
        if (underlying is None or f.underlying == underlying) and (f.user_defined or not user_only)
    ]
    contracts = [
        c
        for c in catalog.contracts.values()
        if (underlying is None or c.underlying == underlying) and (c.user_defined or not user_only)
    ]
    return {
        "families": [
            {
                "id": f.id,
                "name": f.name,
                "underlying": f.underlying,
                "contracts": [c.id for c in catalog.family_contracts(f.id)],
                "notes": f.notes,
                "user_defined": f.user_defined,
                "default": catalog.default_families.get(f.underlying) == f.id,
            }
            for f in families
        ],
        "contracts": [_contract_to_dict(c) for c in contracts],
    }


def _pct(rate: Decimal) -> str:
    from hedger.core.decimals import fmt_decimal

    return f"{fmt_decimal(rate * 100, 4)}%"


def render_catalog(
    catalog: Catalog, underlying: str | None = None, *, user_only: bool = False
) -> str:
    """The catalog as text: one table row per contract with its rates, and
    under it the name, where the figures come from and when they were read."""
    from hedger.core.decimals import fmt_decimal

    lines: list[str] = []
    in_family: set[str] = set()
    header = ["contract", "tier", "kind", "size", "step", "tick", "init", "maint", "fee", "expiry"]

    def rows_for(contracts: Iterable[Contract]) -> list[str]:
        rows = [header]
        details: list[tuple[str, str]] = []
        for c in contracts:
            rows.append(
                [
                    c.id,
                    c.tier,
                    c.kind,
                    c.size_text(),
                    fmt_decimal(c.quantity_step),
                    fmt_decimal(c.tick) if c.tick is not None else "—",
                    _pct(c.initial_margin_rate),
                    _pct(c.maintenance_margin_rate),
                    _pct(c.fee_rate),
                    c.expiry,
                ]
            )
            yours = " (yours)" if c.user_defined else ""
            details.append(
                (
                    f"{_clean(c.name)}{yours}",
                    # No break inside "(as of 2026-11-01)" (see _wrapped).
                    f"source: {_clean(c.source)} (as\u00a0of\u00a0{_clean(c.as_of)})",
                )
            )
        table = _align(rows, "lllrrrrrrl")
        out = ["  " + table[0]]
        for row, (name, source) in zip(table[1:], details, strict=True):
            out += ["  " + row, *_wrapped(name, "      "), *_wrapped(source, "      ")]
        return out

    def wanted(underlying_of: str, user_defined: bool) -> bool:
        if underlying is not None and underlying_of != underlying:
            return False
        return user_defined or not user_only

    for f in catalog.families.values():
        members = catalog.family_contracts(f.id)
        if not wanted(f.underlying, f.user_defined):
            continue
        in_family.update(c.id for c in members)
        marks = []
        if catalog.default_families.get(f.underlying) == f.id:
            marks.append("default")
        if f.user_defined:
            marks.append("yours")
        mark = f" [{', '.join(marks)}]" if marks else ""
        lines += [f"{f.id} — {_clean(f.name)} ({f.underlying}){mark}", *rows_for(members)]
        if f.notes:
            lines += _wrapped(_clean(f.notes), "  note: ")
        lines.append("")
    loose = [
        c
        for c in catalog.contracts.values()
        if c.id not in in_family and wanted(c.underlying, c.user_defined)
    ]
    if loose:
        lines += ["Not in any family", *rows_for(loose), ""]
    if not lines:
        whose = "of your own" if user_only else "known"
        where = f" for {underlying}" if underlying else ""
        lines = [f"No contracts {whose}{where}.", ""]
        if user_only:
            lines += [
                "Add one with 'hedger contracts add' (see 'hedger contracts add --help').",
                "",
            ]
    lines += _wrapped(
        "Sizes are per contract (coins for linear, USD face value for inverse); step is the "
        "order quantity step. init, maint: default initial and maintenance margin rates; "
        "fee: taker fee rate. Margins and fees are editable defaults: venues change them.",
        "",
    )
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- output


def _write(text: str) -> None:
    try:
        sys.stdout.write(_CONTROL.sub(_escape_control, text))
        sys.stdout.flush()
    except BrokenPipeError:
        raise  # the reader left: main() stops quietly
    except OSError as exc:
        # A full disk or /dev/full: the output is lost, say so in one line.
        _silence_stdout()  # or the interpreter's final flush fails again
        reason = exc.strerror or type(exc).__name__
        raise CliError(f"cannot write the output ({reason})", EXIT_INTERNAL) from None


def _say(message: str, stream: TextIO | None = None) -> None:
    out = stream or sys.stderr
    try:
        out.write(f"hedger: {_clean(_one_line(message))}\n")
        out.flush()
    except (OSError, ValueError):
        pass


def _one_line(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= 400 else flat[:399] + "…"


# Terminal controls a file could smuggle into names and notes: C0 and C1
# controls, DEL, and the bidirectional overrides that reorder what is shown.
_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_CONTROL_OR_NEWLINE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _escape_control(match: re.Match[str]) -> str:
    char = match.group()
    if char in "\t\r\n":
        return " "
    return f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"


def _clean(text: str) -> str:
    """Text from a file or the catalog, safe for one line of a terminal:
    newlines and tabs become spaces, other controls show as \\x1b and the like."""
    return _CONTROL_OR_NEWLINE.sub(_escape_control, text)


def _tolerate_unencodable_output() -> None:
    # A console that cannot show "×" or "—" should get "?" rather than a crash.
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(ValueError, OSError, TypeError):
                reconfigure(errors="replace")


def _silence_stdout() -> None:
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass
