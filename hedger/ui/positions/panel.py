"""The Positions table beside the holdings: the futures you already hold.

Same habits as the holdings editor: edit in place, Insert adds, Delete
removes, Ctrl+V pastes spreadsheet rows, Import CSV… reads a file, and every
change is one undo step of the document. From Exchange… imports an account's
positions read-only; Journal… lists what was placed; Rules… sets the drift
band and alerts ``hedger check`` and the library badges use.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMenu,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from hedger.core.models import MAX_POSITIONS, Position
from hedger.core.orders import lot_contracts
from hedger.core.positions_csv import parse_positions_text, positions_csv
from hedger.ui.document.document import PortfolioDocument
from hedger.ui.positions.column_fit import PositionsColumnFit
from hedger.ui.positions.model import PositionsTableModel
from hedger.ui.widgets.message_list import MessageList
from hedger.ui.widgets.style import dim, scaled_font

MAX_FILE_BYTES = 5 * 1024 * 1024


class PositionsPanel(QWidget):
    """Positions editor over a PortfolioDocument."""

    statusMessage = Signal(str)

    def __init__(self, document: PortfolioDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("positionsPanel")
        self.document = document
        # Seams for tests: dialogs cannot be answered headless.
        self.choose_file: Callable[[], Path | None] = self._choose_file
        self.open_import: Callable[[], object] = self._open_import
        self.open_journal: Callable[[], object] = self._open_journal
        self.open_rules: Callable[[], object] = self._open_rules
        self.model = PositionsTableModel(document, self)
        self.model.editRefused.connect(self.statusMessage)
        self.view = QTableView(self)
        self.view.setObjectName("positionsTable")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setAlternatingRowColors(True)
        self.view.verticalHeader().hide()
        self.view.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        self.column_fit = PositionsColumnFit(self.view)
        self.view.setAccessibleName("Futures positions")
        self.empty = dim(
            QLabel(
                "No futures positions yet: add the ones you hold, paste them, import them "
                "read-only from an exchange, or record the plan's orders once you placed them."
            )
        )
        self.empty.setWordWrap(True)
        self.place_plan_button = QToolButton(self)
        self.place_plan_button.setText("Record the Plan's Orders as Placed")
        self.place_plan_button.setToolTip(
            "You placed the recommended orders: hold them as positions and note them in the "
            "journal (undoable)"
        )
        self.place_plan_button.clicked.connect(self.place_plan)
        self._make_actions()
        self._build()
        document.bookChanged.connect(self._update)
        self.view.selectionModel().selectionChanged.connect(self._update)
        self._update()

    def _make_actions(self) -> None:
        ctx = Qt.ShortcutContext.WidgetWithChildrenShortcut

        def act(
            text: str, slot: Callable[[], object], key: object = None, tip: str = ""
        ) -> QAction:
            a = QAction(text, self)
            if key is not None:
                a.setShortcut(key)  # type: ignore[arg-type]
            a.setShortcutContext(ctx)
            a.setStatusTip(tip)
            a.setToolTip(tip)
            a.triggered.connect(lambda _c=False: slot())
            self.addAction(a)
            return a

        self.add_action = act(
            "Add", self.add_row, QKeySequence(Qt.Key.Key_Insert), "Add a position"
        )
        self.remove_action = act(
            "Remove", self.remove_selected, QKeySequence.StandardKey.Delete, "Remove the selected"
        )
        self.copy_action = act(
            "Copy", self.copy_selected, QKeySequence.StandardKey.Copy, "Copy as spreadsheet rows"
        )
        self.paste_action = act(
            "Paste",
            self.paste_from_clipboard,
            QKeySequence.StandardKey.Paste,
            "Paste rows: contract, contracts (or -0.6 BTC, -30000 USD), entry[, margin, "
            "collateral, account, expiry]",
        )
        self.import_action = act("Import CSV…", self.import_with_dialog, None, "Read a CSV file")
        self.exchange_action = act(
            "From Exchange…",
            lambda: self.open_import(),
            None,
            "Import an account's positions read-only (ccxt, a read-only API key)",
        )
        self.journal_action = act(
            "Journal…", lambda: self.open_journal(), None, "Orders placed and imported changes"
        )
        self.rules_action = act(
            "Rules…", lambda: self.open_rules(), None, "Drift band and alerts (hedger check)"
        )
        self.view.addActions(
            [self.add_action, self.remove_action, self.copy_action, self.paste_action]
        )
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)

    def _build(self) -> None:
        title = QLabel("Positions", self)
        title.setObjectName("positionsTitle")
        title.setFont(scaled_font(self, 1.25, bold=True))
        self.summary = dim(QLabel(self))
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(2)
        row.addWidget(title)
        row.addSpacing(8)
        row.addWidget(self.summary)
        row.addStretch(1)
        for a in (self.add_action, self.remove_action, self.paste_action):
            row.addWidget(self._button(a))
        self.import_button = QToolButton(self)
        self.import_button.setText("Import ▾")
        self.import_button.setAutoRaise(True)
        self.import_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.import_button)
        menu.addActions([self.import_action, self.exchange_action])
        self.import_button.setMenu(menu)
        row.addWidget(self.import_button)
        for a in (self.journal_action, self.rules_action):
            row.addWidget(self._button(a))
        self.findings = MessageList()
        self.findings.setObjectName("driftFindings")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(10, 6, 10, 6)
        lay.setSpacing(4)
        lay.addLayout(row)
        lay.addWidget(self.view, 1)
        lay.addWidget(self.empty)
        lay.addWidget(self.place_plan_button)
        lay.addWidget(self.findings)

    def _button(self, action: QAction) -> QToolButton:
        b = QToolButton(self)
        b.setDefaultAction(action)
        b.setAutoRaise(True)
        return b

    def show_findings(self, findings: object) -> None:
        """What ``hedger check`` would say about the open portfolio (its held hedge)."""
        items = list(findings) if isinstance(findings, list) else []
        held = bool(self.document.portfolio.positions)
        self.findings.set_messages([("warning", f.line) for f in items] if held else [])

    def _update(self, *_args: object) -> None:
        n = len(self.document.portfolio.positions)
        j = len(self.document.portfolio.journal)
        self.summary.setText(f"{n} held" if n else "the futures you already hold")
        self.journal_action.setText(f"Journal ({j})…" if j else "Journal…")
        self.empty.setVisible(n == 0)
        self.place_plan_button.setVisible(n == 0)
        self.remove_action.setEnabled(bool(self._selected_rows()))
        self.copy_action.setEnabled(bool(self._selected_rows()))

    # -- edits -----------------------------------------------------------------------
    def _selected_rows(self) -> list[int]:
        return sorted({i.row() for i in self.view.selectionModel().selectedRows()})

    def _template(self) -> Position:
        """A new row: one lot short of the first underlying's smallest contract."""
        plan = self.document.plan
        for u in plan.underlyings:
            if u.family is not None and u.futures_price is not None:
                contracts = self.document.catalog.family_contracts(u.family.id)
                c = contracts[-1]
                # One order step, in contracts (0.001 BTC on Binance is 1 contract).
                return Position(
                    contract=c.id, quantity=-lot_contracts(c), entry_price=u.futures_price
                )
        return Position(contract="CME:MBT", quantity=Decimal(-1), entry_price=Decimal(70000))

    def add_row(self) -> None:
        self._set([*self.document.portfolio.positions, self._template()], "Add Position")
        self.view.selectRow(len(self.document.portfolio.positions) - 1)

    def remove_selected(self) -> None:
        rows = set(self._selected_rows())
        if rows:
            kept = [p for i, p in enumerate(self.document.portfolio.positions) if i not in rows]
            self._set(
                kept, "Remove Position" if len(rows) == 1 else f"Remove {len(rows)} Positions"
            )

    def copy_selected(self) -> None:
        rows = self._selected_rows()
        chosen = [self.document.portfolio.positions[r] for r in rows]
        if chosen:
            QGuiApplication.clipboard().setText(positions_csv(chosen).replace(",", "\t"))

    def paste_from_clipboard(self) -> None:
        self.paste_text(QGuiApplication.clipboard().text(), "Paste Positions")

    def paste_text(self, text: str, undo_text: str) -> bool:
        """Add the rows of ``text``; nothing changes when a row is bad (the status says which)."""
        # The catalog checks each contract and each quantity against its venue's step.
        parsed = parse_positions_text(text, self.document.catalog)
        problems = list(parsed.problems)
        nothing = "Nothing imported: " if undo_text.startswith("Import") else "Nothing pasted: "
        if problems or not parsed.positions:
            self.statusMessage.emit(nothing + "; ".join(problems[:3] or ["no rows"]))
            return False
        total = [*self.document.portfolio.positions, *parsed.positions]
        if len(total) > MAX_POSITIONS:
            self.statusMessage.emit(f"{nothing}more than {MAX_POSITIONS:,} positions")
            return False
        self._set(total, undo_text)
        self.statusMessage.emit(f"{undo_text}: {len(parsed.positions)} added")
        return True

    def import_with_dialog(self) -> None:
        path = self.choose_file()
        if path is not None:
            self.import_csv(path)

    def import_csv(self, path: Path) -> bool:
        from hedger.core.bounded_read import FileProblem, TooLarge, read_regular

        try:
            # Regular files only, counted while read: a FIFO or /dev/zero must not freeze the GUI.
            text = read_regular(path, MAX_FILE_BYTES).decode("utf-8-sig")
        except TooLarge:
            self.statusMessage.emit(f"{path.name}: too large for a list of positions")
            return False
        except FileProblem as exc:
            self.statusMessage.emit(f"{path.name}: cannot be read ({exc})")
            return False
        except (OSError, UnicodeDecodeError) as exc:
            self.statusMessage.emit(f"{path.name}: cannot be read ({type(exc).__name__})")
            return False
        return self.paste_text(text, "Import Positions")

    def _set(self, positions: list[Position], text: str) -> None:
        self.document.set_book(text, tuple(positions))

    def place_plan(self) -> bool:
        """Record every underlying's recommended orders as placed (one undo step)."""
        from datetime import UTC, datetime

        from hedger.services.errors import USER_ERRORS
        from hedger.services.positions import placed

        doc = self.document
        portfolio, now = doc.portfolio, datetime.now(UTC)
        for u in doc.plan.underlyings:
            rec = u.recommended_option
            if u.problem or rec is None or not rec.trades:
                continue
            try:
                portfolio = placed(portfolio, u.underlying, doc.catalog, now)
            except USER_ERRORS as exc:
                self.statusMessage.emit(f"Nothing recorded: {exc}")
                return False
        if portfolio.positions == doc.portfolio.positions:
            self.statusMessage.emit("Nothing to record: the plan trades no contract")
            return False
        doc.set_book("Record Orders as Placed", portfolio.positions, portfolio.journal)
        return True

    # -- dialogs ----------------------------------------------------------------------
    def _choose_file(self) -> Path | None:
        name, _ = QFileDialog.getOpenFileName(
            self, "Import Positions", str(Path.home()), "CSV (*.csv *.tsv *.txt)"
        )
        return Path(name) if name else None

    def _open_import(self) -> object:
        from hedger.ui.positions.import_dialog import ImportPositionsDialog

        dialog = ImportPositionsDialog(self.document, self)
        dialog.statusMessage.connect(self.statusMessage)
        dialog.open()
        return dialog

    def _open_journal(self) -> object:
        from hedger.ui.positions.journal_dialog import JournalDialog

        dialog = JournalDialog(self.document, self)
        dialog.open()
        return dialog

    def _open_rules(self) -> object:
        from hedger.ui.positions.rules_dialog import DriftRulesDialog

        dialog = DriftRulesDialog(self.document, self)
        dialog.open()
        return dialog
