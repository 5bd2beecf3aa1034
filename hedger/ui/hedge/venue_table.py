"""The Compare Venues table: one underlying's families ranked by cost to hold, then residual.

Rows are ``hedger.services.carry.VenueRow`` (best first). Signs follow
``hedger carry``: funding and basis received are positive, fees are paid,
cost = fees − funding − basis (negative: the hedge earns). A part that is not
known is named in the cell and the cost carries a ``*``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QColor, QFont, QGuiApplication, QPalette
from PySide6.QtWidgets import (
    QWidget,
)

from hedger.ui import format as fmt
from hedger.ui.hedge.carry_view import earn_color, pct2
from hedger.ui.hedge.options_model import accent_background
from hedger.ui.widgets.pill import LabelRole
from hedger.ui.widgets.style import warning_color

if TYPE_CHECKING:
    from hedger.services.carry import VenueRow

Index = QModelIndex | QPersistentModelIndex

FamilyRole = Qt.ItemDataRole.UserRole + 2

COLUMNS = (
    "#",
    "Family",
    "Venue",
    "Option",
    "Hedged",
    "Residual",
    "Funding",
    "Basis",
    "Fees",
    "Rolls",
    "Cost",
    "Per year",
)
(
    COL_RANK,
    COL_FAMILY,
    COL_VENUE,
    COL_OPTION,
    COL_HEDGED,
    COL_RESIDUAL,
    COL_FUNDING,
    COL_BASIS,
    COL_FEES,
    COL_ROLLS,
    COL_COST,
    COL_YEAR,
) = range(len(COLUMNS))
LEFT = frozenset({COL_FAMILY, COL_VENUE, COL_OPTION})

TIPS = (
    "Rank: complete estimates first, then by cost to hold, then by the residual's size",
    "The contract family, sized like your plan (ratio, rounding, leverage, futures price)",
    "Regulated: a US-regulated futures exchange (CME, Coinbase Derivatives). Offshore: "
    "not a US- or EU-regulated exchange; counterparty and access risks are yours",
    "The family's best option: smallest residual, then fewest contracts, then least margin",
    "Notional the option hedges, USD",
    "Target − hedged, USD: left unhedged (+) or over-hedged (−)",
    "Funding a perpetual receives (+) or pays (−) over the horizon at the last 30 days' "
    "average rate (a positive rate: longs pay shorts)",
    "Basis a dated contract earns (+) or gives up (−) over the horizon: F/S − 1 annualised "
    "simply to its expiry, assumed for the contracts rolled into",
    "Opening and closing fees, and both legs of every roll, USD",
    "Calendar rolls within the horizon",
    "Fees − funding − basis over the horizon, USD (negative: the hedge earns). "
    "* a part is not known and not counted",
    "The cost as a share of the hedged amount per year",
)


class VenueRowsModel(QAbstractTableModel):
    """Read-only rows of one ``VenueComparison``; the family in use is tinted."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: tuple[VenueRow, ...] = ()
        self.in_use: str | None = None
        self.horizon_days = 90
        self._palette = QGuiApplication.palette()
        self._bold = QFont()
        self._bold.setBold(True)

    def set_rows(self, rows: tuple[VenueRow, ...], in_use: str | None, horizon_days: int) -> None:
        same = [r.line.family_id for r in rows] == [r.line.family_id for r in self.rows]
        header = horizon_days != self.horizon_days
        self.in_use, self.horizon_days = in_use, horizon_days
        if same and rows:
            self.rows = rows
            self.dataChanged.emit(self.index(0, 0), self.index(len(rows) - 1, len(COLUMNS) - 1))
        else:
            self.beginResetModel()
            self.rows = rows
            self.endResetModel()
        if header:
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, COL_COST, COL_COST)

    def set_palette(self, palette: QPalette) -> None:
        self._palette = QPalette(palette)
        if self.rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.rows) - 1, COL_YEAR))

    def row_of(self, family_id: str) -> int:
        return next((i for i, r in enumerate(self.rows) if r.line.family_id == family_id), -1)

    # -- QAbstractTableModel --------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(COLUMNS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return f"Cost {self.horizon_days} d" if section == COL_COST else COLUMNS[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            return TIPS[section]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _alignment(section)
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row, col = self.rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return cell_text(row, col)
        if role == Qt.ItemDataRole.ToolTipRole:
            return row_tooltip(row)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _alignment(col)
        if role == Qt.ItemDataRole.ForegroundRole:
            return self._foreground(row, col)
        in_use = row.line.family_id == self.in_use
        if role == Qt.ItemDataRole.FontRole:
            return self._bold if in_use and col in (COL_FAMILY, COL_COST) else None
        if role == Qt.ItemDataRole.BackgroundRole:
            return accent_background(self._palette) if in_use else None
        if role == LabelRole:
            return row.label
        if role == FamilyRole:
            return row.line.family_id
        return None

    def _foreground(self, row: VenueRow, col: int) -> QColor | None:
        line = row.line
        if col == COL_FUNDING and line.expiry == "perpetual" and line.funding is None:
            return warning_color(self._palette)
        if col == COL_BASIS and line.expiry != "perpetual" and line.basis is None:
            return warning_color(self._palette)
        if col in (COL_COST, COL_YEAR):
            if line.missing:
                return self._palette.color(QPalette.ColorRole.PlaceholderText)
            if line.total_cost_usd < 0:
                return earn_color(self._palette)
        if col == COL_RESIDUAL and row.residual_usd < 0:
            return warning_color(self._palette)
        if col in (COL_FUNDING, COL_BASIS, COL_ROLLS) and cell_text(row, col) == fmt.DASH:
            return self._palette.color(QPalette.ColorRole.PlaceholderText)
        return None


def _alignment(col: int) -> int:
    if col in LEFT:
        return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    if col == COL_RANK:
        return int(Qt.AlignmentFlag.AlignCenter)
    return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


def cell_text(row: VenueRow, col: int) -> str:
    line = row.line
    perpetual = line.expiry == "perpetual"
    if col == COL_RANK:
        return str(row.rank)
    if col == COL_FAMILY:
        return line.family_name
    if col == COL_VENUE:
        return row.label.capitalize()
    if col == COL_OPTION:
        return line.option.capitalize()
    if col == COL_HEDGED:
        return fmt.money(row.hedged_usd, 0)
    if col == COL_RESIDUAL:
        return fmt.money(row.residual_usd, 0)
    if col == COL_FUNDING:
        if not perpetual:
            return fmt.DASH
        return "no data" if line.funding is None else fmt.signed_money(line.funding.usd, 0)
    if col == COL_BASIS:
        if perpetual:
            return fmt.DASH
        return "not typed" if line.basis is None else fmt.signed_money(line.basis.usd, 0)
    if col == COL_FEES:
        return fmt.money(line.fees_usd, 0)
    if col == COL_ROLLS:
        return fmt.DASH if perpetual or line.rolls is None else str(line.roll_count)
    if col == COL_COST:
        return fmt.money(row.total_cost_usd, 0) + ("*" if line.missing else "")
    if col == COL_YEAR:
        rate = row.annual_rate
        return fmt.DASH if rate is None else pct2(rate * 100)
    return ""


def row_tooltip(row: VenueRow) -> str:
    line = row.line
    head = f"{row.rank}. {line.family_name} ({line.family_id}), {line.option}: {row.words}"
    return "\n".join([head, *(f"• {w}" for w in line.words), "", line.venue_info.text])
