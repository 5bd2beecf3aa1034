"""Journal entries as markers on a time chart (the Backtest tab's value plot)."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from hedger.ui.document.document import PortfolioDocument

PLACED = QColor("#8250df")
IMPORTED = QColor("#1f6feb")


class JournalMarkers:
    """Dashed vertical lines at each journal entry's time; they never widen the view."""

    def __init__(self, plot: pg.PlotItem, document: PortfolioDocument) -> None:
        self._plot = plot
        self._doc = document
        self.lines: list[pg.InfiniteLine] = []
        document.bookChanged.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        for line in self.lines:
            self._plot.removeItem(line)
        self.lines = []
        for e in self._doc.portfolio.journal:
            colour = PLACED if e.kind == "placed" else IMPORTED
            pen = pg.mkPen(colour, width=1, style=Qt.PenStyle.DashLine)
            label = f"{e.contract} {'+' if e.change > 0 else ''}{e.change.normalize():f}"
            line = pg.InfiniteLine(
                pos=e.at.timestamp(),
                angle=90,
                movable=False,
                pen=pen,
                label=label,
                labelOpts={"position": 0.95, "color": colour, "rotateAxis": (1, 0)},
            )
            line.setToolTip(e.text or label)
            line.setZValue(8)
            self._plot.addItem(line, ignoreBounds=True)
            self.lines.append(line)
