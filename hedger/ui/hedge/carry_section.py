"""The hedge panel's carry, assembled: shared state, the carry line, the table's column.

``CarrySection`` is what the hedge panel holds (a few marked lines in
``panel.py``): the ``CarryState`` shared with the Compare Venues dialog, the
``CarryCard`` line beside the underlying tabs, the options table's carry
column (``CarryColumn``, hooked into ``HedgeOptionsModel.carry``) and the
"Compare Venues…" action for the window's Prices menu.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QPalette
from PySide6.QtWidgets import QWidget

from hedger.ui import format as fmt
from hedger.ui.document.document import PortfolioDocument
from hedger.ui.hedge.carry_state import CarryState
from hedger.ui.hedge.carry_view import CARRY_TIP, CarryCard, cost_text, earn_color

if TYPE_CHECKING:
    from hedger.services.settings import AppSettings
    from hedger.ui.hedge.compare_venues import CompareVenuesDialog
    from hedger.ui.hedge.options_model import HedgeOptionsModel

# After the chart is built: the holiday calendars load on the first roll date.
START_DELAY_MS = 300


# --------------------------------------------------------------------------- table column


class CarryColumn:
    """The options table's carry column, read from the shared state."""

    def __init__(self, state: CarryState, model: HedgeOptionsModel) -> None:
        self.state = state
        self.model = model
        state.changed.connect(self._changed)
        state.settingsChanged.connect(self._header_changed)

    def header(self) -> str:
        return f"Carry {self.state.horizon_days} d"

    def cell(self, underlying: str, option: str, role: int, palette: QPalette) -> Any:
        line = self.state.line(underlying, option)
        if role == Qt.ItemDataRole.DisplayRole:
            if line is None:
                return "…" if not self.state.started or self.state.busy else fmt.DASH
            return cost_text(line) if line.hedged_usd else fmt.DASH
        if role == Qt.ItemDataRole.ToolTipRole:
            if line is None:
                return CARRY_TIP
            head = f"{line.summary()[:1].upper()}{line.summary()[1:]}."
            return "\n".join([head, *(f"• {w}" for w in line.words), "", CARRY_TIP])
        if role == Qt.ItemDataRole.ForegroundRole and line is not None:
            if line.missing:
                return palette.color(QPalette.ColorRole.PlaceholderText)
            if line.total_cost_usd < 0 and line.hedged_usd:
                return earn_color(palette)
        return None

    def _changed(self) -> None:
        m = self.model
        if m.rowCount():
            from hedger.ui.hedge.options_model import COL_CARRY

            m.dataChanged.emit(m.index(0, COL_CARRY), m.index(m.rowCount() - 1, COL_CARRY))

    def _header_changed(self) -> None:
        from hedger.ui.hedge.options_model import COL_CARRY

        self.model.headerDataChanged.emit(Qt.Orientation.Horizontal, COL_CARRY, COL_CARRY)


# --------------------------------------------------------------------------- the section


class CarrySection(QObject):
    """The panel's carry: state, card, table column and the Compare Venues dialog."""

    changed = Signal()  # a new carry result is shown

    def __init__(
        self, document: PortfolioDocument, model: HedgeOptionsModel, parent: QWidget
    ) -> None:
        super().__init__(parent)
        self.document = document
        self.state = CarryState(document, self)
        self.card = CarryCard(self.state)
        self.column = CarryColumn(self.state, model)
        model.carry = self.column
        self._parent = parent
        self._dialog: CompareVenuesDialog | None = None
        self._underlying = ""
        self.compare_action = QAction("Compare &Venues…", self)
        self.compare_action.setStatusTip(
            "Rank every contract family that can hedge each coin by what it costs to hold"
        )
        self.compare_action.triggered.connect(lambda _c=False: self.show_compare())
        self.card.compareRequested.connect(self.show_compare)
        self.state.changed.connect(self.changed)

    def start(self) -> None:
        self.state.start()

    def start_soon(self) -> None:
        """Start a moment after the chart was built: its first paint comes first."""
        if not self.state.started:
            QTimer.singleShot(START_DELAY_MS, self, self.state.start)

    def bind_settings(self, settings: AppSettings) -> None:
        self.state.bind_settings(settings)

    def show_option(self, underlying: str, option: str) -> None:
        self._underlying = underlying
        self.card.show_option(underlying, option)

    def show_compare(self) -> CompareVenuesDialog:
        from hedger.ui.hedge.compare_venues import CompareVenuesDialog

        if self._dialog is None:
            self._dialog = CompareVenuesDialog(self.state, self._parent.window())
        self._dialog.show_underlying(self._underlying)
        self._dialog.show()
        self._dialog.raise_()
        self._dialog.activateWindow()
        return self._dialog

    @property
    def dialog(self) -> CompareVenuesDialog | None:
        return self._dialog


__all__ = ["CarryCard", "CarryColumn", "CarrySection"]
