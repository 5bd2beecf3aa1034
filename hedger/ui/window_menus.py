"""The main window's actions, menus and toolbar: everything reachable from the menu bar.

Every action a button or a toolbar offers (Copy Order, Compare Venues, Refresh,
Import, Download, Restore Earlier Version, the Positions actions, the analytics
tabs) is also in a menu, with its shortcut shown there.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMenu, QStyle, QToolBar, QToolButton

from hedger.ui.window_focus import PanelFocus

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMainWindow, QWidget

    from hedger.ui.main_window import MainWindow

# The workspace tabs, in order: Ctrl+1 is the Hedge tab.
MAX_GO_TO = 9


def _act(
    owner: QMainWindow,
    text: str,
    slot: Callable[[], object],
    key: object = None,
    tip: str = "",
) -> QAction:
    a = QAction(text, owner)
    if key is not None:
        a.setShortcut(key)  # type: ignore[arg-type]
    if tip:
        a.setStatusTip(tip)
    a.triggered.connect(lambda _checked=False: slot())
    return a


class WindowMenusMixin:
    """Builds the actions, the menu bar and the toolbar of the MainWindow."""

    def _build_actions(self: MainWindow) -> None:
        SK = QKeySequence.StandardKey
        f = self.files

        def act(
            text: str, slot: Callable[[], object], key: object = None, tip: str = ""
        ) -> QAction:
            return _act(self, text, slot, key, tip)

        self.act_new = act("&New Portfolio…", self.library_panel.new_portfolio, SK.New)
        self.library_panel.keep_changes = self.files.maybe_keep_changes
        self.files.commit_pending = self.commit_pending_edits
        self.act_open = act("&Open…", f.open_dialog, SK.Open)
        self.act_save = act("&Save", f.save, SK.Save)
        self.act_save_as = act("Save &As…", f.save_as, SK.SaveAs)
        self.act_revert = act("&Revert to Saved", f.revert)
        self.act_restore_version = act("Restore &Earlier Version…", f.restore_version_dialog)
        self.act_import = act("&Import Holdings from CSV…", self.holdings_panel.import_with_dialog)
        self.act_export_plan = act("Export &Plan as CSV…", f.export_plan_csv)
        self.act_export_png = act("Export Chart as P&NG…", lambda: self._export_chart("png"))
        self.act_export_svg = act("Export Chart as S&VG…", lambda: self._export_chart("svg"))
        self.act_quit = act("&Quit", self.close, SK.Quit)
        self.act_undo = self.document.undo_stack.createUndoAction(self, "&Undo")
        self.act_undo.setShortcut(SK.Undo)
        self.act_redo = self.document.undo_stack.createRedoAction(self, "&Redo")
        self.act_redo.setShortcut(SK.Redo)
        self.act_about = act("&About Hedger", lambda: self.show_about())
        self.act_show_library = self.library_dock.toggleViewAction()
        self.act_show_library.setText("Portfolio &Library")
        self.act_show_library.setShortcut(QKeySequence("Ctrl+L"))
        self.act_find = act(
            "&Find Holding…", self.find_holding, SK.Find, "Find a holding by its symbol"
        )
        self._build_hedge_actions(act)

        self.theme_group = QActionGroup(self)
        self.theme_actions: dict[str, QAction] = {}
        for mode, label in (("system", "Follow &System"), ("light", "&Light"), ("dark", "&Dark")):
            a = QAction(label, self, checkable=True)
            a.setChecked(mode == self.settings.theme)
            a.triggered.connect(lambda _c=False, m=mode: self.themeRequested.emit(m))
            self.theme_group.addAction(a)
            self.theme_actions[mode] = a

    def _build_hedge_actions(self: MainWindow, act: Callable[..., QAction]) -> None:
        """The hedge panel's buttons as actions, and moving between tabs and panels."""
        ticket = self.hedge_panel.order
        self.act_copy_order = act(
            "&Copy Order",
            ticket.copy_order_action.trigger,
            QKeySequence("Ctrl+Shift+C"),
            "Copy the order shown in the ticket, in words",
        )
        self.act_copy_quantity = act(
            "Copy Order &Quantity",
            self.copy_order_quantity,
            QKeySequence("Ctrl+Alt+C"),
            "Copy the quantity to type into the venue's order form (one-line orders)",
        )
        self.act_next_underlying = act(
            "&Next Underlying",
            lambda: self._step_underlying(1),
            QKeySequence("Ctrl+]"),
            "Show the next underlying's hedge",
        )
        self.act_prev_underlying = act(
            "&Previous Underlying",
            lambda: self._step_underlying(-1),
            QKeySequence("Ctrl+["),
            "Show the previous underlying's hedge",
        )
        self.go_to_actions: list[QAction] = []
        for index in range(min(self.workspace.count(), MAX_GO_TO)):
            title = self.workspace.tabText(index)
            a = act(
                title,
                lambda i=index: self.go_to_tab(i),
                QKeySequence(f"Ctrl+{index + 1}"),
                f"Show the {title} tab",
            )
            self.go_to_actions.append(a)
        self.panel_focus = PanelFocus(self)
        self.act_next_panel = act(
            "Next &Panel", self.panel_focus.next, QKeySequence("F6"), "Move to the next panel"
        )
        self.act_prev_panel = act(
            "Pre&vious Panel",
            self.panel_focus.previous,
            QKeySequence("Shift+F6"),
            "Move to the previous panel",
        )
        self.act_history_import = act(
            "&Import Price History…",
            lambda: self._history_tab_call("choose_file"),
            tip="Read a price history from a CSV file (History tab)",
        )
        self.act_history_download = act(
            "&Download Price History…",
            lambda: self._history_tab_call("open_download"),
            QKeySequence("Ctrl+Shift+D"),
            "Download daily or hourly closes from the exchanges (History tab)",
        )

    def _build_menus(self: MainWindow) -> None:
        mb = self.menuBar()
        m = mb.addMenu("&File")
        m.addActions([self.act_new, self.act_open])
        self.recent_menu = m.addMenu("Open &Recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        m.addSeparator()
        m.addActions([self.act_save, self.act_save_as, self.act_revert, self.act_restore_version])
        m.addSeparator()
        m.addActions([self.act_import, self.act_history_import])
        m.addActions([self.act_export_plan, self.act_export_png, self.act_export_svg])
        m.addSeparator()
        m.addAction(self.act_quit)

        e = mb.addMenu("&Edit")
        e.addActions([self.act_undo, self.act_redo])
        e.addSeparator()
        for a in self.holdings_panel.actions():
            e.addAction(a)
        e.addSeparator()
        e.addAction(self.act_find)

        h = mb.addMenu("&Hedge")
        h.addActions([self.act_copy_order, self.act_copy_quantity])
        h.addSeparator()
        h.addActions([self.act_next_underlying, self.act_prev_underlying])
        h.addSeparator()
        h.addAction(self.hedge_panel.carry.compare_action)

        self._build_positions_menu(mb.addMenu("P&ositions"))

        prices = self.live.menu(self)
        prices.addAction(self.hedge_panel.carry.compare_action)  # i15g: Compare Venues…
        prices.addSeparator()
        prices.addAction(self.act_history_download)
        mb.addMenu(prices)

        v = mb.addMenu("&View")
        go = v.addMenu("&Go To")
        go.addActions(self.go_to_actions)
        v.addActions([self.act_next_panel, self.act_prev_panel])
        v.addSeparator()
        v.addAction(self.act_show_library)
        t = v.addMenu("&Theme")
        t.addActions(list(self.theme_actions.values()))

        help_menu = mb.addMenu("&Help")
        help_menu.addAction(self.act_about)

    def _build_positions_menu(self: MainWindow, menu: QMenu) -> None:
        panel = self.positions.panel
        show = _act(
            self,
            "Show &Positions",
            self.show_positions,
            QKeySequence("Ctrl+Shift+P"),
            "The futures you already hold, beside the holdings",
        )
        self.act_show_positions = show
        record = _act(
            self, "&Record the Plan's Orders as Placed…", panel.place_plan, tip="Hold them"
        )
        menu.addAction(show)
        menu.addSeparator()
        for a in (panel.add_action, panel.remove_action, panel.copy_action, panel.paste_action):
            menu.addAction(a)
        menu.addSeparator()
        menu.addActions([panel.import_action, panel.exchange_action, record])
        menu.addSeparator()
        menu.addActions([panel.journal_action, panel.rules_action])

    def _build_toolbar(self: MainWindow) -> None:
        # The toolbar sits in the workspace tab row rather than a row of its
        # own: at 1280x800 that height goes to the chart and the hedge table.
        tb = QToolBar("Main")
        tb.setObjectName("mainToolbar")
        tb.setMovable(False)
        tb.setFloatable(False)
        tb.setIconSize(QSize(18, 18))
        tb.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        tb.setContentsMargins(0, 0, 0, 0)
        self.toolbar = tb
        st = self.style()
        self.act_open.setIcon(st.standardIcon(QStyle.StandardPixmap.SP_DialogOpenButton))
        self.act_save.setIcon(st.standardIcon(QStyle.StandardPixmap.SP_DialogSaveButton))
        self.act_undo.setIcon(st.standardIcon(QStyle.StandardPixmap.SP_ArrowBack))
        self.act_redo.setIcon(st.standardIcon(QStyle.StandardPixmap.SP_ArrowForward))
        tb.addAction(self.act_open)
        tb.addAction(self.act_save)
        tb.addSeparator()
        tb.addAction(self.act_undo)
        tb.addAction(self.act_redo)
        tb.addSeparator()
        tb.addAction(self.live.refresh_action)
        refresh = tb.widgetForAction(self.live.refresh_action)
        if isinstance(refresh, QToolButton):
            refresh.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for action in (self.act_open, self.act_save, self.act_undo, self.act_redo):
            key = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            name = action.text().replace("&", "").rstrip("…")
            action.setToolTip(f"{name} ({key})" if key else name)
            widget = tb.widgetForAction(action)
            if widget is not None:
                widget.setAccessibleName(name)
        # Undo/Redo tooltips follow the action they would undo.
        stack = self.document.undo_stack
        stack.undoTextChanged.connect(self._update_undo_tips)
        stack.redoTextChanged.connect(self._update_undo_tips)
        self._update_undo_tips()
        self.workspace.setCornerWidget(tb, Qt.Corner.TopRightCorner)

    def _update_undo_tips(self: MainWindow, *_args: object) -> None:
        for action in (self.act_undo, self.act_redo):
            if not shiboken6.isValid(action):
                return  # the window is being torn down
            native = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            text = action.text().replace("&", "")
            tip = f"{text} ({native})" if native else text
            if action.toolTip() != tip:
                action.setToolTip(tip)

    def _fill_recent_menu(self: MainWindow) -> None:
        self.recent_menu.clear()
        recent = [Path(p) for p in self.settings.recent_files]
        if not recent:
            a = self.recent_menu.addAction("No recent files")
            a.setEnabled(False)
            return
        for p in recent:
            a = self.recent_menu.addAction(p.stem if p.exists() else f"{p.stem} (missing)")
            a.setToolTip(str(p))
            a.setEnabled(p.exists())
            a.triggered.connect(lambda _c=False, path=p: self.files.open_path(path))
        self.recent_menu.addSeparator()
        clear = self.recent_menu.addAction("Clear Recent Files")
        clear.triggered.connect(lambda: setattr(self.settings, "recent_files", []))

    # -- what the new actions do ------------------------------------------------------
    def go_to_tab(self: MainWindow, index: int) -> None:
        """Show workspace tab ``index`` (Ctrl+1 … Ctrl+6) and put the focus in it."""
        self.workspace.setCurrentIndex(index)
        widget = self.workspace.currentWidget()
        target: QWidget | None = (
            self.holdings_panel.view if index == 0 else widget.focusProxy() or widget
        )
        if target is not None and index != 0:
            target = next((w for w in _focusable_in(widget)), target)
        if target is not None:
            target.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def show_positions(self: MainWindow) -> None:
        self.workspace.setCurrentIndex(0)
        self.positions.show_positions()
        self.positions.panel.view.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def add_holding(self: MainWindow) -> None:
        """The new-holding row, on the Hedge tab with the holdings shown."""
        self.workspace.setCurrentIndex(0)
        self.positions.tabs.setCurrentWidget(self.holdings_panel)
        self.holdings_panel.add_row()

    def find_holding(self: MainWindow) -> None:
        """Ctrl+F: the holdings' find field (on the Hedge tab, Holdings shown)."""
        self.workspace.setCurrentIndex(0)
        self.positions.tabs.setCurrentWidget(self.holdings_panel)
        self.holdings_panel.find_bar.open()

    def copy_order_quantity(self: MainWindow) -> None:
        rows = self.hedge_panel.order.line_rows()
        if rows and rows[0].copy_text:
            self.hedge_panel.order.copy_text(rows[0].copy_text, rows[0].copy)

    def _step_underlying(self: MainWindow, step: int) -> None:
        tabs = self.hedge_panel.tabs
        if tabs.count():
            tabs.setCurrentIndex((tabs.currentIndex() + step) % tabs.count())

    def _history_tab_call(self: MainWindow, name: str) -> None:
        index = next(
            i for i in range(self.workspace.count()) if self.workspace.tabText(i) == "History"
        )
        self.workspace.setCurrentIndex(index)
        tab = self.analytics_tab("History")
        method = getattr(tab, name, None)
        if callable(method):
            method()


def _focusable_in(widget: QWidget) -> list[QWidget]:
    from PySide6.QtWidgets import QWidget as _W

    return [
        w
        for w in widget.findChildren(_W)
        if w.isVisibleTo(widget)
        and w.isEnabled()
        and w.focusPolicy() & Qt.FocusPolicy.TabFocus
        and not isinstance(w, QToolBar)
    ]
