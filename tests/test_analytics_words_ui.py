"""Each analytics tab leads with a sentence in words and folds its figures under Details."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import numpy as np
import pytest
from analytics_histories import realistic_closes, store_histories
from pytestqt.qtbot import QtBot

from hedger.core.catalog import builtin_catalog
from hedger.core.models import Portfolio
from hedger.ui.analytics.backtest import BacktestTab
from hedger.ui.analytics.betas import EstimationTab
from hedger.ui.analytics.history import HistoryTab
from hedger.ui.analytics.history_library import HistoryLibrary
from hedger.ui.analytics.risk import RiskTab
from hedger.ui.analytics.sizing import SizingTab
from hedger.ui.document.document import PortfolioDocument

pytestmark = pytest.mark.gui

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "resources" / "samples" / "core-stack.json"


def sample() -> Portfolio:
    return Portfolio.model_validate(json.loads(SAMPLE.read_text(encoding="utf-8")))


@pytest.fixture
def doc(qtbot: QtBot) -> PortfolioDocument:
    return PortfolioDocument(builtin_catalog(), sample(), None)


@pytest.fixture
def stored(data_dir: Path) -> HistoryLibrary:
    return HistoryLibrary(store_histories())


def shown(qtbot: QtBot, tab: object) -> None:
    qtbot.addWidget(tab)
    tab.resize(1100, 720)  # type: ignore[attr-defined]
    tab.show()  # type: ignore[attr-defined]
    qtbot.waitExposed(tab)
    if hasattr(tab, "wait"):
        assert tab.wait(60)


def check_details(tab: object, figure: str) -> None:
    """Folded at first; opened, the figures behind the sentence are shown."""
    details = tab.details  # type: ignore[attr-defined]
    assert not details.expanded and not details.body.isVisible()
    details.button.click()
    assert details.expanded and details.body.isVisible()
    texts = [w.text() for w in details.body.findChildren(type(tab.lead.text))]  # type: ignore[attr-defined]
    from PySide6.QtWidgets import QTableView

    for view in details.body.findChildren(QTableView):
        model = view.model()
        texts += [str(model.headerData(c, _horizontal())) for c in range(model.columnCount())]
    assert any(figure in t for t in texts), texts
    details.button.click()
    assert not details.body.isVisible()


def _horizontal():  # type: ignore[no-untyped-def]
    from PySide6.QtCore import Qt

    return Qt.Orientation.Horizontal


def test_history_tab_says_how_much_history_there_is(
    qtbot: QtBot, doc: PortfolioDocument, stored: HistoryLibrary
) -> None:
    tab = HistoryTab(doc, stored)
    shown(qtbot, tab)
    assert tab.lead.isVisible()
    assert tab.lead.text.text() == (
        "BTC, ETH and SOL have 2 years of daily closes: enough for betas, backtest and risk."
    )
    check_details(tab, "Histories are shared by all portfolios")
    stored.delete("SOL")
    assert tab.lead.text.text().endswith("SOL has none yet: download or import it.")


def test_betas_tab_reads_the_estimate_in_words(
    qtbot: QtBot, doc: PortfolioDocument, stored: HistoryLibrary
) -> None:
    tab = EstimationTab(doc, stored)
    shown(qtbot, tab)
    text = tab.lead.text.text()
    assert text.startswith("SOL has moved about 1.")
    assert "hedging it with BTC futures would have removed about" in text
    assert "of its day-to-day swings" in text and "your portfolio uses 1.5" in text
    headers = [c.title for c in tab.model.columns]
    assert "Estimated beta (h*)" in headers and "Swings removed (ρ²)" in headers
    assert not any(h in ("ρ", "ρ²", "Est. β = h*") for h in headers)
    check_details(tab, "Correlation (ρ)")
    assert tab.details.model.rowCount() == 3


def test_backtest_tab_leads_with_the_worst_week(
    qtbot: QtBot, doc: PortfolioDocument, stored: HistoryLibrary
) -> None:
    tab = BacktestTab(doc, stored)
    shown(qtbot, tab)
    assert tab.lead.isVisible()
    assert tab.lead.text.text().startswith("Hedging with 5 × MBT and 40 × MET would ")
    assert "worst week" in tab.lead.text.text()
    check_details(tab, "Return: the change of value over the period")
    assert "BTC hedge: short 5 × MBT" in tab.details.hedges.text()


def test_backtest_where_both_hedges_are_liquidated_says_why(
    qtbot: QtBot, doc: PortfolioDocument, data_dir: Path
) -> None:
    # BTC and ETH rise 70 % in two months, then fall a fifth in a week: at 2x both short
    # hedges are liquidated on the way up, so the fall after that is not hedged.
    up = np.linspace(0.0, np.log(1.7), 60)
    down = np.log(1.7) + np.linspace(0.0, np.log(0.8), 8)[1:]
    path = np.exp(np.concatenate([up, down, np.full(53, down[-1])]))
    closes = {"BTC": 35_000 * path, "ETH": 1_750 * path}
    library = HistoryLibrary(store_histories(closes))
    tab = BacktestTab(doc, library)
    shown(qtbot, tab)
    assert tab.result is not None
    assert {u.underlying for u in tab.result.underlyings if u.liquidations} == {"BTC", "ETH"}
    why = tab.lead.note.text()
    assert tab.lead.note.isVisible() and tab.lead.warned
    assert why.startswith("Why: both hedges were liquidated as prices rose (")
    assert "stayed closed for the rest of the period" in why
    assert "A lower leverage or more margin keeps a hedge open." in why
    # Named with their dates and prices in the sentence, listed under Details.
    assert "ETH on 20" in why and "BTC on 20" in why and " near " in why
    assert "Liquidations:" in tab.details.liquidations.text()
    assert not any("liquidated near" in t for t in tab.messages.texts())


def test_risk_tab_reads_var_and_es_as_odds(
    qtbot: QtBot, doc: PortfolioDocument, stored: HistoryLibrary
) -> None:
    tab = RiskTab(doc, stored)
    tab.seed_edit.setText("7")
    shown(qtbot, tab)
    assert tab.result is not None
    text = tab.lead.text.text()
    assert text.startswith("In 1 week out of 20, expect to lose more than ")
    assert "USD unhedged and " in text and "in the worst of those weeks, about " in text
    assert tab.cards["var95"].caption.text() == "1-in-20 loss (VaR 95 %)"
    if tab.result.liquidated_share > 0:
        assert tab.lead.note.text().startswith("The hedge would be liquidated in ")
    check_details(tab, "VaR 95 %")
    tab.horizon_spin.setValue(30)
    tab.wait()
    assert tab.lead.text.text().startswith("In 1 month out of 20, ")


def test_sizing_tab_says_what_the_count_means(qtbot: QtBot, doc: PortfolioDocument) -> None:
    tab = SizingTab(doc)
    shown(qtbot, tab)
    tab.set_inputs(equity="52800", risk="1%", entry="70000", stop="68600", family="CME-BTC")
    assert tab.lead.text.text().startswith(
        "Buying 3 × CME Micro Bitcoin (MBT) keeps your loss at the 68,600 stop to 420 USD"
    )
    assert tab.order.text.text() == "Buy 3 × CME Micro Bitcoin (MBT) at 70,000, stop 68,600"
    check_details(tab, "rounded down")
    tab.set_inputs(stop="70000")
    assert not tab.lead.isVisible()  # the error says what is wrong


def test_no_internal_references_in_the_ui() -> None:
    """No "domain §3", spec or issue numbers in what the app shows (strings, not comments)."""
    found = []
    for path in sorted((ROOT / "hedger" / "ui").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef)
            and node.body
            and isinstance(node.body[0], ast.Expr)
            and isinstance(node.body[0].value, ast.Constant)
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if id(node) in docstrings:
                    continue
                if "§" in node.value or "domain" in node.value.lower():
                    found.append(f"{path.name}:{node.lineno}: {node.value[:60]}")
    assert found == []


def test_realistic_histories_end_at_the_sample_prices() -> None:
    closes = realistic_closes()
    assert closes["BTC"][-1] == pytest.approx(70_000) and closes["SOL"][-1] == pytest.approx(150)
    daily = np.std(np.diff(np.log(closes["BTC"])))
    assert 0.02 < daily < 0.04  # crypto-sized days
