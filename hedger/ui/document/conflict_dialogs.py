"""The questions the file controller asks about another program's changes and old versions.

Both are plain functions the controller calls through overridable
attributes, so tests answer them without a modal dialog.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMessageBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from hedger.core.decimals import fmt_money
from hedger.services.versions import PortfolioVersion

# What to do when the file changed on disk while the window has unsaved edits.
KEEP_MINE, TAKE_THEIRS, SAVE_COPY, DECIDE_LATER = "keep", "take", "copy", "later"


def ask_conflict(parent: QWidget, file_name: str) -> str:
    """Keep mine / take theirs / save mine as a copy / decide later."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle("Changed on disk")
    box.setText(f"“{file_name}” was changed by another program while you have unsaved edits.")
    box.setInformativeText(
        "Keep mine saves your version over theirs (theirs stays in File ▸ Restore Earlier "
        "Version…). Take theirs loads their version (Undo brings yours back). Save mine as a "
        "copy writes your version to a new file and leaves theirs in place."
    )
    keep = box.addButton("Keep Mine", QMessageBox.ButtonRole.AcceptRole)
    take = box.addButton("Take Theirs", QMessageBox.ButtonRole.DestructiveRole)
    copy = box.addButton("Save Mine as a Copy…", QMessageBox.ButtonRole.ActionRole)
    later = box.addButton("Decide Later", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(later)
    box.exec()
    clicked = box.clickedButton()
    if clicked is keep:
        return KEEP_MINE
    if clicked is take:
        return TAKE_THEIRS
    if clicked is copy:
        return SAVE_COPY
    return DECIDE_LATER


class VersionsDialog(QDialog):
    """File ▸ Restore Earlier Version…: the kept versions, newest first."""

    def __init__(self, parent: QWidget | None, name: str, versions: list[PortfolioVersion]):
        super().__init__(parent)
        self.setWindowTitle("Restore Earlier Version")
        self.versions = versions
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel(
                f"Earlier versions of “{name}”, kept by each save. Restoring replaces what the "
                "window shows; Undo takes it back, Save keeps it."
            )
        )
        self.table = QTableWidget(len(versions), 4)
        self.table.setHorizontalHeaderLabels(["Replaced", "Name", "Holdings", "Value (USD)"])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        for row, v in enumerate(versions):
            when = v.replaced_at.astimezone().strftime("%Y-%m-%d %H:%M:%S")
            value = "" if v.total_value is None else fmt_money(v.total_value, 0)
            cells = [when, v.name or f"damaged: {v.error}", str(v.holdings) if v.ok else "", value]
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if col >= 2:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                if not v.ok:
                    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled)
                self.table.setItem(row, col, item)
        self.table.resizeColumnsToContents()
        layout.addWidget(self.table)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Restore")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        if versions:
            self.table.selectRow(0)
        self.resize(560, 360)

    def chosen(self) -> PortfolioVersion | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        version = self.versions[rows[0].row()]
        return version if version.ok else None


def choose_version(
    parent: QWidget, name: str, versions: list[PortfolioVersion]
) -> PortfolioVersion | None:
    dialog = VersionsDialog(parent, name, versions)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.chosen()
