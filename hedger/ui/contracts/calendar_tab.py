"""The Contracts dialog's Calendar tab: when each contract expires and rolls, or how it funds.

Rows are ``hedger.services.carry.contract_calendar``: per contract its venue
label (regulated, offshore, example), the expiry rule in words, the next
expiries, the next roll date (the rule's business days before expiry), the
settlement index, and for perpetuals the stored funding in words. Working
them out loads the holiday calendars and reads the stored funding, so it
runs in the background the first time the tab is shown.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QGuiApplication, QPalette, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLineEdit,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from hedger.ui.format import rich, shown
from hedger.ui.tasks import TaskRunner, TaskState, error_text
from hedger.ui.widgets.pill import LabelPillDelegate, LabelRole
from hedger.ui.widgets.style import dim
from hedger.ui.widgets.wrap_label import WrapLabel

if TYPE_CHECKING:
    from hedger.core.catalog import Catalog
    from hedger.services.carry import CalendarRow

Index = QModelIndex | QPersistentModelIndex

COLUMNS = (
    "Contract",
    "Label",
    "Next expiries",
    "Next roll",
    "Settles to",
    "Expiry rule or funding",
)
(COL_CONTRACT, COL_LABEL, COL_EXPIRIES, COL_ROLL, COL_SETTLES, COL_RULE) = range(len(COLUMNS))
TIPS = (
    "The contract's id in the catalog: venue and symbol",
    "Regulated: a US-regulated futures exchange (CME, Coinbase Derivatives). Offshore: not a "
    "US- or EU-regulated exchange. Example: no exchange",
    "The next expiry dates from the contract's calendar (holidays moved as the rule says)",
    "The roll date before the next expiry: the rule's business days (bd) before it (5 for "
    "CME monthly contracts)",
    "The index the contract settles to at expiry",
    "Dated contracts: when they expire. Perpetuals: the funding stored, in words",
)


def short_date(day: date, year: bool = True) -> str:
    return f"{day.day} {day.strftime('%b %Y' if year else '%b')}"


def expiries_text(days: tuple[date, ...]) -> str:
    """``24 Dec 2026 · 29 Jan 2027 · 26 Feb``: a year where it changes."""
    out: list[str] = []
    for i, d in enumerate(days):
        out.append(short_date(d, year=i == 0 or d.year != days[i - 1].year))
    return " · ".join(out)


def cell_text(row: CalendarRow, col: int) -> str:
    perpetual = row.expiry == "perpetual"
    if col == COL_CONTRACT:
        return row.contract_id
    if col == COL_LABEL:
        return row.label.capitalize()
    if col == COL_EXPIRIES:
        if perpetual:
            return "perpetual"
        return expiries_text(row.next_expiries) or "not known"
    if col == COL_ROLL:
        if row.next_roll is None:
            return "—"
        return f"{short_date(row.next_roll)} ({row.roll_days} bd)"
    if col == COL_SETTLES:
        return row.settlement_index or "—"
    if col == COL_RULE:
        return (row.funding_text or row.rule_text) if perpetual else row.rule_text
    return ""


def row_tooltip(row: CalendarRow) -> str:
    lines = [row.contract_id, row.rule_text]
    if row.funding_text:
        lines.append(f"Funding: {row.funding_text}")
    if row.cutoff:
        lines.append(f"Last trading: {row.cutoff}")
    if row.listing:
        lines.append(f"Listed: {row.listing}")
    if row.settlement_index:
        lines.append(f"Settles to {row.settlement_index}")
    lines += [row.label_text, f"Source: {shown(row.source)}"]
    return "\n".join(lines)


class CalendarModel(QAbstractTableModel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[CalendarRow] = []

    def set_rows(self, rows: list[CalendarRow]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

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
            return COLUMNS[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            return TIPS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row, col = self.rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return cell_text(row, col)
        if role == Qt.ItemDataRole.ToolTipRole:
            return row_tooltip(row)
        if role == LabelRole:
            return row.label
        if role == Qt.ItemDataRole.ForegroundRole and (
            (col == COL_RULE and row.expiry == "perpetual" and row.funding_text is None)
            or cell_text(row, col) in ("—", "not known")
            or (col == COL_RULE and (row.funding_text or "").startswith("no funding"))
        ):
            return QGuiApplication.palette().color(QPalette.ColorRole.PlaceholderText)
        return None


class CalendarTab(QWidget):
    """Every contract's calendar, filterable; worked out when first shown."""

    def __init__(self, catalog: Catalog, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.catalog = catalog
        self.error: str | None = None
        self._loaded_for: Catalog | None = None
        self._task = TaskRunner(self, name="hedger-calendar")
        self.model = CalendarModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterKeyColumn(-1)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("Filter: CME, perpetual, offshore, BTC…")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self.proxy.setFilterFixedString)
        self.view = self._table()
        self.status = dim(WrapLabel("Working out the calendars…"))
        self.status.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.status)
        self.pages.addWidget(self.view)
        self.details = WrapLabel("")
        self.details.setObjectName("calendarDetails")
        self.details.setTextFormat(Qt.TextFormat.RichText)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details.setMinimumHeight(self.fontMetrics().height() * 4)
        self.view.selectionModel().selectionChanged.connect(lambda *_: self._show_details())
        note = dim(
            WrapLabel(
                "Expiries follow each venue's published rule (holidays as the rule says); a roll "
                "closes the expiring contract and opens the next, the business days (bd) before "
                "expiry shown. Select a contract for its whole rule, cut-off, listing and source."
            )
        )
        lay = QVBoxLayout(self)
        lay.addWidget(self.filter)
        lay.addWidget(self.pages, 1)
        lay.addWidget(self.details)
        lay.addWidget(note)

    def _table(self) -> QTableView:
        view = QTableView()
        view.setObjectName("calendarTable")
        view.setModel(self.proxy)
        view.setItemDelegateForColumn(COL_LABEL, LabelPillDelegate(view))
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        view.setAlternatingRowColors(True)
        view.setWordWrap(False)
        view.verticalHeader().hide()
        view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 10)
        header = view.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        # The long texts share what is left; the row's tooltip has them whole.
        header.setSectionResizeMode(COL_SETTLES, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(COL_SETTLES, view.fontMetrics().horizontalAdvance("M" * 16))
        header.setSectionResizeMode(COL_RULE, QHeaderView.ResizeMode.Stretch)
        return view

    def set_catalog(self, catalog: Catalog) -> None:
        self.catalog = catalog
        if self.isVisible():
            self.load()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._loaded_for is not self.catalog:
            self.load()

    @property
    def busy(self) -> bool:
        return self._task.busy

    def wait(self, timeout_s: float = 30.0) -> bool:
        return self._task.wait(timeout_s)

    def load(self) -> None:
        """Work out the rows in the background (holidays, stored funding)."""
        catalog = self.catalog
        self._loaded_for = catalog
        if not self.model.rows:
            self.pages.setCurrentWidget(self.status)

        def job(_state: TaskState) -> list[CalendarRow]:
            from hedger.services.carry import contract_calendar
            from hedger.services.funding import funding_statistics, load_funding, perpetuals

            stats = funding_statistics(load_funding(c.id for c in perpetuals(catalog)))
            return contract_calendar(catalog, funding=stats)

        self._task.start(job, self._loaded, self._failed)

    def _loaded(self, rows: list[CalendarRow]) -> None:
        self.error = None
        self.model.set_rows(rows)
        self.pages.setCurrentWidget(self.view)
        first = next((i for i, r in enumerate(rows) if r.next_expiries), 0)
        if rows:
            self.view.selectRow(self.proxy.mapFromSource(self.model.index(first, 0)).row())

    def selected(self) -> CalendarRow | None:
        rows = self.view.selectionModel().selectedRows()
        if not rows:
            return None
        return self.model.rows[self.proxy.mapToSource(rows[0]).row()]

    def _show_details(self) -> None:
        """The selected contract's rule, cut-off, listing, settlement and source, whole."""
        row = self.selected()
        if row is None:
            self.details.setText("")
            return
        facts = [f"<b>{rich(row.contract_id)}</b> · {rich(row.label_text)}", rich(row.rule_text)]
        if row.funding_text:
            facts.append(f"Funding: {rich(row.funding_text)}")
        if row.cutoff or row.listing:
            facts.append(
                " · ".join(
                    part
                    for part in (
                        f"Last trading {rich(row.cutoff)}" if row.cutoff else "",
                        f"listed: {rich(row.listing)}" if row.listing else "",
                    )
                    if part
                )
            )
        if row.settlement_index:
            facts.append(f"Settles to {rich(row.settlement_index)}")
        muted = self.palette().color(QPalette.ColorRole.PlaceholderText).name()
        facts.append(f"<span style='color:{muted}'>Source: {rich(shown(row.source))}</span>")
        self.details.setText("<br>".join(facts))

    def _failed(self, exc: Exception) -> None:
        self.error = error_text(exc)
        self.status.setText(f"The calendars could not be worked out: {self.error}")
        self.pages.setCurrentWidget(self.status)
