"""Noticing that the open portfolio's file changed on disk.

A ``QFileSystemWatcher`` on the file. A save by another program (or by
``hedger prices refresh``) replaces the file by a rename, which ends the
watch on the old inode, so the path is added again after every event.
Events come in bursts (temporary file, rename, backup); one ``changed``
signal follows a short quiet moment. Whether the content really differs is
the file controller's question (it compares content digests): the watcher
only says "look again".
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QFileSystemWatcher, QObject, QTimer, Signal

#: Quiet time after the last event before looking at the file.
SETTLE_MS = 150


class DiskWatcher(QObject):
    changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._path: Path | None = None
        self._watcher = QFileSystemWatcher(self)
        self._watcher.fileChanged.connect(self._on_event)
        # A rename into the folder shows as a folder change while the file
        # itself is briefly gone; the folder watch catches the new file.
        self._watcher.directoryChanged.connect(self._on_event)
        self._settle = QTimer(self)
        self._settle.setSingleShot(True)
        self._settle.setInterval(SETTLE_MS)
        self._settle.timeout.connect(self._settled)

    @property
    def path(self) -> Path | None:
        return self._path

    def watch(self, path: Path | None) -> None:
        """Follow ``path`` (None: nothing) from now on."""
        self._settle.stop()
        old = self._watcher.files() + self._watcher.directories()
        if old:
            self._watcher.removePaths(old)
        self._path = path
        self._rearm()

    def _rearm(self) -> None:
        path = self._path
        if path is None:
            return
        files = set(self._watcher.files())
        if str(path) not in files and path.exists():
            self._watcher.addPath(str(path))
        folder = str(path.parent)
        if folder not in self._watcher.directories() and path.parent.is_dir():
            self._watcher.addPath(folder)

    def _on_event(self, _what: str) -> None:
        # After an atomic rename the watched inode is gone: watch the new one.
        self._rearm()
        self._settle.start()

    def _settled(self) -> None:
        self._rearm()
        self.changed.emit()
