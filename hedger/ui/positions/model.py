"""Table model of the futures positions the open portfolio holds, one row per Position.

Like the holdings model it keeps no data: it reads the document and sends each
edit back as one undo step (``PortfolioDocument.set_book``). The value and the
P&L columns are read from the plan's gaps (today's futures price).

A position shows twice, each with its unit: in the venue's own unit, as its
screen shows it ("-0.6 BTC" on Binance, "-30,000 USD" on Deribit, "-3
contracts" on CME), and in contracts of the catalog contract. A bare number
typed into the first is in the venue's unit, into the second in contracts; a
number with a unit ("0.6 BTC") is read in that unit. Quantities off the venue's
step, below its minimum or 0 are refused with the nearest valid one.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import ValidationError
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor

from hedger.core.decimals import DecimalParseError, fmt_decimal, fmt_money, parse_decimal
from hedger.core.held_quantity import (
    HeldQuantityError,
    check_held,
    grouped,
    parse_held,
    venue_text,
    venue_unit,
)
from hedger.core.models import Position
from hedger.ui.document.document import PortfolioDocument, validation_message

Index = QModelIndex | QPersistentModelIndex

# (field, header, editable)
COLUMNS: tuple[tuple[str, str, bool], ...] = (
    ("contract", "Contract", True),
    ("venue_quantity", "Venue qty", True),
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
NUMERIC = frozenset({"venue_quantity", "quantity", "entry_price", "collateral_usd", "value", "pnl"})
HEADER_TIPS = {
    "venue_quantity": (
        "The position as the venue's screen shows it, in its unit: BTC or ETH on Binance and "
        "Bybit USDT perpetuals, USD on Deribit, Bybit and Kraken inverse, contracts on CME, "
        "OKX and Binance COIN-M. A number typed here is in that unit."
    ),
    "quantity": (
        "Contracts of the catalog contract (negative: short). A number typed here is in "
        "contracts; add a unit to give it another way (0.6 BTC)."
    ),
}


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
        if role == Qt.ItemDataRole.ToolTipRole:
            return HEADER_TIPS.get(FIELDS[section])
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
        if field == "venue_quantity":
            c = self._doc.catalog.contracts.get(p.contract)
            return "—" if c is None else venue_text(c, p.quantity)
        value = getattr(p, field)
        if value is None:
            return "" if editing else "—"
        if field == "quantity":
            return fmt_decimal(value) if editing else grouped(value)
        if field in ("entry_price", "collateral_usd"):
            return fmt_decimal(value) if editing else fmt_money(value, 2 if value < 1000 else 0)
        if field == "expiry":
            return str(value.isoformat())
        return str(value)

    def _colour(self, p: Position, field: str) -> QBrush | None:
        if field in ("quantity", "venue_quantity"):
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
        if field in ("quantity", "venue_quantity") and c is not None:
            from hedger.core.held_quantity import held_text

            return f"{held_text(c, p.quantity)}; negative is a short (the usual hedge)"
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
            if field in ("quantity", "venue_quantity"):
                parsed: object = self._held(row, field, str(value))
                field = "quantity"
            else:
                parsed = parse_field(field, str(value))
            self.set_field(row, field, parsed)
        except ValueError as exc:
            self.editRefused.emit(f"{COLUMNS[index.column()][1]}: {exc}")
            return False
        return True

    def _held(self, row: int, field: str, text: str) -> object:
        """Contracts from a quantity typed into the venue's column or the contracts one."""
        c = self._doc.catalog.contracts.get(self.positions[row].contract)
        if c is None:
            return parse_field("quantity", text)
        unit = venue_unit(c) if field == "venue_quantity" else "contracts"
        try:
            return parse_held(c, text, unit)
        except HeldQuantityError as exc:
            raise ValueError(str(exc)) from None

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
        c = self._doc.catalog.contracts.get(new.contract)
        if c is None:
            raise ValueError(f"unknown contract {new.contract} (see Prices ▸ Contracts…)")
        try:
            check_held(c, new.quantity)  # a new contract may have another step
        except HeldQuantityError as exc:
            raise ValueError(str(exc)) from None
        positions = list(self.positions)
        positions[row] = new
        self._doc.set_book(f"Edit Position {COLUMNS[FIELDS.index(field)][1]}", tuple(positions))
