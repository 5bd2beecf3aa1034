"""The holdings editor: a sortable table with add/remove/paste/import.

The panel talks to the rest of the window only through the document and its
signals (statusMessage); the main window places it and wires actions() into
its menus.
"""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import (
    QEvent,
    QItemSelection,
    QItemSelectionModel,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QDragEnterEvent,
    QDragLeaveEvent,
    QDragMoveEvent,
    QDropEvent,
    QFont,
    QKeySequence,
    QPalette,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from hedger.core.decimals import fmt_decimal, fmt_money
from hedger.core.models import Holding
from hedger.ui.document.document import PortfolioDocument
from hedger.ui.holdings.clipboard import (
    AskFn,
    clipboard_mime,
    copy_holdings,
    default_ask,
    importable_file,
    plural,
)
from hedger.ui.holdings.column_fit import ColumnFit
from hedger.ui.holdings.columns import Column
from hedger.ui.holdings.delegate import CellEditor, HoldingsDelegate, short_tag_width
from hedger.ui.holdings.find_bar import FindBar
from hedger.ui.holdings.import_flow import import_csv, paste_text
from hedger.ui.holdings.model import HoldingsTableModel
from hedger.ui.holdings.new_row import NewHoldingRow
from hedger.ui.holdings.short_position import YES as SHORT_YES
from hedger.ui.holdings.short_position import short_question
from hedger.ui.holdings.sort_proxy import HoldingsSortProxy
from hedger.ui.holdings.view import DropOverlay, HoldingsView, MessageBar
from hedger.ui.widgets.focus_style import OWN_RING
from hedger.ui.widgets.icons import icon
from hedger.ui.widgets.steady_host import SteadyHost

# Narrowest useful table (symbol, quantity, price, part of value).
MIN_WIDTH = 360


class HoldingsPanel(QWidget):
    """Holdings editor panel over a PortfolioDocument."""

    statusMessage = Signal(str)

    def __init__(self, document: PortfolioDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ready = False
        self.setObjectName("holdingsPanel")
        self.document = document
        # Tests and embedders replace these to answer dialogs without a modal loop.
        self.ask: AskFn = lambda q: default_ask(self, q)
        self.choose_file = self._choose_file

        self.model = HoldingsTableModel(document, self)
        self.model.confirm_short = self.confirm_short
        self.proxy = HoldingsSortProxy(self)
        self.proxy.setSourceModel(self.model)
        self.view = HoldingsView(self)
        self.view.setModel(self.proxy)
        self.delegate = HoldingsDelegate(self.model, self.view)
        self.view.setItemDelegate(self.delegate)
        self.view.setAccessibleName("Holdings")
        self.view.setProperty(OWN_RING, True)  # its style sheet outlines it when focused
        needs = self.view.configure(self.model)
        self._last_column_width = needs[Column.HEDGE_WITH]
        self.column_fit = ColumnFit(self.view, self.model, needs, short_tag_width(self.view.font()))
        self.view.on_resize = self.column_fit.apply

        self.message_bar = MessageBar(self)
        self.new_row = NewHoldingRow(
            lambda: self.document.portfolio, self._insert_new, self.confirm_short, self
        )
        self.new_row.added.connect(self._on_new_added)
        self.find_bar = FindBar(self)
        self.new_row.message.connect(lambda text, level: self.report(text, level, bar=False))
        self.summary_label = QLabel(self)
        self.summary_label.setObjectName("holdingsSummary")
        self.summary_label.setTextFormat(Qt.TextFormat.RichText)
        self._overlay = DropOverlay(self)

        self._make_actions()
        self._build_layout()
        self.setAcceptDrops(True)

        self.model.editRefused.connect(self._on_edit_refused)
        document.planChanged.connect(self._update_summary)
        document.planChanged.connect(self._refresh_price_colours)
        document.holdingsReset.connect(self._update_actions)
        document.undo_stack.indexChanged.connect(self._on_undo_index_changed)
        self.view.selectionModel().selectionChanged.connect(self._update_actions)
        self.model.rowsInserted.connect(self._update_actions)
        self.model.rowsRemoved.connect(self._update_actions)
        # Estimates arrive from the history library in the background.
        self.model.dataChanged.connect(self._update_beta_action)
        self._ready = True
        self._apply_styles()
        self._update_actions()

    # -- construction ----------------------------------------------------------
    def _apply_styles(self) -> None:
        p = self.palette()
        mid = p.color(QPalette.ColorRole.Mid).name()
        line = p.color(QPalette.ColorRole.Midlight).name()
        head_bg = p.color(QPalette.ColorRole.Window).name()
        head_fg = p.color(QPalette.ColorRole.WindowText).name()
        focus = p.color(QPalette.ColorRole.Highlight).name()
        self.view.setStyleSheet(
            f"QTableView {{ border: 1px solid {mid}; border-radius: 4px; }}"
            # The keyboard's place shows: the table is outlined while it has focus.
            f"QTableView:focus {{ border: 2px solid {focus}; }}"
            "QTableView::item { padding: 0px 8px; }"
            "QHeaderView::section { "
            f"padding: 5px 6px; border: none; border-bottom: 1px solid {mid}; "
            f"border-right: 1px solid {line}; background: {head_bg}; color: {head_fg}; "
            "font-weight: 600; }"
            "QHeaderView::section:last { border-right: none; }"
        )
        self._update_summary()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        # Follow a theme switch: style sheets and painted icons hold palette colours.
        if self._ready and event.type() == QEvent.Type.PaletteChange:
            self._apply_styles()
            for action, name in self._icon_names.items():
                action.setIcon(icon(name))
            self.message_bar.restyle()

    def _make_actions(self) -> None:
        # Shortcuts act only while focus is in this panel: Delete or Ctrl+V in
        # another panel must not touch holdings. An open cell editor takes
        # Delete and Ctrl+V for its own text first (ShortcutOverride).
        ctx = Qt.ShortcutContext.WidgetWithChildrenShortcut
        self.add_action = QAction(icon("add"), "Add Holding", self)
        self.add_action.setShortcut(QKeySequence(Qt.Key.Key_Insert))
        self.add_action.setStatusTip("Add a holding: symbol, quantity and price")
        self.add_action.triggered.connect(self.add_row)

        self.remove_action = QAction(icon("remove"), "Remove Holdings", self)
        keys = [QKeySequence(QKeySequence.StandardKey.Delete)]
        if sys.platform == "darwin":
            # The key labelled "delete" on a Mac keyboard sends Backspace.
            keys.append(QKeySequence(Qt.Key.Key_Backspace))
        self.remove_action.setShortcuts(keys)
        self.remove_action.setStatusTip("Remove the selected holdings")
        self.remove_action.triggered.connect(self.remove_selected)

        self.copy_action = QAction(icon("copy"), "Copy Holdings", self)
        self.copy_action.setShortcut(QKeySequence.StandardKey.Copy)
        self.copy_action.setStatusTip("Copy the selected holdings as spreadsheet rows")
        self.copy_action.triggered.connect(self.copy_selected)

        self.paste_action = QAction(icon("paste"), "Paste Holdings", self)
        self.paste_action.setShortcut(QKeySequence.StandardKey.Paste)
        self.paste_action.setStatusTip(
            "Paste rows copied from a spreadsheet: symbol, quantity, price[, beta, hedge with]"
        )
        self.paste_action.triggered.connect(self.paste_from_clipboard)

        self.import_action = QAction(icon("import"), "Import CSV…", self)
        self.import_action.setStatusTip("Read holdings from a CSV or tab-separated file")
        self.import_action.triggered.connect(self.import_with_dialog)

        self.apply_beta_action = QAction("Apply Estimated Beta", self)
        self.apply_beta_action.setStatusTip(
            "Set the beta to the one estimated from stored price history (undoable)"
        )
        self.apply_beta_action.triggered.connect(self.apply_estimated_beta)
        self.apply_beta_action.setVisible(False)  # offered only where an estimate differs

        self._icon_names = {
            self.add_action: "add",
            self.remove_action: "remove",
            self.copy_action: "copy",
            self.paste_action: "paste",
            self.import_action: "import",
        }
        for action in self._icon_names:
            action.setShortcutContext(ctx)
            self.addAction(action)
        # Right-click menu of the table.
        self.view.addActions(
            [self.add_action, self.remove_action, self.copy_action, self.paste_action]
        )
        beta_separator = QAction(self)
        beta_separator.setSeparator(True)
        self.view.addActions([beta_separator, self.apply_beta_action])

    def _tool_button(self, action: QAction, label: str) -> QToolButton:
        # The button shows iconText, which survives the action's updates
        # (setText on the button would be reset on every enable/disable).
        action.setIconText(label)
        button = QToolButton(self)
        button.setDefaultAction(action)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        button.setAutoRaise(True)
        shortcut = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        tip = action.statusTip() + (f" ({shortcut})" if shortcut else "")
        button.setToolTip(tip)
        return button

    def _build_layout(self) -> None:
        title = QLabel("Holdings", self)
        title.setObjectName("holdingsTitle")
        font = QFont(title.font())
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setWeight(QFont.Weight.DemiBold)
        title.setFont(font)

        header = QHBoxLayout()
        header.setContentsMargins(0, 0, 0, 0)
        header.setSpacing(2)
        header.addWidget(title)
        header.addStretch(1)
        self.add_button = self._tool_button(self.add_action, "Add")
        self.remove_button = self._tool_button(self.remove_action, "Remove")
        self.paste_button = self._tool_button(self.paste_action, "Paste")
        self.import_button = self._tool_button(self.import_action, "Import…")
        self._header_buttons = (
            self.add_button,
            self.remove_button,
            self.paste_button,
            self.import_button,
        )
        for b in self._header_buttons:
            # Never squeezed into "Re…ve": a narrow panel shows the icons
            # alone (their tooltips name them) instead.
            b.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
            header.addWidget(b)
        title.setMinimumWidth(title.sizeHint().width())
        header.insertSpacing(1, 12)
        margins = 20 + 12 + 2 * 4
        self._full_header_width = (
            title.sizeHint().width()
            + margins
            + sum(b.sizeHint().width() for b in self._header_buttons)
        )
        self.setMinimumWidth(MIN_WIDTH)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setSpacing(6)
        layout.addLayout(header)
        layout.addWidget(self.find_bar)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.new_row)
        layout.addWidget(self.new_row.hint)
        layout.addWidget(self.message_bar)
        # Its text changes on every edit: held so that this does not repaint the whole tab.
        layout.addWidget(SteadyHost(self.summary_label))

    # -- public API ----------------------------------------------------------------
    def actions(self) -> list[QAction]:
        """Add / Remove / Copy / Paste for the main window's Edit menu."""
        return [self.add_action, self.remove_action, self.copy_action, self.paste_action]

    def preferred_width(self) -> int:
        """Width that shows every column without a horizontal scrollbar."""
        v = self.view
        columns = self.column_fit.natural_total() + self._last_column_width
        scrollbar = v.verticalScrollBar().sizeHint().width()
        margins = self.layout().contentsMargins()
        return columns + 2 * v.frameWidth() + scrollbar + margins.left() + margins.right() + 2

    def commit_pending_edit(self) -> bool:
        """Apply the text of an open cell editor; False when it was refused.

        Saving or closing while a cell is being edited must not drop or
        outrun the edit: the editor is committed first, like Enter would.
        """
        ok = True
        for editor in self.view.findChildren(CellEditor):
            if not editor.isVisible():
                continue  # already released, waiting for deleteLater
            if editor.is_valid:
                self.view.commitData(editor)
                self.view.closeEditor(editor, QAbstractItemDelegate.EndEditHint.NoHint)
            else:
                # The model refuses it and says why; the editor stays to fix it.
                self.view.commitData(editor)
                ok = False
        return ok

    def selected_rows(self) -> list[int]:
        """Document rows of the selected table rows, ascending."""
        rows = {
            self.proxy.mapToSource(i).row() for i in self.view.selectionModel().selectedIndexes()
        }
        return sorted(r for r in rows if r >= 0)

    def current_row(self) -> int | None:
        index = self.view.currentIndex()
        if not index.isValid():
            return None
        return self.proxy.mapToSource(index).row()

    def add_row(self) -> None:
        """Open an empty new-holding row; it goes after the current row (or at the end)."""
        cur = self.current_row()
        n = len(self.document.portfolio.holdings)
        at = n if cur is None else min(cur + 1, n)
        self.new_row.open(at, self.delegate.completions(Column.SYMBOL))
        self.report("New holding: type its symbol, then its quantity and price", "info", bar=False)

    def _insert_new(self, holding: Holding, at: int) -> int:
        return self.document.add_holding(holding, at)

    def _on_new_added(self, row: int) -> None:
        self.select_rows([row])
        self.view.setFocus()
        h = self.document.portfolio.holdings[row]
        self.report(f"Added {fmt_decimal(h.quantity)} {h.symbol}", "info", bar=False)

    def remove_selected(self) -> int:
        """Remove the selected holdings as one undo step; returns how many."""
        rows = self.selected_rows()
        if not rows:
            self.report("Select the holdings to remove first", "info", bar=False)
            return 0
        first_proxy = min(self.proxy.mapFromSource(self.model.index(r, 0)).row() for r in rows)
        self.document.remove_rows(rows)
        remaining = self.proxy.rowCount()
        if remaining:
            target = self.proxy.index(min(first_proxy, remaining - 1), Column.SYMBOL)
            self.view.setCurrentIndex(target)
        self.report(f"Removed {plural(len(rows), 'holding')}", "info", bar=False)
        return len(rows)

    def copy_selected(self) -> int:
        rows = self.selected_rows()
        holdings = self.document.portfolio.holdings
        chosen = [holdings[r] for r in rows] if rows else list(holdings)
        if not chosen:
            return 0
        copy_holdings(chosen)
        self.report(
            f"Copied {plural(len(chosen), 'holding')} as spreadsheet rows", "info", bar=False
        )
        return len(chosen)

    def paste_text(self, text: str) -> bool:
        """Insert holdings from spreadsheet text after the current row, as one undo step."""
        return paste_text(self, text)

    def import_csv(self, path: Path) -> bool:
        """Read holdings from a file; asks Replace / Append; one undo step."""
        return import_csv(self, Path(path))

    def paste_from_clipboard(self) -> bool:
        mime = clipboard_mime()
        path = importable_file(mime)
        if path is not None:
            return self.import_csv(path)
        text = mime.text() if mime is not None and mime.hasText() else ""
        return self.paste_text(text)

    def select_rows(self, rows: list[int]) -> None:
        """Select document rows in the (maybe sorted) table and show the first."""
        sm = self.view.selectionModel()
        selection = QItemSelection()
        last = self.proxy.columnCount() - 1
        proxy_rows = []
        for r in rows:
            if 0 <= r < self.model.rowCount():
                p = self.proxy.mapFromSource(self.model.index(r, 0)).row()
                proxy_rows.append(p)
                selection.select(self.proxy.index(p, 0), self.proxy.index(p, last))
        flags = (
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows
        )
        sm.select(selection, flags)
        if proxy_rows:
            first = self.proxy.index(min(proxy_rows), Column.SYMBOL)
            sm.setCurrentIndex(first, QItemSelectionModel.SelectionFlag.NoUpdate)
            self.view.scrollTo(first)

    def confirm_short(self, holding: Holding, quantity: Decimal, row: int | None) -> bool:
        """Ask whether a typed negative quantity is a short spot position."""
        yes = self.ask(short_question(self.document, holding, quantity, row)) == SHORT_YES
        if not yes:
            self.report(f"{holding.symbol} kept as it was: not a short position", "info")
        return yes

    # -- reporting -----------------------------------------------------------------
    def report(self, text: str, level: str, *, bar: bool = True) -> None:
        if bar:
            self.message_bar.show_message(text, level)
        self.statusMessage.emit(text)

    def _on_edit_refused(self, row: int, column: int, message: str) -> None:
        self.report(message, "error")

    def _on_undo_index_changed(self, _index: int) -> None:
        # A refusal is stale once something else has been changed.
        if self.message_bar.level == "error":
            self.message_bar.dismiss()

    def _refresh_price_colours(self, *_args: object) -> None:
        # A fetched price turns amber as it ages, with no change to report;
        # it used to show at the next edit, when the whole table repainted.
        if self.document.portfolio.quotes:
            self.view.update_column(Column.PRICE)

    def _update_summary(self, *_args: object) -> None:
        plan = self.document.plan
        n = len(self.document.portfolio.holdings)
        if n == 0:
            self.summary_label.setText("")
            self.summary_label.setToolTip("")
            return
        muted = self.palette().color(QPalette.ColorRole.PlaceholderText).name()
        sep = f"<span style='color:{muted}'>&nbsp;&nbsp;·&nbsp;&nbsp;</span>"
        parts = [
            f"<b>{plural(n, 'holding')}</b>",
            f"<span style='color:{muted}'>Total</span> "
            f"<b>{fmt_money(plan.total_value_usd)}</b> USD",
            f"<span style='color:{muted}'>Exposure</span> "
            # Signed like the cards: a short spot book is negative exposure.
            f"<b>{fmt_money(sum((u.exposure_usd for u in plan.underlyings), Decimal(0)))}</b> USD",
        ]
        if plan.other_value_usd:
            parts.append(
                f"<span style='color:{muted}'>Cash</span> {fmt_money(plan.other_value_usd)} USD"
            )
        self.summary_label.setText(sep.join(parts))
        self.summary_label.setToolTip(
            "Exposure is the beta-weighted market value that futures can hedge; "
            "stablecoins count as cash and need no hedge."
        )

    def _update_actions(self, *_args: object) -> None:
        has_selection = self.view.selectionModel().hasSelection()
        self.remove_action.setEnabled(has_selection)
        self.copy_action.setEnabled(bool(self.document.portfolio.holdings))
        self._update_beta_action()

    def apply_estimated_beta(self) -> int:
        """Set the selected holdings' betas to the estimates from history, as one undo step."""
        return self.model.apply_estimated_betas(self.selected_rows())

    def _update_beta_action(self, *_args: object) -> None:
        rows = [r for r in self.selected_rows() if self.model.estimate_differs(r)]
        self.apply_beta_action.setVisible(bool(rows))
        if len(rows) == 1:
            estimate = self.model.estimated_beta(rows[0])
            if estimate is not None:
                self.apply_beta_action.setText(f"Apply Estimated Beta {fmt_decimal(estimate.beta)}")
        elif rows:
            self.apply_beta_action.setText(f"Apply {len(rows)} Estimated Betas")

    # -- paste into one cell ---------------------------------------------------------
    # -- file import -----------------------------------------------------------------
    def _choose_file(self) -> Path | None:
        name, _ = QFileDialog.getOpenFileName(
            self,
            "Import Holdings",
            "",
            "Spreadsheet text (*.csv *.tsv *.txt);;All files (*)",
        )
        return Path(name) if name else None

    def import_with_dialog(self) -> None:
        """Ask for a file and import it (the button and File ▸ Import)."""
        path = self.choose_file()
        if path is not None:
            self.import_csv(path)

    # -- drag and drop ------------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self._accept_drag(event):
            self._show_overlay(True)

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        self._accept_drag(event)

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:
        self._show_overlay(False)
        super().dragLeaveEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:
        self._show_overlay(False)
        mime = event.mimeData()
        path = importable_file(mime)
        if path is None:
            event.ignore()
            return
        event.acceptProposedAction()
        # Leave the drop handler before a dialog opens: some platforms freeze
        # the drag source (a file manager) while its drop is still running.
        QTimer.singleShot(0, self, lambda: self.import_csv(path))

    def _accept_drag(self, event: QDragMoveEvent) -> bool:
        if importable_file(event.mimeData()) is not None:
            event.acceptProposedAction()
            return True
        event.ignore()
        return False

    def _show_overlay(self, visible: bool) -> None:
        if visible:
            self._overlay.setGeometry(self.view.geometry())
            self._overlay.raise_()
            self._overlay.show()
        else:
            self._overlay.hide()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        style = (
            Qt.ToolButtonStyle.ToolButtonTextBesideIcon
            if event.size().width() >= self._full_header_width
            else Qt.ToolButtonStyle.ToolButtonIconOnly
        )
        for b in self._header_buttons:
            if b.toolButtonStyle() != style:
                b.setToolButtonStyle(style)
        if self._overlay.isVisible():
            self._overlay.setGeometry(self.view.geometry())
