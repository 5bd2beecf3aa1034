"""``hedger positions FILE [list|add|remove|placed|journal]`` and plan's held hedge."""

from __future__ import annotations

import json
from decimal import Decimal as D
from pathlib import Path

import pytest

from hedger.cli import main
from hedger.core.models import HedgeSettings, Holding, Portfolio
from hedger.services.portfolios import open_portfolio, save_portfolio


@pytest.fixture
def path(tmp_path: Path) -> Path:
    p = tmp_path / "book.json"
    save_portfolio(
        p,
        Portfolio(
            name="Book",
            holdings=(Holding(symbol="BTC", quantity=D("0.5"), price=D(70000)),),
            hedge=HedgeSettings(families={"BTC": "CME-BTC"}),
        ),
    )
    return p


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_add_list_remove(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "positions", str(path))
    assert code == 0 and "holds no futures positions" in out
    assert run(capsys, "positions", str(path), "add", "cme:MBT", "-3", "--entry", "69000")[0] == 0
    code, out, _ = run(
        capsys,
        "positions",
        str(path),
        "add",
        "CME:MET",
        "2",
        "--entry",
        "3400",
        "--account",
        "broker",
        "--collateral",
        "900",
        "--expiry",
        "2026-12-25",
    )
    assert code == 0 and out == (
        "Added position 2 in book.json: long 2 contracts (0.2 ETH) of CME Micro Ether (MET).\n"
    )
    code, out, _ = run(capsys, "positions", str(path), "--json")
    doc = json.loads(out)
    assert [(p["contract"], p["quantity"]) for p in doc["positions"]] == [
        ("CME:MBT", "-3"),
        ("CME:MET", "2"),
    ]
    assert doc["positions"][1]["expiry"] == "2026-12-25"
    code, out, _ = run(capsys, "positions", str(path), "list")
    assert "CME:MET" in out and "broker" in out and "expires 2026-12-25" in out
    assert run(capsys, "positions", str(path), "remove", "2")[0] == 0
    assert [p.contract for p in open_portfolio(path).positions] == ["CME:MBT"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["add", "CME:NOPE", "-3", "--entry", "1"], "unknown contract 'CME:NOPE'"),
        (["add", "CME:MBT", "0", "--entry", "1"], "quantity must not be 0"),
        (["add", "CME:MBT", "-3"], "--entry"),
        (["remove", "5"], "no position 5"),
        (["placed", "ETH"], "ETH: not in this portfolio's plan"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    before = path.read_bytes()
    code, out, err = run(capsys, "positions", str(path), *argv)
    assert code == 2 and out == "" and err.count("\n") == 1 and message in err
    assert path.read_bytes() == before


def test_placed_moves_the_positions_and_journals(
    path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "positions", str(path), "add", "CME:MBT", "-3", "--entry", "69000")
    code, out, _ = run(capsys, "positions", str(path), "placed", "BTC")
    assert code == 0 and "Sell 2 more contracts of CME Micro Bitcoin (MBT) (0.2 BTC)" in out
    p = open_portfolio(path)
    (mbt,) = p.positions
    assert mbt.quantity == D(-5)
    assert mbt.entry_price == D("69400")  # (3 x 69,000 + 2 x 70,000) / 5
    (entry,) = p.journal
    assert (entry.kind, entry.before, entry.after, entry.futures_price) == (
        "placed",
        D(-3),
        D(-5),
        D(70000),
    )
    code, out, _ = run(capsys, "positions", str(path), "placed", "BTC")
    assert code == 2
    code, out, _ = run(capsys, "positions", str(path), "journal", "--csv")
    lines = out.splitlines()
    assert lines[0].startswith("time,kind,underlying,contract,account,change,before,after")
    assert ",placed,BTC,CME:MBT,,-2,-3,-5,70000,70000,Sell 2 more" in lines[1]


def test_placed_from_nothing_held_opens_the_plan(
    path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "positions", str(path), "placed", "BTC")[0] == 0
    (mbt,) = open_portfolio(path).positions
    assert (mbt.contract, mbt.quantity, mbt.entry_price) == ("CME:MBT", D(-5), D(70000))


def test_plan_shows_the_held_hedge_and_json_gains_current_and_delta(
    path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = run(capsys, "plan", str(path), "--json")[1]
    u = json.loads(out)["underlyings"][0]
    assert u["current"]["positions"] == [] and u["delta"]["orders"][0]["action"] == "open"
    assert "Held hedge" not in run(capsys, "plan", str(path))[1]
    run(capsys, "positions", str(path), "add", "CME:MBT", "-8", "--entry", "69000")
    out = run(capsys, "plan", str(path))[1]
    assert "Held hedge (your positions):" in out
    assert "→ Buy back 3 contracts of CME Micro Bitcoin (MBT) (0.3 BTC): reduces the short" in out
    u = json.loads(run(capsys, "plan", str(path), "--json")[1])["underlyings"][0]
    assert u["current"]["usd"] == "-56000" and u["current"]["pnl_usd"] == "-800"
    (order,) = u["delta"]["orders"]
    assert (order["action"], order["side"], order["quantity"], order["held"], order["after"]) == (
        "reduce",
        "buy",
        "3",
        -8,
        -5,
    )
    assert u["delta"]["margin"]["initial_usd"] == "17500"
    assert "recommended" in u and "options" in u  # existing keys stay
