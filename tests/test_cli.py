"""The `hedger` command: plan output, catalog listing, GUI dispatch, bad input."""

from __future__ import annotations

import importlib.machinery
import json
import os
import subprocess
import sys
import types
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import hedger
from hedger import cli
from hedger.cli import commands
from hedger.cli import plan as plan_command
from hedger.core.resources import resource_path

SAMPLE = resource_path("samples", "core-stack.json")
DECIMAL_KEYS = (
    "hedged_usd",
    "residual_usd",
    "residual_pct",
    "initial_margin_usd",
)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def plan_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, Any]:
    code, out, err = run(capsys, "plan", *argv, "--json")
    assert code == 0, err
    assert err == ""
    data: dict[str, Any] = json.loads(out)
    return data


def assert_one_line_error(err: str, *fragments: str) -> None:
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("hedger: "), err
    assert "Traceback" not in err
    for f in fragments:
        assert f in lines[0], (f, lines[0])


def write_portfolio(path: Path, holdings: list[dict[str, Any]], **hedge: Any) -> Path:
    # A version-1 file on the article's example family (the default family and
    # leverage of a new portfolio changed: tests/test_orders_defaults.py).
    hedge.setdefault("families", {"BTC": "GENERIC-BTC", "ETH": "GENERIC-ETH"})
    doc = {"schema_version": 1, "name": "Test book", "holdings": holdings, "hedge": hedge}
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def underlying(data: dict[str, Any], name: str) -> dict[str, Any]:
    found: list[dict[str, Any]] = [u for u in data["underlyings"] if u["underlying"] == name]
    assert len(found) == 1, name
    return found[0]


def option(u: dict[str, Any], name: str) -> dict[str, Any]:
    found: list[dict[str, Any]] = [o for o in u["options"] if o["name"] == name]
    assert len(found) == 1, name
    return found[0]


# --------------------------------------------------------------------------- plan --json


def test_plan_json_shape_on_the_sample(capsys: pytest.CaptureFixture[str]) -> None:
    data = plan_json(capsys, str(SAMPLE))
    assert data["portfolio"] == "Sample — Core stack"
    assert (data["ratio"], data["rounding"], data["leverage"]) == ("1", "nearest", "2")
    assert [u["underlying"] for u in data["underlyings"]] == ["BTC", "ETH"]
    for u in data["underlyings"]:
        for key in ("family", "futures_price", "exposure_usd", "target_usd", "recommended"):
            assert isinstance(u[key], str), key
        names = [o["name"] for o in u["options"]]
        assert u["recommended"] in names
        for o in u["options"]:
            assert o["name"] in ("standard", "mini", "micro", "nano", "mix")
            assert o["side"] in ("short", "long")
            assert isinstance(o["contracts"], int)
            for leg in o["legs"]:
                assert isinstance(leg["contract"], str)
                assert isinstance(leg["contracts"], int) and not isinstance(leg["contracts"], bool)
            for key in DECIMAL_KEYS:
                assert isinstance(o[key], str), key
            assert o["liquidation_price"] is None or isinstance(o["liquidation_price"], str)
    assert set(data["totals"]) >= {
        "exposure_usd",
        "target_usd",
        "hedged_usd",
        "residual_usd",
        "initial_margin_usd",
    }
    assert all(isinstance(v, str) for v in data["totals"].values())


def test_plan_json_figures_on_the_sample(capsys: pytest.CaptureFixture[str]) -> None:
    data = plan_json(capsys, str(SAMPLE))
    btc = underlying(data, "BTC")
    # 0.5 BTC plus 1,800 USD of SOL at beta 1.5.
    assert btc["family"] == "CME-BTC"
    assert btc["futures_price"] == "70000"
    assert btc["exposure_usd"] == "37700"
    assert btc["target_usd"] == "37700"
    micro = option(btc, "micro")
    assert micro["legs"] == [
        {
            "contract": "CME:MBT",
            "name": "CME Micro Bitcoin (MBT)",
            "size": "0.1 BTC",
            "contracts": 5,
            "lots": 5,
        }
    ]
    assert micro["hedged_usd"] == "35000"
    assert micro["residual_usd"] == "2700"
    assert micro["residual_pct"] == "7.16"
    assert micro["initial_margin_usd"] == "17500"
    # CME's maintenance is most of its initial margin: 70,000 x (1 + 1/2 - 0.36).
    assert micro["liquidation_price"] == "79800"
    assert micro["exact_contracts"] == "5.385714"
    assert micro["order_text"].startswith("Sell 5 contracts of CME Micro Bitcoin (MBT)")
    assert (micro["order"]["side"], micro["order"]["quantity"], micro["order"]["unit"]) == (
        "sell",
        "5",
        "contracts",
    )
    assert option(btc, "standard")["contracts"] == 0
    assert option(btc, "standard")["liquidation_price"] is None
    eth = underlying(data, "ETH")
    assert eth["futures_price_from_spot"] is True
    assert option(eth, "micro")["legs"][0] == {
        "contract": "CME:MET",
        "name": "CME Micro Ether (MET)",
        "size": "0.1 ETH",
        "contracts": 40,
        "lots": 40,
    }
    assert data["totals"] == {
        "exposure_usd": "51700",
        "target_usd": "51700",
        "hedged_usd": "49000",
        "residual_usd": "2700",
        "initial_margin_usd": "24500",
    }
    assert data["cash_usd"] == "2000"
    assert data["problems"] == []


def test_flags_override_the_file_everywhere(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = write_portfolio(
        tmp_path / "p.json",
        [{"symbol": "BTC", "quantity": "0.0215", "price": "70000"}],
        ratio="1",
        rounding="down",
        leverage="2",
        per_underlying={"BTC": {"ratio": "0.25", "rounding": "down", "leverage": "3"}},
    )
    base = underlying(plan_json(capsys, str(path)), "BTC")
    assert (base["ratio"], base["rounding"], base["leverage"]) == ("0.25", "down", "3")

    data = plan_json(capsys, str(path), "--ratio", "50%", "--rounding", "up", "--leverage", "10")
    assert (data["ratio"], data["rounding"], data["leverage"]) == ("0.5", "up", "10")
    btc = underlying(data, "BTC")
    assert (btc["ratio"], btc["rounding"], btc["leverage"]) == ("0.5", "up", "10")
    assert btc["target_usd"] == "752.5"
    micro = option(btc, "micro")
    assert micro["contracts"] == 2  # 1.075 micros rounded up
    assert micro["initial_margin_usd"] == "140"

    assert plan_json(capsys, str(path), "--ratio", "0.5")["ratio"] == "0.5"


def test_family_and_price_flags(capsys: pytest.CaptureFixture[str]) -> None:
    data = plan_json(capsys, str(SAMPLE), "--family", "btc=deribit-btc", "--price", "BTC=75400")
    btc = underlying(data, "BTC")
    assert btc["family"] == "DERIBIT-BTC"
    assert btc["futures_price"] == "75400"
    [opt] = btc["options"]
    assert opt["legs"][0]["contract"] == "DERIBIT:BTC-PERPETUAL"
    assert opt["contracts"] == 3770  # 37,700 USD of 10 USD contracts


def test_short_book_is_hedged_long(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = write_portfolio(
        tmp_path / "short.json", [{"symbol": "BTC", "quantity": "-0.05", "price": "70000"}]
    )
    btc = underlying(plan_json(capsys, str(path)), "BTC")
    assert btc["side"] == "long"
    assert option(btc, "micro")["side"] == "long"
    assert option(btc, "micro")["order_text"].startswith("Buy 5 contracts of ")
    assert option(btc, "micro")["order"]["side"] == "buy"


def test_user_contracts_plan_and_list(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    store = pytest.importorskip("hedger.store.user_catalog")
    from hedger.core.catalog import Contract, Family

    contract = Contract.model_validate(
        {
            "id": "MYBROKER:SOL-1",
            "venue": "MYBROKER",
            "symbol": "SOL-1",
            "name": "My SOL future",
            "underlying": "SOL",
            "tier": "micro",
            "kind": "linear",
            "size": "1",
            "source": "my broker's site",
            "as_of": "2026-01-01",
        }
    )
    store.save_user_contract(contract)
    store.save_user_family(
        Family(id="MY-SOL", name="My SOL", underlying="SOL", contracts=("MYBROKER:SOL-1",))
    )
    path = write_portfolio(
        tmp_path / "sol.json", [{"symbol": "SOL", "quantity": "12", "price": "150"}]
    )
    sol = underlying(plan_json(capsys, str(path)), "SOL")
    assert sol["family"] == "MY-SOL"
    assert option(sol, "micro")["contracts"] == 12

    code, out, err = run(capsys, "contracts")
    assert code == 0, err
    assert "MY-SOL" in out and "MYBROKER:SOL-1" in out and "(yours)" in out
    code, out, _ = run(capsys, "contracts", "--json", "--underlying", "sol")
    listed = json.loads(out)
    assert [f["id"] for f in listed["families"]] == ["MY-SOL"]
    assert listed["contracts"][0]["user_defined"] is True


# --------------------------------------------------------------------------- table


def test_plan_table_is_readable(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "plan", str(SAMPLE))
    assert code == 0, err
    assert err == ""
    assert out.startswith("Sample — Core stack\n")
    assert "BTC — CME-BTC" in out
    assert "futures 70,000.00 USD" in out
    header = next(line for line in out.splitlines() if "residual USD" in line)
    for col in (
        "option",
        "order",
        "contracts",
        "hedged USD",
        "residual USD",
        "margin USD",
        "fee USD",
        "liquidation",
    ):
        assert col in header
    # The side is the same for every option of an underlying: said once above the table.
    assert "Futures side short; rounding nearest" in out
    mix_row = next(line for line in out.splitlines() if line.lstrip().startswith("*  mix"))
    # The order in the venue's unit, then contracts per size, largest first
    # (0 CME:BTC + 5 CME:MBT); whole USD amounts.
    assert mix_row.split()[2:4] == ["5", "contracts"]
    assert mix_row.split()[4:7] == ["0", "+", "5"]
    assert mix_row.split()[7:9] == ["35,000", "2,700"]
    assert "17,500" in mix_row and "79,800.00" in mix_row
    # Fee: 5 MBT x 0.1 BTC x 70,000 x 0.02 %.
    assert mix_row.split()[-2] == "7.00"
    # Columns line up: every row of a table ends its liquidation at the same place.
    table = out.split("\n\n")[2].splitlines()[:4]  # header and three options
    assert len({len(line) for line in table}) == 1
    # Fits a 100-column terminal.
    assert max(len(line) for line in out.splitlines()) <= 100
    # Mix and micro tie fully (5 MBT each): the mix is recommended.
    assert "* recommended: mix" in out
    assert "Sell 5 contracts of CME Micro Bitcoin (MBT) (0.5 BTC) — hedges 35,000 USD" in out
    assert "Total (recommended options)" in out
    assert "Cash and stablecoins: 2,000.00 USD" in out


def test_plan_table_shows_warnings(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = write_portfolio(
        tmp_path / "alt.json",
        [{"symbol": "DOGE", "quantity": "1000", "price": "0.5"}],
        futures_prices={"BTC": "70000"},
    )
    code, out, _ = run(capsys, "plan", str(path))
    assert code == 0
    assert "Warnings:" in out
    assert "assumed beta of 1: DOGE hedged with BTC" in out


def test_contracts_lists_every_family(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "contracts")
    assert code == 0, err
    for fid in ("GENERIC-BTC", "CME-BTC", "CME-ETH", "DERIBIT-BTC", "BINANCE-COINM-BTC"):
        assert fid in out
    assert "CME:MBT" in out and "0.1 BTC" in out
    assert "10 USD" in out  # Deribit inverse face value
    code, out, _ = run(capsys, "contracts", "--json")
    data = json.loads(out)
    fams = {f["id"]: f for f in data["families"]}
    assert fams["CME-BTC"]["contracts"] == ["CME:BTC", "CME:MBT"]
    assert fams["CME-BTC"]["default"] is True
    assert fams["GENERIC-BTC"]["default"] is False
    by_id = {c["id"]: c for c in data["contracts"]}
    assert by_id["CME:BTC"]["size"] == "5"
    assert by_id["CME:BTC"]["source"].startswith("https://www.cmegroup.com")


def test_mix_legs_leave_out_sizes_it_does_not_use(capsys: pytest.CaptureFixture[str]) -> None:
    # The example: 0.5 BTC with CME is 5 MBT, listed as the mix's only leg.
    data = plan_json(capsys, str(SAMPLE))
    btc = underlying(data, "BTC")
    mix = option(btc, "mix")
    assert [(leg["contract"], leg["contracts"]) for leg in mix["legs"]] == [("CME:MBT", 5)]
    # Mix and micro tie on residual, contracts and margin: the mix wins.
    assert btc["recommended"] == "mix"
    # A single tier keeps its one leg even at 0 contracts: it names the contract.
    assert option(btc, "standard")["legs"][0]["contract"] == "CME:BTC"
    assert option(btc, "standard")["legs"][0]["contracts"] == 0


def test_contracts_table_shows_rates_step_and_source(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "contracts", "--underlying", "BTC")
    assert code == 0
    lines = out.splitlines()
    header = next(line for line in lines if line.strip().startswith("contract"))
    for col in ("tier", "kind", "size", "step", "tick", "init", "maint", "fee", "expiry"):
        assert f" {col}" in header, col
    row = next(line for line in lines if line.strip().startswith("BINANCE:BTCUSDT "))
    assert "0.001 BTC" in row and "perpetual" in row
    i = lines.index(row)
    assert "source:" in lines[i + 2] and "(as of 2026-" in " ".join(lines[i + 2 : i + 4])
    assert max(len(line) for line in lines) <= 100


def test_terminal_controls_in_names_are_shown_not_obeyed(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "evil.json"
    doc = {
        "schema_version": 1,
        "name": "Evil\x1b[31mRED\nsecond line\u202e",
        "holdings": [{"symbol": "BTC", "quantity": "1", "price": "70000"}],
    }
    path.write_text(json.dumps(doc), encoding="utf-8")
    code, out, _ = run(capsys, "plan", str(path))
    assert code == 0
    assert "\x1b" not in out and "\u202e" not in out
    assert out.splitlines()[0] == "Evil\\x1b[31mRED second line\\u202e"
    # JSON escapes them as JSON does.
    assert json.loads(run(capsys, "plan", str(path), "--json")[1])["portfolio"] == doc["name"]


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["plan", ""], "empty path"),
        (["--version", "extra"], "--version takes no arguments"),
    ],
)
def test_odd_arguments_are_refused(
    capsys: pytest.CaptureFixture[str], argv: list[str], fragment: str
) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert_one_line_error(err, fragment)


# --------------------------------------------------------------------------- top level


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--version")
    assert code == 0
    assert out == f"hedger {hedger.__version__}\n"
    assert out == "hedger 0.1.0\n"


def test_help_lists_commands(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--help")
    assert code == 0
    assert "plan" in out and "contracts" in out
    code, out, _ = run(capsys, "plan", "--help")
    assert code == 0
    assert "--family" in out and "--ratio" in out and "50%" in out


@pytest.fixture
def fake_gui(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[Path | None, bool]]]:
    calls: list[tuple[Path | None, bool]] = []
    module = types.ModuleType("hedger.ui.app")

    def run_gui(
        file: Path | None = None, smoke_test: bool = False, smoke_edit: bool = False
    ) -> int:
        calls.append((file, smoke_test))
        return 0

    module.run_gui = run_gui  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "hedger.ui.app", module)
    yield calls


def test_gui_dispatch(capsys: pytest.CaptureFixture[str], fake_gui: list[Any]) -> None:
    assert cli.main([]) == 0
    assert cli.main([str(SAMPLE)]) == 0
    assert cli.main(["--smoke-test"]) == 0
    assert cli.main(["--smoke-test", str(SAMPLE)]) == 0
    assert cli.main([str(SAMPLE), "--smoke-test"]) == 0
    assert fake_gui == [
        (None, False),
        (SAMPLE, False),
        (None, True),
        (SAMPLE, True),
        (SAMPLE, True),
    ]


def test_missing_gui_is_one_clear_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "hedger.ui.app", None)  # import now raises ImportError
    code, out, err = run(capsys)
    assert code == 2
    assert out == ""
    assert_one_line_error(err, "the desktop app is not available in this build")


# --------------------------------------------------------------------------- command table


def _fake_command_module(
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    add_parser: Callable[[Any, Any], None],
) -> None:
    module = types.ModuleType(name)
    module.__spec__ = importlib.machinery.ModuleSpec(name, None)
    module.add_parser = add_parser  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, name, module)


def test_command_modules_are_imported_on_demand(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    added: list[str] = []

    def add_parser(sub: Any, command: Any) -> None:
        added.append(command.name)
        p = sub.add_parser(command.name, help=command.help)
        p.add_argument("word")
        p.set_defaults(func=lambda args: print(f"echo {args.word}") or 0)

    _fake_command_module(monkeypatch, "hedger_fake_cmd", add_parser)
    echo = commands.Command("echo", "hedger_fake_cmd", "say something")
    monkeypatch.setattr(commands, "COMMANDS", (*commands.COMMANDS, echo))

    code, out, _ = run(capsys, "plan", str(SAMPLE), "--json")
    assert code == 0
    assert added == []  # plan never imports another command's module

    code, out, _ = run(capsys, "echo", "hi")
    assert (code, out) == (0, "echo hi\n")
    assert added == ["echo"]
    # --help lists the table without importing any command module.
    code, out, _ = run(capsys, "--help")
    assert code == 0 and "echo" in out and "say something" in out
    assert added == ["echo"]


def test_help_imports_no_command_module(data_dir: Path) -> None:
    code = (
        "import contextlib, io, sys\n"
        "from hedger.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()) as out:\n"
        "    assert main(['--help']) == 0\n"
        "from hedger.cli.commands import COMMANDS\n"
        "assert all(c.name in out.getvalue() for c in COMMANDS)\n"
        "print(sorted(c.module for c in COMMANDS if c.module in sys.modules))\n"
    )
    env = {**os.environ, "HEDGER_DATA_DIR": str(data_dir)}
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


def test_missing_or_broken_command_modules_do_not_break_the_cli(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(sub: Any, command: Any) -> None:
        raise RuntimeError("half-written module")

    _fake_command_module(monkeypatch, "hedger_broken_cmd", broken)
    monkeypatch.setattr(
        commands,
        "COMMANDS",
        (
            commands.Command("plan", "hedger.cli.plan", "plan"),
            commands.Command("prices", "hedger_no_such_module.cli", "prices"),
            commands.Command("bad", "hedger_broken_cmd", "broken"),
        ),
    )
    code, out, _ = run(capsys, "--help")
    assert code == 0 and "plan" in out
    code, _, err = run(capsys, "prices")
    assert code == 2
    assert_one_line_error(err, "the 'prices' command is not available in this build")
    code, _, err = run(capsys, "bad")
    assert code == 1
    assert_one_line_error(err, "could not start", "half-written module")
    code, _, _ = run(capsys, "plan", str(SAMPLE))
    assert code == 0


# --------------------------------------------------------------------------- bad input


def _corrupt(tmp_path: Path) -> Path:
    path = tmp_path / "corrupt.json"
    path.write_bytes(b'{"schema_version": 1, "holdings": [')
    return path


BAD_CASES: list[tuple[str, Callable[[Path], list[str]], str]] = [
    ("missing file", lambda t: ["plan", str(t / "nope.json")], "file not found"),
    ("corrupt file", lambda t: ["plan", str(_corrupt(t))], "corrupt.json"),
    ("a folder", lambda t: ["plan", str(t)], "folder"),
    (
        "not a portfolio",
        lambda t: ["plan", str(_write(t / "x.json", '{"name": "x"}'))],
        "not a Hedger portfolio",
    ),
    ("empty file", lambda t: ["plan", str(_write(t / "e.json", ""))], "e.json"),
    (
        "zero price in file",
        lambda t: ["plan", str(_holding_file(t, price="0"))],
        "price",
    ),
    (
        "negative price in file",
        lambda t: ["plan", str(_holding_file(t, price="-5"))],
        "price",
    ),
    ("unknown family", lambda t: ["plan", str(SAMPLE), "--family", "BTC=NOPE"], "NOPE"),
    (
        "family for another coin",
        lambda t: ["plan", str(SAMPLE), "--family", "BTC=CME-ETH"],
        "hedges ETH, not BTC",
    ),
    ("malformed family", lambda t: ["plan", str(SAMPLE), "--family", "BTC"], "--family"),
    ("zero price flag", lambda t: ["plan", str(SAMPLE), "--price", "BTC=0"], "above 0"),
    ("negative price flag", lambda t: ["plan", str(SAMPLE), "--price", "BTC=-1"], "above 0"),
    ("zero leverage", lambda t: ["plan", str(SAMPLE), "--leverage", "0"], "leverage"),
    ("negative leverage", lambda t: ["plan", str(SAMPLE), "--leverage", "-2"], "leverage"),
    ("huge leverage", lambda t: ["plan", str(SAMPLE), "--leverage", "1000"], "leverage"),
    ("word leverage", lambda t: ["plan", str(SAMPLE), "--leverage", "ten"], "leverage"),
    ("ratio text", lambda t: ["plan", str(SAMPLE), "--ratio", "half"], "ratio"),
    ("ratio too big", lambda t: ["plan", str(SAMPLE), "--ratio", "300%"], "ratio"),
    ("negative ratio", lambda t: ["plan", str(SAMPLE), "--ratio=-0.5"], "ratio"),
    ("bad rounding", lambda t: ["plan", str(SAMPLE), "--rounding", "sideways"], "rounding"),
    ("no file", lambda t: ["plan"], "FILE"),
    ("unknown option", lambda t: ["plan", str(SAMPLE), "--frobnicate"], "--frobnicate"),
    ("unknown command", lambda t: ["plna", "x.json"], "unknown command 'plna'"),
    (
        "no price for BTC",
        lambda t: ["plan", str(_no_price_file(t))],
        "no price for BTC",
    ),
]


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _holding_file(tmp_path: Path, price: str) -> Path:
    return write_portfolio(
        tmp_path / "bad-price.json", [{"symbol": "BTC", "quantity": "1", "price": price}]
    )


def _no_price_file(tmp_path: Path) -> Path:
    return write_portfolio(
        tmp_path / "sol.json",
        [{"symbol": "SOL", "quantity": "10", "price": "150", "beta": "1.2"}],
    )


@pytest.mark.parametrize(("case", "argv", "fragment"), BAD_CASES, ids=[c[0] for c in BAD_CASES])
def test_bad_input_exits_2_with_one_line(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    case: str,
    argv: Callable[[Path], list[str]],
    fragment: str,
) -> None:
    code, _, err = run(capsys, *argv(tmp_path))
    assert code == 2, err
    assert_one_line_error(err, fragment)


def test_plan_problem_still_prints_what_it_can(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = write_portfolio(
        tmp_path / "mixed.json",
        [
            {"symbol": "ETH", "quantity": "1", "price": "3500"},
            {"symbol": "DOGE", "quantity": "10", "price": "1", "hedge_with": "XRP"},
        ],
    )
    code, out, err = run(capsys, "plan", str(path), "--json")
    assert code == 2
    assert_one_line_error(err, "XRP: no futures family for XRP")
    data = json.loads(out)
    assert underlying(data, "ETH")["problem"] is None
    assert underlying(data, "XRP")["options"] == []
    assert data["problems"] == ["XRP: no futures family for XRP"]


def test_unexpected_errors_are_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import hedger.core.planner as planner

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("something\nbroke")

    monkeypatch.setattr(planner, "plan_portfolio", boom)
    code, _, err = run(capsys, "plan", str(SAMPLE))
    assert code == 1
    assert_one_line_error(err, "unexpected error", "something broke")


def test_ctrl_c_exits_130(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(plan_command, "load_portfolio", interrupted)
    code, _, err = run(capsys, "plan", str(SAMPLE))
    assert code == 130
    assert "Traceback" not in err


# --------------------------------------------------------------------------- subprocess


def run_hedger(data_dir: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HEDGER_DATA_DIR": str(data_dir), "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [sys.executable, "-m", "hedger", *argv],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=60,
        check=False,
    )


def test_process_plan_json(data_dir: Path) -> None:
    proc = run_hedger(data_dir, "plan", str(SAMPLE), "--json", "--leverage", "10")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    data = json.loads(proc.stdout)
    assert data["leverage"] == "10"
    btc = underlying(data, "BTC")
    assert btc["family"] == "CME-BTC"
    assert option(btc, "micro")["legs"][0]["contracts"] == 5
    # 10x would be 3,500 USD; CME asks 40 % of the 35,000 USD notional.
    assert option(btc, "micro")["initial_margin_usd"] == "14000"
    assert option(btc, "micro")["margin"]["rule"] == "venue"


def test_process_table_and_version(data_dir: Path) -> None:
    proc = run_hedger(data_dir, "plan", str(SAMPLE))
    assert proc.returncode == 0, proc.stderr
    assert "recommended" in proc.stdout
    proc = run_hedger(data_dir, "--version")
    assert (proc.returncode, proc.stdout) == (0, "hedger 0.1.0\n")


@pytest.mark.parametrize(
    "argv",
    [
        ["plan", "does-not-exist.json"],
        ["plan", "CORRUPT"],
        ["plan", str(SAMPLE), "--family", "BTC=NOPE"],
        ["plan", str(SAMPLE), "--leverage", "0"],
        ["plan", str(SAMPLE), "--ratio", "abc"],
        ["bogus-command"],
    ],
)
def test_process_bad_input(data_dir: Path, tmp_path: Path, argv: list[str]) -> None:
    argv = [str(_corrupt(tmp_path)) if a == "CORRUPT" else a for a in argv]
    proc = run_hedger(data_dir, *argv)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert_one_line_error(proc.stderr)


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("argv", [["plan", str(SAMPLE)], ["contracts", "--json"], ["--version"]])
def test_full_output_device_is_one_clean_line(data_dir: Path, argv: list[str]) -> None:
    env = {**os.environ, "HEDGER_DATA_DIR": str(data_dir)}
    with open("/dev/full", "w") as full:
        proc = subprocess.run(
            [sys.executable, "-m", "hedger", *argv],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            timeout=60,
            check=False,
        )
    assert proc.returncode == 1
    assert proc.stderr == "hedger: cannot write the output (No space left on device)\n"


def test_smoke_edit_needs_smoke_test(
    capsys: pytest.CaptureFixture[str], fake_gui: list[Any]
) -> None:
    assert cli.main([str(SAMPLE), "--smoke-edit"]) == 2
    assert "--smoke-edit needs --smoke-test" in capsys.readouterr().err
    assert fake_gui == []


@pytest.mark.parametrize(("preset", "expected"), [(None, "__all__"), ("", "")])
def test_pydantic_plugins_are_off_unless_the_user_says(
    data_dir: Path, preset: str | None, expected: str
) -> None:
    env = {**os.environ, "HEDGER_DATA_DIR": str(data_dir)}
    env.pop("PYDANTIC_DISABLE_PLUGINS", None)
    if preset is not None:
        env["PYDANTIC_DISABLE_PLUGINS"] = preset
    code = (
        "import os, sys\n"
        "from hedger.__main__ import main\n"
        "main(['--version'])\n"
        "print(repr(os.environ['PYDANTIC_DISABLE_PLUGINS']))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[-1] == repr(expected)
