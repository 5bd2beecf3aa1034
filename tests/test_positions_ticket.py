"""With positions held, the order to type is the one that closes the gap (audit 14-2).

The hedge panel's ticket and its Copy, the CLI plan's "Orders (what to type)" and
``plan --json``'s ``recommended_order`` all say "Sell 2 more contracts" for a book
that holds 3 of the 5 MBT it needs, never the from-zero "Sell 5"; the whole hedge
from zero stays as context.
"""

from __future__ import annotations

import json
from decimal import Decimal as D
from pathlib import Path

import pytest
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from hedger.cli import main
from hedger.core.catalog import builtin_catalog
from hedger.core.models import HedgeSettings, Holding, Portfolio, Position, UnderlyingSettings
from hedger.services.portfolios import save_portfolio
from hedger.ui.document.document import PortfolioDocument
from hedger.ui.hedge.panel import HedgePanel

CATALOG = builtin_catalog()


def book(*positions: Position, qty: str = "0.5", target: str | None = None) -> Portfolio:
    return Portfolio(
        name="Held",
        holdings=(Holding(symbol="BTC", quantity=D(qty), price=D(70000)),),
        hedge=HedgeSettings(
            families={"BTC": "CME-BTC"},
            leverage=D(2),
            per_underlying=(
                {"BTC": UnderlyingSettings(target_usd=D(target))} if target is not None else {}
            ),
        ),
        positions=positions,
    )


def mbt(q: str, entry: str = "69000", **kw: object) -> Position:
    return Position.model_validate(
        {"contract": "CME:MBT", "quantity": q, "entry_price": entry, **kw}
    )


def plan_text(tmp_path: Path, capsys: pytest.CaptureFixture[str], p: Portfolio) -> str:
    path = tmp_path / "book.json"
    save_portfolio(path, p)
    assert main(["plan", str(path)]) == 0
    return capsys.readouterr().out


def test_cli_orders_to_type_are_the_gap_not_the_whole_hedge(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = plan_text(tmp_path, capsys, book(mbt("-3")))
    head = out.index("Orders (what to type into the venue's order form, from what you hold):")
    order = out.index("→ Sell 2 more contracts of CME Micro Bitcoin (MBT) (0.2 BTC)")
    context = out.index("The whole hedge from zero (for comparison: you hold positions):")
    zero = out.index("Orders from zero (not what to type now: see the orders above):")
    assert head < order < context < zero
    # The only "what to type" heading is the gap's; the from-zero 5 contracts come after it.
    assert out.count("what to type into the venue's order form") == 1
    assert out.index("Sell 5 contracts") > context


def test_cli_without_positions_keeps_the_plain_order(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = plan_text(tmp_path, capsys, book())
    assert "  Orders (what to type into the venue's order form):" in out
    assert "from zero" not in out and "Held hedge" not in out


def test_json_recommended_order_is_the_gap_when_held(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "book.json"
    save_portfolio(path, book(mbt("-3")))
    assert main(["plan", str(path), "--json"]) == 0
    u = json.loads(capsys.readouterr().out)["underlyings"][0]
    rec = u["recommended_order"]
    assert (rec["basis"], rec["side"], rec["quantity"], rec["unit"], rec["copy"]) == (
        "held",
        "sell",
        "2",
        "contracts",
        "2",
    )
    assert rec["lines"][0]["action"] == "add" and rec["lines"][0]["after"] == -5
    # Existing keys stay: the options are still the whole hedge from zero.
    [mix] = [o for o in u["options"] if o["name"] == "mix"]
    assert mix["order"]["quantity"] == "5"
    save_portfolio(path, book())
    assert main(["plan", str(path), "--json"]) == 0
    rec = json.loads(capsys.readouterr().out)["underlyings"][0]["recommended_order"]
    assert (rec["basis"], rec["quantity"]) == ("zero", "5")


def panel(qtbot: QtBot, p: Portfolio) -> HedgePanel:
    hp = HedgePanel(PortfolioDocument(CATALOG, p))
    qtbot.addWidget(hp)
    return hp


@pytest.mark.gui
def test_ticket_and_copy_close_the_gap(qtbot: QtBot) -> None:
    hp = panel(qtbot, book(mbt("-3")))
    t = hp.order
    assert t.caption.text() == "Order from what you hold"
    held, order = t.lines
    assert held.kind == "position" and f"{held.verb} {held.quantity}" == (
        "Held -3 contracts (-0.3 BTC)"
    )
    assert (order.verb, order.quantity, order.copy_text) == ("Sell", "2 more contracts", "2")
    assert "adds to the short of 3 contracts (0.3 BTC)" in order.detail
    row = t.line_rows()[1]
    assert row.order.text() == "Sell 2 more contracts"
    assert row.copy.isEnabled()
    row.copy.click()
    assert QGuiApplication.clipboard().text() == "2"
    assert t.sentence == "Sell 2 more contracts of CME Micro Bitcoin (MBT) (0.2 BTC)"
    # The whole hedge from zero is context only.
    assert "the whole hedge from zero would be 5 contracts" in t.summary.text()


@pytest.mark.gui
def test_a_from_zero_row_picked_while_holding_is_not_copyable(qtbot: QtBot) -> None:
    hp = panel(qtbot, book(mbt("-3")))
    hp.select_option("micro")
    t = hp.order
    assert "from zero" in t.caption.text().lower() and "not the order" in t.caption.text()
    assert not t.line_rows()[0].copy.isEnabled()
    hp.clear_option_selection()
    assert t.caption.text() == "Order from what you hold"


@pytest.mark.gui
def test_ticket_when_the_held_position_is_the_target(qtbot: QtBot) -> None:
    hp = panel(qtbot, book(mbt("-5")))
    t = hp.order
    assert t.caption.text() == "No order: you hold the target"
    assert [line.kind for line in t.lines] == ["position"]
    assert not t.copy_order_action.isEnabled() or t.sentence.startswith("Nothing to trade")


@pytest.mark.gui
def test_a_zero_target_says_the_target_not_the_exposure_is_zero(qtbot: QtBot) -> None:
    hp = panel(qtbot, book(target="0"))
    summary = hp.order.summary.text()
    assert "exposure is 0 USD" not in summary
    assert summary == (
        "No order: your dollar target is 0 USD, so none of the 35,000 USD exposure is hedged."
    )
