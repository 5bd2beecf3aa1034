"""Autosave of unsaved work, so a crash loses at most a few seconds of edits.

While the document is dirty, a recovery file (portfolio plus the path it
belongs to) is written a moment after each change. A clean save or a normal
close deletes it. At start-up, recovery files left by a process that is no
longer running are offered back to the user.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from hedger.core.models import Portfolio, portfolio_to_dict
from hedger.store.paths import data_dir
from hedger.ui.document.document import PortfolioDocument

AUTOSAVE_DELAY_MS = 1500
# Edits arriving faster than the delay (a live price feed, a long typing
# session) still reach the recovery file at least this often.
AUTOSAVE_MAX_WAIT_MS = 10_000


def recovery_dir() -> Path:
    d = data_dir() / "recovery"
    d.mkdir(parents=True, exist_ok=True)
    return d


@dataclass(frozen=True)
class RecoveredWork:
    file: Path
    portfolio: Portfolio
    original_path: Path | None
    saved_at: datetime


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def find_recoverable() -> list[RecoveredWork]:
    """Recovery files of sessions that ended without closing cleanly."""
    out: list[RecoveredWork] = []
    for f in sorted(recovery_dir().glob("session-*.json")):
        try:
            pid = int(f.stem.split("-", 1)[1])
        except ValueError:
            continue
        if pid != os.getpid() and _pid_alive(pid):
            continue  # another Hedger window is running and owns it
        if pid == os.getpid():
            continue
        try:
            doc = json.loads(f.read_text(encoding="utf-8"))
            portfolio = Portfolio.model_validate(doc["portfolio"])
            original = Path(doc["original_path"]) if doc.get("original_path") else None
            saved_at = datetime.fromisoformat(doc["saved_at"])
        except (OSError, ValueError, KeyError, TypeError):
            continue  # a half-written recovery file is worth nothing
        out.append(RecoveredWork(f, portfolio, original, saved_at))
    return out


def discard(work: RecoveredWork) -> None:
    work.file.unlink(missing_ok=True)


class AutosaveController(QObject):
    """Writes the recovery file while the document has unsaved changes."""

    saved = Signal(Path)

    def __init__(self, document: PortfolioDocument, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._doc = document
        self._file = recovery_dir() / f"session-{os.getpid()}.json"
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
        from hedger.store.atomic import atomic_write_text

        payload = {
            "schema_version": 1,
            "original_path": str(self._doc.path) if self._doc.path else None,
            "saved_at": datetime.now(UTC).isoformat(),
            "portfolio": portfolio_to_dict(self._doc.portfolio),
        }
        try:
            atomic_write_text(self._file, json.dumps(payload), backup=False)
        except OSError:
            return  # a failed autosave must never interrupt editing
        self.saved.emit(self._file)

    def clear(self) -> None:
        self._file.unlink(missing_ok=True)
