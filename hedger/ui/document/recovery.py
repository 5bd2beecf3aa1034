"""Autosave of unsaved work, so a crash loses at most a few seconds of edits.

While the document is dirty, a recovery file (portfolio plus the path it
belongs to) is written a moment after each change. A clean save or a normal
close deletes it. At start-up, recovery files left by a process that is no
longer running are offered back to the user.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from hedger.services.recovery import (
    RecoveredWork,
    discard,
    find_recoverable,
    recovery_dir,
    scan_recovery,
    session_file,
    write_recovery,
)
from hedger.ui.document.document import PortfolioDocument

AUTOSAVE_DELAY_MS = 1500
# Edits arriving faster than the delay (a live price feed, a long typing
# session) still reach the recovery file at least this often.
AUTOSAVE_MAX_WAIT_MS = 10_000

__all__ = [
    "AutosaveController",
    "RecoveredWork",
    "discard",
    "find_recoverable",
    "recovery_dir",
    "scan_recovery",
]


class AutosaveController(QObject):
    """Writes the recovery file while the document has unsaved changes."""

    saved = Signal(Path)

    def __init__(self, document: PortfolioDocument, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._doc = document
        self._file = session_file()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(AUTOSAVE_DELAY_MS)
        self._timer.timeout.connect(self.write_now)
        self._deadline = QTimer(self)
        self._deadline.setSingleShot(True)
        self._deadline.setInterval(AUTOSAVE_MAX_WAIT_MS)
        self._deadline.timeout.connect(self.write_now)
        document.portfolioChanged.connect(self._schedule)
        document.dirtyChanged.connect(self._on_dirty)

    @property
    def file(self) -> Path:
        return self._file

    def _schedule(self) -> None:
        if self._doc.dirty:
            self._timer.start()
            if not self._deadline.isActive():
                self._deadline.start()

    def _on_dirty(self, dirty: bool) -> None:
        if not dirty:
            self._timer.stop()
            self._deadline.stop()
            self.clear()

    def write_now(self) -> None:
        self._timer.stop()
        self._deadline.stop()
        if not self._doc.dirty:
            return
        try:
            write_recovery(self._file, self._doc.portfolio, self._doc.path)
        except OSError:
            return  # a failed autosave must never interrupt editing
        self.saved.emit(self._file)

    def clear(self) -> None:
        self._file.unlink(missing_ok=True)
