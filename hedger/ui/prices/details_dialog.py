"""The last price refresh, symbol by symbol: what changed, what was kept and why.

The status bar has room for one line; this dialog lists every outcome
(updated with old and new price, rejected with the reason, not listed) and
lets the person take a price that was rejected only for how far it moved.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from hedger.core.models import Portfolio
from hedger.services.prices import (
    ACCEPT_HINT,
    RefreshResult,
    describe_key,
    fmt_price,
    instrument_of,
    venue_of,
)
from hedger.ui import format as fmt
from hedger.ui.format import rich

Outcome = Literal["updated", "unchanged", "rejected", "unlisted", "used"]
OUTCOME_TEXT: dict[Outcome, str] = {
    "updated": "Updated",
    "unchanged": "Unchanged",
    "rejected": "Rejected",
    "unlisted": "Not listed",
    "used": "Used anyway",
}
COLUMNS = ("Price", "Outcome", "Before", "Fetched", "Source", "Details")
# Reads on light and dark palettes alike.
REJECTED_COLOR = QColor("#c0392b")
UPDATED_COLOR = QColor("#2e7d5b")
BASIS_NOTE = (
    "Futures prices are the USDT-margined perpetual's mark price, used for every "
    "contract on that coin: CME, dated and inverse contracts trade at a small basis to it."
)

Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True, slots=True)
class OutcomeRow:
    key: str
    outcome: Outcome
    before: Decimal | None
    after: Decimal | None
    source: str
    details: str
    can_use: bool = False


def outcome_rows(result: RefreshResult, before: Portfolio, used: set[str]) -> list[OutcomeRow]:
    """One row per price the refresh asked for, worst outcome first."""
    rows: list[OutcomeRow] = []
    for key, reason in result.kept.items():
        jump = result.jumps.get(key)
        if key in used and jump is not None:
            rows.append(
                OutcomeRow(
                    key,
                    "used",
                    _current(before, key),
                    jump.price,
                    _source_text(jump.source),
                    "You chose to use this price",
                )
            )
            continue
        outcome: Outcome = "rejected" if result.severity.get(key) == "rejected" else "unlisted"
        rows.append(
            OutcomeRow(
                key,
                outcome,
                _current(before, key),
                None if jump is None else jump.price,
                "—" if jump is None else _source_text(jump.source),
                _without_label(key, reason),
                can_use=jump is not None,
            )
        )
    rows.sort(key=lambda r: 0 if r.outcome == "rejected" else 1)
    for u in result.updates:
        if u.source == "par":
            continue
        source = fmt.shown(f"{u.source} {u.instrument}".strip())
        moved = u.old is not None and u.old != u.new
        change = _change_text(u.old, u.new)
        rows.append(
            OutcomeRow(
                u.key,
                "updated" if moved or u.old is None else "unchanged",
                u.old,
                u.new,
                source,
                change,
            )
        )
    return rows


def _without_label(key: str, reason: str) -> str:
    """One line per venue: the refresh joins them with "; " after the symbol."""
    parts: list[str] = []
    for part in reason.removeprefix(f"{describe_key(key)}: ").split("; "):
        if parts and part.startswith(ACCEPT_HINT[:12]):
            parts[-1] += f"; {part}"  # the hint belongs to the line before it
        else:
            parts.append(part)
    return "\n".join(parts)


def _source_text(source: str) -> str:
    instrument = instrument_of(source)
    return fmt.shown(f"{venue_of(source)} {instrument}".strip())


def _change_text(old: Decimal | None, new: Decimal) -> str:
    if old is None or old == 0:
        return "first fetched price"
    if old == new:
        return "market unchanged"
    return fmt.signed_pct((new - old) / old * 100, 2)


def _current(portfolio: Portfolio, key: str) -> Decimal | None:
    if key.startswith("FUT:"):
        return portfolio.hedge.futures_prices.get(key.removeprefix("FUT:"))
    return next((h.price for h in portfolio.holdings if h.symbol == key), None)


class RefreshOutcomeModel(QAbstractTableModel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[OutcomeRow] = []

    def set_rows(self, rows: list[OutcomeRow]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return describe_key(row.key)
            if col == 1:
                return OUTCOME_TEXT[row.outcome]
            if col == 2:
                return "—" if row.before is None else fmt_price(row.before)
            if col == 3:
                return "—" if row.after is None else fmt_price(row.after)
            if col == 4:
                return row.source
            return row.details
        if role == Qt.ItemDataRole.ToolTipRole and col == 5:
            return row.details
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (2, 3):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and col == 1:
            if row.outcome == "rejected":
                return REJECTED_COLOR
            if row.outcome in ("updated", "used"):
                return UPDATED_COLOR
        if role == Qt.ItemDataRole.ForegroundRole and row.outcome == "unlisted" and col != 0:
            return QGuiApplication.palette().color(QPalette.ColorRole.PlaceholderText)
        return None


class RefreshDetailsDialog(QDialog):
    """Every outcome of one refresh; "Use Anyway" takes a rejected jump."""

    useAnyway = Signal(list)  # quote keys

    def __init__(
        self, result: RefreshResult, before: Portfolio, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Price Refresh Details")
        self.setObjectName("refreshDetails")
        self.refresh_result = result
        self._before = before
        self._used: set[str] = set()

        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.venues = QLabel()
        self.venues.setWordWrap(True)
        self.venues.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.model = RefreshOutcomeModel(self)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.verticalHeader().hide()
        self.view.setWordWrap(False)
        self.view.setAlternatingRowColors(True)
        header = self.view.horizontalHeader()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        note = QLabel(BASIS_NOTE)
        note.setWordWrap(True)
        note.setStyleSheet("color: palette(placeholder-text);")

        self.use_button = QPushButton("&Use Anyway")
        self.use_button.setToolTip(
            "Take the selected rejected price: it was refused only because it moved so far "
            "from your last or typed price"
        )
        self.use_button.clicked.connect(self._use_selected)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.use_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)

        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.venues)
        layout.addWidget(self.view, 1)
        layout.addWidget(note)
        layout.addWidget(buttons)
        self.view.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        self._fill()
        self.resize(1000, 460)

    def set_result(self, result: RefreshResult, before: Portfolio) -> None:
        """Show a newer refresh in place (an auto-refresh must not close it under the reader)."""
        self.refresh_result = result
        self._before = before
        self._used.clear()
        self._fill()

    def _fill(self) -> None:
        r = self.refresh_result
        rows = outcome_rows(r, self._before, self._used)
        self.summary.setText(f"<b>{rich(headline(r, rows))}</b>")
        if r.venue_errors:
            lines = "<br>".join(f"• {rich(e)}" for e in r.venue_errors)
            self.venues.setText(f"Venues:<br>{lines}")
            self.venues.show()
        else:
            self.venues.hide()
        self.model.set_rows(rows)
        self.view.resizeRowsToContents()
        first_usable = next((i for i, row in enumerate(self.model.rows) if row.can_use), None)
        if first_usable is not None:
            self.view.selectRow(first_usable)
        self._update_buttons()

    def selected_rows(self) -> list[OutcomeRow]:
        picked = {i.row() for i in self.view.selectionModel().selectedRows()}
        return [self.model.rows[i] for i in sorted(picked)]

    def _update_buttons(self) -> None:
        usable = any(r.can_use for r in self.model.rows)
        self.use_button.setVisible(usable)
        self.use_button.setEnabled(any(r.can_use for r in self.selected_rows()))

    def _use_selected(self) -> None:
        keys = [r.key for r in self.selected_rows() if r.can_use]
        if not keys:
            return
        self._used.update(keys)
        self.useAnyway.emit(keys)
        self._fill()


def headline(result: RefreshResult, rows: list[OutcomeRow]) -> str:
    """ "Refresh at 08:17:03 from Binance: 2 updated, 1 rejected, 1 not listed"."""
    local = result.fetched_at.astimezone().strftime("%H:%M:%S")
    counts: dict[str, int] = {}
    for row in rows:
        name = "updated" if row.outcome in ("updated", "unchanged", "used") else row.outcome
        counts[name] = counts.get(name, 0) + 1
    parts = [
        f"{counts[name]} {label}"
        for name, label in (
            ("updated", "updated"),
            ("rejected", "rejected"),
            ("unlisted", "not listed"),
        )
        if counts.get(name)
    ]
    where = f" from {' + '.join(result.sources)}" if result.sources else ""
    state = " (stopped)" if result.stopped else ""
    body = ", ".join(parts) if parts else "no prices"
    return f"Refresh at {local}{where}{state}: {body}"


__all__ = ["OutcomeRow", "RefreshDetailsDialog", "RefreshOutcomeModel", "headline", "outcome_rows"]
