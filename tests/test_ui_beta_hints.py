"""Estimated betas reach the holdings editor, computed off the GUI thread and only when needed."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
from pytestqt.qtbot import QtBot

from hedger.core.analytics.series import NS_PER_DAY, PriceSeries
from hedger.core.catalog import builtin_catalog
from hedger.core.models import HedgeSettings, Holding, Portfolio
from hedger.store.history import HistoryStore
from hedger.ui.analytics.history_library import HistoryLibrary
from hedger.ui.document.document import PortfolioDocument
from hedger.ui.holdings.beta_hints import BetaHints
from hedger.ui.holdings.columns import BETA_HINT_ROLE, Column
from hedger.ui.holdings.model import HoldingsTableModel

pytestmark = pytest.mark.gui
DAY0 = int(np.datetime64("2023-01-01", "ns").astype(np.int64))


def book() -> Portfolio:
    return Portfolio(
        name="Hints",
        holdings=(
            Holding(symbol="BTC", quantity=Decimal("0.5"), price=Decimal(70000)),
            Holding(symbol="SOL", quantity=Decimal(12), price=Decimal(150), hedge_with="BTC"),
            Holding(symbol="USDC", quantity=Decimal(1000), price=Decimal(1)),
        ),
        hedge=HedgeSettings(families={"BTC": "GENERIC-BTC"}),
    )


@pytest.fixture
def library(data_dir: Path) -> HistoryLibrary:
    rng = np.random.default_rng(4)
    n = 500
    rb = rng.normal(0, 0.03, n)
    ts = DAY0 + np.arange(n, dtype=np.int64) * NS_PER_DAY
    store = HistoryStore()
    store.merge(PriceSeries("BTC", ts, 30000 * np.exp(np.cumsum(rb)), ("btc.csv",)))
    sol = 20 * np.exp(np.cumsum(1.5 * rb + rng.normal(0, 0.005, n)))
    store.merge(PriceSeries("SOL", ts, sol, ("sol.csv",)))
    return HistoryLibrary(store)


def test_hints_reach_the_editor_and_skip_quantity_edits(
    qtbot: QtBot, library: HistoryLibrary
) -> None:
    doc = PortfolioDocument(builtin_catalog(), book(), None)
    model = HoldingsTableModel(doc)
    hints = BetaHints(doc, lambda: library)
    hints.estimatesChanged.connect(model.set_beta_estimates)
    hints.start()
    assert hints.wait()
    est = model.estimated_beta(1)
    assert est is not None and Decimal("1.4") <= est.beta <= Decimal("1.6")
    assert (est.observations, est.interval, est.hedge_series) == (365, "daily", "BTC")
    assert model.data(model.index(1, Column.BETA), BETA_HINT_ROLE) == f"est {est.beta}"
    assert model.estimated_beta(0) is None  # BTC is its own hedge series

    runs: list[object] = []
    hints.estimatesChanged.connect(runs.append)
    doc.edit_holding_field(1, "quantity", "20")
    doc.edit_holding_field(1, "beta", "1.2")
    qtbot.wait(500)
    assert runs == []  # nothing the estimate depends on changed
    assert not hints.busy

    # A new history is a reason to estimate again.
    eth = library.series(["BTC"])["BTC"]
    library.merge(PriceSeries("ETH", eth.timestamps, eth.closes * 0.05, ("eth.csv",)))
    doc.edit_holding_field(1, "symbol", "ETH")
    doc.edit_holding_field(1, "hedge_with", "BTC")
    assert hints.wait()
    assert runs
    got = model.estimated_beta(1)
    assert got is not None and got.beta == Decimal(1)  # ETH here is 0.05 × BTC


def test_no_histories_no_hints(qtbot: QtBot, data_dir: Path) -> None:
    doc = PortfolioDocument(builtin_catalog(), book(), None)
    model = HoldingsTableModel(doc)
    hints = BetaHints(doc, HistoryLibrary)
    hints.estimatesChanged.connect(model.set_beta_estimates)
    hints.start()
    assert hints.wait()
    assert model.beta_estimates() == {}


def test_a_new_catalog_estimates_again(qtbot: QtBot, library: HistoryLibrary) -> None:
    doc = PortfolioDocument(builtin_catalog(), book(), None)
    hints = BetaHints(doc, lambda: library)
    hints.start()
    assert hints.wait()
    runs: list[object] = []
    hints.estimatesChanged.connect(runs.append)
    # Routing can change with the catalog (a family added for a coin), so
    # the hints are estimated again even though the holdings did not change.
    doc.set_catalog(builtin_catalog())
    assert hints.wait()
    assert runs
