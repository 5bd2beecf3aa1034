"""The hedge journal: every order marked as placed and every change an import found.

A list, newest first, and Export CSV… (``hedger.core.journal.journal_csv``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from hedger.core.decimals import fmt_decimal, fmt_money
from hedger.core.journal import journal_csv
from hedger.ui.document.document import PortfolioDocument
from hedger.ui.widgets.style import dim

HEADERS = ("Time", "Kind", "Contract", "Account", "Change", "Held after", "Futures", "Order")


class JournalDialog(QDialog):
    def __init__(self, document: PortfolioDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Hedge Journal — {document.portfolio.name}")
        self.resize(900, 420)
        self.document = document
        self.ask_path: Callable[[], Path | None] = self._ask_path
        self.table = QTableWidget(0, len(HEADERS), self)
        self.table.setObjectName("journalTable")
        self.table.setHorizontalHeaderLabels(list(HEADERS))
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.note = dim(QLabel())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.export_button = QPushButton("Export CSV…")
        buttons.addButton(self.export_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.export_button.clicked.connect(self.export)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(self.table, 1)
        lay.addWidget(self.note)
        lay.addWidget(buttons)
        document.bookChanged.connect(self.fill)
        self.fill()

    def fill(self) -> None:
        entries = list(reversed(self.document.portfolio.journal))
        self.table.setRowCount(len(entries))
        for r, e in enumerate(entries):
            cells = (
                e.at.astimezone().strftime("%Y-%m-%d %H:%M"),
                "placed" if e.kind == "placed" else "import",
                e.contract,
                e.account or "—",
                fmt_decimal(e.change),
                fmt_decimal(e.after),
                fmt_money(e.futures_price, 0),
                e.text,
            )
            for c, text in enumerate(cells):
                self.table.setItem(r, c, QTableWidgetItem(text))
        self.note.setText(
            f"{len(entries)} entr{'y' if len(entries) == 1 else 'ies'}; "
            "they also show as markers on the Backtest chart."
            if entries
            else "Nothing yet: use Mark as Placed under the order, or import positions."
        )
        self.export_button.setEnabled(bool(entries))

    def _ask_path(self) -> Path | None:
        name, _ = QFileDialog.getSaveFileName(
            self,
            "Export Journal",
            str(Path.home() / f"{self.document.portfolio.name} journal.csv"),
            "CSV (*.csv)",
        )
        return Path(name) if name else None

    def export(self) -> Path | None:
        path = self.ask_path()
        if path is None:
            return None
        try:
            from hedger.services.exports import write_export  # 0600, atomic

            write_export(path, journal_csv(self.document.portfolio.journal))
        except OSError as exc:
            self.note.setText(f"Could not write {path.name}: {exc.strerror or exc}")
            return None
        self.note.setText(f"Exported to {path}")
        return path
