"""Compare Venues…: every family that can hedge each coin, ranked by what it costs to hold.

The ranking is ``hedger.services.carry.compare_venues`` (worked out by the
shared ``CarryState`` while this dialog is open): each family sized like the
plan, its best option, ranked complete estimates first, then by cost to hold
over the horizon, then by the residual. Perpetuals need stored funding
(Refresh Funding downloads it, Esc or Stop stops); dated contracts need a
basis, typed here by family for CME and Coinbase (no free public price).
"Use This Family" makes the selected family the coin's hedge, as one undo step.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelection, Qt, QTimer
from PySide6.QtGui import QCloseEvent, QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QStackedWidget,
    QTabBar,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from hedger.core.decimals import DecimalParseError
from hedger.core.percent import parse_share
from hedger.ui import format as fmt
from hedger.ui.document.document import EditRefused
from hedger.ui.format import rich
from hedger.ui.hedge.carry_state import MAX_HORIZON_DAYS, CarryState
from hedger.ui.hedge.carry_view import pct2, roll_spin
from hedger.ui.hedge.funding_refresh import FundingRefresh
from hedger.ui.hedge.options_delegates import PaddedDelegate
from hedger.ui.hedge.venue_table import (
    COL_FAMILY,
    COL_VENUE,
    COLUMNS,
    VenueRowsModel,
)
from hedger.ui.widgets.cards import Card
from hedger.ui.widgets.pill import LabelPillDelegate
from hedger.ui.widgets.style import dim, error_color, scaled_font
from hedger.ui.widgets.wrap_label import WrapLabel

if TYPE_CHECKING:
    from hedger.core.catalog import Contract
    from hedger.services.carry import VenueComparison, VenueRow

INTRO = (
    "Every contract family that can hedge the coin, sized like your plan (ratio, rounding, "
    "leverage, futures price), ranked by what the hedge costs to hold: fees − funding − basis "
    "(negative: it earns), then by what it leaves unhedged. * a part is not known and not "
    "counted: estimates with every part known rank first."
)
BASIS_TIP = (
    "Basis F/S − 1 of the contract the hedge opens, in percent (1.5 = futures 1.5 % above "
    "spot): the front contract, or the next one once the front is inside its roll window. "
    "CME and Coinbase publish no free futures price: type it from your broker. It converges "
    "to zero by expiry, so a short earns it; it is annualised over the days to that expiry but "
    "never fewer than one cycle (35 days for monthly contracts, 7 for weekly), and the "
    "contracts rolled into are assumed to trade at the same annual basis. Beyond ±30 %/yr it "
    "is flagged. Kept for this session only."
)


class CompareVenuesDialog(QDialog):
    """Per underlying, the families ranked; funding refresh and typed basis."""

    def __init__(self, state: CarryState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("compareVenuesDialog")
        self.setWindowTitle("Compare Venues")
        self.state = state
        self.document = state.document
        self._names: tuple[str, ...] = ()
        self._current: str | None = None
        self._basis_edits: dict[str, QLineEdit] = {}
        self._wanted = False
        self._build()
        state.changed.connect(self._refill)
        state.changed.connect(self._update_funding_contracts)
        state.settingsChanged.connect(self._sync_controls)
        self.document.planChanged.connect(self._update_funding_contracts)
        self.document.planChanged.connect(self._update_use_button)
        self.refresh.finished.connect(lambda _d: self.state.funding_refreshed())
        # The Stop button goes away at the end: the keys go back to the ranking.
        self.refresh.runningChanged.connect(lambda running: running or self.table.setFocus())
        self._sync_controls()
        self._refill()
        self.resize(1120, 630)

    # -- construction --------------------------------------------------------------------------
    def _build(self) -> None:
        self.horizon = QSpinBox()
        self.horizon.setObjectName("compareHorizon")
        self.horizon.setRange(1, MAX_HORIZON_DAYS)
        self.horizon.setSuffix(" days")
        self.horizon.valueChanged.connect(self.state.set_horizon)
        self.roll = roll_spin()
        self.roll.valueChanged.connect(lambda v: self.state.set_roll_days(None if v < 0 else v))
        self.refresh = FundingRefresh()
        controls = QHBoxLayout()
        controls.setSpacing(6)
        controls.addWidget(dim(QLabel("Hold for")))
        controls.addWidget(self.horizon)
        controls.addSpacing(10)
        controls.addWidget(dim(QLabel("Roll dated contracts")))
        controls.addWidget(self.roll)
        controls.addSpacing(24)
        controls.addWidget(self.refresh, 1)

        self.tabs = QTabBar()
        self.tabs.setObjectName("compareTabs")
        self.tabs.setDocumentMode(True)
        self.tabs.setExpanding(False)
        self.tabs.setDrawBase(True)
        self.tabs.currentChanged.connect(self._on_tab)
        self.target = dim(QLabel(""))
        self.target.setObjectName("compareTarget")
        self.model = VenueRowsModel(self)
        self.table = self._make_table()
        self.empty = dim(WrapLabel(""))
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.table)
        self.pages.addWidget(self.empty)

        self.basis_row = QHBoxLayout()
        self.basis_row.setSpacing(6)
        self.basis_box = QWidget()
        self.basis_box.setLayout(self.basis_row)
        self.basis_box.setToolTip(BASIS_TIP)

        self._build_details()
        bottom = self._build_bottom()

        lay = QVBoxLayout(self)
        lay.setSpacing(8)
        lay.addWidget(dim(WrapLabel(INTRO)))
        lay.addLayout(controls)
        tab_row = QHBoxLayout()
        tab_row.addWidget(self.tabs)
        tab_row.addStretch(1)
        tab_row.addWidget(self.target)
        lay.addLayout(tab_row)
        lay.addWidget(self.pages, 1)
        lay.addWidget(self.basis_box)
        lay.addWidget(self.details)
        lay.addLayout(bottom)

    def _build_details(self) -> None:
        """The selected family's words: every part of its cost, and its venue."""
        self.details = Card()
        self.details_title = QLabel("")
        self.details_title.setFont(scaled_font(self, 1.0, bold=True))
        self.details_title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details_text = WrapLabel("")
        self.details_text.setObjectName("compareDetails")
        self.details_text.setTextFormat(Qt.TextFormat.RichText)
        self.details_text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        dl = QVBoxLayout(self.details)
        dl.setContentsMargins(14, 8, 14, 8)
        dl.setSpacing(2)
        dl.addWidget(self.details_title)
        dl.addWidget(self.details_text)

    def _build_bottom(self) -> QHBoxLayout:
        """A message line (a refused basis, a family switched), Use This Family and Close."""
        self.message = QLabel("")
        self.message.setObjectName("compareMessage")
        self.use_button = QPushButton("Use This Family")
        self.use_button.setObjectName("useFamily")
        self.use_button.setToolTip("Hedge this coin with the selected family (Undo reverts it)")
        self.use_button.clicked.connect(self.use_selected)
        close = QPushButton("Close")
        close.clicked.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addWidget(self.message, 1)
        bottom.addWidget(self.use_button)
        bottom.addWidget(close)
        return bottom

    def _make_table(self) -> QTableView:
        table = QTableView()
        table.setObjectName("venueTable")
        table.setModel(self.model)
        table.setItemDelegate(PaddedDelegate(table))
        table.setItemDelegateForColumn(COL_VENUE, LabelPillDelegate(table))
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.verticalHeader().hide()
        table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 12)
        table.setShowGrid(False)
        table.setWordWrap(False)
        table.setAlternatingRowColors(True)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COL_FAMILY, QHeaderView.ResizeMode.Stretch)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        header.setHighlightSections(False)
        header.setMinimumSectionSize(40)
        table.selectionModel().selectionChanged.connect(self._on_selection)
        table.setAccessibleName("Venues ranked by cost to hold")
        return table

    # -- showing -------------------------------------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._wanted:
            self._wanted = True
            self.state.want_comparisons(True)
        self._update_funding_contracts()
        # Arrow keys move through the ranking (not the first spin box of the dialog).
        self.table.setFocus()
        QTimer.singleShot(0, self.table.setFocus)

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        if self._wanted:
            self._wanted = False
            self.state.want_comparisons(False)

    def show_underlying(self, name: str) -> None:
        """Show ``name``'s ranking (the hedge panel's current coin)."""
        self._rebuild_tabs()
        if name in self._names:
            self.tabs.setCurrentIndex(self._names.index(name))

    def current_underlying(self) -> str | None:
        return self._current

    def _sync_controls(self) -> None:
        for spin, value in (
            (self.horizon, self.state.horizon_days),
            (self.roll, -1 if self.state.roll_days is None else self.state.roll_days),
        ):
            if spin.value() != value:
                blocked = spin.blockSignals(True)
                spin.setValue(value)
                spin.blockSignals(blocked)

    def _rebuild_tabs(self) -> None:
        plan = self.document.plan
        names = tuple(u.underlying for u in plan.underlyings)
        if names == self._names:
            return
        previous = self._current
        self._names = names
        blocked = self.tabs.blockSignals(True)
        try:
            while self.tabs.count():
                self.tabs.removeTab(self.tabs.count() - 1)
            for u in plan.underlyings:
                i = self.tabs.addTab(u.underlying)
                self.tabs.setTabToolTip(i, f"Target {fmt.usd(abs(u.target_usd))}")
            keep = previous if previous in names else (names[0] if names else None)
            if keep is not None:
                self.tabs.setCurrentIndex(names.index(keep))
            self._current = keep
        finally:
            self.tabs.blockSignals(blocked)

    def _on_tab(self, index: int) -> None:
        self._current = self._names[index] if 0 <= index < len(self._names) else None
        self._refill()

    def _refill(self) -> None:
        self._rebuild_tabs()
        comparison = self.state.comparison(self._current) if self._current else None
        self.target.setText(self._target_text())
        if comparison is None or not comparison.rows:
            self.model.set_rows((), None, self.state.horizon_days)
            # While the first ranking is worked out the (empty) table stays: it
            # takes the keyboard focus when the dialog opens.
            working = self._current is not None and comparison is None
            working = working and not (self.state.result and self.state.result.problem)
            self.pages.setCurrentWidget(self.table if working else self.empty)
            self.empty.setText(self._empty_text(comparison))
            self._fill_basis(None)
            self._show_details(None)
            return
        self.pages.setCurrentWidget(self.table)
        in_use = self._family_in_use()
        selected = self.selected_family()
        self.model.set_rows(comparison.rows, in_use, self.state.horizon_days)
        # The row selected before (when it is still there), else the family in use.
        keep = next(
            (r for r in (self.model.row_of(f or "") for f in (selected, in_use)) if r >= 0), 0
        )
        self.table.selectRow(keep)
        self._fill_basis(comparison)
        self._show_details(self.selected_row())
        self._update_use_button()

    def _empty_text(self, comparison: VenueComparison | None) -> str:
        if self._current is None:
            return "Nothing to hedge: add holdings to compare venues."
        if comparison is None:
            result = self.state.result
            if result is not None and result.problem:
                return result.problem
            return "Working out the cost to hold with every family…"
        return f"{self._current}: {comparison.problem or 'no family can hedge it'}."

    def _target_text(self) -> str:
        u = self.document.plan.underlying(self._current) if self._current else None
        if u is None:
            return ""
        side = "short" if u.side == "short" else "long"
        text = f"Target {fmt.usd(abs(u.target_usd))} ({side} futures)"
        return text + (f" · hedged now with {u.family.name}" if u.family is not None else "")

    def _family_in_use(self) -> str | None:
        u = self.document.plan.underlying(self._current) if self._current else None
        return u.family.id if u is not None and u.family is not None else None

    # -- selection and details -----------------------------------------------------------------
    def selected_row(self) -> VenueRow | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or not 0 <= rows[0].row() < len(self.model.rows):
            return None
        return self.model.rows[rows[0].row()]

    def selected_family(self) -> str | None:
        row = self.selected_row()
        return row.line.family_id if row is not None else None

    def select_family(self, family_id: str) -> None:
        row = self.model.row_of(family_id)
        if row >= 0:
            self.table.selectRow(row)

    def _on_selection(self, _sel: QItemSelection, _desel: QItemSelection) -> None:
        self._show_details(self.selected_row())
        self._update_use_button()

    def _show_details(self, row: VenueRow | None) -> None:
        self.details.setVisible(row is not None)
        if row is None:
            return
        line = row.line
        verb = "earns" if row.total_cost_usd < 0 else "costs"
        per_year = "" if row.annual_rate is None else f" ({pct2(row.annual_rate * 100)}/yr)"
        self.details_title.setText(
            f"{row.rank}. {line.family_name} · {line.option} · {line.venue} "
            f"({row.label}): {verb} {fmt.usd(abs(row.total_cost_usd))} over "
            f"{line.horizon_days} days{per_year}"
        )
        items = [*line.words, line.venue_info.text]
        if line.missing:
            items.append("Not counted: " + ", ".join(line.missing) + ".")
        self.details_text.setText(
            "<ul style='margin-left:-24px'>"
            + "".join(f"<li>{rich(w[:1].upper() + w[1:])}</li>" for w in items)
            + "</ul>"
        )

    def _update_use_button(self, *_args: object) -> None:
        family = self.selected_family()
        in_use = self._family_in_use()
        used = family is not None and family == in_use
        self.use_button.setEnabled(family is not None and not used)
        self.use_button.setText("In Use" if used else "Use This Family")

    def use_selected(self) -> None:
        family = self.selected_family()
        if family is None or self._current is None:
            return
        try:
            self.document.set_underlying_setting(
                self._current, "family", family, "Change Contract Family"
            )
        except EditRefused as exc:
            self._say(str(exc), error=True)
            return
        self._say(f"{self._current} is now hedged with {family} (Undo reverts it).")

    def _say(self, text: str, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(f"color: {error_color().name()};" if error else "")

    # -- typed basis ---------------------------------------------------------------------------
    def _fill_basis(self, comparison: VenueComparison | None) -> None:
        """One field per dated family of this coin with a calendar (rebuilt when they change)."""
        rows = [r for r in comparison.rows if r.line.expiry != "perpetual"] if comparison else []
        # In a fixed order: the fields stay put while the ranking moves.
        rows = sorted((r for r in rows if r.line.rolls is not None), key=lambda r: r.line.family_id)
        ids = [r.line.family_id for r in rows]
        if ids != list(self._basis_edits):
            self._clear_basis()
            if ids:
                title = dim(QLabel("Basis now (F/S − 1):"))
                self.basis_row.addWidget(title)
            for r in rows:
                self.basis_row.addSpacing(10)
                self.basis_row.addWidget(QLabel(r.line.family_id))
                edit = QLineEdit()
                edit.setObjectName(f"basis:{r.line.family_id}")
                edit.setFixedWidth(self.fontMetrics().horizontalAdvance("0000.000") + 16)
                edit.setAlignment(Qt.AlignmentFlag.AlignRight)
                edit.setToolTip(f"{r.line.family_name}\n{BASIS_TIP}")
                edit.editingFinished.connect(lambda fid=r.line.family_id: self._basis_entered(fid))
                self.basis_row.addWidget(edit)
                self.basis_row.addWidget(dim(QLabel("%")))
                self._basis_edits[r.line.family_id] = edit
            self.basis_row.addStretch(1)
        typed = self.state.basis
        warnings = [r.line.basis.warning for r in rows if r.line.basis and r.line.basis.warning]
        if warnings:
            self._say(warnings[0][:1].upper() + warnings[0][1:] + ".")
        for r in rows:
            edit = self._basis_edits[r.line.family_id]
            value = typed.get(r.line.family_id)
            if value is not None and not edit.hasFocus():
                edit.setText(f"{fmt.grouped(value * 100)}%")
            elif value is None and not edit.hasFocus():
                edit.setText("")
                # A futures price typed in the portfolio gives the chosen family's basis.
                part = r.line.basis
                edit.setPlaceholderText(
                    f"{part.basis * 100:.2f}% (price)" if part is not None else "e.g. 1.5%"
                )
        self.basis_box.setVisible(bool(rows))

    def _clear_basis(self) -> None:
        while self.basis_row.count():
            item = self.basis_row.takeAt(0)
            w = item.widget() if item is not None else None
            if w is not None:
                w.hide()  # gone now, not when the event loop deletes it
                w.deleteLater()
        self._basis_edits = {}

    def _basis_entered(self, family_id: str) -> None:
        edit = self._basis_edits.get(family_id)
        if edit is None:
            return
        text = edit.text().strip()
        if not text:
            self.state.set_basis(family_id, None)
            self._say("")
            return
        try:
            # Like every percent field: "1.5%" is 1.5 %, a bare 0.015 a fraction.
            share = parse_share(
                text,
                what=f"basis of {family_id}",
                low=Decimal("-0.5"),
                high=Decimal("0.5"),
                low_inclusive=False,
                high_inclusive=False,
            )
        except DecimalParseError as exc:
            self._say(str(exc), error=True)
            return
        self._say("")
        self.state.set_basis(family_id, share)

    # -- funding -------------------------------------------------------------------------------
    def perpetuals(self) -> list[Contract]:
        """The perpetuals of every family that can hedge the plan's coins, with a funding source."""
        from hedger.services.funding import funding_sources

        catalog = self.document.catalog
        sources = funding_sources(catalog)
        found: dict[str, Contract] = {}
        for u in self.document.plan.underlyings:
            for family in catalog.families_for(u.underlying):
                for c in catalog.family_contracts(family.id):
                    if c.expiry == "perpetual" and sources.get(c.id):
                        found[c.id] = c
        return [found[k] for k in sorted(found)]

    def _update_funding_contracts(self, *_args: object) -> None:
        if self.isVisible():
            self.refresh.set_contracts(self.perpetuals(), dict(self.state.funding_stats()))

    # -- closing -------------------------------------------------------------------------------
    def reject(self) -> None:
        """Esc and Close: stop a running funding download first (the dialog stays)."""
        if self.refresh.running:
            self.refresh.stop()
            return
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.refresh.stop()
        super().closeEvent(event)


__all__ = ["COLUMNS", "CompareVenuesDialog"]
