"""The holdings panel as a user drives it: typing, keys, paste, import, drops."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QAbstractItemView, QLineEdit

from hedger.core.catalog import builtin_catalog
from hedger.core.models import Holding, Portfolio
from hedger.ui.document.document import PortfolioDocument
from hedger.ui.holdings.clipboard import Question
from hedger.ui.holdings.columns import Column
from hedger.ui.holdings.delegate import CellEditor
from hedger.ui.holdings.panel import HoldingsPanel
from hedger.ui.holdings.view import EMPTY_TEXT

pytestmark = pytest.mark.gui
D = Decimal


def holding(symbol: str, qty: str, price: str, **kw: str) -> Holding:
    return Holding.model_validate({"symbol": symbol, "quantity": qty, "price": price, **kw})


SAMPLE = (
    holding("BTC", "0.5", "70000"),
    holding("ETH", "4", "3500"),
    holding("SOL", "12", "150", beta="1.5", hedge_with="BTC"),
    holding("USDC", "2000", "1"),
    holding("DOGE", "5000", "0.16"),
)


class Asker:
    """Answers dialogs in tests and remembers what was asked."""

    def __init__(self, *answers: str) -> None:
        self.answers = list(answers)
        self.questions: list[Question] = []

    def __call__(self, question: Question) -> str:
        self.questions.append(question)
        if not self.answers:
            raise AssertionError(f"unexpected dialog: {question.title}: {question.text}")
        return self.answers.pop(0)


@pytest.fixture
def doc(qapp: object) -> PortfolioDocument:
    return PortfolioDocument(builtin_catalog(), Portfolio(name="Sample", holdings=SAMPLE))


@pytest.fixture
def panel(qtbot, doc: PortfolioDocument) -> HoldingsPanel:
    p = HoldingsPanel(doc)
    qtbot.addWidget(p)
    p.ask = Asker()  # any dialog not expected by a test fails it
    p.resize(700, 400)
    p.show()
    qtbot.waitExposed(p)
    return p


def symbols(doc: PortfolioDocument) -> list[str]:
    return [h.symbol for h in doc.portfolio.holdings]


def open_editor(qtbot, panel: HoldingsPanel, row: int, column: int) -> CellEditor:
    index = panel.proxy.index(row, column)
    panel.view.setCurrentIndex(index)
    panel.view.edit(index)
    editor = panel.view.indexWidget(index)
    assert isinstance(editor, CellEditor)
    return editor


def type_into_cell(qtbot, panel: HoldingsPanel, row: int, column: int, text: str) -> CellEditor:
    editor = open_editor(qtbot, panel, row, column)
    editor.selectAll()
    qtbot.keyClicks(editor, text)
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    return editor


def wait_not_editing(qtbot, panel: HoldingsPanel) -> None:
    qtbot.waitUntil(lambda: panel.view.state() != QAbstractItemView.State.EditingState)


# -- editing ------------------------------------------------------------------


def test_typing_a_quantity_changes_the_holding_and_the_plan(
    qtbot, panel: HoldingsPanel, doc: PortfolioDocument
) -> None:
    before = doc.plan.underlying("BTC").exposure_usd  # type: ignore[union-attr]
    with qtbot.waitSignal(doc.planChanged):
        type_into_cell(qtbot, panel, 0, Column.QUANTITY, "0.29")
    wait_not_editing(qtbot, panel)
    assert doc.portfolio.holdings[0].quantity == D("0.29")
    after = doc.plan.underlying("BTC").exposure_usd  # type: ignore[union-attr]
    assert after == before - D("0.21") * 70000
    assert panel.proxy.index(0, Column.VALUE).data() == "20,300.00"


def test_typing_a_symbol_with_the_completer(
    qtbot, panel: HoldingsPanel, doc: PortfolioDocument
) -> None:
    editor = open_editor(qtbot, panel, 4, Column.SYMBOL)
    completer = editor.completer()
    assert completer is not None
    words = completer.model().stringList()  # type: ignore[attr-defined]
    assert {"BTC", "ETH", "USDC", "DOGE"} <= set(words)
    editor.selectAll()
    qtbot.keyClicks(editor, "ada")
    completer.popup().hide()
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    wait_not_editing(qtbot, panel)
    assert doc.portfolio.holdings[4].symbol == "ADA"


def test_hedge_with_editor_offers_catalog_underlyings(qtbot, panel: HoldingsPanel) -> None:
    editor = open_editor(qtbot, panel, 4, Column.HEDGE_WITH)
    words = editor.completer().model().stringList()  # type: ignore[union-attr, attr-defined]
    assert words == ["BTC", "ETH"]
    assert editor.placeholderText() == "auto"


@pytest.mark.parametrize(
    ("column", "text", "reason"),
    [
        (Column.PRICE, "abc", "'abc' is not a number"),
        (Column.QUANTITY, "NaN", "'NaN' is not a number"),
        (Column.QUANTITY, "1e3", "not 1e3"),
        (Column.PRICE, "-5", "must be greater than 0"),
        (Column.PRICE, "1.555,5", "use a dot for decimals"),
        (Column.PRICE, "99999999999999999", "too large"),
        (Column.SYMBOL, "", "needs a symbol"),
    ],
)
def test_invalid_text_is_refused_visibly_and_changes_nothing(
    qtbot, panel: HoldingsPanel, doc: PortfolioDocument, column: int, text: str, reason: str
) -> None:
    before = doc.portfolio
    messages: list[str] = []
    panel.statusMessage.connect(messages.append)
    editor = open_editor(qtbot, panel, 1, column)
    editor.selectAll()
    if text:
        qtbot.keyClicks(editor, text)
    else:
        qtbot.keyClick(editor, Qt.Key.Key_Delete)
    # Flagged while typing: red border and the reason as tooltip.
    assert not editor.is_valid
    assert reason in editor.toolTip()
    assert "border: 2px solid" in editor.styleSheet()
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.wait(20)
    # Enter does not commit: the editor stays open with the text to fix.
    assert panel.view.state() == QAbstractItemView.State.EditingState
    assert editor.text() == text
    assert panel.message_bar.isVisible()
    assert reason in panel.message_bar.label.text()
    assert messages and reason in messages[-1]
    assert doc.portfolio == before
    assert doc.undo_stack.count() == 0
    qtbot.keyClick(editor, Qt.Key.Key_Escape)
    wait_not_editing(qtbot, panel)
    assert doc.portfolio == before


def test_text_becomes_valid_again_while_typing(qtbot, panel: HoldingsPanel) -> None:
    editor = open_editor(qtbot, panel, 0, Column.PRICE)
    editor.selectAll()
    qtbot.keyClicks(editor, "7x")
    assert not editor.is_valid
    qtbot.keyClick(editor, Qt.Key.Key_Backspace)
    assert editor.is_valid
    assert editor.toolTip() == ""


def test_refused_commit_on_focus_loss_still_changes_nothing(
    qtbot, panel: HoldingsPanel, doc: PortfolioDocument
) -> None:
    before = doc.portfolio
    editor = open_editor(qtbot, panel, 0, Column.PRICE)
    editor.setText("abc")
    panel.delegate.commitData.emit(editor)
    assert doc.portfolio == before
    assert "Price not changed" in panel.message_bar.label.text()


def test_undo_and_redo_of_a_cell_edit(qtbot, panel: HoldingsPanel, doc: PortfolioDocument) -> None:
    type_into_cell(qtbot, panel, 1, Column.QUANTITY, "4.25")
    wait_not_editing(qtbot, panel)
    undo = doc.undo_stack.createUndoAction(panel)
    redo = doc.undo_stack.createRedoAction(panel)
    assert undo.text().replace("&", "") == "Undo Edit Quantity"
    doc.undo_stack.undo()
    assert doc.portfolio.holdings[1].quantity == D(4)
    assert panel.proxy.index(1, Column.QUANTITY).data() == "4"
    assert redo.text().replace("&", "") == "Redo Edit Quantity"
    doc.undo_stack.redo()
    assert doc.portfolio.holdings[1].quantity == D("4.25")
    assert panel.proxy.index(1, Column.QUANTITY).data() == "4.25"


def test_enter_starts_editing_the_current_cell(qtbot, panel: HoldingsPanel) -> None:
    panel.view.setFocus()
    panel.view.setCurrentIndex(panel.proxy.index(2, Column.BETA))
    qtbot.keyClick(panel.view, Qt.Key.Key_Return)
    assert panel.view.state() == QAbstractItemView.State.EditingState
    editor = panel.view.indexWidget(panel.proxy.index(2, Column.BETA))
    assert isinstance(editor, QLineEdit) and editor.text() == "1.5"


def test_sorted_table_edits_the_right_holding(
    qtbot, panel: HoldingsPanel, doc: PortfolioDocument
) -> None:
    header = panel.view.horizontalHeader()
    x = header.sectionViewportPosition(Column.VALUE) + header.sectionSize(Column.VALUE) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))
    assert header.sortIndicatorSection() == Column.VALUE
    shown = [panel.proxy.index(r, Column.SYMBOL).data() for r in range(5)]
    assert shown == ["DOGE", "SOL", "USDC", "ETH", "BTC"]
    type_into_cell(qtbot, panel, 0, Column.QUANTITY, "6000")
    wait_not_editing(qtbot, panel)
    assert doc.portfolio.holdings[4].quantity == D(6000)  # DOGE, not BTC
    assert doc.portfolio.holdings[0].quantity == D("0.5")
    # Removing the first shown row removes DOGE.
    panel.select_rows([4])
    assert panel.selected_rows() == [4]
    panel.remove_selected()
    assert symbols(doc) == ["BTC", "ETH", "SOL", "USDC"]


# -- rows ---------------------------------------------------------------------


def test_add_row_after_current_and_undo(
    qtbot, panel: HoldingsPanel, doc: PortfolioDocument
) -> None:
    panel.view.setCurrentIndex(panel.proxy.index(1, Column.QUANTITY))
    panel.add_row()
    row = panel.new_row
    assert row.isVisibleTo(panel)
    # It starts empty: nothing copied from the row above (issue 13).
    assert (row.symbol.text(), row.quantity.text(), row.price.text()) == ("", "", "")
    assert len(doc.portfolio.holdings) == 5
    row.symbol.setText("ada")
    row.quantity.setText("100")
    row.price.setText("0.45")
    assert row.commit() == 2
    added = doc.portfolio.holdings[2]
    assert (added.symbol, added.quantity, added.price) == ("ADA", 100, D("0.45"))
    assert doc.undo_stack.undoText() == "Add Holding"
    assert not row.isVisibleTo(panel)
    assert panel.selected_rows() == [2]
    doc.undo_stack.undo()
    assert symbols(doc) == ["BTC", "ETH", "SOL", "USDC", "DOGE"]


def test_new_row_takes_a_known_price_or_asks_for_one(panel: HoldingsPanel, doc) -> None:
    panel.view.clearSelection()
    panel.view.setCurrentIndex(panel.proxy.index(-1, 0))
    panel.add_row()
    row = panel.new_row
    row.symbol.setText("ETH")
    row.symbol.editingFinished.emit()
    assert row.price.placeholderText() == "= 3,500"
    row.quantity.setText("2")
    assert row.commit() == 5
    assert doc.portfolio.holdings[5].price == D(3500)
    # A stablecoin is worth 1; a coin Hedger has no price for must be typed.
    panel.add_row()
    row.symbol.setText("NEWCOIN")
    assert row.commit() is None
    assert "NEWCOIN" in row.hint.text() and "type" in row.hint.text().lower()
    assert len(doc.portfolio.holdings) == 6
    row.symbol.setText("USDT")
    row.quantity.setText("500")
    assert row.commit() == 6
    assert doc.portfolio.holdings[6].price == 1


def test_add_to_an_empty_portfolio(qtbot, qapp: object) -> None:
    doc = PortfolioDocument(builtin_catalog())
    panel = HoldingsPanel(doc)
    qtbot.addWidget(panel)
    panel.add_row()
    panel.new_row.symbol.setText("BTC")
    panel.new_row.price.setText("70000")
    assert panel.new_row.commit() == 0
    assert len(doc.portfolio.holdings) == 1
    assert doc.portfolio.holdings[0].quantity == 0


def test_remove_several_selected_rows_in_one_step(
    qtbot, panel: HoldingsPanel, doc: PortfolioDocument
) -> None:
    panel.select_rows([0, 2, 4])
    assert panel.selected_rows() == [0, 2, 4]
    assert panel.remove_action.isEnabled()
    assert panel.remove_selected() == 3
    assert symbols(doc) == ["ETH", "USDC"]
    assert doc.undo_stack.undoText() == "Remove 3 Holdings"
    doc.undo_stack.undo()
    assert symbols(doc) == ["BTC", "ETH", "SOL", "USDC", "DOGE"]


def test_delete_key_removes_selected_rows(
    qtbot, panel: HoldingsPanel, doc: PortfolioDocument
) -> None:
    panel.activateWindow()
    panel.view.setFocus()
    qtbot.waitUntil(panel.view.hasFocus)
    panel.select_rows([1])
    qtbot.keyClick(panel.view, Qt.Key.Key_Delete)
    assert symbols(doc) == ["BTC", "SOL", "USDC", "DOGE"]


def test_remove_without_selection_does_nothing(
    panel: HoldingsPanel, doc: PortfolioDocument
) -> None:
    panel.view.clearSelection()
    assert panel.remove_selected() == 0
    assert not panel.remove_action.isEnabled()
    assert doc.undo_stack.count() == 0


def test_actions_for_the_main_window_menus(panel: HoldingsPanel) -> None:
    texts = [a.text() for a in panel.actions()]
    assert texts == ["Add Holding", "Remove Holdings", "Copy Holdings", "Paste Holdings"]
    assert panel.paste_action.shortcut() == QKeySequence(QKeySequence.StandardKey.Paste)
    assert panel.remove_action.shortcut() == QKeySequence(QKeySequence.StandardKey.Delete)


# -- paste ----------------------------------------------------------------------


def test_paste_tab_text_with_header_after_current_row(
    panel: HoldingsPanel, doc: PortfolioDocument
) -> None:
    panel.view.setCurrentIndex(panel.proxy.index(0, 0))
    text = "Coin\tQty\tPrice\nADA\t1,000\t0.45\nXRP\t500\t0.6\nLINK\t20\t14.5\n"
    assert panel.paste_text(text)
    assert symbols(doc) == ["BTC", "ADA", "XRP", "LINK", "ETH", "SOL", "USDC", "DOGE"]
    assert doc.undo_stack.count() == 1
    assert doc.undo_stack.undoText() == "Paste 3 Holdings"
    assert panel.selected_rows() == [1, 2, 3]
    doc.undo_stack.undo()
    assert symbols(doc) == ["BTC", "ETH", "SOL", "USDC", "DOGE"]


def test_paste_comma_text_without_header_at_the_end(
    panel: HoldingsPanel, doc: PortfolioDocument
) -> None:
    panel.view.setCurrentIndex(panel.proxy.index(-1, -1))
    panel.view.selectionModel().clear()
    assert panel.paste_text('ADA,"1,000",0.45,1.3,ETH\n')
    added = doc.portfolio.holdings[-1]
    assert (added.symbol, added.quantity, added.beta, added.hedge_with) == (
        "ADA",
        D(1000),
        D("1.3"),
        "ETH",
    )
    assert doc.undo_stack.undoText() == "Paste Holding"


def test_paste_from_the_clipboard_with_ctrl_v(
    qtbot, panel: HoldingsPanel, doc: PortfolioDocument
) -> None:
    QGuiApplication.clipboard().setText("ADA\t100\t0.45\nXRP\t10\t0.6\n")
    panel.activateWindow()
    panel.view.setFocus()
    qtbot.waitUntil(panel.view.hasFocus)
    panel.view.setCurrentIndex(panel.proxy.index(4, 0))
    qtbot.keyClick(panel.view, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert symbols(doc)[-2:] == ["ADA", "XRP"]


def test_paste_with_bad_rows_asks_and_imports_the_good_ones(
    panel: HoldingsPanel, doc: PortfolioDocument
) -> None:
    asker = Asker("paste")
    panel.ask = asker
    text = "symbol,quantity,price\nADA,100,0.45\nXRP,ten,0.6\nLINK,20,14.5\nBAD,1,-3\n"
    assert panel.paste_text(text)
    [q] = asker.questions
    assert "2 pasted rows cannot be read" in q.text
    assert "row 3: quantity 'ten' is not a number" in q.details
    assert "row 5: price must be greater than 0" in q.details
    added = [s for s in symbols(doc) if s not in ("BTC", "ETH", "SOL", "USDC", "DOGE")]
    assert added == ["ADA", "LINK"]
    assert doc.undo_stack.undoText() == "Paste 2 Holdings"
    # The partial paste is reported, not silent.
    assert "skipped 2 rows: row 3" in panel.message_bar.label.text()


def test_paste_with_bad_rows_cancelled_changes_nothing(
    panel: HoldingsPanel, doc: PortfolioDocument
) -> None:
    panel.ask = Asker("cancel")
    assert not panel.paste_text("ADA,100,0.45\nXRP,ten,0.6\n")
    assert symbols(doc) == ["BTC", "ETH", "SOL", "USDC", "DOGE"]
    assert doc.undo_stack.count() == 0


def test_paste_of_only_bad_rows_explains_and_changes_nothing(
    panel: HoldingsPanel, doc: PortfolioDocument
) -> None:
    asker = Asker("ok")
    panel.ask = asker
    assert not panel.paste_text("hello there\nhow are you")
    [q] = asker.questions
    assert q.title == "Nothing Imported"
    assert [c.key for c in q.choices] == ["ok"]
    assert doc.undo_stack.count() == 0
    assert "Nothing pasted" in panel.message_bar.label.text()


def test_paste_of_empty_text_says_so(panel: HoldingsPanel, doc: PortfolioDocument) -> None:
    assert not panel.paste_text("  \n")
    assert "Nothing to paste" in panel.message_bar.label.text()
    assert doc.undo_stack.count() == 0


def test_paste_of_one_value_edits_the_current_cell(
    panel: HoldingsPanel, doc: PortfolioDocument
) -> None:
    panel.view.setCurrentIndex(panel.proxy.index(1, Column.PRICE))
    assert panel.paste_text("3,612.5\n")
    assert doc.portfolio.holdings[1].price == D("3612.5")
    assert doc.undo_stack.undoText() == "Edit Price"
    # A bad single value is refused like a typed one.
    assert not panel.paste_text("1e3")
    assert doc.portfolio.holdings[1].price == D("3612.5")
    assert "Price not changed" in panel.message_bar.label.text()


def test_copy_then_paste_round_trips(panel: HoldingsPanel, doc: PortfolioDocument) -> None:
    panel.select_rows([2, 4])
    assert panel.copy_selected() == 2
    text = QGuiApplication.clipboard().text()
    assert text.splitlines()[0] == "Symbol\tQuantity\tPrice\tBeta\tHedge With"
    assert panel.paste_from_clipboard()
    # Pasted after the current (first selected) row.
    assert doc.portfolio.holdings[3:5] == (SAMPLE[2], SAMPLE[4])


# -- import ----------------------------------------------------------------------


@pytest.fixture
def csv_file(tmp_path: Path) -> Path:
    path = tmp_path / "exchange.csv"
    path.write_text(
        '\ufeffAsset,Balance,Last Price\nADA,"1,000",0.45\nXRP,500,$0.60\n', encoding="utf-8"
    )
    return path


def test_import_csv_replace_all(
    panel: HoldingsPanel, doc: PortfolioDocument, csv_file: Path
) -> None:
    asker = Asker("replace")
    panel.ask = asker
    assert panel.import_csv(csv_file)
    assert [c.key for c in asker.questions[0].choices] == ["replace", "append", "cancel"]
    assert symbols(doc) == ["ADA", "XRP"]
    assert doc.undo_stack.count() == 1
    assert doc.undo_stack.undoText() == "Import CSV"
    doc.undo_stack.undo()
    assert symbols(doc) == ["BTC", "ETH", "SOL", "USDC", "DOGE"]


def test_import_csv_append(panel: HoldingsPanel, doc: PortfolioDocument, csv_file: Path) -> None:
    panel.ask = Asker("append")
    assert panel.import_csv(csv_file)
    assert symbols(doc) == ["BTC", "ETH", "SOL", "USDC", "DOGE", "ADA", "XRP"]
    assert doc.undo_stack.undoText() == "Import CSV"
    assert doc.portfolio.holdings[-1].price == D("0.60")


def test_import_csv_cancel(panel: HoldingsPanel, doc: PortfolioDocument, csv_file: Path) -> None:
    panel.ask = Asker("cancel")
    assert not panel.import_csv(csv_file)
    assert doc.undo_stack.count() == 0


def test_import_into_an_empty_portfolio_asks_nothing(qtbot, csv_file: Path, qapp: object) -> None:
    doc = PortfolioDocument(builtin_catalog())
    panel = HoldingsPanel(doc)
    qtbot.addWidget(panel)
    panel.ask = Asker()
    assert panel.import_csv(csv_file)
    assert symbols(doc) == ["ADA", "XRP"]


def test_import_with_bad_rows_lists_them_in_the_question(
    panel: HoldingsPanel, doc: PortfolioDocument, tmp_path: Path
) -> None:
    path = tmp_path / "mixed.tsv"
    path.write_bytes(b"Symbol\tQty\tPrice\nADA\t100\t0.45\nXRP\tlots\t0.6\n")
    asker = Asker("append")
    panel.ask = asker
    assert panel.import_csv(path)
    q = asker.questions[0]
    assert "1 row cannot be read" in q.informative
    assert "row 3: quantity 'lots' is not a number" in q.details
    assert symbols(doc)[-1] == "ADA"
    assert "skipped" in panel.message_bar.label.text()


def test_import_of_a_bad_file_explains_and_changes_nothing(
    panel: HoldingsPanel, doc: PortfolioDocument, tmp_path: Path
) -> None:
    asker = Asker("ok", "ok")
    panel.ask = asker
    assert not panel.import_csv(tmp_path / "missing.csv")
    junk = tmp_path / "junk.csv"
    junk.write_text("name,city\nAnna,Berlin\n")
    assert not panel.import_csv(junk)
    assert "not found" in asker.questions[0].informative
    assert "row 2: quantity 'Berlin' is not a number" in asker.questions[1].informative
    assert "Expected columns: Symbol, Quantity, Price" in asker.questions[1].informative
    no_quantity = tmp_path / "prices.csv"
    no_quantity.write_text("symbol,price\nBTC,70000\n")
    panel.ask = asker = Asker("ok")
    assert not panel.import_csv(no_quantity)
    assert "no quantity column" in asker.questions[0].informative
    assert doc.undo_stack.count() == 0


# -- drag and drop ------------------------------------------------------------------


def file_mime(path: Path) -> QMimeData:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    return mime


def test_dropping_a_csv_file_imports_it(
    qtbot, panel: HoldingsPanel, doc: PortfolioDocument, csv_file: Path
) -> None:
    panel.ask = Asker("append")
    mime = file_mime(csv_file)
    action = Qt.DropAction.CopyAction
    enter = QDragEnterEvent(
        QPoint(50, 50), action, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    panel.dragEnterEvent(enter)
    assert enter.isAccepted()
    drop = QDropEvent(
        QPointF(50, 50), action, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    panel.dropEvent(drop)
    assert drop.isAccepted()
    qtbot.waitUntil(lambda: symbols(doc)[-2:] == ["ADA", "XRP"])
    assert doc.undo_stack.undoText() == "Import CSV"


def test_other_files_are_not_accepted(panel: HoldingsPanel, tmp_path: Path) -> None:
    image = tmp_path / "chart.png"
    image.write_bytes(b"\x89PNG")
    mime = file_mime(image)  # the event does not own it: keep it alive
    enter = QDragEnterEvent(
        QPoint(5, 5),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    panel.dragEnterEvent(enter)
    assert not enter.isAccepted()


# -- looks ---------------------------------------------------------------------------


def test_summary_line(panel: HoldingsPanel, doc: PortfolioDocument) -> None:
    text = panel.summary_label.text()
    assert "5 holdings" in text
    assert "53,600.00" in text  # total value
    assert "52,500.00" in text  # beta-weighted exposure
    doc.remove_rows([0])
    assert "4 holdings" in panel.summary_label.text()


def test_empty_state(qtbot, qapp: object) -> None:
    doc = PortfolioDocument(builtin_catalog())
    panel = HoldingsPanel(doc)
    qtbot.addWidget(panel)
    panel.resize(700, 400)
    panel.show()
    assert "No holdings yet" in EMPTY_TEXT
    assert panel.summary_label.text() == ""
    assert not panel.grab().isNull()


def test_view_setup(panel: HoldingsPanel) -> None:
    view = panel.view
    assert view.alternatingRowColors()
    assert not view.verticalHeader().isVisible()
    assert view.horizontalHeader().stretchLastSection()
    assert view.isSortingEnabled()
    assert view.verticalHeader().defaultSectionSize() >= 24


def test_typing_on_a_selected_cell_starts_editing_with_that_text(
    qtbot, panel: HoldingsPanel, doc: PortfolioDocument
) -> None:
    panel.activateWindow()
    panel.view.setFocus()
    panel.view.setCurrentIndex(panel.proxy.index(1, Column.QUANTITY))
    qtbot.keyClicks(panel.view, "7")
    editor = panel.view.indexWidget(panel.proxy.index(1, Column.QUANTITY))
    assert isinstance(editor, CellEditor)
    qtbot.keyClicks(editor, ".5")
    assert editor.text() == "7.5"
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    wait_not_editing(qtbot, panel)
    assert doc.portfolio.holdings[1].quantity == D("7.5")


def test_ctrl_v_and_delete_inside_an_editor_edit_its_text_only(
    qtbot, panel: HoldingsPanel, doc: PortfolioDocument
) -> None:
    QGuiApplication.clipboard().setText("123")
    panel.activateWindow()
    editor = open_editor(qtbot, panel, 0, Column.PRICE)
    editor.setFocus()
    qtbot.waitUntil(editor.hasFocus)
    editor.selectAll()
    qtbot.keyClick(editor, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert editor.text() == "123"
    qtbot.keyClick(editor, Qt.Key.Key_Delete)
    assert len(doc.portfolio.holdings) == 5  # no rows pasted or removed
    assert doc.undo_stack.count() == 0


def test_context_menu_applies_estimated_betas_as_one_undo_step(qtbot):
    from hedger.ui.holdings.columns import BetaEstimate

    pf = Portfolio(
        name="x",
        holdings=(
            Holding(symbol="BTC", quantity=Decimal("0.5"), price=Decimal(70000)),
            Holding(
                symbol="SOL",
                quantity=Decimal(12),
                price=Decimal(150),
                beta=Decimal("1.5"),
                hedge_with="BTC",
            ),
            Holding(symbol="ADA", quantity=Decimal(9000), price=Decimal("0.45"), hedge_with="BTC"),
        ),
    )
    doc = PortfolioDocument(builtin_catalog(), pf, None)
    panel = HoldingsPanel(doc)
    qtbot.addWidget(panel)
    panel.resize(700, 400)
    panel.show()
    action = panel.apply_beta_action
    assert action in panel.view.actions()
    panel.select_rows([1])
    assert not action.isVisible()  # no estimate yet: nothing to offer
    panel.model.set_beta_estimates(
        {
            ("SOL", "BTC"): BetaEstimate(Decimal("1.38"), 365, "daily", "BTC", 0.72),
            ("ADA", "BTC"): BetaEstimate(Decimal("1.2"), 365, "daily", "BTC", 0.6),
        }
    )
    assert action.isVisible() and action.text() == "Apply Estimated Beta 1.38"
    panel.select_rows([1, 2])
    assert action.text() == "Apply 2 Estimated Betas"
    action.trigger()
    assert doc.portfolio.holdings[1].beta == Decimal("1.38")
    assert doc.portfolio.holdings[2].beta == Decimal("1.2")
    assert doc.undo_stack.undoText() == "Apply Estimated Betas"
    assert not action.isVisible()  # nothing left to apply
    doc.undo_stack.undo()
    assert doc.portfolio.holdings[1].beta == Decimal("1.5")
    assert action.isVisible()


@pytest.mark.parametrize("column", [Column.VALUE, Column.SHARE, Column.QUANTITY])
def test_sorted_table_reorders_after_an_edit(
    qtbot, panel: HoldingsPanel, doc: PortfolioDocument, column: Column
) -> None:
    panel.view.sortByColumn(column, Qt.SortOrder.DescendingOrder)
    type_into_cell(qtbot, panel, panel.proxy.rowCount() - 1, Column.QUANTITY, "1000000")
    wait_not_editing(qtbot, panel)
    rows = [panel.proxy.source_row(r) for r in range(panel.proxy.rowCount())]
    holdings = doc.portfolio.holdings
    key = {
        Column.VALUE: lambda h: h.value,
        Column.SHARE: lambda h: (not h.is_stablecoin, h.value),
        Column.QUANTITY: lambda h: h.quantity,
    }[column]
    assert rows == sorted(range(len(holdings)), key=lambda r: key(holdings[r]), reverse=True)
    doc.undo_stack.undo()
    holdings = doc.portfolio.holdings
    rows = [panel.proxy.source_row(r) for r in range(panel.proxy.rowCount())]
    assert rows == sorted(range(len(holdings)), key=lambda r: key(holdings[r]), reverse=True)


def test_negative_quantity_asks_once_whether_it_is_a_short_position(
    qtbot, panel: HoldingsPanel, doc: PortfolioDocument
) -> None:
    """A typed −5 no longer silently flips the hedge to buying futures (issue 13)."""
    asked: list[Question] = []
    answer = ["cancel"]
    panel.ask = lambda q: asked.append(q) or answer[0]
    sol = symbols(doc).index("SOL")
    index = panel.model.index(sol, Column.QUANTITY)
    assert not panel.model.setData(index, "-500")
    assert len(asked) == 1 and asked[0].title == "Short spot position?"
    assert "owe 500 SOL" in asked[0].informative
    assert "hedge becomes “Buy" in asked[0].informative  # what it would do to the order
    assert doc.portfolio.holdings[sol].quantity == 12  # kept as it was
    answer[0] = "short"
    assert panel.model.setData(index, "-500")
    assert doc.portfolio.holdings[sol].quantity == -500
    assert "short position" in panel.model.data(index, Qt.ItemDataRole.AccessibleTextRole)
    # Asked once: a short holding changing its size is not asked again.
    assert panel.model.setData(index, "-600")
    assert len(asked) == 2
