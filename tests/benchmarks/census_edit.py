"""The edit benchmark on a window with no Hedger code: what Qt widgets and pyqtgraph
alone take to show what an edit changes in Hedger's main window.

An "edit" sets one quantity and its value, every row's share, the options
table's figures, ten card figures and the chart's two curves, as an edit of a
quantity does in Hedger; the window is 1280×800 with a 200-row table, a
6×10 table, 40 card labels and a two-curve chart with a legend and lines.
"""

from __future__ import annotations

import statistics
import time

import numpy as np
import pyqtgraph as pg
from census_window import table
from PySide6.QtCore import Qt
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QGridLayout,
    QLabel,
    QMainWindow,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

ROWS = 200


def _table(rows: int, cols: int) -> tuple[QTableView, QStandardItemModel]:
    view = table(rows, cols)
    model = view.model()
    assert isinstance(model, QStandardItemModel)
    return view, model


class CensusWindow(QMainWindow):
    def __init__(self) -> None:
        super().__init__()
        holdings, self.holdings = _table(ROWS, 8)
        options, self.options = _table(6, 10)
        cards = QFrame()
        grid = QGridLayout(cards)
        self.labels = [QLabel(f"Figure {i}: 1,234.56 USD") for i in range(40)]
        for i, label in enumerate(self.labels):
            grid.addWidget(label, i // 4, i % 4)
        hedge = QWidget()
        lay = QVBoxLayout(hedge)
        lay.addWidget(options)
        lay.addWidget(cards)
        plot = pg.PlotWidget()
        plot.addLegend()
        self.x = np.linspace(-50.0, 50.0, 201)
        self.unhedged = plot.plot(self.x, self.x * 2, name="Unhedged", pen=pg.mkPen(width=2))
        self.hedged = plot.plot(self.x, self.x * 0.1, name="Hedged", pen=pg.mkPen(width=3.5))
        for level in (0.0, 10.0, -30.0):
            plot.addItem(pg.InfiniteLine(level, angle=0), ignoreBounds=True)
        top = QSplitter(Qt.Orientation.Horizontal)
        top.addWidget(holdings)
        top.addWidget(plot)
        main = QSplitter(Qt.Orientation.Vertical)
        main.addWidget(top)
        main.addWidget(hedge)
        tabs = QTabWidget()
        tabs.addTab(main, "Hedge")
        self.setCentralWidget(tabs)

    def edit(self, i: int) -> None:
        h = self.holdings
        h.item(i % ROWS, 1).setText(f"{2 + i}.5")
        h.item(i % ROWS, 3).setText(f"{(2 + i) * 150:,.2f}")
        for r in range(ROWS):
            h.item(r, 5).setText(f"{(r + i) % 100 / 3:.1f} %")
        for r in range(6):
            for c in range(10):
                self.options.item(r, c).setText(f"{(r + c + i) * 1.1:,.2f}")
        for k, label in enumerate(self.labels[:10]):
            label.setText(f"Figure {k}: {1234.56 + i:,.2f} USD")
        self.unhedged.setData(self.x, self.x * (2 + i / 10))
        self.hedged.setData(self.x, self.x * (0.1 + i / 100))


def time_edits(app: QApplication, settle_s: float = 1.5) -> tuple[float, float]:
    """Median ms of (edit done, edit repainted) over 15 edits on a settled window."""
    window = CensusWindow()
    window.resize(1280, 800)
    window.show()
    end = time.monotonic() + settle_s
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)
    for i in range(5):
        window.edit(i)
        app.processEvents()
    updated, painted = [], []
    for i in range(15):
        t0 = time.perf_counter()
        window.edit(i)
        t1 = time.perf_counter()
        app.processEvents()
        t2 = time.perf_counter()
        updated.append((t1 - t0) * 1000)
        painted.append((t2 - t0) * 1000)
    window.close()
    return statistics.median(updated), statistics.median(painted)
