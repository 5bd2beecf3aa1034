"""Table model of the futures positions the open portfolio holds, one row per Position.

Like the holdings model it keeps no data: it reads the document and sends each
edit back as one undo step (``PortfolioDocument.set_book``). The value and the
P&L columns are read from the plan's gaps (today's futures price).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import ValidationError
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor

from hedger.core.decimals import DecimalParseError, fmt_decimal, fmt_money, parse_decimal
from hedger.core.models import Position
from hedger.ui.document.document import PortfolioDocument, validation_message

Index = QModelIndex | QPersistentModelIndex

# (field, header, editable)
COLUMNS: tuple[tuple[str, str, bool], ...] = (
    ("contract", "Contract", True),
    ("quantity", "Contracts", True),
    ("entry_price", "Entry", True),
    ("value", "Value", False),
    ("pnl", "P&L", False),
    ("collateral_usd", "Collateral", True),
    ("margin_mode", "Margin", True),
    ("account", "Account", True),
    ("expiry", "Expiry", True),
)
FIELDS = tuple(c[0] for c in COLUMNS)
NUMERIC = frozenset({"quantity", "entry_price", "collateral_usd", "value", "pnl"})


def parse_field(field: str, text: str) -> object:
    """Text typed into a cell -> the value for that Position field; ValueError with a reason."""
    text = text.strip()
    if field in ("collateral_usd", "account", "expiry") and text in ("", "-"):
        return None
    if field in ("quantity", "entry_price", "collateral_usd"):
        try:
            return parse_decimal(text, what=field.replace("_", " "))
        except DecimalParseError as exc:
            raise ValueError(str(exc)) from None
    if field == "contract":
        venue, sep, symbol = text.partition(":")
        return f"{venue.upper()}:{symbol}" if sep else text
    if field == "margin_mode":
        return text.lower()
    return text


class PositionsTableModel(QAbstractTableModel):
    editRefused = Signal(str)

    def __init__(self, document: PortfolioDocument, parent: Any = None) -> None:
        super().__init__(parent)
        self._doc = document
        self._values: dict[int, tuple[Decimal, Decimal | None]] = {}
        document.bookChanged.connect(self._reset)
        document.planChanged.connect(self._on_plan)
        self._on_plan()

    @property
    def positions(self) -> tuple[Position, ...]:
        return self._doc.portfolio.positions

    def _reset(self) -> None:
        self.beginResetModel()
        self.endResetModel()

    def _on_plan(self, *_args: object) -> None:
        # Values at today's futures price, by the position's identity in the tuple.
        values: dict[int, tuple[Decimal, Decimal | None]] = {}
        for u in self._doc.plan.underlyings:
            g = u.position_gap
            if g is None:
                continue
            for line in (*g.held, *g.other):
                values[id(line.position)] = (line.usd, line.pnl_usd)
        self._values = values
        if self.rowCount():
            first = self.index(0, FIELDS.index("value"))
            last = self.index(self.rowCount() - 1, FIELDS.index("pnl"))
            self.dataChanged.emit(first, last)

    # -- Qt ------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.positions)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(COLUMNS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section][1]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            align = (
                Qt.AlignmentFlag.AlignRight
                if FIELDS[section] in NUMERIC
                else Qt.AlignmentFlag.AlignLeft
            )
            return align | Qt.AlignmentFlag.AlignVCenter
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.isValid() and COLUMNS[index.column()][2]:
            base |= Qt.ItemFlag.ItemIsEditable
        return base

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.positions):
            return None
        p = self.positions[index.row()]
        field = FIELDS[index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return self._text(p, field, role == Qt.ItemDataRole.EditRole)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            align = Qt.AlignmentFlag.AlignRight if field in NUMERIC else Qt.AlignmentFlag.AlignLeft
            return align | Qt.AlignmentFlag.AlignVCenter
        if role == Qt.ItemDataRole.ForegroundRole:
            return self._colour(p, field)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tip(p, field)
        return None

    def _text(self, p: Position, field: str, editing: bool) -> str:
        if field == "value" or field == "pnl":
            found = self._values.get(id(p))
            if found is None:
                return "—"
            value = found[0] if field == "value" else found[1]
            if value is None:
                return "—"
            sign = "+" if field == "pnl" and value > 0 else ""
            return sign + fmt_money(value, 0)
        value = getattr(p, field)
        if value is None:
            return "" if editing else "—"
        if field == "quantity":
            return fmt_decimal(value)
        if field in ("entry_price", "collateral_usd"):
            return fmt_decimal(value) if editing else fmt_money(value, 2 if value < 1000 else 0)
        if field == "expiry":
            return str(value.isoformat())
        return str(value)

    def _colour(self, p: Position, field: str) -> QBrush | None:
        if field == "quantity":
            return QBrush(QColor("#c0392b" if p.quantity < 0 else "#1e8449"))
        if field == "pnl":
            found = self._values.get(id(p))
            if found is not None and found[1]:
                return QBrush(QColor("#c0392b" if found[1] < 0 else "#1e8449"))
        if field == "contract" and p.contract not in self._doc.catalog.contracts:
            return QBrush(QColor("#c0392b"))
        return None

    def _tip(self, p: Position, field: str) -> str | None:
        c = self._doc.catalog.contracts.get(p.contract)
        if field == "contract":
            return c.name if c is not None else "Not in the contract catalog: not counted"
        if field == "quantity":
            return "Contracts held; negative is a short (the usual hedge)"
        if field == "expiry":
            return "Delivery date of a dated contract; empty: the contract's front month"
        if field == "source":
            return p.source
        if field in ("value", "pnl"):
            return "At today's futures price of the underlying"
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid():
            return False
        field = FIELDS[index.column()]
        row = index.row()
        try:
            parsed = parse_field(field, str(value))
            self.set_field(row, field, parsed)
        except ValueError as exc:
            self.editRefused.emit(f"{COLUMNS[index.column()][1]}: {exc}")
            return False
        return True

    def set_field(self, row: int, field: str, value: object) -> None:
        """One undoable edit of one position field; ValueError with the reason."""
        old = self.positions[row]
        if getattr(old, field) == value:
            return
        data = old.model_dump()
        data[field] = value
        try:
            new = Position.model_validate(data)
        except ValidationError as exc:
            raise ValueError(validation_message(exc)) from None
        if new.contract not in self._doc.catalog.contracts:
            raise ValueError(f"unknown contract {new.contract} (see Prices ▸ Contracts…)")
        positions = list(self.positions)
        positions[row] = new
        self._doc.set_book(f"Edit Position {COLUMNS[FIELDS.index(field)][1]}", tuple(positions))
