"""File commands of the main window: open, switch, save, revert, restore, export.

The one place the window reads and writes portfolio files, so the main
window stays a thin composition of panels. Every dialog goes through an
overridable callable so tests run headless.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from hedger.core.models import Portfolio
from hedger.core.plan_export import plan_to_csv
from hedger.services.library import PortfolioLibrary
from hedger.services.portfolios import PortfolioFileError, open_portfolio, save_portfolio
from hedger.ui.document.document import PortfolioDocument
from hedger.ui.document.recovery import RecoveredWork

PORTFOLIO_FILTER = "Hedger portfolios (*.json);;All files (*)"

# What to do with unsaved changes before they would be lost.
SAVE, DISCARD, CANCEL = "save", "discard", "cancel"


class FileController(QObject):
    statusMessage = Signal(str)
    opened = Signal(Path)  # a file was opened or saved under a new path
    saved = Signal(Path)

    def __init__(
        self, document: PortfolioDocument, library: PortfolioLibrary, parent_widget: QWidget
    ) -> None:
        super().__init__(parent_widget)
        self.document = document
        self.library = library
        self._parent = parent_widget
        self.ask_open_path: Callable[[], Path | None] = self._ask_open_path
        self.ask_save_path: Callable[[str, str, str], Path | None] = self._ask_save_path
        self.ask_unsaved: Callable[[str], str] = self._ask_unsaved
        self.show_error: Callable[[str, str], None] = self._show_error
        self.confirm: Callable[[str, str], bool] = self._confirm
        # Set by the window: applies text typed in an editor but not yet
        # entered, so a save or close never writes (or drops) a stale value.
        self.commit_pending: Callable[[], object] = lambda: None

    # -- open / save ---------------------------------------------------------
    def open_dialog(self) -> bool:
        if not self.maybe_keep_changes():
            return False
        path = self.ask_open_path()
        return self.open_path(path, ask=False) if path else False

    def open_path(self, path: Path, *, ask: bool = True) -> bool:
        if ask and not self.maybe_keep_changes():
            return False
        try:
            portfolio = open_portfolio(path)
        except PortfolioFileError as exc:
            self.show_error("Cannot open portfolio", str(exc))
            self.statusMessage.emit(str(exc))
            return False
        self.document.load(portfolio, path)
        self.opened.emit(path)
        self.statusMessage.emit(f"Opened {path.name}")
        return True

    def switch_to(self, path: Path) -> bool:
        """Open a portfolio picked in the library; the open one is left as it is."""
        current = self.document.path
        if current is not None and path.resolve() == current.resolve():
            return False
        return self.open_path(path)

    def adopt_renamed(self, path: Path) -> None:
        """The library rewrote the open file under a new name.

        The document takes the name as already saved: unsaved edits and undo
        history stay, and the next save writes the new name, not the old one.
        """
        try:
            name = open_portfolio(path).name
        except PortfolioFileError:
            name = path.stem
        self.document.adopt_rename(path, name)
        self.opened.emit(path)

    def file_deleted(self) -> None:
        """The open portfolio's file was deleted (library Delete): keep the content, no path."""
        self.document.set_path(None)
        self.statusMessage.emit("The open portfolio was deleted; Save to keep it again")

    def restore(self, work: RecoveredWork) -> None:
        """Open recovered work as an unsaved document attached to its original file."""
        if not self.maybe_keep_changes():
            return
        original = work.original_path
        try:
            saved = open_portfolio(original) if original and original.exists() else None
        except PortfolioFileError:
            saved = None
        # The saved file is the clean base; the recovered content is one undoable
        # step on top, so the title shows unsaved changes and Undo shows the disk copy.
        doc = self.document
        doc.load(saved or Portfolio(name=work.portfolio.name), original if saved else None)
        doc.replace_portfolio(work.portfolio, "Restore Recovered Work")

    def save(self) -> bool:
        self.commit_pending()
        path = self.document.path
        if path is None:
            return self.save_as()
        return self._write(path)

    def save_as(self) -> bool:
        self.commit_pending()
        suggested = self.library.path_for(self.document.portfolio.name)
        path = self.ask_save_path("Save Portfolio As", str(suggested), PORTFOLIO_FILTER)
        if path is None:
            return False
        if path.suffix.lower() != ".json":
            path = path.with_suffix(".json")
        if not self._write(path):
            return False
        self.opened.emit(path)
        return True

    def _write(self, path: Path) -> bool:
        try:
            save_portfolio(path, self.document.portfolio)
        except (PortfolioFileError, OSError) as exc:
            msg = f"Could not save {path.name}: {getattr(exc, 'strerror', None) or exc}"
            self.show_error("Save failed", msg + "\nYour changes are still open; nothing was lost.")
            self.statusMessage.emit(msg)
            return False
        self.document.mark_saved(path)
        self.saved.emit(path)
        self.statusMessage.emit(f"Saved {path.name}")
        return True

    def revert(self) -> bool:
        self.commit_pending()
        path = self.document.path
        if path is None or not self.document.dirty:
            return False
        if not self.confirm(
            "Revert", f"Discard all unsaved changes and reload “{path.name}” from disk?"
        ):
            return False
        try:
            portfolio = open_portfolio(path)
        except PortfolioFileError as exc:
            self.show_error("Cannot revert", str(exc))
            return False
        self.document.load(portfolio, path)
        self.statusMessage.emit(f"Reverted to the saved {path.name}")
        return True

    def maybe_keep_changes(self) -> bool:
        """True when it is fine to drop the current document (saved or discarded)."""
        self.commit_pending()
        if not self.document.dirty:
            return True
        choice = self.ask_unsaved(self.document.portfolio.name)
        if choice == SAVE:
            return self.save()
        return choice == DISCARD

    # -- export ----------------------------------------------------------------
    def export_plan_csv(self) -> Path | None:
        self.commit_pending()
        default = Path.home() / f"{self.document.portfolio.name} plan.csv"
        path = self.ask_save_path("Export Plan", str(default), "CSV files (*.csv)")
        if path is None:
            return None
        try:
            path.write_text(plan_to_csv(self.document.plan), encoding="utf-8")
        except OSError as exc:
            self.show_error("Export failed", f"Could not write {path.name}: {exc.strerror}")
            return None
        self.statusMessage.emit(f"Plan exported to {path}")
        return path

    # -- dialogs -----------------------------------------------------------------
    def _ask_open_path(self) -> Path | None:
        start = str(self.library.directory)
        name, _ = QFileDialog.getOpenFileName(
            self._parent, "Open Portfolio", start, PORTFOLIO_FILTER
        )
        return Path(name) if name else None

    def _ask_save_path(self, title: str, suggested: str, filters: str) -> Path | None:
        name, _ = QFileDialog.getSaveFileName(self._parent, title, suggested, filters)
        return Path(name) if name else None

    def _ask_unsaved(self, name: str) -> str:
        box = QMessageBox(self._parent)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle("Unsaved changes")
        box.setText(f"Save changes to “{name}” before closing?")
        box.setInformativeText("Your changes will be lost if you don't save them.")
        box.setStandardButtons(
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel
        )
        box.setDefaultButton(QMessageBox.StandardButton.Save)
        answer = box.exec()
        if answer == QMessageBox.StandardButton.Save:
            return SAVE
        if answer == QMessageBox.StandardButton.Discard:
            return DISCARD
        return CANCEL

    def _show_error(self, title: str, text: str) -> None:
        QMessageBox.warning(self._parent, title, text)

    def _confirm(self, title: str, text: str) -> bool:
        answer = QMessageBox.question(self._parent, title, text)
        return answer == QMessageBox.StandardButton.Yes
