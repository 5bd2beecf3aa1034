"""Positions table columns as wide as their contents, never wider than the table.

Ten columns do not fit beside the chart at 1280x800 when each takes its
content's width. Rather than a horizontal scrollbar (which hides the
expiry and account a user checks), titles much wider than their column's
cells give way first (elided; the header's tooltip explains the column), then
the free-text columns (account, contract) elide; the cell's tooltip keeps the
whole text. Numbers keep their full width: a cut number misleads.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QHeaderView, QTableView

from hedger.ui.positions.model import FIELDS

# Then these, in this order; each down to FLOOR_CHARS characters.
SHRINKABLE = ("account", "contract")
FLOOR_CHARS = 11


class PositionsColumnFit(QObject):
    """Refits the view's columns when its width or its rows change."""

    def __init__(self, view: QTableView) -> None:
        super().__init__(view)
        self.view = view
        header = view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.fit)
        model = view.model()
        for signal in (
            model.modelReset,
            model.rowsInserted,
            model.rowsRemoved,
            model.dataChanged,
            model.layoutChanged,
        ):
            signal.connect(self.schedule)
        view.viewport().installEventFilter(self)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.Resize, QEvent.Type.Show):
            self.schedule()
        return False

    def schedule(self, *_args: object) -> None:
        self._timer.start()

    def cells(self) -> list[int]:
        """Each column's cell width (at least a short title's)."""
        view = self.view
        least = view.fontMetrics().averageCharWidth() * 7
        return [max(view.sizeHintForColumn(c), least) for c in range(len(FIELDS))]

    def wanted(self) -> list[int]:
        """Each column's content width: its cells and its title."""
        header = self.view.horizontalHeader()
        cells = self.cells()
        return [max(cells[c], header.sectionSizeHint(c)) for c in range(len(FIELDS))]

    def widths(self, available: int) -> list[int]:
        widths = self.wanted()
        over = sum(widths) - available
        # Long titles first: the cells keep their width, the title elides
        # (a short title such as "Contracts" keeps its word).
        long_title = self.view.fontMetrics().averageCharWidth() * 8
        for col, cell in enumerate(self.cells()):
            if widths[col] - cell < long_title:
                continue
            give = min(max(over, 0), widths[col] - cell)
            widths[col] -= give
            over -= give
        floor = self.view.fontMetrics().averageCharWidth() * FLOOR_CHARS
        for field in SHRINKABLE:
            if over <= 0:
                break
            col = FIELDS.index(field)
            give = min(over, max(0, widths[col] - floor))
            widths[col] -= give
            over -= give
        # Last, any title still wider than its cells (a few pixels at most here).
        for col, cell in enumerate(self.cells()):
            give = min(max(over, 0), max(0, widths[col] - cell))
            widths[col] -= give
            over -= give
        return widths

    def fit(self) -> None:
        available = self.view.viewport().width()
        if available <= 0:
            return
        header = self.view.horizontalHeader()
        for col, width in enumerate(self.widths(available)):
            header.resizeSection(col, width)
