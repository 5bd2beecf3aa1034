"""HoldingsTableModel: what the table shows, and edits routed through the document."""

from __future__ import annotations

from decimal import Decimal

import pytest
from PySide6.QtCore import QPersistentModelIndex, Qt
from PySide6.QtGui import QFont
from PySide6.QtTest import QSignalSpy

from hedger.core.catalog import builtin_catalog
from hedger.core.models import Holding, Portfolio
from hedger.ui.document.document import PortfolioDocument
from hedger.ui.holdings.columns import (
    BETA_HINT_ROLE,
    SORT_ROLE,
    BetaEstimate,
    Column,
    group_decimal,
)
from hedger.ui.holdings.model import HoldingsTableModel
from hedger.ui.holdings.sort_proxy import HoldingsSortProxy
from hedger.ui.widgets.style import warning_color

pytestmark = pytest.mark.gui
D = Decimal


def holding(symbol: str, qty: str, price: str, **kw: str) -> Holding:
    return Holding.model_validate({"symbol": symbol, "quantity": qty, "price": price, **kw})


def sample_portfolio() -> Portfolio:
    return Portfolio(
        name="Sample",
        holdings=(
            holding("BTC", "0.5", "70000"),
            holding("ETH", "4", "3500"),
            holding("SOL", "12", "150", beta="1.5", hedge_with="BTC"),
            holding("USDC", "2000", "1"),
            holding("DOGE", "5000", "0.16"),
        ),
    )


@pytest.fixture
def doc(qapp: object) -> PortfolioDocument:
    return PortfolioDocument(builtin_catalog(), sample_portfolio())


@pytest.fixture
def model(doc: PortfolioDocument) -> HoldingsTableModel:
    return HoldingsTableModel(doc)


def cell(model: HoldingsTableModel, row: int, col: int, role: int = Qt.ItemDataRole.DisplayRole):  # type: ignore[no-untyped-def]
    return model.data(model.index(row, col), role)


def test_model_tester_through_edits_inserts_removes_and_resets(
    qtmodeltester, model: HoldingsTableModel, doc: PortfolioDocument
) -> None:
    qtmodeltester.check(model)
    proxy = HoldingsSortProxy()
    proxy.setSourceModel(model)
    proxy.sort(Column.VALUE, Qt.SortOrder.DescendingOrder)
    qtmodeltester.check(proxy)
    # The tester keeps watching both models while the document changes.
    doc.edit_holding_field(0, "quantity", "2")
    doc.add_holding(row=1)
    doc.insert_holdings(0, [holding("ADA", "100", "0.5"), holding("XRP", "10", "0.6")])
    doc.remove_rows([0, 3, 5])
    doc.replace_holdings([holding("BTC", "1", "70000")])
    doc.undo_stack.undo()
    doc.undo_stack.undo()
    doc.load(Portfolio(), None)
    qtmodeltester.check(model)
    qtmodeltester.check(proxy)


def test_shape_headers_and_flags(model: HoldingsTableModel) -> None:
    assert model.rowCount() == 5
    assert model.columnCount() == 7
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(7)]
    assert headers == [
        "Symbol",
        "Quantity",
        "Price",
        "Value (USD)",
        "Share",
        "Beta",
        "Hedge With",
    ]
    editable = [bool(model.flags(model.index(0, c)) & Qt.ItemFlag.ItemIsEditable) for c in range(7)]
    assert editable == [True, True, True, False, False, True, True]


def test_numbers_are_formatted_for_people(model: HoldingsTableModel) -> None:
    assert [cell(model, 0, c) for c in range(5)] == [
        "BTC",
        "0.5",
        "70,000.00",
        "35,000.00",
        "65.3 %",
    ]
    assert cell(model, 4, Column.QUANTITY) == "5,000"
    assert cell(model, 4, Column.PRICE) == "0.16"
    right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
    for col in (Column.QUANTITY, Column.PRICE, Column.VALUE, Column.SHARE, Column.BETA):
        assert cell(model, 0, col, Qt.ItemDataRole.TextAlignmentRole) == right
    assert cell(model, 0, Column.SYMBOL, Qt.ItemDataRole.TextAlignmentRole) != right


def test_quantities_are_never_rounded(doc: PortfolioDocument, model: HoldingsTableModel) -> None:
    doc.edit_holding_field(0, "quantity", "0.00012345")
    assert cell(model, 0, Column.QUANTITY) == "0.00012345"
    assert cell(model, 0, Column.QUANTITY, Qt.ItemDataRole.EditRole) == "0.00012345"
    doc.edit_holding_field(1, "quantity", "1234567.123456789")
    assert cell(model, 1, Column.QUANTITY) == "1,234,567.123456789"


def test_edit_role_is_plain_text(model: HoldingsTableModel) -> None:
    edit = Qt.ItemDataRole.EditRole
    assert [cell(model, 2, c, edit) for c in range(7)] == [
        "SOL",
        "12",
        "150",
        None,
        None,
        "1.5",
        "BTC",
    ]
    assert cell(model, 0, Column.BETA, edit) == ""
    assert cell(model, 0, Column.HEDGE_WITH, edit) == ""


def test_unset_beta_shows_one_greyed_italic_assumed(model: HoldingsTableModel) -> None:
    assert cell(model, 0, Column.BETA) == "1"
    font = cell(model, 0, Column.BETA, Qt.ItemDataRole.FontRole)
    assert isinstance(font, QFont) and font.italic()
    assert cell(model, 0, Column.BETA, Qt.ItemDataRole.ForegroundRole) is not None
    assert "assumed" in cell(model, 0, Column.BETA, Qt.ItemDataRole.ToolTipRole)
    assert cell(model, 0, Column.BETA, Qt.ItemDataRole.DecorationRole) is None
    # A beta the user gave is plain text.
    assert cell(model, 2, Column.BETA) == "1.5"
    assert cell(model, 2, Column.BETA, Qt.ItemDataRole.FontRole) is None


def test_cross_hedge_without_beta_is_flagged(
    model: HoldingsTableModel, doc: PortfolioDocument
) -> None:
    # DOGE has no futures family: it is hedged with BTC on an assumed beta.
    assert "DOGE" in doc.plan.underlying("BTC").assumed_beta_symbols  # type: ignore[union-attr]
    assert cell(model, 4, Column.BETA, Qt.ItemDataRole.DecorationRole) is not None
    brush = cell(model, 4, Column.BETA, Qt.ItemDataRole.ForegroundRole)
    assert brush.color() == warning_color()
    tip = cell(model, 4, Column.BETA, Qt.ItemDataRole.ToolTipRole)
    assert "assumed 1" in tip and "cross-hedge" in tip
    # SOL is a cross-hedge too, but its beta is given.
    assert "SOL" not in doc.plan.underlying("BTC").assumed_beta_symbols  # type: ignore[union-attr]
    assert cell(model, 2, Column.BETA, Qt.ItemDataRole.DecorationRole) is None
    doc.edit_holding_field(4, "beta", "1.2")
    assert cell(model, 4, Column.BETA, Qt.ItemDataRole.DecorationRole) is None


def test_hedge_with_shows_the_resolved_underlying(model: HoldingsTableModel) -> None:
    font = Qt.ItemDataRole.FontRole
    assert cell(model, 0, Column.HEDGE_WITH) == "BTC"
    assert cell(model, 1, Column.HEDGE_WITH) == "ETH"
    assert cell(model, 1, Column.HEDGE_WITH, font).italic()  # automatic: greyed
    assert cell(model, 4, Column.HEDGE_WITH) == "BTC"
    assert "Automatic" in cell(model, 4, Column.HEDGE_WITH, Qt.ItemDataRole.ToolTipRole)
    assert cell(model, 2, Column.HEDGE_WITH) == "BTC"
    assert cell(model, 2, Column.HEDGE_WITH, font) is None  # chosen by the user


def test_underlying_without_futures_is_warned(
    model: HoldingsTableModel, doc: PortfolioDocument
) -> None:
    doc.edit_holding_field(2, "hedge_with", "XRP")
    assert cell(model, 2, Column.HEDGE_WITH) == "XRP"
    assert cell(model, 2, Column.HEDGE_WITH, Qt.ItemDataRole.DecorationRole) is not None
    assert "no futures family for XRP" in cell(
        model, 2, Column.HEDGE_WITH, Qt.ItemDataRole.ToolTipRole
    )


def test_stablecoins_show_value_but_cash(model: HoldingsTableModel) -> None:
    assert cell(model, 3, Column.VALUE) == "2,000.00"
    assert cell(model, 3, Column.SHARE) == "cash"
    assert cell(model, 3, Column.HEDGE_WITH) == "cash"
    assert "stablecoin" in cell(model, 3, Column.SHARE, Qt.ItemDataRole.ToolTipRole)


def test_share_is_not_shown_for_a_non_positive_total(doc: PortfolioDocument) -> None:
    doc.load(Portfolio(holdings=(holding("BTC", "-1", "70000"),)), None)
    model = HoldingsTableModel(doc)
    assert cell(model, 0, Column.VALUE) == "-70,000.00"
    assert cell(model, 0, Column.SHARE) == "—"


def test_set_data_edits_the_document_as_one_undo_step(
    model: HoldingsTableModel, doc: PortfolioDocument
) -> None:
    before = doc.plan.underlying("BTC").exposure_usd  # type: ignore[union-attr]
    assert model.setData(model.index(0, Column.QUANTITY), "0.29")
    assert doc.portfolio.holdings[0].quantity == D("0.29")
    assert doc.plan.underlying("BTC").exposure_usd != before  # type: ignore[union-attr]
    assert doc.undo_stack.undoText() == "Edit Quantity"
    doc.undo_stack.undo()
    assert doc.portfolio.holdings[0].quantity == D("0.5")
    assert cell(model, 0, Column.QUANTITY) == "0.5"


@pytest.mark.parametrize(
    ("column", "text", "reason"),
    [
        (Column.PRICE, "abc", "'abc' is not a number"),
        (Column.QUANTITY, "NaN", "'NaN' is not a number"),
        (Column.QUANTITY, "1e3", "not 1e3"),
        (Column.PRICE, "-5", "must be greater than 0"),
        (Column.PRICE, "1.555,5", "use a dot for decimals"),
        (Column.QUANTITY, "99999999999999999", "too large"),
        (Column.SYMBOL, "", "needs a symbol"),
        (Column.SYMBOL, "B T C", "must be 1-24 letters"),
        (Column.BETA, "25", "must be at most 20"),
        (Column.HEDGE_WITH, "x y", "must be 1-24 letters"),
    ],
)
def test_bad_text_is_refused_with_a_reason(
    qtbot, model: HoldingsTableModel, doc: PortfolioDocument, column: int, text: str, reason: str
) -> None:
    before = doc.portfolio
    with qtbot.waitSignal(model.editRefused) as blocker:
        assert model.setData(model.index(1, column), text) is False
    row, col, message = blocker.args
    assert (row, col) == (1, column)
    assert reason in message
    assert message.endswith("not changed: " + message.split("not changed: ", 1)[1])
    assert doc.portfolio == before
    assert doc.undo_stack.count() == 0
    assert model.validate_edit(1, column, text) is not None


def test_unchanged_text_pushes_nothing(model: HoldingsTableModel, doc: PortfolioDocument) -> None:
    assert model.setData(model.index(0, Column.PRICE), "70,000.00")
    assert doc.undo_stack.count() == 0
    assert not model.setData(model.index(0, Column.VALUE), "1")


def test_document_row_signals_keep_persistent_indexes(
    model: HoldingsTableModel, doc: PortfolioDocument
) -> None:
    eth = QPersistentModelIndex(model.index(1, Column.QUANTITY))
    inserted = QSignalSpy(model.rowsInserted)
    removed = QSignalSpy(model.rowsRemoved)
    reset = QSignalSpy(model.modelReset)
    doc.insert_holdings(0, [holding("ADA", "1", "0.5")])
    assert inserted.count() == 1
    assert eth.row() == 2 and eth.data() == "4"
    doc.remove_rows([0])
    assert removed.count() == 1
    assert eth.row() == 1
    doc.replace_holdings([holding("BTC", "1", "70000")])
    assert reset.count() == 1
    assert model.rowCount() == 1


def test_a_change_refreshes_shares_of_every_row(
    qtbot, model: HoldingsTableModel, doc: PortfolioDocument
) -> None:
    changed: list[tuple[int, int, int, int]] = []
    model.dataChanged.connect(
        lambda tl, br, _roles=(): changed.append((tl.row(), tl.column(), br.row(), br.column()))
    )
    eth_share = cell(model, 1, Column.SHARE)
    doc.edit_holding_field(0, "quantity", "1")
    assert cell(model, 1, Column.SHARE) != eth_share
    assert any(
        top <= 1 <= bottom and left <= Column.SHARE <= right for top, left, bottom, right in changed
    )


def test_sort_role_orders_numbers_as_numbers(model: HoldingsTableModel) -> None:
    proxy = HoldingsSortProxy()
    proxy.setSourceModel(model)

    def order(col: int, desc: bool = False) -> list[str]:
        proxy.sort(col, Qt.SortOrder.DescendingOrder if desc else Qt.SortOrder.AscendingOrder)
        return [proxy.index(r, Column.SYMBOL).data() for r in range(proxy.rowCount())]

    # As text "5,000" < "12" < "4"; as numbers it is the other way round.
    assert order(Column.QUANTITY, desc=True) == ["DOGE", "USDC", "SOL", "ETH", "BTC"]
    assert order(Column.VALUE, desc=True) == ["BTC", "ETH", "USDC", "SOL", "DOGE"]
    assert order(Column.PRICE) == ["DOGE", "USDC", "SOL", "ETH", "BTC"]
    assert order(Column.SYMBOL) == ["BTC", "DOGE", "ETH", "SOL", "USDC"]
    assert order(Column.SHARE)[0] == "USDC"  # cash sorts below every share
    assert isinstance(cell(model, 0, Column.VALUE, SORT_ROLE), float)
    assert proxy.source_row(0) == 3  # USDC was sorted first
    proxy.sort(-1)
    assert order(-1) == ["BTC", "ETH", "SOL", "USDC", "DOGE"]


@pytest.mark.parametrize(
    ("value", "places", "text"),
    [
        (D("0.00012345"), 0, "0.00012345"),
        (D("70000"), 2, "70,000.00"),
        (D("1234567.5"), 0, "1,234,567.5"),
        (D("-1234.5"), 2, "-1,234.50"),
        (D("0"), 0, "0"),
        (D("1E+3"), 0, "1,000"),
    ],
)
def test_group_decimal(value: Decimal, places: int, text: str) -> None:
    assert group_decimal(value, places) == text


# --------------------------------------------------------------------------- estimated betas


def estimate(beta: str, series: str = "BTC") -> BetaEstimate:
    return BetaEstimate(D(beta), 365, "daily", series, 0.72)


def test_estimate_shown_beside_the_users_beta(model: HoldingsTableModel) -> None:
    spy = QSignalSpy(model.dataChanged)
    model.set_beta_estimates({("SOL", "BTC"): estimate("1.38"), ("DOGE", "BTC"): estimate("1")})
    # Only the Beta column repaints.
    assert spy.count() == 1
    first, last = spy.at(0)[0], spy.at(0)[1]
    assert first.column() == last.column() == Column.BETA
    assert cell(model, 2, Column.BETA) == "1.5"  # the user's beta stays the value
    assert cell(model, 2, Column.BETA, BETA_HINT_ROLE) == "est 1.38"
    tip = cell(model, 2, Column.BETA, Qt.ItemDataRole.ToolTipRole)
    assert tip.startswith(
        "Your β 1.5 · estimated 1.38 from 365 daily returns vs BTC (ρ² 0.72) — right-click to apply"
    )
    # DOGE's estimate equals the beta in use (unset = 1): no hint, the tooltip says it matches.
    assert cell(model, 4, Column.BETA, BETA_HINT_ROLE) is None
    assert "matches" in cell(model, 4, Column.BETA, Qt.ItemDataRole.ToolTipRole)
    assert not model.estimate_differs(4)
    # No estimate (own futures, no history): nothing added.
    assert model.estimated_beta(0) is None
    assert cell(model, 0, Column.BETA, BETA_HINT_ROLE) is None
    assert model.estimated_beta(3) is None  # stablecoin
    # The same estimates again: no repaint.
    model.set_beta_estimates({("SOL", "BTC"): estimate("1.38"), ("DOGE", "BTC"): estimate("1")})
    assert spy.count() == 1


def test_estimate_applied_on_request_as_one_undo_step(
    model: HoldingsTableModel, doc: PortfolioDocument
) -> None:
    model.set_beta_estimates({("SOL", "BTC"): estimate("1.38"), ("DOGE", "BTC"): estimate("0.9")})
    assert model.estimated_beta(2) == estimate("1.38")
    assert model.apply_estimated_betas([0, 2, 3, 4]) == 2  # rows without one are skipped
    assert doc.portfolio.holdings[2].beta == D("1.38")
    assert doc.portfolio.holdings[4].beta == D("0.9")
    assert doc.undo_stack.undoText() == "Apply Estimated Betas"
    assert cell(model, 2, Column.BETA, BETA_HINT_ROLE) is None  # applied: nothing to offer
    doc.undo_stack.undo()
    assert doc.portfolio.holdings[2].beta == D("1.5")
    assert doc.portfolio.holdings[4].beta is None
    assert cell(model, 2, Column.BETA, BETA_HINT_ROLE) == "est 1.38"
    assert model.apply_estimated_betas([0]) == 0
    assert doc.undo_stack.undoText() == ""  # nothing pushed when nothing applies


def test_estimate_follows_the_holding_not_the_row(
    model: HoldingsTableModel, doc: PortfolioDocument
) -> None:
    model.set_beta_estimates({("SOL", "BTC"): estimate("1.38")})
    doc.remove_rows([0])
    assert model.estimated_beta(1) == estimate("1.38")  # SOL moved up a row
    doc.edit_holding_field(1, "hedge_with", "ETH")  # another underlying: another estimate
    assert model.estimated_beta(1) is None
