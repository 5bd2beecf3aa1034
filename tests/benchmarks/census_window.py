"""A window with the widget census of Hedger's first paint, and no Hedger code.

Run by ``test_bench_gui.py`` as a baseline: what the fixed choices (Python,
PySide6 widgets, one pydantic model read) cost for a window of this size,
before any of the app's own modules, models, plans or painting. At its first
paint Hedger's main window holds about 320 widgets (140 visible: 77 labels,
54 tool buttons, 11 line edits, 3 tables, 12 frames) and 120 actions in 16
menus; this builds the same kinds in about the same numbers, prints its census to
stderr, and quits once painted.
"""

import sys
from decimal import Decimal

from pydantic import BaseModel
from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QAction, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDockWidget,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QMainWindow,
    QPushButton,
    QScrollArea,
    QSlider,
    QSpinBox,
    QSplitter,
    QTableView,
    QTabWidget,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)


class Holding(BaseModel):
    symbol: str
    quantity: Decimal
    price: Decimal


class Portfolio(BaseModel):
    name: str
    holdings: tuple[Holding, ...] = ()


ROW = {"symbol": "BTC", "quantity": "1.25", "price": "150"}


def table(rows: int, cols: int) -> QTableView:
    model = QStandardItemModel(rows, cols)
    for r in range(rows):
        for c in range(cols):
            model.setItem(r, c, QStandardItem(f"{r * 1.25:,.2f}"))
    view = QTableView()
    view.setModel(model)
    view.setAlternatingRowColors(True)
    return view


def panel(
    labels: int, buttons: int, edits: int, frames: int, extra: list[QWidget], hidden: int = 0
) -> QWidget:
    """Frames of labels (the last ``hidden`` of them not shown: banners, notes), a row of
    tool buttons and line edits, and ``extra`` widgets under them."""
    p = QWidget()
    lay = QVBoxLayout(p)
    for i in range(frames):
        frame = QFrame()
        frame.setVisible(i < frames - hidden)
        frame.setFrameShape(QFrame.Shape.StyledPanel)
        grid = QGridLayout(frame)
        for j in range(labels // frames):
            grid.addWidget(QLabel(f"Figure {i}.{j}: 1,234.56 USD"), j // 2, j % 2)
        lay.addWidget(frame)
    row = QHBoxLayout()
    for i in range(buttons):
        b = QToolButton()
        b.setText(f"Action {i}")
        row.addWidget(b)
    for i in range(edits):
        row.addWidget(QLineEdit(f"{i}.5"))
    lay.addLayout(row)
    for w in extra:
        lay.addWidget(w)
    return p


def workspace(rows: int) -> QWidget:
    """The Hedge tab (holdings and positions, chart space, hedge panel) and five more tabs."""
    holdings = panel(12, 18, 4, 2, [table(rows, 8)], hidden=1)
    positions = panel(6, 4, 0, 1, [table(0, 6), *(QWidget() for _ in range(30))])
    hedge = panel(
        52,
        14,
        6,
        8,
        [table(6, 10), QSpinBox(), QComboBox(), QSlider(Qt.Orientation.Horizontal), QPushButton()],
        hidden=5,
    )
    tabs = QTabWidget()
    tabs.addTab(holdings, "Holdings")
    tabs.addTab(positions, "Positions")
    top = QSplitter(Qt.Orientation.Horizontal)
    top.addWidget(tabs)
    top.addWidget(QWidget())  # the chart loads after the first paint
    scroll = QScrollArea()
    scroll.setWidget(hedge)
    scroll.setWidgetResizable(True)
    main = QSplitter(Qt.Orientation.Vertical)
    main.addWidget(top)
    main.addWidget(scroll)
    tab_widget = QTabWidget()
    tab_widget.addTab(main, "Hedge")
    for title in ("Beta", "Backtest", "Risk", "Sizing", "Compare"):
        tab_widget.addTab(QWidget(), title)  # analytics tabs are built when opened
    return tab_widget


def add_chrome(window: QMainWindow) -> None:
    """The library dock, toolbar, menus and status bar."""
    dock = QDockWidget("Portfolios", window)
    dock.setWidget(panel(6, 8, 1, 1, [QListView()]))
    window.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dock)
    toolbar = QToolBar()
    window.addToolBar(toolbar)
    for m in range(8):
        menu = window.menuBar().addMenu(f"Menu {m}")
        for a in range(13):
            action = QAction(f"Action {m}.{a}…", window)
            menu.addAction(action)
            if a < 2:
                toolbar.addAction(action)
        menu.addMenu(f"More {m}")
    for text in ("Prices 2 min old", "Hedged 98 %"):
        window.statusBar().addPermanentWidget(QLabel(text))


class Painted(QObject):
    def __init__(self, app: QApplication, window: QMainWindow) -> None:
        super().__init__()
        self.app, self.window, self.visible = app, window, 0

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            QTimer.singleShot(0, self.app.quit)
            self.visible = sum(w.isVisible() for w in self.window.findChildren(QWidget))
        return False


def main() -> None:
    book = Portfolio.model_validate({"name": "Census", "holdings": [ROW] * 50})
    app = QApplication(sys.argv)
    window = QMainWindow()
    window.setCentralWidget(workspace(len(book.holdings)))
    add_chrome(window)
    watcher = Painted(app, window)
    window.installEventFilter(watcher)
    window.resize(1280, 800)
    window.show()
    app.exec()
    print(
        f"census: {len(window.findChildren(QWidget))} widgets, {watcher.visible} visible, "
        f"{len(window.findChildren(QAction))} actions",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
