"""Read-only tables of display strings: the rows model the analytics tabs fill, and its view."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSize,
    Qt,
)
from PySide6.QtGui import QFont, QFontMetrics, QPalette
from PySide6.QtWidgets import (
    QHeaderView,
    QSizePolicy,
    QTableView,
)

from hedger.ui.widgets.style import blend, is_dark

Index = QModelIndex | QPersistentModelIndex


_ALIGN_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


_ALIGN_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter


@dataclass(frozen=True)
class Column:
    title: str
    numeric: bool = True
    tooltip: str = ""


@dataclass(frozen=True)
class Row:
    cells: tuple[str, ...]
    tooltip: str = ""
    emphasis: bool = False  # bold, tinted (the recommended row)
    muted: bool = False  # greyed (no estimate, zero contracts)
    key: Any = None  # what the row stands for (holding index, option name...)


class RowsModel(QAbstractTableModel):
    """A read-only table of display strings; tabs replace all rows at once."""

    def __init__(self, columns: Sequence[Column], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.columns = list(columns)
        self.rows: list[Row] = []

    def set_rows(self, rows: Sequence[Row]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        col = self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return row.cells[index.column()]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _ALIGN_RIGHT if col.numeric else _ALIGN_LEFT
        if role == Qt.ItemDataRole.ToolTipRole:
            return row.tooltip or None
        if role == Qt.ItemDataRole.FontRole and row.emphasis:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ForegroundRole and row.muted:
            return QPalette().color(QPalette.ColorRole.PlaceholderText)
        if role == Qt.ItemDataRole.BackgroundRole and row.emphasis:
            pal = QPalette()
            return blend(
                pal.color(QPalette.ColorRole.Base),
                pal.color(QPalette.ColorRole.Highlight),
                0.22 if is_dark(pal) else 0.12,
            )
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.columns):
            return None
        col = self.columns[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return col.title
        if role == Qt.ItemDataRole.ToolTipRole:
            return col.tooltip or None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _ALIGN_RIGHT if col.numeric else _ALIGN_LEFT
        if role == Qt.ItemDataRole.SizeHintRole:
            # Room around the title: resize-to-contents columns otherwise touch.
            fm = QFontMetrics(QFont())
            return QSize(fm.horizontalAdvance(col.title) + 28, fm.height() + 10)
        return None


def make_table(model: RowsModel, stretch_last: bool = False) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setAlternatingRowColors(True)
    view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
    view.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
    view.setShowGrid(False)
    view.setWordWrap(False)
    view.verticalHeader().hide()
    header = view.horizontalHeader()
    header.setHighlightSections(False)
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(stretch_last)
    header.setDefaultAlignment(_ALIGN_LEFT)
    row_h = view.fontMetrics().height() + 12
    view.verticalHeader().setDefaultSectionSize(row_h)
    return view


def fit_rows(view: QTableView, rows: int, minimum: int = 1) -> None:
    """Make a short table exactly as tall as its rows: no empty table area below them."""
    view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    view.setSizePolicy(view.sizePolicy().horizontalPolicy(), QSizePolicy.Policy.Fixed)
    header = view.horizontalHeader()
    scroll = view.horizontalScrollBar()
    extra = scroll.sizeHint().height() if scroll.isVisible() else 0
    view.setFixedHeight(
        view.verticalHeader().defaultSectionSize() * max(rows, minimum)
        + header.sizeHint().height()
        + 2 * view.frameWidth()
        + extra
    )
