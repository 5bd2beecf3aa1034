"""The portfolios in the library as a list model: name, holdings and date, the open one marked."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QStyle,
    QWidget,
)

from hedger.services.checks import Finding
from hedger.services.library import LibraryEntry, PortfolioLibrary
from hedger.ui.format import shown, shown_lines
from hedger.ui.library.drift import DriftBadges, badge_icon, blank_icon, ok_icon

Index = QModelIndex | QPersistentModelIndex
PathRole = Qt.ItemDataRole.UserRole + 1
FindingsRole = Qt.ItemDataRole.UserRole + 2  # tuple[Finding, ...] | None (no positions)


def short_date(when: datetime, now: datetime | None = None) -> str:
    """``14:03`` today, ``6 Dec`` this year, ``6 Dec 2023`` before: fits a side list."""
    now = now or datetime.now()
    if when.date() == now.date():
        return when.strftime("%H:%M")
    day = f"{when.day} {when.strftime('%b')}"
    return day if when.year == now.year else f"{day} {when.year}"


class LibraryModel(QAbstractListModel):
    def __init__(self, library: PortfolioLibrary, parent: Any = None) -> None:
        super().__init__(parent)
        self._library = library
        self._entries: list[LibraryEntry] = []
        self._current: Path | None = None
        self._badges = DriftBadges()
        self._findings: dict[Path, tuple[tuple[Finding, ...], bool]] = {}
        # The open portfolio as edited: its holdings now, and unsaved changes.
        self._live: tuple[int, bool] | None = None

    def refresh(self) -> None:
        self.beginResetModel()
        self._entries = sorted(self._library.list(), key=lambda e: e.name.lower())
        self._findings = self._badges.findings(e.path for e in self._entries if not e.error)
        self.endResetModel()

    def findings(self, path: Path) -> tuple[Finding, ...] | None:
        """What needs action in the file; None when it holds no positions."""
        found = self._findings.get(path)
        return found[0] if found is not None and found[1] else None

    def set_current(self, path: Path | None) -> None:
        self._current = path.resolve() if path else None
        if self._entries:
            self.dataChanged.emit(self.index(0), self.index(len(self._entries) - 1))

    def set_live(self, holdings: int, dirty: bool) -> None:
        """The open portfolio's count and unsaved state, ahead of its file."""
        if self._live == (holdings, dirty):
            return
        self._live = (holdings, dirty)
        row = self.row_of(self._current) if self._current is not None else None
        if row is not None:
            self.dataChanged.emit(self.index(row), self.index(row))

    def entry(self, row: int) -> LibraryEntry:
        return self._entries[row]

    def row_of(self, path: Path) -> int | None:
        target = path.resolve()
        for i, e in enumerate(self._entries):
            if e.path.resolve() == target:
                return i
        return None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._entries)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._entries):
            return None
        e = self._entries[index.row()]
        current = self._current is not None and e.path.resolve() == self._current
        drift = self.findings(e.path)
        if role == Qt.ItemDataRole.DisplayRole:
            if e.error:
                return f"{shown(e.name)}\nCannot be opened"
            n, dirty = e.holdings_count, False
            if current and self._live is not None:
                n, dirty = self._live
            count = f"{n} holding" + ("" if n == 1 else "s")
            when = "edited" if dirty else short_date(datetime.fromtimestamp(e.modified))
            if drift:
                return f"{shown(e.name)}\n{len(drift)} to act on · {when}"
            return f"{shown(e.name)}\n{count} · {when}"
        if role == Qt.ItemDataRole.ToolTipRole:
            if e.error:
                return shown_lines(f"{e.path}\n{e.error}")
            saved = datetime.fromtimestamp(e.modified).strftime("%d %b %Y %H:%M")
            head = shown_lines(f"{e.name}\n{e.path}\nSaved {saved}")
            if current and self._live is not None and self._live[1]:
                head += " · unsaved changes since"
            if drift:
                return f"{head}\nNeeds action:\n" + "\n".join(f"• {f.line}" for f in drift)
            if drift is not None:
                return f"{head}\nHeld hedge: nothing needs action"
            return head
        if role == FindingsRole:
            return drift
        if role == Qt.ItemDataRole.FontRole and current:
            f = QFont()
            f.setBold(True)
            return f
        if role == Qt.ItemDataRole.DecorationRole and e.error:
            return QWidget().style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        if role == Qt.ItemDataRole.DecorationRole:
            if drift is None:
                return blank_icon()  # keeps the names in one column beside the badges
            return badge_icon(len(drift)) if drift else ok_icon()
        if role == PathRole:
            return str(e.path)
        return None
