"""Main window: typed-but-unentered text, live typing, library rename, New, Copy."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit, QMenu

from hedger.core.catalog import Catalog, builtin_catalog
from hedger.core.models import Portfolio
from hedger.store.library import PortfolioLibrary
from hedger.store.portfolio_file import load_portfolio
from hedger.store.settings import AppSettings
from hedger.ui.document.document import PortfolioDocument
from hedger.ui.holdings.columns import Column
from hedger.ui.holdings.delegate import CellEditor
from hedger.ui.main_window import MainWindow

PORTFOLIO = {
    "schema_version": 1,
    "name": "Core stack",
    "holdings": [
        {"symbol": "BTC", "quantity": "0.5", "price": "70000"},
        {"symbol": "ETH", "quantity": "10", "price": "3500"},
    ],
    "hedge": {"ratio": "1", "rounding": "nearest", "leverage": "10"},
}


def make_window(qtbot, *, charts: bool = False) -> MainWindow:
    library = PortfolioLibrary()
    portfolio = Portfolio.model_validate(PORTFOLIO)
    path = library.save_as(portfolio, portfolio.name)
    doc = PortfolioDocument(builtin_catalog(), load_portfolio(path), path)
    w = MainWindow(doc, library, AppSettings())
    w.files.ask_unsaved = lambda _n: "discard"
    qtbot.addWidget(w)
    w.resize(1280, 800)
    w.show()
    qtbot.waitExposed(w)
    # Shortcuts (Ctrl+S) and focus-driven commits need the window active.
    w.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is w)
    if charts:
        w.load_charts()
    return w


def saved(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def type_into(edit: QLineEdit, text: str) -> None:
    edit.setFocus()
    edit.selectAll()
    QTest.keyClicks(edit, text)


def open_cell_editor(w: MainWindow, row: int, column: int) -> CellEditor:
    hp = w.holdings_panel
    index = hp.proxy.index(row, column)
    hp.view.setFocus()
    hp.view.setCurrentIndex(index)
    assert hp.view.edit(index, hp.view.EditTrigger.EditKeyPressed, None)
    editors = [e for e in hp.view.findChildren(CellEditor) if e.isVisible()]
    assert len(editors) == 1
    editor = editors[0]
    editor.setFocus()
    editor.selectAll()
    return editor


# -- typed text is never lost or saved stale ----------------------------------------------
def test_close_after_typing_a_ratio_without_enter_asks_and_saves_it(qtbot):
    w = make_window(qtbot)
    asked: list[str] = []

    def ask(name: str) -> str:
        asked.append(name)
        return "save"

    w.files.ask_unsaved = ask
    type_into(w.hedge_panel.settings.ratio_edit, "50%")
    assert w.close()
    assert asked == ["Core stack"]
    assert saved(w.document.path)["hedge"]["per_underlying"]["BTC"]["ratio"] == "0.5"


def test_ctrl_s_while_a_cell_editor_is_open_saves_the_typed_value(qtbot):
    w = make_window(qtbot)
    editor = open_cell_editor(w, 0, Column.QUANTITY)
    QTest.keyClicks(editor, "0.75")
    QTest.keyClick(editor, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert saved(w.document.path)["holdings"][0]["quantity"] == "0.75"
    assert not w.document.dirty
    assert w.document.undo_stack.undoText() == "Edit Quantity"


def test_save_commits_typed_leverage_and_futures_price(qtbot):
    w = make_window(qtbot)
    s = w.hedge_panel.settings
    type_into(s.leverage_edit, "5")
    assert w.files.save()
    assert saved(w.document.path)["hedge"]["per_underlying"]["BTC"]["leverage"] == "5"
    type_into(s.price_edit, "71000")
    assert w.files.save()
    assert saved(w.document.path)["hedge"]["futures_prices"]["BTC"] == "71000"
    assert not w.document.dirty


def test_refused_cell_text_is_not_saved_and_says_why(qtbot):
    w = make_window(qtbot)
    editor = open_cell_editor(w, 0, Column.PRICE)
    QTest.keyClicks(editor, "-5")
    assert not w.holdings_panel.commit_pending_edit()
    assert w.document.portfolio.holdings[0].price == Decimal(70000)
    assert w.holdings_panel.message_bar.isVisible()
    assert "price" in w.holdings_panel.message_bar.label.text().lower()


def test_switching_portfolio_commits_typing_first(qtbot):
    w = make_window(qtbot)
    core = w.document.path
    other = w.library.save_as(Portfolio(name="Other"), "Other")
    answers: list[str] = []
    w.files.ask_unsaved = lambda n: answers.append(n) or "save"
    type_into(w.hedge_panel.settings.ratio_edit, "25%")
    w.library_panel.openRequested.emit(other)
    assert answers == ["Core stack"]
    assert w.document.portfolio.name == "Other"
    assert load_portfolio(core).hedge.per_underlying["BTC"].ratio == Decimal("0.25")


# -- everything recomputes as the user types --------------------------------------------------
def test_typing_into_a_holdings_cell_updates_plan_and_chart(qtbot):
    w = make_window(qtbot, charts=True)
    chart = w.chart_host.chart
    assert chart is not None
    doc = w.document
    hedged_before = doc.plan.underlying("BTC").target_usd
    curve_before = np.array(chart.unhedged_curve.getData()[1], copy=True)

    editor = open_cell_editor(w, 0, Column.QUANTITY)
    QTest.keyClicks(editor, "2")
    QTest.keyClick(editor, Qt.Key.Key_Return)
    # The delegate commits on Enter through a queued call.
    qtbot.waitUntil(lambda: doc.portfolio.holdings[0].quantity == Decimal(2))
    assert doc.plan.underlying("BTC").target_usd == 4 * hedged_before
    curve_after = chart.unhedged_curve.getData()[1]
    assert not np.allclose(curve_before, curve_after)
    # The BTC value at no move is the new holding value plus ETH.
    mid = len(curve_after) // 2
    assert curve_after[mid] == 2 * 70000 + 10 * 3500
    assert w.act_undo.text() == "&Undo Edit Quantity"


def test_hedge_fields_apply_while_typing_as_one_undo_step(qtbot):
    w = make_window(qtbot)
    s = w.hedge_panel.settings
    doc = w.document
    type_into(s.ratio_edit, "6%")
    qtbot.waitUntil(lambda: doc.plan.underlying("BTC").ratio == Decimal("0.06"))
    QTest.keyClick(s.ratio_edit, Qt.Key.Key_Left)
    QTest.keyClicks(s.ratio_edit, "0")
    qtbot.waitUntil(lambda: doc.plan.underlying("BTC").ratio == Decimal("0.6"))
    assert s.ratio_edit.text() == "60%"  # the user's text is not rewritten while typing
    QTest.keyClick(s.ratio_edit, Qt.Key.Key_Return)
    assert doc.undo_stack.count() == 1
    assert doc.undo_stack.undoText() == "Change Hedge Ratio"

    # Invalid text is not applied while typing and is explained on Enter.
    type_into(s.ratio_edit, "abc")
    qtbot.wait(400)
    assert doc.plan.underlying("BTC").ratio == Decimal("0.6")
    QTest.keyClick(s.ratio_edit, Qt.Key.Key_Return)
    assert "Hedge ratio" in s.error_text

    # A second visit to the field is a second undo step.
    type_into(s.ratio_edit, "0.8")
    QTest.keyClick(s.ratio_edit, Qt.Key.Key_Return)
    assert doc.undo_stack.count() == 2
    doc.undo_stack.undo()
    assert doc.plan.underlying("BTC").ratio == Decimal("0.6")
    doc.undo_stack.undo()
    assert doc.plan.underlying("BTC").ratio == Decimal(1)


def test_ratio_error_shows_the_value_typed(qtbot):
    w = make_window(qtbot)
    s = w.hedge_panel.settings
    type_into(s.ratio_edit, "200.001%")
    QTest.keyClick(s.ratio_edit, Qt.Key.Key_Return)
    assert "got 200.001%" in s.error_text
    assert w.document.plan.underlying("BTC").ratio == Decimal(1)


def test_a_bare_percent_in_the_ratio_is_refused_with_both_readings(qtbot):
    # As on the command line: 50% is fifty per cent, a bare 50 would be 5,000 %.
    w = make_window(qtbot)
    s = w.hedge_panel.settings
    type_into(s.ratio_edit, "50")
    QTest.keyClick(s.ratio_edit, Qt.Key.Key_Return)
    assert "5000 %" in s.error_text and "50%" in s.error_text and "0.5" in s.error_text
    assert w.document.plan.underlying("BTC").ratio == Decimal(1)
    type_into(s.ratio_edit, "0.5")
    QTest.keyClick(s.ratio_edit, Qt.Key.Key_Return)
    assert s.error_text == ""
    assert w.document.plan.underlying("BTC").ratio == Decimal("0.5")
    assert s.ratio_edit.text() == "50%"  # what was applied, as the field writes it


# -- library ---------------------------------------------------------------------------------
def _rename_current(w: MainWindow, name: str) -> Path:
    panel = w.library_panel
    panel.ask_text = lambda *_a: name
    panel.view.setCurrentIndex(panel.model.index(panel.model.row_of(w.document.path)))
    path = panel.rename_selected()
    assert path is not None
    return path


def test_rename_with_unsaved_edits_survives_the_next_save(qtbot):
    w = make_window(qtbot)
    w.document.edit_holding_field(0, "quantity", "0.7")
    path = _rename_current(w, "Renamed stack")
    assert "Renamed stack" in w.windowTitle()
    assert w.document.dirty  # the edit is still unsaved
    assert w.files.save()
    assert w.document.path == path
    data = saved(path)
    assert data["name"] == "Renamed stack"
    assert data["holdings"][0]["quantity"] == "0.7"
    assert [e.name for e in w.library.list()] == ["Renamed stack"]


def test_rename_of_a_clean_portfolio_keeps_undo_history(qtbot):
    w = make_window(qtbot)
    w.document.edit_holding_field(0, "quantity", "0.7")
    assert w.files.save()
    _rename_current(w, "Renamed stack")
    assert not w.document.dirty
    assert w.document.portfolio.name == "Renamed stack"
    assert w.act_undo.isEnabled()
    w.act_undo.trigger()
    assert w.document.portfolio.holdings[0].quantity == Decimal("0.5")
    assert w.document.portfolio.name == "Renamed stack"


def test_new_with_unsaved_changes_asks_first_and_cancel_creates_nothing(qtbot):
    w = make_window(qtbot)
    w.document.edit_holding_field(0, "quantity", "0.7")
    w.files.ask_unsaved = lambda _n: "cancel"
    names: list[str] = []
    w.library_panel.ask_text = lambda *_a: names.append("asked") or "Fresh"
    w.act_new.trigger()
    assert names == []  # not even asked for a name
    assert [e.name for e in w.library.list()] == ["Core stack"]
    assert w.document.portfolio.holdings[0].quantity == Decimal("0.7")

    w.files.ask_unsaved = lambda _n: "discard"
    w.act_new.trigger()
    assert w.document.portfolio.name == "Fresh"
    assert not w.document.dirty


def test_library_shows_recent_files_and_opens_them(qtbot, tmp_path):
    w = make_window(qtbot)
    core = w.document.path
    outside = tmp_path / "elsewhere.json"
    from hedger.store.portfolio_file import save_portfolio

    save_portfolio(outside, Portfolio(name="Elsewhere"))
    assert w.files.open_path(outside)
    panel = w.library_panel
    assert panel.recent_view.isVisible()
    assert panel.recent_paths()[0] == outside
    w.settings.add_recent(core)
    panel.set_recent([Path(p) for p in w.settings.recent_files])
    item = panel.recent_view.item(1)
    assert item.text() == "elsewhere"
    panel.recent_view.itemActivated.emit(item)
    assert w.document.path == outside
    assert panel.act_open.text() == "Open…"


def test_double_click_on_a_recent_file_opens_it_once(qtbot, tmp_path):
    w = make_window(qtbot)
    outside = tmp_path / "elsewhere.json"
    from hedger.store.portfolio_file import save_portfolio

    save_portfolio(outside, Portfolio(name="Elsewhere"))
    panel = w.library_panel
    panel.set_recent([outside])
    opened: list[Path] = []
    panel.openRequested.connect(opened.append)
    item = panel.recent_view.item(0)
    # A double-click is a click and an activation.
    panel.recent_view.itemClicked.emit(item)
    panel.recent_view.itemActivated.emit(item)
    assert opened == [outside]


def test_edit_menu_has_copy(qtbot):
    w = make_window(qtbot)
    menus = [m for m in w.menuBar().findChildren(QMenu) if m.title() == "&Edit"]
    texts = [a.text() for a in menus[0].actions()]
    assert "Copy Holdings" in texts


# -- catalog ---------------------------------------------------------------------------------
def test_set_catalog_refreshes_families_and_keeps_choices(qtbot):
    w = make_window(qtbot)
    doc = w.document
    s = w.hedge_panel.settings
    doc.set_underlying_setting("BTC", "family", "CME-BTC", "Change Contract Family")
    base = builtin_catalog()
    btc = base.family("GENERIC-BTC")
    own = btc.model_copy(update={"id": "MY-BTC", "name": "My desk BTC"})
    bigger = Catalog(
        list(base.contracts.values()),
        [*base.families.values(), own],
        base.default_families,
    )
    doc.set_catalog(bigger)
    combo = s.family_combo
    ids = [combo.itemData(i) for i in range(combo.count())]
    assert "MY-BTC" in ids
    assert combo.currentData() == "CME-BTC"  # the choice in force is kept
    assert doc.plan.underlying("BTC").family.id == "CME-BTC"

    smaller = Catalog(
        list(base.contracts.values()),
        [f for f in base.families.values() if f.id != "CME-BTC"],
        {k: v for k, v in base.default_families.items() if v != "CME-BTC"},
    )
    doc.set_catalog(smaller)
    ids = [combo.itemData(i) for i in range(combo.count())]
    assert "CME-BTC" not in ids and "MY-BTC" not in ids
    # The lost choice is shown as a problem, not silently replaced.
    assert doc.plan.underlying("BTC").problem
    assert doc.plan.underlying("ETH").family is not None


# -- autosave ----------------------------------------------------------------------------------
def test_autosave_writes_while_edits_keep_coming(qtbot, monkeypatch):
    from hedger.ui.document import recovery

    monkeypatch.setattr(recovery, "AUTOSAVE_DELAY_MS", 300)
    monkeypatch.setattr(recovery, "AUTOSAVE_MAX_WAIT_MS", 600)
    doc = PortfolioDocument(builtin_catalog(), Portfolio.model_validate(PORTFOLIO), None)
    autosave = recovery.AutosaveController(doc)
    writes: list[Path] = []
    autosave.saved.connect(writes.append)
    # An edit every 100 ms never leaves the 300 ms quiet spell the debounce waits for.
    for i in range(12):
        doc.edit_holding_field(0, "quantity", str(1 + i))
        qtbot.wait(100)
    assert writes, "the recovery file was never written during a stream of edits"
    assert load_portfolio_recovery(autosave.file).holdings[0].quantity >= 2
    autosave.clear()


def load_portfolio_recovery(path: Path) -> Portfolio:
    return Portfolio.model_validate(json.loads(path.read_text(encoding="utf-8"))["portfolio"])


# -- live theme switch ---------------------------------------------------------------------------
def _icon_ink(action) -> QColor:
    """The darkest or lightest opaque pixel of an action's 16 px icon."""
    image = action.icon().pixmap(16, 16).toImage()
    inks = [
        image.pixelColor(x, y)
        for x in range(16)
        for y in range(16)
        if image.pixelColor(x, y).alpha() > 200
    ]
    assert inks, "the icon is empty"
    return inks[0]


def test_live_theme_switch_keeps_icons_message_and_compact_chart_readable(qtbot):
    from hedger.ui.theme import apply_theme

    app = QApplication.instance()
    w = make_window(qtbot, charts=True)
    chart = w.chart_host.chart
    assert chart is not None

    def set_theme(mode: str) -> None:
        apply_theme(app, mode)  # what the application does for View ▸ Theme

    w.themeRequested.connect(set_theme)
    try:
        w.theme_actions["light"].trigger()
        hp = w.holdings_panel
        hp.model.setData(hp.model.index(0, Column.QUANTITY), "abc")
        assert hp.message_bar.isVisible()
        chart.resize(chart.width(), 300)  # a short chart hides its axis titles
        qtbot.waitUntil(lambda: chart._compact)
        assert not chart.x_axis.label.isVisible()

        w.theme_actions["dark"].trigger()
        qtbot.wait(50)
        for action in (hp.add_action, hp.paste_action, hp.import_action):
            # Light ink on the dark window, not the light theme's dark ink.
            assert _icon_ink(action).lightness() > 150
        dark_text = app.palette().color(QPalette.ColorRole.WindowText).name()
        assert dark_text in hp.message_bar.styleSheet()
        assert not chart.x_axis.label.isVisible()
        assert not chart.price_axis.label.isVisible()

        w.theme_actions["light"].trigger()
        qtbot.wait(50)
        assert _icon_ink(hp.add_action).lightness() < 100
        light_text = app.palette().color(QPalette.ColorRole.WindowText).name()
        assert light_text in hp.message_bar.styleSheet()
    finally:
        apply_theme(app, "light")


def test_close_with_an_open_cell_editor_asks_and_keeps_the_edit(qtbot):
    w = make_window(qtbot)
    asked: list[str] = []
    w.files.ask_unsaved = lambda n: asked.append(n) or "cancel"
    editor = open_cell_editor(w, 1, Column.QUANTITY)
    QTest.keyClicks(editor, "12")
    assert not w.close()  # the typed edit counts as an unsaved change
    assert asked == ["Core stack"]
    assert w.document.portfolio.holdings[1].quantity == Decimal(12)
    assert w.autosave.file.exists() or w.document.dirty


def test_export_plan_uses_the_value_being_typed(qtbot, tmp_path):
    w = make_window(qtbot)
    out = tmp_path / "plan.csv"
    w.files.ask_save_path = lambda *_a: out
    type_into(w.hedge_panel.settings.ratio_edit, "50%")
    assert w.files.export_plan_csv() == out
    assert w.document.plan.underlying("BTC").ratio == Decimal("0.5")
    # BTC: 0.5 × 70,000 exposure at 50 % → a 17,500 USD target in the file.
    assert ",17500," in out.read_text(encoding="utf-8")
