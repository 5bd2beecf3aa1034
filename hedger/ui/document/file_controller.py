"""File commands of the main window: open, switch, save, revert, restore, export.

The one place the window reads and writes portfolio files, so the main
window stays a thin composition of panels. Every dialog goes through an
overridable callable so tests run headless.

No silent overwrite: the controller keeps the digest of the file as last
read or saved. When the file changes on disk (``DiskWatcher``) a window
without unsaved edits takes the new content; one with edits asks (keep
mine / take theirs / save mine as a copy). Saving checks the digest again
under the file's lock, since the watcher may be slower than another save.
Taking theirs is one undoable step, so Undo brings the person's own version
back. A file already open in another window opens read-only: in another
process (an edit claim, an OS lock that dies with its process) the title
says "(read-only)" and edits are refused; in this process the other window
is brought to the front instead.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from hedger.core.models import Portfolio
from hedger.core.plan_export import plan_to_csv
from hedger.services.errors import StoreError
from hedger.services.exports import write_export
from hedger.services.library import PortfolioLibrary
from hedger.services.portfolios import (
    PortfolioChangedError,
    PortfolioFileError,
    claim_for_editing,
    open_portfolio,
    open_portfolio_tracked,
    portfolio_digest,
    save_portfolio_checked,
)
from hedger.services.versions import PortfolioVersion, VersionError, list_versions, load_version
from hedger.ui.document.disk_watch import DiskWatcher
from hedger.ui.document.document import PortfolioDocument
from hedger.ui.document.recovery import RecoveredWork
from hedger.ui.format import shown

if TYPE_CHECKING:
    from hedger.services.portfolios import EditClaim

PORTFOLIO_FILTER = "Hedger portfolios (*.json);;All files (*)"

# What to do with unsaved changes before they would be lost.
SAVE, DISCARD, CANCEL = "save", "discard", "cancel"

__all__ = ["FileController"]

# Files open in a window of this process, by resolved path: a second window
# on one of them brings the first to the front.
_OPEN_HERE: dict[str, weakref.ref[FileController]] = {}


# How often a read-only window asks again for the file another window had.
RECLAIM_MS = 3000


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
        self.ask_conflict: Callable[[str], str] = self._ask_conflict
        self.choose_version: Callable[[str, list[PortfolioVersion]], PortfolioVersion | None] = (
            self._choose_version
        )
        # Set by the window: applies text typed in an editor but not yet
        # entered, so a save or close never writes (or drops) a stale value.
        self.commit_pending: Callable[[], object] = lambda: None
        self._digest: str | None = None  # of the file as last read or saved here
        self._claim: EditClaim | None = None  # the edit claim on the open file
        self._claimed: Path | None = None
        self._resolving = False
        self.watcher = DiskWatcher(self)
        self.watcher.changed.connect(self.check_disk)
        # Read-only because another window has the file: ask again now and
        # then, so closing that window makes this one editable.
        self._reclaim_timer = QTimer(self)
        self._reclaim_timer.setInterval(RECLAIM_MS)
        self._reclaim_timer.timeout.connect(self.try_reclaim)
        if document.path is not None:
            # The start-up document was read before this controller existed.
            self._attach(document.path, portfolio_digest(document.path))

    # -- open / save ---------------------------------------------------------
    def open_dialog(self) -> bool:
        if not self.maybe_keep_changes():
            return False
        path = self.ask_open_path()
        return self.open_path(path, ask=False) if path else False

    def open_path(self, path: Path, *, ask: bool = True) -> bool:
        other = _open_elsewhere(path, self)
        if other is not None:
            other.bring_to_front()
            self.statusMessage.emit(f"{path.name} is already open in another window")
            return False
        if ask and not self.maybe_keep_changes():
            return False
        try:
            portfolio, digest = open_portfolio_tracked(path)
        except PortfolioFileError as exc:
            self.show_error("Cannot open portfolio", str(exc))
            self.statusMessage.emit(str(exc))
            return False
        self.document.load(portfolio, path)
        self._attach(path, digest)
        self.opened.emit(path)
        if self.document.read_only:
            self.statusMessage.emit(self.document.read_only_reason)
        else:
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
        self._attach(path, portfolio_digest(path))
        self.opened.emit(path)

    def file_deleted(self) -> None:
        """The open portfolio's file was deleted (library Delete): keep the content, no path."""
        self.document.set_path(None)
        self._attach(None, None)
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
        self._attach(doc.path, portfolio_digest(doc.path) if doc.path else None)
        doc.replace_portfolio(work.portfolio, "Restore Recovered Work")

    def save(self) -> bool:
        self.commit_pending()
        path = self.document.path
        if path is None:
            return self.save_as()
        if self.document.read_only:
            self.show_error(
                "Read-only",
                f"{self.document.read_only_reason}.\nUse Save As to keep this version in a "
                "file of its own.",
            )
            return False
        return self._write(path, self._digest)

    def save_as(self) -> bool:
        self.commit_pending()
        suggested = self.library.path_for(self.document.portfolio.name)
        path = self.ask_save_path("Save Portfolio As", str(suggested), PORTFOLIO_FILTER)
        if path is None:
            return False
        if path.suffix.lower() != ".json":
            path = path.with_suffix(".json")
        # The person chose this file (and agreed to replace it): no digest to check.
        if not self._write(path, None):
            return False
        self.opened.emit(path)
        return True

    def _write(self, path: Path, expected: str | None, *, force: bool = False) -> bool:
        try:
            digest = save_portfolio_checked(
                path, self.document.portfolio, expected_digest=expected, force=force
            )
        except PortfolioChangedError:
            return self._resolve(path, saving=True)
        except (StoreError, OSError) as exc:
            msg = f"Could not save {path.name}: {getattr(exc, 'strerror', None) or exc}"
            self.show_error("Save failed", msg + "\nYour changes are still open; nothing was lost.")
            self.statusMessage.emit(msg)
            return False
        self.document.mark_saved(path)
        self._attach(path, digest)
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
            portfolio, digest = open_portfolio_tracked(path)
        except PortfolioFileError as exc:
            self.show_error("Cannot revert", str(exc))
            return False
        self.document.load(portfolio, path)
        self._attach(path, digest)
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

    # -- the file on disk: digest, watch, claim, conflicts ------------------------
    def _attach(self, path: Path | None, digest: str | None) -> None:
        """Follow ``path`` from now on: its digest, its watch and the edit claim on it."""
        self._digest = digest
        self.watcher.watch(path)
        same = path is not None and self._claimed is not None and _key(path) == _key(self._claimed)
        if same and self._claim is not None:
            return  # the same file, still ours
        self.release()  # or try again: the other window may have closed
        if path is None:
            self.document.set_read_only(None)
            return
        self._claimed = path
        self._claim = claim_for_editing(path)
        _OPEN_HERE[_key(path)] = weakref.ref(self)
        if self._claim is None:
            self.document.set_read_only(
                f"{path.name} is open in another Hedger window; this window is read-only"
            )
            self._reclaim_timer.start()
        else:
            self._reclaim_timer.stop()
            self.document.set_read_only(None)

    def try_reclaim(self) -> bool:
        """Take the edit claim if the other window let go; True when this window may edit."""
        path = self._claimed
        if path is None or self._claim is not None:
            self._reclaim_timer.stop()
            return self._claim is not None
        claim = claim_for_editing(path)
        if claim is None:
            return False
        self._reclaim_timer.stop()
        self._claim = claim
        # What the other window saved last comes in first (nothing is edited here).
        self.check_disk()
        self.document.set_read_only(None)
        self.statusMessage.emit(f"{shown(path.name)} is no longer open elsewhere: you can edit it")
        return True

    def release(self) -> None:
        """Let go of the open file's edit claim (the window closes or opens another)."""
        self._reclaim_timer.stop()
        if self._claimed is not None:
            key = _key(self._claimed)
            ref = _OPEN_HERE.get(key)
            if ref is not None and ref() is self:
                del _OPEN_HERE[key]
        if self._claim is not None:
            self._claim.release()
        self._claim = None
        self._claimed = None

    def bring_to_front(self) -> None:
        window = self._parent.window()
        window.show()
        window.raise_()
        window.activateWindow()

    def check_disk(self) -> None:
        """The watcher saw a change: reload, ask, or nothing if the content is the same."""
        path = self.document.path
        if path is None or self._resolving:
            return
        now = portfolio_digest(path)
        if now is None:
            if not path.exists():
                self.statusMessage.emit(f"{path.name} was moved or deleted; Save writes it again")
            return
        if now == self._digest:
            return
        if not self.document.dirty:
            if self._take_theirs(path):
                self.statusMessage.emit(f"Reloaded {path.name}: another program changed it")
            return
        # Leave the watcher's slot first: a modal dialog must not nest in it.
        QTimer.singleShot(0, self, lambda: self._resolve(path, saving=False))

    def _resolve(self, path: Path, *, saving: bool) -> bool:
        """Ask what to do about another program's change; True when the content got saved."""
        from hedger.ui.document.conflict_dialogs import KEEP_MINE, SAVE_COPY, TAKE_THEIRS

        if self._resolving or path != self.document.path:
            return False
        if not saving and portfolio_digest(path) in (None, self._digest):
            return False  # settled meanwhile
        self._resolving = True
        try:
            choice = self.ask_conflict(path.name)
            if choice == KEEP_MINE:
                # Their version is kept among the earlier versions by the save itself.
                return self._write(path, None, force=True)
            if choice == TAKE_THEIRS:
                if self._take_theirs(path):
                    self.statusMessage.emit(
                        f"Took the version of {path.name} on disk; Undo for yours"
                    )
                return False
            if choice == SAVE_COPY:
                return self._save_copy()
            self.statusMessage.emit(f"{path.name} changed on disk; your edits are not saved yet")
            return False
        finally:
            self._resolving = False

    def _take_theirs(self, path: Path) -> bool:
        """Load the file as it is on disk as one undoable step, then mark it saved."""
        try:
            portfolio, digest = open_portfolio_tracked(path)
        except PortfolioFileError as exc:
            self.statusMessage.emit(f"{path.name} changed on disk but cannot be read: {exc}")
            return False
        was_read_only = self.document.read_only_reason
        self.document.set_read_only(None)  # a read-only window still follows the file
        try:
            self.document.replace_portfolio(portfolio, "Take Changes from Disk")
        finally:
            self.document.set_read_only(was_read_only or None)
        self.document.mark_saved(path)
        self._digest = digest
        return True

    def _save_copy(self) -> bool:
        name = f"{self.document.portfolio.name} (copy)"
        suggested = self.library.path_for(name)
        path = self.ask_save_path("Save Your Version As", str(suggested), PORTFOLIO_FILTER)
        if path is None:
            return False
        if path.suffix.lower() != ".json":
            path = path.with_suffix(".json")
        if not self._write(path, None):
            return False
        self.opened.emit(path)
        return True

    def restore_version_dialog(self) -> bool:
        """File ▸ Restore Earlier Version…: an undoable replace by the version chosen."""
        self.commit_pending()
        path = self.document.path
        if path is None:
            self.show_error("Restore Earlier Version", "Save the portfolio first.")
            return False
        found = list_versions(path)
        if not found:
            self.show_error(
                "Restore Earlier Version",
                f"No earlier versions of {path.name} are kept yet: each save keeps the one "
                "it replaces.",
            )
            return False
        chosen = self.choose_version(self.document.portfolio.name, found)
        if chosen is None:
            return False
        try:
            portfolio = load_version(chosen)
        except VersionError as exc:
            self.show_error("Restore Earlier Version", str(exc))
            return False
        when = chosen.replaced_at.astimezone().strftime("%d %b %Y %H:%M")
        self.document.replace_portfolio(portfolio, f"Restore Version of {when}")
        self.statusMessage.emit(f"Restored the version of {when}; Save to keep it, Undo to go back")
        return True

    # -- export ----------------------------------------------------------------
    def export_plan_csv(self) -> Path | None:
        self.commit_pending()
        default = Path.home() / f"{self.document.portfolio.name} plan.csv"
        path = self.ask_save_path("Export Plan", str(default), "CSV files (*.csv)")
        if path is None:
            return None
        try:
            write_export(path, plan_to_csv(self.document.plan))
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
        box.setText(f"Save changes to “{shown(name)}” before closing?")
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

    # The dialogs' module loads only when one is asked: Qt makes its dialog
    # classes on first use, time the window need not spend before it shows.
    def _ask_conflict(self, name: str) -> str:
        from hedger.ui.document import conflict_dialogs

        return conflict_dialogs.ask_conflict(self._parent, name)

    def _choose_version(self, name: str, found: list[PortfolioVersion]) -> PortfolioVersion | None:
        from hedger.ui.document import conflict_dialogs

        return conflict_dialogs.choose_version(self._parent, name, found)

    def _show_error(self, title: str, text: str) -> None:
        QMessageBox.warning(self._parent, title, text)

    def _confirm(self, title: str, text: str) -> bool:
        answer = QMessageBox.question(self._parent, title, text)
        return answer == QMessageBox.StandardButton.Yes


def _key(path: Path) -> str:
    try:
        return str(path.resolve())
    except OSError:
        return str(path.absolute())


def _open_elsewhere(path: Path, me: FileController) -> FileController | None:
    """Another window of this process that has ``path`` open, if any."""
    ref = _OPEN_HERE.get(_key(path))
    other = ref() if ref is not None else None
    if other is None or other is me:
        return None
    try:
        still_open = other.document.path is not None and _key(other.document.path) == _key(path)
    except RuntimeError:  # its Qt objects are gone
        return None
    return other if still_open else None
