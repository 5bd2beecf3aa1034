"""One liquidation figure per situation, from one function (audit 11-1, 14-1, 11-12).

Collateral below what the venue asks to open a hedge is "refused or liquidated at
once", never a price on the wrong side of the entry; the plan's headline, its
collateral words, ``--json`` and the margin card say the same. A held position's
figure is the one ``hedger check`` gives; a figure that assumes collateral added
says so.
"""

from __future__ import annotations

import json
from decimal import Decimal as D
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from hedger.cli import main
from hedger.core.catalog import Contract, builtin_catalog
from hedger.core.liquidation_outcome import liquidation_outcome
from hedger.core.margin import margin_for
from hedger.core.models import (
    HedgeSettings,
    Holding,
    Portfolio,
    Position,
    UnderlyingSettings,
)
from hedger.core.planner import plan_portfolio
from hedger.services.checks import check_portfolio
from hedger.services.portfolios import save_portfolio
from hedger.ui.document.document import PortfolioDocument
from hedger.ui.hedge.panel import HedgePanel

CATALOG = builtin_catalog()


def book(
    family: str = "CME-BTC",
    leverage: str = "10",
    collateral: str | None = None,
    positions: tuple[Position, ...] = (),
    **hedge: object,
) -> Portfolio:
    per = {"BTC": UnderlyingSettings(collateral_usd=D(collateral))} if collateral else {}
    return Portfolio(
        name="liq",
        holdings=(Holding(symbol="BTC", quantity=D("0.5"), price=D(70000)),),
        hedge=HedgeSettings(
            families={"BTC": family},
            leverage=D(leverage),
            per_underlying=per,
            **hedge,  # type: ignore[arg-type]
        ),
        positions=positions,
    )


def run(tmp_path: Path, capsys: pytest.CaptureFixture[str], p: Portfolio, *flags: str) -> str:
    path = tmp_path / "b.json"
    save_portfolio(path, p)
    assert main(["plan", str(path), *flags]) == 0
    return capsys.readouterr().out


def flat(text: str) -> str:
    return " ".join(text.split())


AT_ONCE = (
    "the 5,000 USD you keep is below CME's initial margin of 14,000 USD: the position would be "
    "refused or liquidated at once"
)


def test_collateral_below_the_venues_margin_is_liquidated_at_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # domain.md example 13: CME asks 14,000 USD for 0.5 BTC; 5,000 kept cannot open it.
    out = flat(run(tmp_path, capsys, book(collateral="5000")))
    assert f"Liquidation: at once: {AT_ONCE}" in out
    assert "The 5,000 USD you keep is below CME's initial margin" in out  # collateral words
    # Never a price on the wrong side of the entry, nor the posted margin's figure.
    assert "54,800" not in out and "72,800" not in out
    assert "at once" in out.split("recommended: mix")[0]  # the table's liquidation cell


def test_json_says_at_once_in_the_option_and_the_collateral_plan(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = json.loads(run(tmp_path, capsys, book(collateral="5000"), "--json"))
    [mix] = [o for o in doc["underlyings"][0]["options"] if o["name"] == "mix"]
    assert mix["liquidation"]["state"] == "at_once"
    assert mix["liquidation"]["required_usd"] == "14000"
    assert mix["liquidation_price"] == "70000"  # liquidated there and then
    assert mix["collateral"]["posted_liquidation"]["state"] == "at_once"


def test_inverse_with_too_little_collateral_is_at_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = flat(run(tmp_path, capsys, book("DERIBIT-BTC", "2", collateral="100")))
    assert "Liquidation: at once: the 100 USD you keep is below Deribit's initial margin" in out
    assert "137,248" not in out and "69,502" not in out


@pytest.mark.parametrize("kept", ["15000", "20000", "40000"])
def test_headline_and_collateral_words_give_one_figure(kept: str) -> None:
    # 15,000 sits between the venue's 14,000 and the 17,500 that 2x asks: still one figure.
    u = plan_portfolio(book(leverage="2", collateral=kept), CATALOG).underlying("BTC")
    assert u is not None
    o = u.recommended_option
    assert o is not None and o.liquidation is not None and o.liquidation.state == "price"
    plan = o.collateral
    assert plan is not None and plan.posted_liquidation == o.liquidation_price
    assert f"liquidation near {o.liquidation_price:,.0f}" in plan.words
    # 70,000 + (kept − 36 % × 35,000) / 0.5 BTC, CME valued at entry.
    assert o.liquidation_price == D(70000) + (D(kept) - D("12600")) / D("0.5")


def test_maintenance_above_initial_is_at_once_when_opening() -> None:
    c = Contract(
        id="MINE:X",
        venue="MINE",
        symbol="X",
        name="x",
        underlying="BTC",
        tier="micro",
        kind="linear",
        size=D("0.1"),
        initial_margin_rate=D("0.4"),
        maintenance_margin_rate=D("0.5"),
        source="test",
        as_of="2026-12-06",
    )
    m = margin_for([(c, 5)], D(70000), D(2))
    out = liquidation_outcome(m, D(70000), "short")
    assert out is not None and out.state == "at_once"
    assert "maintenance margin is above" in out.reason


def held_book() -> Portfolio:
    # Audit 14-1: 3 MBT short at 69,000 with 8,000 USD posted; futures 70,500, 10x, 80 %.
    return Portfolio(
        name="held",
        holdings=(Holding(symbol="BTC", quantity=D("0.5"), price=D(70000)),),
        hedge=HedgeSettings(
            ratio=D("0.8"),
            rounding="down",
            leverage=D(10),
            families={"BTC": "CME-BTC"},
            futures_prices={"BTC": D(70500)},
        ),
        positions=(
            Position(
                contract="CME:MBT", quantity=D(-3), entry_price=D(69000), collateral_usd=D(8000)
            ),
        ),
    )


def test_held_position_gives_checks_figure_and_names_the_top_up(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    p = held_book()
    [finding] = [f for f in check_portfolio(p, CATALOG) if f.kind == "liquidation"]
    assert "liquidated near 70,827" in finding.text
    out = flat(run(tmp_path, capsys, p))
    assert (
        "Liquidation as held, CME:MBT -3 contracts (-0.3 BTC): liquidated near 70,827 "
        "(+0.5 % from 70,500), with 8,000 USD posted"
    ) in out
    assert "Liquidation with 910 USD added: liquidated near 73,320 (+4.0 %)" in out
    assert "Liquidation of the combined position" not in out
    doc = json.loads(run(tmp_path, capsys, p, "--json"))
    delta = doc["underlyings"][0]["delta"]
    assert delta["liquidation_situation"] == "with 910 USD added"
    assert delta["as_held"][0]["price"] == "70826.67"


@pytest.mark.gui
def test_position_card_shows_as_held_and_after_adding(qtbot: QtBot) -> None:
    panel = HedgePanel(PortfolioDocument(CATALOG, held_book()))
    qtbot.addWidget(panel)
    text = panel.position_gap.margin.text()
    assert "as held, CME:MBT -3 contracts (-0.3 BTC): liquidated near 70,827" in text
    assert "with 910 USD added: liquidated near 73,320" in text


@pytest.mark.gui
def test_margin_card_says_at_once_in_both_places(qtbot: QtBot) -> None:
    panel = HedgePanel(PortfolioDocument(CATALOG, book(collateral="5000")))
    qtbot.addWidget(panel)
    m = panel.margin
    assert m.liquidation.text() == "at once: below the venue's initial margin"
    assert "refused or liquidated at once" in m.liquidation.toolTip()
    assert m.post_result.text() == "USD → liquidation at once: below the venue's initial margin"
    assert "54,800" not in m.post_result.text() + m.post_result.toolTip()


def test_fixed_usd_initial_without_maintenance_is_derived_and_said() -> None:
    c = Contract(
        id="IBKR:MBT2",
        venue="IBKR",
        symbol="MBT2",
        name="x",
        underlying="BTC",
        tier="micro",
        kind="linear",
        size=D("0.1"),
        initial_margin_usd=D(3000),
        source="test",
        as_of="2026-12-06",
        user_defined=True,
    )
    m = margin_for([(c, 5)], D(70000), D(2))
    # initial / 1.1 per contract, not the 0.5 % default rate.
    assert m.maintenance_usd == D(15000) / D("1.1")
    [note] = m.notes
    assert "no maintenance margin is given" in note and "2,727.27 USD" in note
    assert "IBKR asks" in m.words
