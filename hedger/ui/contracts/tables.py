"""Table models of the Contracts dialog: contracts, families (the user's own first and marked)
and an exchange's differences from the catalog.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QColor, QFont, QGuiApplication, QPalette

from hedger.core.catalog import Catalog, Contract, Family
from hedger.services.prices import SizeDifference
from hedger.ui.format import shown

Index = QModelIndex | QPersistentModelIndex


YOURS = "Yours"


BUILT_IN = "Built-in"


def _muted() -> QColor:
    return QGuiApplication.palette().color(QPalette.ColorRole.PlaceholderText)


def _bold() -> QFont:
    f = QFont()
    f.setBold(True)
    return f


class _Table(QAbstractTableModel):
    columns: tuple[str, ...] = ()

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.columns[section]
        return None


class _CatalogTable(_Table):
    """Rows of catalog entries (contracts or families), the user's own first and marked."""

    ORIGIN = -1  # column saying "Yours" / "Built-in"
    RIGHT: tuple[int, ...] = ()  # right-aligned columns

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.rows: list[Any] = []

    def entries(self, catalog: Catalog) -> Iterable[Any]:
        raise NotImplementedError

    def values(self, entry: Any) -> tuple[str, ...]:
        raise NotImplementedError

    def tooltip(self, entry: Any, col: int) -> str:
        return self.values(entry)[col]

    def set_catalog(self, catalog: Catalog) -> None:
        self.beginResetModel()
        # The user's own first: they are the ones edited here.
        self.rows = sorted(self.entries(catalog), key=lambda e: (not e.user_defined, e.id))
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        entry = self.rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self.values(entry)[col]
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.tooltip(entry, col)
        if role == Qt.ItemDataRole.TextAlignmentRole and col in self.RIGHT:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.FontRole and entry.user_defined and col in (0, self.ORIGIN):
            return _bold()
        if role == Qt.ItemDataRole.ForegroundRole and not entry.user_defined and col == self.ORIGIN:
            return _muted()
        return None


class ContractsModel(_CatalogTable):
    columns = ("Contract", "Name", "Underlying", "Tier", "Kind", "Size", "Expiry", "Origin")
    SIZE = 5
    ORIGIN = 7
    RIGHT = (SIZE,)

    def entries(self, catalog: Catalog) -> Iterable[Contract]:
        return catalog.contracts.values()

    def values(self, c: Contract) -> tuple[str, ...]:
        origin = YOURS if c.user_defined else BUILT_IN
        return (c.id, c.name, c.underlying, c.tier, c.kind, c.size_text(), c.expiry, origin)

    def tooltip(self, c: Contract, col: int) -> str:
        if col == 0:
            notes = f"\n{shown(c.notes)}" if c.notes else ""
            return f"{shown(c.name)}\nSource: {shown(c.source)} (as of {c.as_of}){notes}"
        return super().tooltip(c, col)


class FamiliesModel(_CatalogTable):
    columns = ("Family", "Name", "Underlying", "Contracts", "Origin")
    ORIGIN = 4

    def entries(self, catalog: Catalog) -> Iterable[Family]:
        return catalog.families.values()

    def values(self, f: Family) -> tuple[str, ...]:
        origin = YOURS if f.user_defined else BUILT_IN
        return (f.id, f.name, f.underlying, ", ".join(f.contracts), origin)


class DifferencesModel(_Table):
    columns = ("Contract", "Differs in", "Catalog", "Exchange")

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.rows: list[SizeDifference] = []

    def set_rows(self, rows: list[SizeDifference]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or role not in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.ToolTipRole,
        ):
            return None
        d = self.rows[index.row()]
        what = {"listing": "listing", "kind": "kind", "size": "contract size"}[d.field]
        return (d.contract_id, what, d.catalog, d.exchange)[index.column()]
