"""Sorting of the holdings table: numbers as numbers, and rows mapped back to the document."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)

from hedger.core.models import Holding
from hedger.ui.holdings.columns import SORT_ROLE, Column

Index = QModelIndex | QPersistentModelIndex


class HoldingsSortProxy(QSortFilterProxyModel):
    """Sorts on SORT_ROLE (numbers as numbers, not text) and maps rows back."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self.setSortCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setDynamicSortFilter(True)

    def source_row(self, proxy_row: int) -> int:
        return self.mapToSource(self.index(proxy_row, 0)).row()

    def proxy_row(self, source_row: int) -> int:
        src = self.sourceModel()
        return self.mapFromSource(src.index(source_row, 0)).row()


def source_index(index: Index) -> tuple[QAbstractItemModel, QModelIndex]:
    """Walk down proxy models to the model that owns ``index``."""
    model = index.model()
    if isinstance(index, QPersistentModelIndex):
        index = model.index(index.row(), index.column(), index.parent())
    while isinstance(model, QSortFilterProxyModel):
        index = model.mapToSource(index)
        model = model.sourceModel()
    return model, index


def holding_sort_key(h: Holding, col: int) -> Any:
    if col == Column.SYMBOL:
        return h.symbol
    if col == Column.QUANTITY:
        return float(h.quantity)
    if col == Column.PRICE:
        return float(h.price)
    if col == Column.VALUE:
        return float(h.value)
    if col == Column.BETA:
        return -1e9 if h.is_stablecoin else float(h.effective_beta)
    return None
