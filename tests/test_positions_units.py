"""Held quantities in the venue's own unit, checked against its step (audit 14-3, 14-10).

A Binance screen shows "-0.600 BTC", a Deribit one "-30,000 USD", CME "-3". Hedger
stores contracts; it takes and shows both, with the unit always written, refuses
zero and quantities off the venue's step with the nearest valid one, and refuses a
bare number on a venue whose unit is not contracts rather than guess.
"""

from __future__ import annotations

import json
from decimal import Decimal as D
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from hedger.cli import main
from hedger.core.catalog import builtin_catalog
from hedger.core.held_quantity import HeldQuantityError, held_text, parse_held
from hedger.core.models import HedgeSettings, Holding, Portfolio, Position
from hedger.core.planner import plan_portfolio
from hedger.core.positions_csv import parse_positions_text
from hedger.services.portfolios import open_portfolio, save_portfolio
from hedger.ui.document.document import PortfolioDocument
from hedger.ui.positions.model import FIELDS, HEADER_TIPS
from hedger.ui.positions.panel import PositionsPanel

CATALOG = builtin_catalog()
C = CATALOG.contracts
BINANCE, DERIBIT, CME, OKX = (
    C["BINANCE:BTCUSDT"],
    C["DERIBIT:BTC-PERPETUAL"],
    C["CME:MBT"],
    C["OKX:BTC-USDT-SWAP"],
)


@pytest.mark.parametrize(
    ("contract", "text", "unit", "contracts"),
    [
        (BINANCE, "-0.6 BTC", None, "-600"),
        (BINANCE, "-0.6", "coin", "-600"),
        (BINANCE, "-600", "contracts", "-600"),
        (DERIBIT, "-30000 USD", None, "-3000"),
        (DERIBIT, "-1,230,000", "usd", "-123000"),
        (CME, "-3", None, "-3"),
        (CME, "-0.3 BTC", None, "-3"),
        (OKX, "-38.6", None, "-38.6"),
    ],
)
def test_a_quantity_in_either_unit_becomes_contracts(
    contract: object, text: str, unit: str | None, contracts: str
) -> None:
    assert parse_held(contract, text, unit) == D(contracts)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("contract", "text", "message"),
    [
        (BINANCE, "-0.6", "say which unit -0.6 is in: -0.6 BTC, the venue's unit (= -600"),
        (DERIBIT, "-30000", "(= -3,000 contracts), or -30000 contracts (= -300,000 USD)"),
        (CME, "-2.5", "the nearest valid position is -3 contracts (-0.3 BTC)"),
        (OKX, "-38.605", "the nearest valid position is -38.61 contracts"),
        (CME, "0", "a position of 0 is no position"),
        (CME, "-3 ETH", "CME:MBT is held in contracts or BTC, not 'ETH'"),
        (BINANCE, "-0.6 contracts", "the nearest valid position is -0.001 BTC (-1 contract)"),
    ],
)
def test_off_step_zero_and_unclear_quantities_are_refused(
    contract: object, text: str, message: str
) -> None:
    with pytest.raises(HeldQuantityError) as err:
        parse_held(contract, text)  # type: ignore[arg-type]
    assert message in str(err.value)


def test_words_show_the_venues_unit_first() -> None:
    assert held_text(BINANCE, D(-600)) == "-0.6 BTC (-600 contracts)"
    assert held_text(DERIBIT, D(-3000)) == "-30,000 USD (-3,000 contracts)"
    assert held_text(CME, D(-3)) == "-3 contracts (-0.3 BTC)"
    p = Portfolio(
        holdings=(Holding(symbol="BTC", quantity=D("0.5"), price=D(70000)),),
        hedge=HedgeSettings(families={"BTC": "BINANCE-USDM-BTC"}),
        positions=(Position(contract="BINANCE:BTCUSDT", quantity=D(-600), entry_price=D(1)),),
    )
    u = plan_portfolio(p, CATALOG).underlying("BTC")
    assert u is not None and u.position_gap is not None
    label = u.position_gap.held[0].label
    assert label == "short 0.6 BTC (600 contracts) of Binance BTCUSDT perpetual (USD-M)"


@pytest.fixture
def path(tmp_path: Path) -> Path:
    f = tmp_path / "book.json"
    save_portfolio(
        f, Portfolio(name="Book", holdings=(Holding(symbol="BTC", quantity=D(1), price=D(70000)),))
    )
    return f


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_add_needs_the_unit_where_the_venue_is_not_in_contracts(
    path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = path.read_bytes()
    code, out, err = run(
        capsys, "positions", str(path), "add", "BINANCE:BTCUSDT", "-0.6", "--entry", "70000"
    )
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "add --unit BTC or --unit contracts" in err
    code, _, err = run(capsys, "positions", str(path), "add", "CME:MBT", "-2.5", "--entry", "1")
    assert code == 2 and "nearest valid position is -3 contracts" in err
    assert path.read_bytes() == before
    code, out, _ = run(
        capsys,
        "positions",
        str(path),
        "add",
        "BINANCE:BTCUSDT",
        "-0.6",
        "--unit",
        "BTC",
        "--entry",
        "70000",
    )
    assert code == 0 and "short 0.6 BTC (600 contracts) of Binance BTCUSDT" in out
    code, out, _ = run(
        capsys, "positions", str(path), "add", "DERIBIT:BTC-PERPETUAL", "-30000", "--unit",
        "USD", "--entry", "70000",
    )  # fmt: skip
    assert code == 0
    assert [p.quantity for p in open_portfolio(path).positions] == [D(-600), D(-3000)]
    code, out, _ = run(capsys, "positions", str(path), "list")
    assert "venue's unit" in out and "-0.6 BTC" in out and "-30,000 USD" in out
    code, out, _ = run(capsys, "positions", str(path), "list", "--json")  # README's order
    first = json.loads(out)["positions"][0]
    assert (first["quantity"], first["venue_quantity"], first["venue_unit"]) == (
        "-600",
        "-0.6",
        "BTC",
    )


def binance_doc() -> PortfolioDocument:
    return PortfolioDocument(
        CATALOG,
        Portfolio(
            holdings=(Holding(symbol="BTC", quantity=D("0.5"), price=D(70000)),),
            hedge=HedgeSettings(families={"BTC": "BINANCE-USDM-BTC"}),
            positions=(
                Position(contract="BINANCE:BTCUSDT", quantity=D(-600), entry_price=D(70000)),
            ),
        ),
    )


@pytest.mark.gui
def test_table_shows_and_takes_the_venues_unit(qtbot: QtBot) -> None:
    doc = binance_doc()
    panel = PositionsPanel(doc)
    qtbot.addWidget(panel)
    m = panel.model
    venue, count = FIELDS.index("venue_quantity"), FIELDS.index("quantity")
    assert m.headerData(venue, Qt.Orientation.Horizontal) == "Venue qty"
    assert m.headerData(count, Qt.Orientation.Horizontal) == "Contracts"
    assert "BTC or ETH on Binance" in HEADER_TIPS["venue_quantity"]
    assert m.data(m.index(0, venue)) == "-0.6 BTC"
    assert m.data(m.index(0, count)) == "-600"
    # A Binance user types 0.5 meaning BTC: in the venue's column it is BTC.
    assert m.setData(m.index(0, venue), "-0.5")
    assert doc.portfolio.positions[0].quantity == D(-500)
    refused: list[str] = []
    m.editRefused.connect(refused.append)
    assert not m.setData(m.index(0, count), "-0.5")  # 0.5 contracts: off the step
    assert not m.setData(m.index(0, count), "0")
    assert "nearest valid position is -0.001 BTC (-1 contract)" in refused[0]
    assert "a position of 0 is no position" in refused[1]
    assert m.setData(m.index(0, count), "-0.7 BTC")  # a unit typed wins
    assert doc.portfolio.positions[0].quantity == D(-700)
    panel.add_row()  # one order step of the family's smallest contract
    assert doc.portfolio.positions[-1].quantity == D(-1)


@pytest.mark.gui
def test_paste_and_csv_check_the_step_in_words(qtbot: QtBot, tmp_path: Path) -> None:
    doc = binance_doc()
    panel = PositionsPanel(doc)
    qtbot.addWidget(panel)
    messages: list[str] = []
    panel.statusMessage.connect(messages.append)
    assert not panel.paste_text("BINANCE:BTCUSDT\t-0.5\t70000\n", "Paste Positions")
    assert "Nothing pasted: row 1: BINANCE:BTCUSDT: -0.0005 BTC" in messages[-1]
    assert not panel.paste_text("CME:MBT\t-0\t70000\n", "Paste Positions")
    assert "a position of 0 is no position" in messages[-1]
    assert panel.paste_text("BINANCE:BTCUSDT\t-0.5 BTC\t70000\n", "Paste Positions")
    assert doc.portfolio.positions[-1].quantity == D(-500)
    f = tmp_path / "pos.csv"
    f.write_text("contract,quantity,entry\nbad id,-1,1\n", encoding="utf-8")
    panel.choose_file = lambda: f
    panel.import_with_dialog()
    assert messages[-1].startswith("Nothing imported: row 2: ")
    assert "String should match" not in messages[-1]
    f.write_text("contract,quantity,unit,entry\nDERIBIT:BTC-PERPETUAL,-30000,USD,1\n")
    panel.import_with_dialog()
    assert doc.portfolio.positions[-1].quantity == D(-3000)


def test_csv_without_a_catalog_still_reads_and_writes_contracts() -> None:
    parsed = parse_positions_text("contract,contracts,entry\nCME:MBT,-3,1\n")
    assert parsed.positions[0].quantity == D(-3) and parsed.problems == ()
    missing = parse_positions_text("contract,contracts,entry\nCME:MBT,,1\n", CATALOG)
    assert missing.problems == ("row 2: contracts: missing",)
