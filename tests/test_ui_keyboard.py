"""Keyboard: a visible focus everywhere, Tab between panels, shortcuts, menus, names (issue 13)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QMenu, QWidget

from hedger.services.library import choose_initial
from hedger.store.library import PortfolioLibrary
from hedger.store.settings import AppSettings
from hedger.ui import app as app_mod
from hedger.ui.document.document import PortfolioDocument
from hedger.ui.main_window import MainWindow
from hedger.ui.theme import apply_theme


def window(qtbot) -> MainWindow:
    library = PortfolioLibrary()
    start = choose_initial(None, library)
    doc = PortfolioDocument(app_mod.load_catalog()[0], start.portfolio, start.path)
    w = MainWindow(doc, library, AppSettings())
    w.files.ask_unsaved = lambda _n: "discard"
    qtbot.addWidget(w)
    w.resize(1280, 800)
    w.show()
    qtbot.waitExposed(w)
    w.load_charts()
    w.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is w)
    return w


def focus(qtbot, widget: QWidget) -> None:
    widget.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(widget.hasFocus)


def test_tab_leaves_the_holdings_table_and_shift_tab_comes_back(qtbot) -> None:
    w = window(qtbot)
    view = w.holdings_panel.view
    focus(qtbot, view)
    qtbot.keyClick(view, Qt.Key.Key_Tab)
    after = QApplication.focusWidget()
    assert after is not None and after is not view and not view.isAncestorOf(after)
    qtbot.keyClick(after, Qt.Key.Key_Backtab)
    assert QApplication.focusWidget() is view
    # Tab walks on through the chart to the hedge panel's controls.
    seen: list[QWidget] = []
    for _ in range(60):
        current = QApplication.focusWidget()
        assert current is not None
        seen.append(current)
        if w.hedge_panel.isAncestorOf(current):
            break
        qtbot.keyClick(current, Qt.Key.Key_Tab)
    assert w.hedge_panel.isAncestorOf(seen[-1])
    assert any(w.chart_host.isAncestorOf(s) for s in seen)


def test_f6_moves_between_panels(qtbot) -> None:
    w = window(qtbot)
    focus(qtbot, w.holdings_panel.view)
    w.act_next_panel.trigger()
    assert w.chart_host.isAncestorOf(QApplication.focusWidget())
    w.act_next_panel.trigger()
    assert w.hedge_panel.isAncestorOf(QApplication.focusWidget())
    w.act_prev_panel.trigger()
    w.act_prev_panel.trigger()
    assert QApplication.focusWidget() is w.holdings_panel.view


def test_ctrl_digits_switch_tabs_and_ctrl_f_finds_a_holding(qtbot) -> None:
    w = window(qtbot)
    focus(qtbot, w.holdings_panel.view)
    titles = [w.workspace.tabText(i) for i in range(w.workspace.count())]
    assert len(titles) == 6
    for i in (3, 2, 6, 1):
        qtbot.keyClick(
            QApplication.focusWidget(),
            Qt.Key(Qt.Key.Key_0 + i),
            Qt.KeyboardModifier.ControlModifier,
        )
        assert w.workspace.currentIndex() == i - 1, titles[i - 1]
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    bar = w.holdings_panel.find_bar
    assert bar.isVisible() and bar.edit.hasFocus()
    qtbot.keyClicks(bar.edit, "so")
    assert [w.document.portfolio.holdings[r].symbol for r in w.holdings_panel.selected_rows()] == [
        "SOL"
    ]
    qtbot.keyClick(bar.edit, Qt.Key.Key_Escape)
    assert not bar.isVisible() and w.holdings_panel.view.hasFocus()


def _menu_texts(actions: list[QAction], known: list[QAction], found: set[int]) -> set[str]:
    """Texts of every menu entry (submenus walked); marks which ``known`` actions appear.

    Read while each action is referenced: PySide drops a menu's wrappers with a
    temporary action's.
    """
    texts: set[str] = set()
    for a in actions:
        sub = a.menu()
        if isinstance(sub, QMenu):
            texts |= _menu_texts(sub.actions(), known, found)
            continue
        texts.add(a.text().replace("&", ""))
        found.update(i for i, k in enumerate(known) if k is a)
    return texts


def test_every_action_is_in_the_menu_bar_with_its_shortcut(qtbot) -> None:
    w = window(qtbot)
    # Buttons and toolbars offer nothing the menus lack.
    known = [
        w.live.refresh_action,
        w.hedge_panel.carry.compare_action,
        *w.holdings_panel.actions(),
        w.positions.panel.add_action,
        w.positions.panel.import_action,
    ]
    found: set[int] = set()
    bar_actions = w.menuBar().actions()
    names = _menu_texts(bar_actions, known, found)
    assert found == set(range(len(known))), [
        known[i].text() for i in set(range(len(known))) - found
    ]
    wanted = {
        "Copy Order",
        "Compare Venues…",
        "Refresh Prices",
        "Import Holdings from CSV…",
        "Download Price History…",
        "Import Price History…",
        "Restore Earlier Version…",
        "Find Holding…",
        "Next Panel",
        "Show Positions",
        "Journal…",
        "Rules…",
        "From Exchange…",
        *(w.workspace.tabText(i) for i in range(w.workspace.count())),
    }
    assert wanted <= names, wanted - names
    shortcuts = {a.text(): a.shortcut().toString() for a in w.go_to_actions}
    assert shortcuts["Hedge"] == "Ctrl+1" and shortcuts["Position Sizing"] == "Ctrl+6"
    assert w.act_copy_order.shortcut().toString() == "Ctrl+Shift+C"
    assert w.act_find.shortcut().toString() == "Ctrl+F"


def test_rounding_choices_and_copy_show_where_the_focus_is(qtbot) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    old_palette = app.palette()
    apply_theme(app, "light")
    try:
        w = window(qtbot)
        down = w.hedge_panel.settings.rounding.buttons["down"]
        copy = w.hedge_panel.order.line_rows()[0].copy
        for control in (down, copy):
            w.holdings_panel.view.setFocus()
            qtbot.waitUntil(lambda c=control: not c.hasFocus())
            around = control.geometry().adjusted(-3, -3, 3, 3)
            plain = control.parentWidget().grab(around).toImage()
            focus(qtbot, control)
            qtbot.wait(20)
            ring = control.parentWidget().grab(around).toImage()
            assert ring != plain, control.objectName()
        # Left and Right move between the rounding choices.
        qtbot.keyClick(down, Qt.Key.Key_Right)
        assert w.hedge_panel.settings.rounding.buttons["up"].hasFocus()
    finally:
        app.setPalette(old_palette)


def test_main_controls_have_screen_reader_names(qtbot) -> None:
    w = window(qtbot)
    named = [
        w.holdings_panel.view,
        w.hedge_panel.table,
        w.library_panel.view,
        w.workspace,
        w.chart_host.chart,
        w.hedge_panel.settings.price_edit,
        w.hedge_panel.settings.leverage_edit,
        w.hedge_panel.settings.ratio_edit,
        w.hedge_panel.settings.family_combo,
        w.hedge_panel.order.line_rows()[0].copy,
        w.holdings_panel.find_bar.edit,
    ]
    for widget in named:
        assert widget.accessibleName(), widget.objectName() or type(widget).__name__
