"""Side panel listing the portfolios saved in the data directory."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QElapsedTimer,
    QModelIndex,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QAction, QIcon
from PySide6.QtWidgets import (
    QApplication,
    QGridLayout,
    QInputDialog,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QMessageBox,
    QSizePolicy,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from hedger.core.models import Portfolio
from hedger.services.library import LibraryEntry, LibraryError, PortfolioLibrary
from hedger.ui.library.model import LibraryModel, PathRole

RECENT_SHOWN = 5


class LibraryPanel(QWidget):
    """Portfolios in the library: open, new, duplicate, rename, delete."""

    openRequested = Signal(Path)
    # A portfolio was created with New: open it (changes were already dealt with).
    created = Signal(Path)
    # Open… was clicked: the window shows its file dialog.
    openFileRequested = Signal()
    statusMessage = Signal(str)
    # Emitted after a rename/delete touches the file that is open.
    currentRenamed = Signal(Path)
    currentDeleted = Signal()

    def __init__(self, library: PortfolioLibrary, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.library = library
        self.model = LibraryModel(library, self)
        self._current: Path | None = None
        # Injectable for tests: dialogs must not block a headless run.
        self.ask_text: Callable[[str, str, str], str | None] = self._ask_text
        self.confirm: Callable[[str, str], bool] = self._confirm
        # Asked before New replaces the open portfolio (save / discard / cancel).
        self.keep_changes: Callable[[], bool] = lambda: True
        # What New saves under the name given (the window's remembered families);
        # None: an empty portfolio with the default settings.
        self.new_template: Callable[[str], Portfolio] | None = None

        title = QLabel("Portfolios")
        title.setObjectName("panelTitle")
        self.view = QListView()
        self.view.setAccessibleName("Portfolios")
        self.view.setModel(self.model)
        self.view.setUniformItemSizes(True)
        self.view.setSpacing(2)
        self.view.setIconSize(QSize(16, 16))
        self.view.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._context_menu)
        self.view.activated.connect(self._open_index)
        self.view.doubleClicked.connect(self._open_index)
        self.empty = QLabel("No saved portfolios yet.\nUse New to start one.")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.empty.setEnabled(False)

        self._make_actions()

        self.recent_title = QLabel("Recent files")
        self.recent_title.setObjectName("recentTitle")
        self.recent_view = QListWidget()
        self.recent_view.setObjectName("recentFiles")
        self.recent_view.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.recent_view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.recent_view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # A click opens (the list reads as links) and so do Enter and the
        # platform's activation; a double-click is both, and opens once.
        self.recent_view.itemActivated.connect(self._open_recent)
        self.recent_view.itemClicked.connect(self._open_recent)
        self._last_recent: tuple[str, QElapsedTimer] | None = None
        self.set_recent([])

        buttons = QGridLayout()
        buttons.setSpacing(2)
        actions = (self.act_new, self.act_open, self.act_dup, self.act_rename, self.act_delete)
        for i, act in enumerate(actions):
            b = QToolButton()
            b.setDefaultAction(act)
            b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            b.setAutoRaise(True)
            b.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            buttons.addWidget(b, i // 2, i % 2)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 8, 8, 8)
        lay.setSpacing(6)
        lay.addWidget(title)
        lay.addWidget(self.view, 1)
        lay.addWidget(self.empty, 1)
        lay.addLayout(buttons)
        lay.addSpacing(4)
        lay.addWidget(self.recent_title)
        lay.addWidget(self.recent_view)
        self.view.selectionModel().selectionChanged.connect(self._update_actions)
        self.refresh()

    def _make_actions(self) -> None:
        """New, Open, Duplicate, Rename and Delete: the buttons under the list."""
        st = self.style()
        self.act_new = QAction(st.standardIcon(QStyle.StandardPixmap.SP_FileIcon), "New…", self)
        self.act_new.setToolTip("New empty portfolio in the library")
        self.act_new.triggered.connect(self.new_portfolio)
        self.act_open = QAction(
            st.standardIcon(QStyle.StandardPixmap.SP_DialogOpenButton), "Open…", self
        )
        self.act_open.setToolTip("Open a portfolio file from anywhere")
        self.act_open.triggered.connect(self.openFileRequested)
        self.act_dup = QAction(QIcon.fromTheme("edit-copy"), "Duplicate", self)
        self.act_dup.triggered.connect(self.duplicate_selected)
        self.act_rename = QAction("Rename…", self)
        self.act_rename.triggered.connect(self.rename_selected)
        self.act_delete = QAction(
            st.standardIcon(QStyle.StandardPixmap.SP_TrashIcon), "Delete…", self
        )
        self.act_delete.triggered.connect(self.delete_selected)

    def sizeHint(self) -> QSize:
        # A side list: wide enough for a name and its date line, no wider.
        return QSize(200, 400)

    # -- public -------------------------------------------------------------
    def refresh(self) -> None:
        self.model.refresh()
        self.model.set_current(self._current)
        has = self.model.rowCount() > 0
        self.view.setVisible(has)
        self.empty.setVisible(not has)
        self._select_current()
        self._update_actions()

    def set_current(self, path: Path | None) -> None:
        self._current = path
        self.refresh()

    def set_recent(self, paths: list[Path]) -> None:
        """Recently opened files (newest first), including ones outside the library."""
        view = self.recent_view
        view.clear()
        for p in paths[:RECENT_SHOWN]:
            item = QListWidgetItem(p.stem if p.exists() else f"{p.stem} (missing)")
            item.setData(PathRole, str(p))
            item.setToolTip(str(p))
            if not p.exists():
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled)
            view.addItem(item)
        shown = view.count() > 0
        self.recent_title.setVisible(shown)
        view.setVisible(shown)
        if shown:
            row = view.sizeHintForRow(0)
            view.setFixedHeight(row * view.count() + 2 * view.frameWidth() + 2)

    def recent_paths(self) -> list[Path]:
        return [
            Path(self.recent_view.item(i).data(PathRole)) for i in range(self.recent_view.count())
        ]

    def _open_recent(self, item: QListWidgetItem | None) -> None:
        # Opening rebuilds the list, so the second half of a double-click
        # may name an item that is gone.
        if item is None or not item.flags() & Qt.ItemFlag.ItemIsEnabled:
            return
        path = str(item.data(PathRole))
        last = self._last_recent
        if (
            last is not None
            and last[0] == path
            and last[1].elapsed() <= QApplication.doubleClickInterval()
        ):
            return
        timer = QElapsedTimer()
        timer.start()
        self._last_recent = (path, timer)
        self.openRequested.emit(Path(path))

    def selected_entry(self) -> LibraryEntry | None:
        idx = self.view.currentIndex()
        if not idx.isValid():
            return None
        return self.model.entry(idx.row())

    def new_portfolio(self) -> Path | None:
        # Unsaved work is dealt with before anything is created.
        if not self.keep_changes():
            return None
        name = self.ask_text("New Portfolio", "Name of the new portfolio:", "My portfolio")
        if not name:
            return None
        try:
            if self.new_template is None:
                path = self.library.create(name)
            else:
                path = self.library.save_as(self.new_template(name), name)
        except LibraryError as exc:
            self.statusMessage.emit(str(exc))
            return None
        self.refresh()
        self.created.emit(path)
        return path

    def duplicate_selected(self) -> Path | None:
        e = self.selected_entry()
        if e is None:
            return None
        try:
            path = self.library.duplicate(e.path)
        except LibraryError as exc:
            self.statusMessage.emit(str(exc))
            return None
        self.refresh()
        self.statusMessage.emit(f"Duplicated “{e.name}”")
        return path

    def rename_selected(self) -> Path | None:
        e = self.selected_entry()
        if e is None:
            return None
        name = self.ask_text("Rename Portfolio", "New name:", e.name)
        if not name or name == e.name:
            return None
        try:
            path = self.library.rename(e.path, name)
        except LibraryError as exc:
            self.statusMessage.emit(str(exc))
            return None
        was_current = self._current is not None and e.path.resolve() == self._current.resolve()
        if was_current:
            self._current = path
            self.currentRenamed.emit(path)
        self.refresh()
        return path

    def delete_selected(self) -> bool:
        e = self.selected_entry()
        if e is None:
            return False
        if not self.confirm(
            "Delete Portfolio",
            f"Delete “{e.name}”?\n\nIt is moved to the trash folder in Hedger's data "
            "directory and can be recovered from there.",
        ):
            return False
        try:
            self.library.delete(e.path)
        except LibraryError as exc:
            self.statusMessage.emit(str(exc))
            return False
        if self._current is not None and e.path.resolve() == self._current.resolve():
            self._current = None
            self.currentDeleted.emit()
        self.refresh()
        self.statusMessage.emit(f"Deleted “{e.name}”")
        return True

    # -- internals ------------------------------------------------------------
    def _select_current(self) -> None:
        if self._current is None:
            return
        row = self.model.row_of(self._current)
        if row is not None:
            self.view.setCurrentIndex(self.model.index(row))

    def _update_actions(self) -> None:
        has = self.selected_entry() is not None
        for act in (self.act_dup, self.act_rename, self.act_delete):
            act.setEnabled(has)

    def _open_index(self, index: QModelIndex) -> None:
        if index.isValid():
            self.openRequested.emit(self.model.entry(index.row()).path)

    def _context_menu(self, pos: Any) -> None:
        idx = self.view.indexAt(pos)
        menu = QMenu(self)
        if idx.isValid():
            self.view.setCurrentIndex(idx)
            open_act = menu.addAction("Open")
            open_act.triggered.connect(lambda: self._open_index(idx))
            menu.addSeparator()
            menu.addAction(self.act_dup)
            menu.addAction(self.act_rename)
            menu.addAction(self.act_delete)
            menu.addSeparator()
        menu.addAction(self.act_new)
        menu.exec(self.view.viewport().mapToGlobal(pos))

    def _ask_text(self, title: str, label: str, default: str) -> str | None:
        text, ok = QInputDialog.getText(self, title, label, text=default)
        return text.strip() if ok and text.strip() else None

    def _confirm(self, title: str, text: str) -> bool:
        answer = QMessageBox.question(
            self,
            title,
            text,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Yes
