"""The place of the scenario chart in the window, filled once the window has painted."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QLabel,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from hedger.ui.hedge.chart import ScenarioChart


class ChartHost(QWidget):
    """Holds the scenario chart, which is created after the first paint.

    pyqtgraph takes a noticeable share of start-up; importing it once the
    window is on screen keeps the first paint quick.
    """

    chartReady = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.chart: ScenarioChart | None = None
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._loading = QLabel("Loading chart…")
        self._loading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._loading.setEnabled(False)
        self._layout.addWidget(self._loading)

    def install(self, chart: ScenarioChart) -> None:
        self._loading.hide()
        self._layout.removeWidget(self._loading)
        self._loading.deleteLater()
        self.chart = chart
        self._layout.addWidget(chart)
        self.chartReady.emit()
